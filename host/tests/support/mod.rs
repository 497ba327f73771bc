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
        Host::spawn(data_dir, &["--sandbox"], extra, true)
    }

    /// With no PAM_WEBHOOK_* variables: the sandbox generates or reuses its own credentials.
    pub fn start_without_credentials(data_dir: &Path) -> Host {
        Host::spawn(data_dir, &["--sandbox"], &[], false)
    }

    /// Not in sandbox mode: against a Jira site at `site_url` (nothing is sent to it unless a
    /// run needs Jira).
    pub fn start_against_site(data_dir: &Path, site_url: &str, extra: &[&str]) -> Host {
        let site = [
            "--jira-url",
            site_url,
            "--jira-email",
            "admin@site.test",
            "--jira-token",
            "not-a-token",
        ];
        Host::spawn(data_dir, &site, extra, true)
    }

    fn spawn(data_dir: &Path, mode: &[&str], extra: &[&str], env_credentials: bool) -> Host {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"));
        command
            .arg("serve")
            .args(mode)
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
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
            if let Some(url) = line.trim().strip_prefix("web trigger (epm-webhook):") {
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

    /// The value of a start-up line such as `webhook password:`.
    pub fn printed(&self, label: &str) -> String {
        self.stdout
            .iter()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("the host printed no {label}: {:?}", self.stdout))
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/x/epm-webhook", self.base)
    }

    pub fn jira(&self, path: &str) -> String {
        format!("{}/sandbox/jira{path}", self.base)
    }

    /// Kills the host at once (SIGKILL): no clean-up, as a crash or an OOM kill would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// Posts a webhook; `None` when no answer came (e.g. the host was killed meanwhile).
pub async fn try_post(host_webhook_url: &str, body: String) -> Option<(u16, Value)> {
    // Longer than `client()`'s: under load tests a delivery may wait out a 20 s Jira timeout
    // and another run's lease on a debug build.
    let patient = reqwest::Client::builder()
        .timeout(Duration::from_secs(150))
        .build()
        .expect("client");
    let response = patient
        .post(host_webhook_url)
        .header("Content-Type", "application/json")
        .basic_auth(USER, Some(PASSWORD))
        .body(body)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let text = response.text().await.ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
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

// ---- Sandbox EPM, UI bridge, Custom UI pages ----

impl Host {
    /// A URL under the sandbox EPM, e.g. `host.epm("/oauth/connect/token")`.
    pub fn epm(&self, path: &str) -> String {
        format!("{}/sandbox/epm{path}", self.base)
    }

    /// A URL under the Custom UI pages, e.g. `host.ui("/request/index.html")`.
    pub fn ui(&self, path: &str) -> String {
        format!("{}/ui{path}", self.base)
    }

    pub fn bridge_url(&self) -> String {
        format!("{}/bridge/invoke", self.base)
    }
}

/// The sandbox EPM's client id (the host configures the app with it).
pub const EPM_CLIENT_ID: &str = "pam-approvals-sandbox-client";
/// The host name the app uses for the sandbox EPM.
pub const EPM_HOST: &str = "epm.sandbox.test";
/// The management API's decision path for an API version.
pub fn notification_path(version: &str) -> String {
    format!("/management-api/{version}/AuthorizationRequest/notification")
}

/// The sandbox EPM's client secret, as generated into the data dir at first start.
pub fn epm_client_secret(data_dir: &Path) -> String {
    let text = std::fs::read_to_string(data_dir.join("sandbox-credentials.json")).expect("sandbox credentials");
    let stored: Value = serde_json::from_str(&text).expect("JSON");
    stored["epmClientSecret"].as_str().expect("epmClientSecret").to_string()
}

/// `POST /sandbox/jira/_sandbox/fail` with a rule; answers the rule (with its id).
pub async fn jira_fail(host: &Host, rule: Value) -> Value {
    let response = client()
        .post(host.jira("/_sandbox/fail"))
        .header("Content-Type", "application/json")
        .body(rule.to_string())
        .send()
        .await
        .expect("fault control");
    assert_eq!(response.status().as_u16(), 200, "{rule}");
    response.json().await.expect("JSON")
}

/// Posts a token request form; answers status and JSON.
pub async fn epm_token_request(host: &Host, form: &str) -> (u16, Value) {
    let response = client()
        .post(host.epm("/oauth/connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A fresh access token for the sandbox client.
pub async fn epm_token(host: &Host, data_dir: &Path) -> String {
    let form = format!(
        "grant_type=client_credentials&client_id={EPM_CLIENT_ID}&client_secret={}",
        epm_client_secret(data_dir)
    );
    let (status, body) = epm_token_request(host, &form).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("access_token").to_string()
}

/// A decision notification the sandbox accepts.
pub fn valid_notification() -> Value {
    serde_json::json!({
        "itsmRequestId": "PMCJIT-1",
        "systemId": SAMPLE_REQUEST_ID,
        "ticketId": "PMCJIT-1",
        "ticketUrl": "http://127.0.0.1/sandbox/jira/browse/PMCJIT-1",
        "decision": "Approved",
        "status": "2000",
        "duration": "3600",
        "decisionTime": "2026-11-23 10:04:00",
        "decisionPerformedByUser": "Alice Approver",
        "message": "Approved for the quarterly report.",
    })
}

/// Posts a decision (`token` None: no Authorization); answers status and JSON.
pub async fn epm_notify(host: &Host, version: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = client()
        .post(host.epm(&notification_path(version)))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("notification");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `POST /sandbox/epm/_sandbox/<control>` with an optional JSON body.
pub async fn epm_control(host: &Host, control: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client().post(host.epm(&format!("/_sandbox/{control}")));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("control");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Recorded decisions (`{seq, apiVersion, receivedAt, notification}`), oldest first.
pub async fn epm_decisions(host: &Host) -> Vec<Value> {
    get_json(&host.epm("/_sandbox/decisions"))
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Every management call the sandbox EPM received, with its status.
pub async fn epm_requests(host: &Host) -> Vec<Value> {
    get_json(&host.epm("/_sandbox/requests"))
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The session cookie that signs the pages and the bridge in as this sandbox account.
pub fn sandbox_user_cookie(account_id: &str) -> String {
    format!("pam_sandbox_user={}", account_id.replace(':', "%3A"))
}

/// Posts to the UI bridge as JSON with an optional cookie; answers status and JSON.
pub async fn invoke(host: &Host, cookie: Option<&str>, body: &Value) -> (u16, Value) {
    invoke_raw(host, cookie, "application/json", body.to_string()).await
}

/// Posts any body with any content type to the UI bridge.
pub async fn invoke_raw(
    host: &Host,
    cookie: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    invoke_with_headers(host, cookie, &[("Content-Type", content_type)], body).await
}

/// Posts a body to the UI bridge with the given headers (e.g. `Origin`, `Host`) and an
/// optional cookie; answers status and JSON.
pub async fn invoke_with_headers(
    host: &Host,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut request = client().post(host.bridge_url()).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.expect("invoke");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A GET sent byte for byte (no URL normalisation, unlike reqwest), e.g. to try `..` paths.
/// Answers the status and the whole response text (head and body).
pub async fn raw_get(host: &Host, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = host.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

/// The app's stored configuration (the KV record `config`, a section per provider) in a host's
/// data dir.
pub fn stored_config(data_dir: &Path) -> Value {
    let kv = pam_approvals_host::kv::Kv::open(&data_dir.join("kv.sqlite")).expect("kv");
    let text = kv
        .get(pam_approvals_host::kv::Table::Values, "config")
        .expect("read")
        .expect("a stored configuration");
    serde_json::from_str(&text).expect("JSON")
}

/// A secret the app stored in a host's data dir.
pub fn stored_secret(data_dir: &Path, key: &str) -> Option<String> {
    let kv = pam_approvals_host::kv::Kv::open(&data_dir.join("kv.sqlite")).expect("kv");
    kv.get(pam_approvals_host::kv::Table::Secrets, key).expect("read")
}
