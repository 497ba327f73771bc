//! Runs the app component with wasmtime: one fresh instance per invocation, driven by the step
//! loop in `run`, whose only job is to have each call performed ([`Perform`]) and feed back the
//! reply.

use std::future::Future;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use wasmtime::component::{Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};

pub use crate::compiled::Source;
use crate::run_totals::RunTotals;
pub use crate::run_totals::{RunStats, Totals};
pub use crate::wit::*;

/// The component bytes built by build.rs.
pub const COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pam-approvals.wasm"));

/// The same cap the component enforces; a host that loops longer has a bug.
const MAX_STEPS: u32 = 10_000;

/// Who a run acts for, built by whoever starts the run and passed down to every capability call
/// of that run (never shared state, so concurrent runs cannot see each other's user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunContext {
    /// The Atlassian account id that `Actor::User` Jira calls act as: the signed-in user of a
    /// resolver call. None for web triggers, jobs, ticks and provisioning, whose user calls are
    /// refused.
    pub user: Option<String>,
}

impl RunContext {
    /// A run on behalf of this signed-in user (resolver calls).
    pub fn for_user(account_id: impl Into<String>) -> RunContext {
        RunContext {
            user: Some(account_id.into()),
        }
    }
}

/// Performs the component's capability calls: `Capabilities` on this host. The runtime knows
/// nothing else of how a call is carried out.
pub trait Perform: Send + Sync {
    /// Performs one call of the run described by `context`; every failure is a `Reply::Failed`.
    fn perform(&self, call: Call, context: &RunContext) -> impl Future<Output = Reply> + Send;
}

impl<P: Perform> Perform for std::sync::Arc<P> {
    fn perform(&self, call: Call, context: &RunContext) -> impl Future<Output = Reply> + Send {
        P::perform(self, call, context)
    }
}

pub struct Runtime {
    engine: Engine,
    pre: AppPre<()>,
    totals: RunTotals,
}

impl Runtime {
    /// Compiles the component once; every run instantiates from the prepared instance.
    pub fn new(component_bytes: &[u8]) -> Result<Runtime> {
        Runtime::with_cache(component_bytes, None).map(|(runtime, _)| runtime)
    }

    /// Like `new`, with the compiled component cached in `cache_dir` (`compiled.rs`): a start
    /// after the first maps it instead of compiling. Says where the component came from.
    pub fn with_cache(component_bytes: &[u8], cache_dir: Option<&std::path::Path>) -> Result<(Runtime, Source)> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| anyhow!("{e}"))?;
        let (component, source) = crate::compiled::load(&engine, component_bytes, cache_dir)?;
        let linker = Linker::<()>::new(&engine);
        let instance_pre = linker
            .instantiate_pre(&component)
            .map_err(|e| anyhow!("linking the component: {e}"))?;
        let pre = AppPre::new(instance_pre).map_err(|e| anyhow!("{e}"))?;
        let runtime = Runtime {
            engine,
            pre,
            totals: Default::default(),
        };
        Ok((runtime, source))
    }

    /// Runs one invocation to its outcome; `context` says whom the run acts for.
    pub async fn run(
        &self,
        invocation: Invocation,
        caps: &impl Perform,
        context: &RunContext,
    ) -> Result<(Outcome, RunStats)> {
        let mut store = Store::new(&self.engine, ());
        let app = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| anyhow!("instantiating: {e}"))?;
        let guest = app.pam_approvals_workflow().run();
        let run: ResourceAny = guest
            .call_constructor(&mut store, &invocation)
            .map_err(|e| anyhow!("starting the run: {e}"))?;
        let mut stats = RunStats::default();
        let mut reply: Option<Reply> = None;
        let outcome = loop {
            if stats.steps >= MAX_STEPS {
                break Err(anyhow!("the run exceeded {MAX_STEPS} steps"));
            }
            stats.steps += 1;
            let started = Instant::now();
            let step = guest
                .call_next(&mut store, run, reply.as_ref())
                .map_err(|e| anyhow!("the component trapped: {e}"));
            stats.in_component += started.elapsed();
            match step? {
                Step::Done(outcome) => break Ok(outcome),
                Step::Call(call) => {
                    let started = Instant::now();
                    reply = Some(caps.perform(call, context).await);
                    stats.in_calls += started.elapsed();
                }
            }
        };
        let _ = run.resource_drop(&mut store);
        self.totals.add(&stats);
        outcome.map(|o| (o, stats)).context("running the component")
    }

    /// Sums of every run's statistics since start.
    pub fn totals(&self) -> Totals {
        self.totals.read()
    }
}
