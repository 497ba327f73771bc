//! The configuration the host applies at start-up (`invocation::configure`, host provisioning):
//! the admin's document (`--config`) or, in sandbox mode, the sandbox's first-start settings,
//! with the webhook credentials the host keeps; then, in sandbox mode, the sandbox's own
//! settings (the sandbox EPM's connection, the sandbox PRA appliance's), re-applied on every
//! start so an older data dir talks to them too. The sandbox's documents come from `sandbox_mode.rs` ([`SandboxConfig`]).

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::capabilities::Capabilities;
use crate::credentials;
use crate::runtime::{RunContext, Runtime};
use crate::wit::{Invocation, Outcome};

/// What the start-up configuration depends on.
pub struct Start<'a> {
    pub data_dir: &'a Path,
    /// The `--config` document, if given.
    pub config: Option<&'a Path>,
    /// Sandbox mode's documents (None against a real site).
    pub sandbox: Option<&'a SandboxConfig>,
}

/// The configuration sandbox mode brings.
pub struct SandboxConfig {
    /// Applied when no `--config` is given: the sandbox's first-start settings (a document with
    /// `onlyIfUnconfigured`).
    pub first_start: Value,
    /// Applied on every start, unless the admin's `--config` names an EPM host of its own: the
    /// settings the sandbox owns (only those fields change).
    pub every_start: Value,
    /// The other providers' documents (`"provider": "pra"`), applied in order on every start
    /// after EPM's: a first-start one says `onlyIfUnconfigured` itself.
    pub providers: Vec<Value>,
}

/// Applies the start-up configuration; answers the webhook credentials in effect afterwards, if
/// any (for printing in sandbox mode). A first-start document leaves stored settings and secrets
/// alone (`onlyIfUnconfigured`), so what an admin changed on the configuration page survives a
/// restart; `PAM_WEBHOOK_USER`/`PAM_WEBHOOK_PASSWORD` are applied at every start.
pub async fn apply(
    runtime: &Runtime,
    caps: &std::sync::Arc<Capabilities>,
    start: &Start<'_>,
) -> Result<Option<(String, String)>> {
    let webhook = credentials::webhook_credentials(start.data_dir, start.sandbox.is_some())?;
    let mut document = match (start.config, start.sandbox) {
        (Some(path), _) => read_document(path)?,
        (None, Some(sandbox)) => sandbox.first_start.clone(),
        (None, None) => serde_json::json!({ "onlyIfUnconfigured": true }),
    };
    if let Some((user, password)) = &webhook {
        document["secrets"]["webhookUsername"] = user.clone().into();
        document["secrets"]["webhookPassword"] = password.clone().into();
    }
    // An admin's document that names an EPM host means a real EPM: the sandbox keeps out.
    let chose_epm = start.config.is_some() && document["config"].get("serviceHostname").is_some();
    configure(runtime, caps, document).await?;
    if let Some((user, password)) = credentials::env_credentials() {
        let secrets = serde_json::json!({"secrets": {"webhookUsername": user, "webhookPassword": password}});
        configure(runtime, caps, secrets).await?;
    }
    if let Some(sandbox) = start.sandbox
        && !chose_epm
    {
        configure(runtime, caps, sandbox.every_start.clone()).await?;
    }
    for document in start.sandbox.iter().flat_map(|sandbox| &sandbox.providers) {
        configure(runtime, caps, document.clone()).await?;
    }
    Ok(credentials::live(&caps.kv).or(webhook))
}

/// Applies one configuration document; a refusal stops the start.
async fn configure(runtime: &Runtime, caps: &std::sync::Arc<Capabilities>, document: Value) -> Result<()> {
    let invocation = Invocation::Configure(document.to_string());
    match runtime.run(invocation, caps, &RunContext::default()).await?.0 {
        Outcome::Value(_) => Ok(()),
        Outcome::Error(e) => bail!("the configuration was refused: {e}"),
        Outcome::Http(_) => bail!("the configuration run answered like a web trigger"),
        Outcome::Retry(retry) => bail!(
            "the configuration run asked to be retried, which only jobs may: {}",
            retry.reason
        ),
    }
}

fn read_document(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}
