//! Replays scripts on the component in wasmtime, configured as the host's `Runtime` is
//! (default engine, one `InstancePre`), plus a limiter that only records how large the
//! component's linear memory grows.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use pam_approvals::protocol::Step;
use pam_approvals_host::runtime::{self as wit, App, AppPre};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, ResourceLimiter, Store};

use crate::convert;
use crate::script::Script;

/// Store data: the largest linear memory size asked for (initial size included, since
/// instantiation "grows" each memory from zero).
#[derive(Default)]
pub struct MemoryWatch {
    pub peak_bytes: usize,
}

impl ResourceLimiter for MemoryWatch {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.peak_bytes = self.peak_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// A compiled component, ready to instantiate.
pub struct Compiled {
    engine: Engine,
    pre: AppPre<MemoryWatch>,
}

/// A script converted once to the WIT types, so replays only pass references.
pub struct WitScript {
    invocation: wit::Invocation,
    replies: Vec<wit::Reply>,
}

impl WitScript {
    pub fn new(script: &Script) -> Result<WitScript> {
        Ok(WitScript {
            invocation: convert::invocation_to_wit(&script.invocation)?,
            replies: script.replies.iter().map(convert::reply_to_wit).collect(),
        })
    }
}

/// One instance of the component.
pub struct Instance {
    store: Store<MemoryWatch>,
    app: App,
}

impl Compiled {
    /// Compiles the component bytes with Cranelift (the host's cold-start cost).
    pub fn new(component: &[u8]) -> Result<Compiled> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| anyhow!("{e}"))?;
        let component = Component::new(&engine, component).map_err(|e| anyhow!("compiling: {e}"))?;
        let linker = Linker::<MemoryWatch>::new(&engine);
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| anyhow!("linking: {e}"))?;
        let pre = AppPre::new(pre).map_err(|e| anyhow!("{e}"))?;
        Ok(Compiled { engine, pre })
    }

    pub fn instantiate(&self) -> Result<Instance> {
        let mut store = Store::new(&self.engine, MemoryWatch::default());
        store.limiter(|watch| watch);
        let app = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| anyhow!("instantiating: {e}"))?;
        Ok(Instance { store, app })
    }
}

impl Instance {
    /// Runs the script's steps in this instance and returns the last step.
    pub fn replay(&mut self, script: &WitScript) -> Result<wit::Step> {
        let guest = self.app.pam_approvals_workflow().run();
        let run = guest
            .call_constructor(&mut self.store, &script.invocation)
            .map_err(|e| anyhow!("starting the run: {e}"))?;
        let mut step = guest
            .call_next(&mut self.store, run, None)
            .map_err(|e| anyhow!("trapped: {e}"))?;
        for reply in &script.replies {
            step = guest
                .call_next(&mut self.store, run, Some(reply))
                .map_err(|e| anyhow!("trapped: {e}"))?;
        }
        run.resource_drop(&mut self.store)
            .map_err(|e| anyhow!("dropping the run: {e}"))?;
        Ok(step)
    }

    /// Replays once and checks the replay ended where the native one did.
    pub fn replay_checked(&mut self, wit_script: &WitScript, script: &Script) -> Result<Step> {
        let step = convert::step_from_wit(self.replay(wit_script)?);
        script.check_last(&step)?;
        Ok(step)
    }

    /// Total time of `iters` replays (for criterion's `iter_custom`).
    pub fn time_replays(&mut self, script: &WitScript, iters: u64) -> Result<Duration> {
        let started = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(self.replay(script)?);
        }
        Ok(started.elapsed())
    }

    /// The largest linear memory size this instance has had, in bytes.
    pub fn memory_peak_bytes(&self) -> usize {
        self.store.data().peak_bytes
    }
}
