//! `pam-bench run`: every figure but the core cost (criterion measures that first, in
//! `cargo bench`; this reads its data), then `bench/RESULTS.md` and the latency plot.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use pam_approvals_host::runtime::COMPONENT;

use crate::burst::{self, Burst, PLAN};
use crate::environment::{self, Environment};
use crate::host::process::HostProcess;
use crate::report::{self, PLOT_FILE, Results};
use crate::script::{Script, Until};
use crate::wasmtime_driver::Compiled;
use crate::{calls, cold, criterion_data, inputs, keeper, memory, node, plot, pra, sizes};

pub struct Options {
    /// Where RESULTS.md and the plot go.
    pub out: PathBuf,
    /// The host binary for its cold start (None: not measured).
    pub host_binary: Option<PathBuf>,
    /// Runs of each cold start and of the calls scenario.
    pub reps: usize,
    pub burst_reps: usize,
    /// When the whole command started (scripts/bench.sh passes it), for "the command took".
    pub started_at_unix: Option<u64>,
}

fn progress(what: &str) {
    eprintln!("pam-bench: {what}");
}

/// Runs everything, writes the results; false when a burst check failed.
pub async fn run(options: &Options) -> Result<bool> {
    let env = Environment::read();
    let started = Instant::now();
    let mut notes = Vec::new();

    let mut core = Vec::new();
    for input in inputs::all() {
        let figures = criterion_data::core_figures(input.name)?;
        if figures.iter().all(|f| f.values.is_empty()) {
            notes.push(format!(
                "Core cost ({}): no criterion data; run `cargo bench -p pam-approvals-bench --bench core` first (scripts/bench.sh does).",
                input.name
            ));
        }
        core.push((input.name.to_string(), input.body.len(), figures));
    }

    progress("cold start");
    let realistic = Script::record(inputs::REALISTIC, Until::Answer)?;
    let maximal = Script::record(&inputs::maximal(), Until::Answer)?;
    let mut cold = cold::wasmtime(COMPONENT, &realistic, options.reps)?;
    match node::unavailable() {
        Some(why) => notes.push(format!("Node figures: {why}.")),
        None => {
            let setup = node::prepare(COMPONENT, "scripts-cold-start", &[("realistic-answer", &realistic)])?;
            cold.extend(cold::node(&setup, "realistic-answer", options.reps)?);
        }
    }
    match &options.host_binary {
        Some(binary) if binary.exists() => cold.extend(cold::host_binary(binary, options.reps).await?),
        other => notes.push(format!(
            "Host binary cold start: {} not found (build it with `cargo build --release -p pam-approvals-host`).",
            other
                .as_ref()
                .map_or("no binary given".into(), |b| b.display().to_string())
        )),
    }

    progress("sizes and linear memory");
    let sizes = sizes::measure(COMPONENT);
    if sizes.iter().any(|s| s.bytes.is_none()) {
        notes.push("UI wasm: not built (scripts/build-ui.sh builds `static/request/build/`).".into());
    }
    let compiled = Compiled::new(COMPONENT)?;
    let linear_memory = memory::linear_memory(&compiled, &realistic, &maximal, options.reps)?;

    progress("calls per operation");
    let mut calls = calls::measure(options.reps).await?;
    progress("PRA: request to answer");
    let pra = pra::measure(options.reps).await?;
    calls.extend(pra.operations);
    let keeper = keeper::measure(options.reps).await?;
    calls.extend(keeper.operations);

    let mut bursts = Vec::new();
    for i in 0..options.burst_reps {
        progress(&format!("burst {}/{}", i + 1, options.burst_reps));
        let host = HostProcess::start("burst").await?;
        let outcome = burst::run(&host, &PLAN).await;
        host.stop().await;
        bursts.push(outcome?);
    }

    let elapsed = match options.started_at_unix {
        Some(at) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH + Duration::from_secs(at))
            .unwrap_or_default(),
        None => started.elapsed(),
    };
    let results = Results {
        env,
        load_at_end: environment::load_average(),
        elapsed,
        core,
        cold,
        sizes,
        bursts,
        calls,
        pra_latency: pra.latency,
        keeper_latency: keeper.latency,
        linear_memory,
        notes,
    };
    write(options, &results)?;
    Ok(results.bursts.iter().all(|b| b.check(&PLAN).is_ok()))
}

fn write(options: &Options, results: &Results) -> Result<()> {
    std::fs::create_dir_all(&options.out)?;
    let markdown = report::markdown(results);
    std::fs::write(options.out.join("RESULTS.md"), &markdown)?;
    if let Some(burst) = median_burst(&results.bursts) {
        let title = format!(
            "Burst: {} webhooks + {} duplicates at concurrency {} ({} machine)",
            PLAN.distinct,
            PLAN.duplicates,
            PLAN.concurrency,
            results.env.state()
        );
        std::fs::write(
            options.out.join(PLOT_FILE),
            plot::latency_svg(&burst.sorted_ms(), &title),
        )?;
    }
    println!("{markdown}");
    Ok(())
}

/// The burst with the median throughput (the one the plot shows).
fn median_burst(bursts: &[Burst]) -> Option<&Burst> {
    let mut by_throughput: Vec<&Burst> = bursts.iter().collect();
    by_throughput.sort_by(|a, b| a.throughput().total_cmp(&b.throughput()));
    by_throughput.get(by_throughput.len() / 2).copied()
}
