//! The component in Node through jco: transpiles the bytes wasmtime runs, writes the recorded
//! scripts in jco's shapes, and talks to `bench/node/replay-server.mjs` (timed replays) and
//! `bench/node/cold-start.mjs` (one cold start per process).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use crate::convert;
use crate::paths;
use crate::script::{Script, Until};

/// The transpiled component and the scripts file, ready for Node.
pub struct NodeSetup {
    jco_dir: PathBuf,
    scripts_file: PathBuf,
}

/// Why Node figures are missing, if they are: no `node`, or no jco package (`npm install`).
pub fn unavailable() -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("`node` is not installed".into());
    }
    let jco = paths::root().join("node_modules/@bytecodealliance/jco-transpile");
    (!jco.exists()).then(|| "the jco package is not installed (run `npm install`)".into())
}

fn script_dir() -> PathBuf {
    paths::root().join("bench/node")
}

/// Transpiles `component` (unless the same bytes were transpiled before) and writes `scripts`
/// to `target/bench/<scripts_name>.json`.
pub fn prepare(component: &[u8], scripts_name: &str, scripts: &[(&str, &Script)]) -> Result<NodeSetup> {
    let work = paths::work();
    let jco_dir = work.join("jco");
    let source = work.join("pam-approvals.wasm");
    std::fs::create_dir_all(&work)?;
    let fresh = std::fs::read(&source).is_ok_and(|old| old == component) && jco_dir.join("pam-approvals.mjs").exists();
    if !fresh {
        std::fs::write(&source, component)?;
        let status = Command::new("node")
            .arg(script_dir().join("transpile.mjs"))
            .arg(&source)
            .arg(&jco_dir)
            .status()
            .context("running node")?;
        if !status.success() {
            let _ = std::fs::remove_file(&source);
            bail!("jco transpile failed ({status})");
        }
    }
    let mut all = Map::new();
    for (name, script) in scripts {
        all.insert(name.to_string(), to_jco(script)?);
    }
    let scripts_file = work.join(format!("{scripts_name}.json"));
    std::fs::write(&scripts_file, Value::Object(all).to_string())?;
    Ok(NodeSetup { jco_dir, scripts_file })
}

fn to_jco(script: &Script) -> Result<Value> {
    Ok(json!({
        "invocation": convert::invocation_to_jco(&script.invocation)?,
        "replies": script.replies.iter().map(convert::reply_to_jco).collect::<Vec<_>>(),
        "until": match script.until { Until::CreateCall => "create-call", Until::Answer => "answer" },
    }))
}

/// A Node process that replays scripts on request.
pub struct ReplayServer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl ReplayServer {
    /// Starts Node and waits until it has replayed every script once and checked where each ends.
    pub fn start(setup: &NodeSetup) -> Result<ReplayServer> {
        let mut child = Command::new("node")
            .arg(script_dir().join("replay-server.mjs"))
            .arg(&setup.jco_dir)
            .arg(&setup.scripts_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node")?;
        let stdin = child.stdin.take().context("node stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("node stdout")?);
        let mut server = ReplayServer { child, stdin, stdout };
        let first = server.line()?;
        if first != "ready" {
            bail!("node replay server: {first}");
        }
        Ok(server)
    }

    fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("the node replay server exited");
        }
        Ok(line.trim().to_string())
    }

    /// Time Node took for `iters` replays of the script `name`.
    pub fn time(&mut self, name: &str, iters: u64) -> Result<Duration> {
        writeln!(self.stdin, "run {name} {iters}")?;
        self.stdin.flush()?;
        let answer = self.line()?;
        let nanos: u64 = answer
            .parse()
            .with_context(|| format!("node replay server: {answer}"))?;
        Ok(Duration::from_nanos(nanos))
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        // Closing stdin ends its read loop; kill in case it is stuck.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Node process start: its timings in ms (`nodeBootMs`, `importMs`, `compileMs`,
/// `instantiateMs`, `firstAnswerMs`, `totalMs`).
pub fn cold_start(setup: &NodeSetup, answer_script: &str) -> Result<Value> {
    let output = Command::new("node")
        .arg(script_dir().join("cold-start.mjs"))
        .arg(&setup.jco_dir)
        .arg(&setup.scripts_file)
        .arg(answer_script)
        .stderr(Stdio::inherit())
        .output()
        .context("running node")?;
    if !output.status.success() {
        bail!("node cold start failed ({})", output.status);
    }
    serde_json::from_slice(&output.stdout).context("node cold start printed no JSON")
}
