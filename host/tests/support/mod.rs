//! Starts the host binary on an ephemeral port with a temp data dir, and talks to it over HTTP.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const USER: &str = "epm-hook";
pub const PASSWORD: &str = "correct-horse-battery-staple";
pub const SAMPLE: &str = include_str!("../../../tests/fixtures/epm/ticket-created.sample.json");
pub const SAMPLE_REQUEST_ID: &str = "7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13";

/// A temp dir removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("pam-e2e-{name}-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0)
}

/// A running host; stopped (SIGTERM, then kill) on drop.
pub struct Host {
    child: Child,
    pub base: String,
    pub stdout: Vec<String>,
}

impl Host {
    /// `serve --sandbox` with the test credentials.
    pub fn start(data_dir: &Path) -> Host {
        Host::start_with(data_dir, &[])
    }

    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Host {
        Host::spawn(data_dir, extra, true)
    }

    /// With no PAM_WEBHOOK_* variables: the sandbox generates or reuses its own credentials.
    pub fn start_without_credentials(data_dir: &Path) -> Host {
        Host::spawn(data_dir, &[], false)
    }

    fn spawn(data_dir: &Path, extra: &[&str], env_credentials: bool) -> Host {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"));
        command
            .args(["serve", "--sandbox", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env_remove("PAM_WEBHOOK_USER")
            .env_remove("PAM_WEBHOOK_PASSWORD")
            .env("RUST_LOG", "warn");
        if env_credentials {
            command
                .env("PAM_WEBHOOK_USER", USER)
                .env("PAM_WEBHOOK_PASSWORD", PASSWORD);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the host");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("reading host stdout");
            if let Some(url) = line.trim().strip_prefix("web trigger (EPM):") {
                base = Some(url.trim().trim_end_matches("/x/epm-webhook").to_string());
            }
            let ready = line.starts_with("Ready.");
            lines.push(line);
            if ready {
                break;
            }
        }
        let base = base.unwrap_or_else(|| panic!("the host printed no web trigger URL: {lines:?}"));
        Host {
            child,
            base,
            stdout: lines,
        }
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/x/epm-webhook", self.base)
    }

    pub fn jira(&self, path: &str) -> String {
        format!("{}/sandbox/jira{path}", self.base)
    }

    /// Stops the host as Ctrl-C would and waits for it to exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate()
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        #[cfg(unix)]
        unsafe {
            libc_kill(self.child.id() as i32, 15);
        }
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        self.child.wait().expect("waiting for the host")
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

#[cfg(unix)]
unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Posts a body to the EPM web trigger with the given credentials (None: no Authorization).
pub async fn post(host: &Host, auth: Option<(&str, &str)>, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let mut request = client()
        .post(host.webhook_url())
        .header("Content-Type", "application/json")
        .body(body);
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    let response = request.send().await.expect("posting the webhook");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub async fn get_json(url: &str) -> Value {
    let response = client().get(url).send().await.expect("GET");
    assert!(response.status().is_success(), "GET {url}: {}", response.status());
    response.json().await.expect("JSON")
}

/// Every issue in the sandbox Jira.
pub async fn issues(host: &Host) -> Vec<Value> {
    let all = get_json(&host.jira("/_sandbox/issues")).await;
    all.as_array()
        .cloned()
        .or_else(|| all["issues"].as_array().cloned())
        .unwrap_or_default()
}

/// Every REST request the sandbox received.
pub async fn jira_requests(host: &Host) -> Vec<Value> {
    let all = get_json(&host.jira("/_sandbox/requests")).await;
    all.as_array()
        .cloned()
        .or_else(|| all["requests"].as_array().cloned())
        .unwrap_or_default()
}

pub fn sample_with_request_id(id: &str) -> String {
    SAMPLE.replace(SAMPLE_REQUEST_ID, id)
}
