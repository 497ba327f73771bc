//! Cold start: compiling and instantiating the component in wasmtime and in Node (jco), and the
//! time to the first answer; for the real host binary, from process start to its first answered
//! web trigger (through HTTP and the sandbox Jira).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::host::process::{TempDir, client};
use crate::inputs;
use crate::node::{self, NodeSetup};
use crate::script::Script;
use crate::summary::Figure;
use crate::wasmtime_driver::{Compiled, WitScript};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Fresh engine, compile, instantiate, first answer (a recorded full run), `reps` times.
pub fn wasmtime(component: &[u8], answer: &Script, reps: usize) -> Result<Vec<Figure>> {
    let mut compile = Figure::new("wasmtime: compile the component (Cranelift)", " ms");
    let mut instantiate = Figure::new("wasmtime: instantiate", " ms");
    let mut first = Figure::new("wasmtime: first webhook answered (canned replies)", " ms");
    let wit = WitScript::new(answer)?;
    for _ in 0..reps {
        let t0 = Instant::now();
        let compiled = Compiled::new(component)?;
        let t1 = Instant::now();
        let mut instance = compiled.instantiate()?;
        let t2 = Instant::now();
        instance.replay_checked(&wit, answer)?;
        let t3 = Instant::now();
        compile.values.push(ms(t1 - t0));
        instantiate.values.push(ms(t2 - t1));
        first.values.push(ms(t3 - t2));
    }
    Ok(vec![compile, instantiate, first])
}

/// One Node process per run: boot, import the bindings, compile, instantiate, first answer.
pub fn node(setup: &NodeSetup, answer_script: &str, reps: usize) -> Result<Vec<Figure>> {
    let mut figures = [
        ("nodeBootMs", "Node: process start to script start"),
        ("importMs", "Node: import jco's bindings"),
        ("compileMs", "Node: compile the core modules"),
        ("instantiateMs", "Node: instantiate"),
        ("firstAnswerMs", "Node: first webhook answered (canned replies)"),
    ]
    .map(|(key, label)| (key, Figure::new(label, " ms")));
    for _ in 0..reps {
        let timings = node::cold_start(setup, answer_script)?;
        for (key, figure) in figures.iter_mut() {
            figure.values.push(timings[*key].as_f64().context("node timing")?);
        }
    }
    Ok(figures.into_iter().map(|(_, figure)| figure).collect())
}

/// The host binary (`serve --sandbox`): on a fresh data dir, process start to "Ready." (it
/// compiles the component and caches it) and "Ready." to the answer of the first webhook (which
/// also looks the people up in Jira); then a second start on the same data dir (the compiled
/// component from the cache, the sandboxes already seeded) to "Ready.".
pub async fn host_binary(binary: &Path, reps: usize) -> Result<Vec<Figure>> {
    let mut ready = Figure::new(
        "host binary: first start to ready (compile and cache, seed the sandboxes, configure)",
        " ms",
    );
    let mut first = Figure::new("host binary: first webhook answered over HTTP", " ms");
    let mut total = Figure::new("host binary: first start to first answer", " ms");
    let mut warm = Figure::new("host binary: warm start to ready (the same data dir again)", " ms");
    for _ in 0..reps {
        let data = TempDir::new("cold")?;
        let (to_ready, to_answer) = host_once(binary, &data.0, true).await?;
        ready.values.push(ms(to_ready));
        first.values.push(ms(to_answer));
        total.values.push(ms(to_ready + to_answer));
        let (again, _) = host_once(binary, &data.0, false).await?;
        warm.values.push(ms(again));
    }
    Ok(vec![ready, first, total, warm])
}

/// One start on `data`: the time to "Ready.", and (`webhook`) the first webhook's answer.
async fn host_once(binary: &Path, data: &Path, webhook: bool) -> Result<(Duration, Duration)> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["serve", "--sandbox", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("PAM_WEBHOOK_USER", inputs::WEBHOOK_USER)
        .env("PAM_WEBHOOK_PASSWORD", inputs::WEBHOOK_PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut lines = BufReader::new(child.stdout.take().context("host stdout")?).lines();
    let mut url = None;
    while let Some(line) = lines.next_line().await? {
        if let Some(found) = line.trim().strip_prefix("web trigger (epm-webhook):") {
            url = Some(found.trim().to_string());
        }
        if line.starts_with("Ready.") {
            break;
        }
    }
    let to_ready = started.elapsed();
    if !webhook {
        let _ = child.kill().await;
        return Ok((to_ready, Duration::ZERO));
    }
    let url = url.context("the host printed no web trigger URL")?;
    let sent = Instant::now();
    let response = client()?
        .post(&url)
        .header("Content-Type", "application/json")
        .header("Authorization", inputs::authorization())
        .body(inputs::REALISTIC)
        .send()
        .await?;
    let to_answer = sent.elapsed();
    let status = response.status().as_u16();
    let _ = child.kill().await;
    if status != 201 {
        bail!("the host binary's first webhook answered HTTP {status}");
    }
    Ok((to_ready, to_answer))
}
