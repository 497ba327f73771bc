//! `bench/RESULTS.md`: every figure of one `scripts/bench.sh` run, with the machine, the date,
//! the commit and how loaded the machine was.

use std::fmt::Write;
use std::time::Duration;

use crate::burst::{Burst, PLAN};
use crate::calls::Operation;
use crate::environment::Environment;
use crate::sizes::Size;
use crate::summary::{Figure, Summary, num, percentile};

pub struct Results {
    pub env: Environment,
    pub load_at_end: f64,
    pub elapsed: Duration,
    /// (input name, body bytes, figures).
    pub core: Vec<(String, usize, Vec<Figure>)>,
    pub cold: Vec<Figure>,
    pub sizes: Vec<Size>,
    pub bursts: Vec<Burst>,
    pub calls: Vec<Operation>,
    /// PRA: request to answer at the appliance.
    pub pra_latency: Figure,
    pub keeper_latency: Figure,
    pub linear_memory: Vec<Figure>,
    /// Things not measured, and why.
    pub notes: Vec<String>,
}

pub const PLOT_FILE: &str = "burst-latency.svg";

fn table(out: &mut String, header: &str, figures: &[Figure]) {
    let _ = writeln!(out, "| {header} | min / **median** / max |\n|---|---|");
    for figure in figures {
        let _ = writeln!(out, "{}", figure.row());
    }
    out.push('\n');
}

fn kib(bytes: usize) -> String {
    format!("{} B ({:.1} KiB)", bytes, bytes as f64 / 1024.0)
}

/// Burst figures over the runs.
pub fn burst_figures(bursts: &[Burst]) -> Vec<Figure> {
    let mut figures = vec![
        Figure::new("throughput (deliveries answered per second)", " /s"),
        Figure::new("wall time", " s"),
        Figure::new("latency p50", " ms"),
        Figure::new("latency p95", " ms"),
        Figure::new("latency p99", " ms"),
        Figure::new("latency max", " ms"),
        Figure::new("time inside the component per delivery (mean)", " ms"),
        Figure::new("time waiting on capability calls per delivery (mean)", " ms"),
        Figure::new("component share of run time (component / (component + calls))", " %"),
        Figure::new("share of summed latency inside the component", " %"),
        Figure::new("share of summed latency waiting on capability calls", " %"),
        Figure::new(
            "share of summed latency elsewhere (queueing for a worker, HTTP, instantiation)",
            " %",
        ),
        Figure::new("Jira calls during the burst", ""),
        Figure::new("KV operations during the burst", ""),
    ];
    for burst in bursts {
        let sorted = burst.sorted_ms();
        let deliveries = sorted.len() as f64;
        let request_ns: f64 = sorted.iter().sum::<f64>() * 1e6;
        let component = burst.delta("inComponentNs");
        let calls = burst.delta("inCallsNs");
        let values = [
            burst.throughput(),
            burst.wall.as_secs_f64(),
            percentile(&sorted, 50.0),
            percentile(&sorted, 95.0),
            percentile(&sorted, 99.0),
            sorted.last().copied().unwrap_or(f64::NAN),
            component / deliveries / 1e6,
            calls / deliveries / 1e6,
            component / (component + calls) * 100.0,
            component / request_ns * 100.0,
            calls / request_ns * 100.0,
            (request_ns - component - calls) / request_ns * 100.0,
            burst.delta("jira"),
            burst.delta("kv"),
        ];
        for (figure, value) in figures.iter_mut().zip(values) {
            figure.values.push(value);
        }
    }
    figures
}

fn rss_figures(bursts: &[Burst]) -> Vec<Figure> {
    let mut before = Figure::new("host RSS before the burst (after start-up)", " MiB");
    let mut peak = Figure::new("host peak RSS during the burst", " MiB");
    let mut after = Figure::new("host RSS right after the burst", " MiB");
    let mib = |v: &serde_json::Value, field: &str| v[field].as_f64().unwrap_or(f64::NAN) / 1024.0;
    for burst in bursts {
        before.values.push(mib(&burst.before, "rssKb"));
        peak.values.push(mib(&burst.after, "peakRssKb"));
        after.values.push(mib(&burst.after, "rssKb"));
    }
    vec![before, peak, after]
}

fn calls_table(out: &mut String, operations: &[Operation]) {
    let _ = writeln!(
        out,
        "| operation | Jira REST calls | KV operations | PAM system calls (EPM, PRA or Commander) | Jira calls, in order | PAM system calls |\n|---|---|---|---|---|---|"
    );
    for op in operations {
        let count = |f: fn(&crate::calls::OpCalls) -> u64| {
            let values: Vec<f64> = op.runs.iter().map(|r| f(r) as f64).collect();
            Summary::of(&values).map_or("not measured".into(), |s| s.show(num, ""))
        };
        let first = op.runs.first();
        let names = |list: Option<&Vec<String>>| match list {
            Some(list) if !list.is_empty() => list.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            _ => "none".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            op.name,
            count(|r| r.jira),
            count(|r| r.kv),
            count(|r| r.system),
            names(first.map(|r| &r.jira_calls)),
            names(first.map(|r| &r.system_calls)),
        );
    }
    out.push('\n');
}

pub fn markdown(r: &Results) -> String {
    let env = &r.env;
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Generated by `scripts/bench.sh` on {}; do not edit by hand (re-run the command).\n",
        env.date
    );
    let _ = writeln!(
        out,
        "**Machine state: {}.** 1-minute load average {:.2} when the run started and {:.2} at its end, on {} cores. {}\n",
        env.state(),
        env.load_at_start,
        r.load_at_end,
        env.cores,
        if env.state() == "quiet" {
            "Nothing else was running that the load average shows."
        } else {
            "Other work shared the CPU: the timings are disturbed (slower, wider); counts, sizes and memory are not. Re-run on a quiet machine before quoting timings."
        }
    );
    let _ = writeln!(
        out,
        "Each figure is min / **median** / max over repeated runs (criterion samples for the core cost); a single value means every run gave the same.\n"
    );
    let _ = writeln!(out, "| machine | |\n|---|---|");
    for (k, v) in [
        ("CPU", env.cpu.clone()),
        ("cores", env.cores.to_string()),
        ("memory", format!("{:.1} GiB", env.memory_gib)),
        ("kernel", env.kernel.clone()),
        ("Rust", env.rustc.clone()),
        ("Node", env.node.clone()),
        ("commit", env.commit.clone()),
        ("date (UTC)", env.date.clone()),
        (
            "measuring took (builds excluded)",
            format!("{} min {} s", r.elapsed.as_secs() / 60, r.elapsed.as_secs() % 60),
        ),
    ] {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    out.push('\n');

    let _ = writeln!(out, "## 1. Core cost per \"ticket created\" webhook\n");
    let _ = writeln!(
        out,
        "Parse, validate and map to the Jira create request: a recorded run replayed from the web trigger invocation to its `POST /rest/api/3/issue` call, with the replies the core got in steady state (config and credentials read, claim won, user lookups answered from the KV cache). Native Rust calls `Run::start`/`next`; wasmtime and Node (jco output of the same component bytes) call the component's `run` resource, one instance reused. All three in one criterion run (`cargo bench -p pam-approvals-bench --bench core`); ratios are sample *i* / native sample *i*.\n"
    );
    for (input, bytes, figures) in &r.core {
        let _ = writeln!(out, "**{input}** body: {}\n", kib(*bytes));
        table(&mut out, "per webhook", figures);
    }

    let _ = writeln!(out, "## 2. Cold start and sizes\n");
    table(&mut out, "cold start", &r.cold);
    let _ = writeln!(out, "| artifact | raw | gzip -9 |\n|---|---|---|");
    for size in &r.sizes {
        match size.bytes {
            Some((raw, gz)) => {
                let _ = writeln!(out, "| {} | {} | {} |", size.label, kib(raw), kib(gz));
            }
            None => {
                let _ = writeln!(out, "| {} | not built | not built |", size.label);
            }
        }
    }
    out.push('\n');

    let _ = writeln!(out, "## 3. Burst\n");
    let _ = writeln!(
        out,
        "{} distinct webhooks (the realistic sample, each with its own request id) plus {} redeliveries of them at fixed pseudo-random places, sent at concurrency {} over HTTP to a fresh host in its own process (the host library assembled as `serve --sandbox` does: sandbox Jira and EPM in-process, SQLite KV; the runtime sums each run's `RunStats`, read at `/_bench/stats`); {} runs. Latency is measured by the load generator, send to last byte. Component and call times are sums of the host runtime's `RunStats` (`in_component`, `in_calls`; the sandboxes answer in-process, so call time is their work, SQLite included). With 16 deliveries in flight and one runtime worker per core, most of each latency is waiting for a worker, which is why \"elsewhere\" dominates the summed latency.\n",
        PLAN.distinct,
        PLAN.duplicates,
        PLAN.concurrency,
        r.bursts.len()
    );
    table(&mut out, "burst", &burst_figures(&r.bursts));
    let checks: Vec<String> = r
        .bursts
        .iter()
        .map(|b| {
            format!(
                "{} issues, {} duplicate issues, {} error answers ({:?})",
                b.issues,
                b.duplicate_issues,
                b.errors(),
                b.statuses
            )
        })
        .collect();
    let passed = r.bursts.iter().all(|b| b.check(&PLAN).is_ok());
    let _ = writeln!(
        out,
        "Checks ({}): {}.\n",
        if passed { "passed" } else { "FAILED" },
        checks.join("; ")
    );
    if !r.bursts.is_empty() {
        let _ = writeln!(
            out,
            "![Burst latency distribution]({PLOT_FILE})\n\n({PLOT_FILE}: the run with the median throughput.)\n"
        );
    }

    let _ = writeln!(out, "## 4. Calls per operation\n");
    let _ = writeln!(
        out,
        "Counted by the host (`Capabilities::counters`) around one operation at a time on a fresh host; KV operations include secret reads. Calls are named from the sandboxes' request logs.\n"
    );
    calls_table(&mut out, &r.calls);

    let _ = writeln!(out, "## 4b. BeyondTrust PRA: request to answer\n");
    let _ = writeln!(
        out,
        "One ticket-ID request at a time through a fresh host: the appliance's form posted to the `pra-ticket` web trigger (202 at once), then the sandbox appliance polled every 2 ms until the app's answer is there; the queued `pra.decide` job reads the ticket as the app, decides, posts the answer, then audits the issue (note and property, after the answer). The calls of these operations are in the table above.\n"
    );
    table(&mut out, "PRA", std::slice::from_ref(&r.pra_latency));

    let _ = writeln!(
        out,
        "## 4c. Keeper: a decision through Commander
"
    );
    let _ = writeln!(
        out,
        "One KEPM request at a time through a fresh host (the first run, with empty caches, left out): a pending request added to the sandbox Commander, its alert posted to `keeper-alert` (201, the issue), the panel's `keeper.request`, then `keeper.decide` approve through the bridge as Carol Admin, timed from the call to its answer: the action submitted to Commander's queue and its result polled, Keeper read back, the note, transition and property written. The sandbox Commander's worker takes 100 ms per command (`processingMs`), as a real one takes some; the calls are in the table above, Commander's round trips under PAM system calls.\n"
    );
    table(&mut out, "Keeper", std::slice::from_ref(&r.keeper_latency));

    let _ = writeln!(out, "## 5. Memory\n");
    let mut memory = rss_figures(&r.bursts);
    memory.extend(r.linear_memory.iter().map(|f| Figure {
        label: format!("component {}", f.label),
        values: f.values.clone(),
        unit: f.unit,
    }));
    table(&mut out, "memory", &memory);
    if let Some(burst) = r.bursts.first() {
        let _ = writeln!(
            out,
            "Peak RSS source: {} (VmHWM: the kernel's high-water mark, reset just before the burst; \"sampled\": the largest `VmRSS` seen every 5 ms). The host process includes the sandbox Jira, which keeps every REST request it received, body included, in memory for `/_sandbox/requests` (up to 10,000): after the burst that is about 1,000 create bodies, which a host working against a real Jira site does not hold.\n",
            burst.after["peakSource"].as_str().unwrap_or("unknown")
        );
    }

    if !r.notes.is_empty() {
        let _ = writeln!(out, "## Not measured\n");
        for note in &r.notes {
            let _ = writeln!(out, "- {note}");
        }
        out.push('\n');
    }
    out
}
