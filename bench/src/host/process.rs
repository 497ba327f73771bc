//! Starts the bench host as a child process (this binary's `host` command) on a fresh data dir,
//! and reads its stats. The child is killed and its data dir removed on drop.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("pam-bench-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct HostProcess {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
    data: TempDir,
}

impl HostProcess {
    pub async fn start(label: &str) -> Result<HostProcess> {
        let data = TempDir::new(label)?;
        let mut child = Command::new(std::env::current_exe()?)
            .arg("host")
            .arg("--data-dir")
            .arg(&data.0)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting the bench host")?;
        let stdout = child.stdout.take().context("bench host stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .context("the bench host did not start within 120 s")??;
        let Some(base) = ready.as_deref().and_then(|l| l.strip_prefix("ready ")) else {
            bail!("the bench host did not start: {ready:?}");
        };
        Ok(HostProcess {
            base: base.to_string(),
            child,
            client: client()?,
            data,
        })
    }

    /// The host's data dir (its KV, where the sandbox keeps generated secrets).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data.0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `/_bench/stats`: run totals, call counters, memory.
    pub async fn stats(&self) -> Result<Value> {
        get_json(&self.client, &self.url("/_bench/stats")).await
    }

    pub async fn reset_peak(&self) -> Result<()> {
        self.client.post(self.url("/_bench/reset-peak")).send().await?;
        Ok(())
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

pub fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(64)
        .build()?)
}

pub async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value> {
    let response = client.get(url).send().await?;
    if !response.status().is_success() {
        bail!("GET {url}: {}", response.status());
    }
    Ok(response.json().await?)
}
