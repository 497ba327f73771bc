//! Core cost per "ticket created" webhook: the same recorded run (web trigger invocation to the
//! `POST /rest/api/3/issue` call) replayed on the native core, on the component in wasmtime and
//! on the component in Node through jco, for the realistic and the maximal body. One criterion
//! group per input, so the three are measured in the same run on the same inputs;
//! `pam-bench run` reads the samples and computes the ratios sample by sample.
//!
//! Short by design (the whole of scripts/bench.sh must take a few minutes on 2 cores); criterion's
//! command-line options (`--measurement-time`, `--sample-size`) override these settings.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pam_approvals_bench::node::{self, ReplayServer};
use pam_approvals_bench::script::{Script, Until};
use pam_approvals_bench::wasmtime_driver::{Compiled, WitScript};
use pam_approvals_bench::{criterion_data, inputs};
use pam_approvals_host::runtime::COMPONENT;

fn core(c: &mut Criterion) {
    let inputs = inputs::all();
    let scripts: Vec<(&str, Script)> = inputs
        .iter()
        .map(|input| {
            let script = Script::record(&input.body, Until::CreateCall).expect("recording the run");
            (input.name, script)
        })
        .collect();
    let compiled = Compiled::new(COMPONENT).expect("compiling the component");
    let mut node = match node::unavailable() {
        Some(why) => {
            eprintln!("node-jco skipped: {why}");
            None
        }
        None => {
            let named: Vec<(&str, &Script)> = scripts.iter().map(|(name, s)| (*name, s)).collect();
            let setup = node::prepare(COMPONENT, "scripts-core", &named).expect("preparing Node");
            Some(ReplayServer::start(&setup).expect("starting Node"))
        }
    };
    for (name, script) in &scripts {
        let mut group = c.benchmark_group(criterion_data::group(name));
        group.bench_function("native", |b| b.iter(|| black_box(script.replay_native())));

        let wit = WitScript::new(script).expect("converting the script");
        let mut instance = compiled.instantiate().expect("instantiating");
        instance.replay_checked(&wit, script).expect("the wasmtime replay");
        group.bench_function("wasmtime", |b| {
            b.iter(|| instance.replay(&wit).expect("replaying in wasmtime"))
        });

        if let Some(server) = node.as_mut() {
            // Node times its own loop, so the pipe round trip is not counted.
            group.bench_function("node-jco", |b| {
                b.iter_custom(|iters| server.time(name, iters).expect("replaying in Node"))
            });
        }
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = core
}
criterion_main!(benches);
