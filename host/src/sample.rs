//! `send-sample`: posts the seed's "ticket created" template, filled with realistic values and a
//! fresh request id, to a running host, and says where to see the issue.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rand::Rng;

/// The seed template filled in (tests/fixtures/epm/ticket-created.sample.json).
pub const SAMPLE: &str = include_str!("../../tests/fixtures/epm/ticket-created.sample.json");
const SAMPLE_REQUEST_ID: &str = "7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13";

#[derive(clap::Args)]
pub struct SampleArgs {
    /// The web trigger URL the host printed.
    #[arg(long, default_value = "http://127.0.0.1:8080/x/epm-webhook")]
    url: String,
    /// Webhook user (default: PAM_WEBHOOK_USER, else the sandbox's stored one).
    #[arg(long, env = "PAM_WEBHOOK_USER")]
    user: Option<String>,
    /// Webhook password (default: PAM_WEBHOOK_PASSWORD, else the sandbox's stored one).
    #[arg(long, env = "PAM_WEBHOOK_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The host's data dir, to read the sandbox's generated credentials from.
    #[arg(long, default_value = ".pam-approvals")]
    data_dir: PathBuf,
    /// Request id to send (default: a new random one, so each run makes a new issue).
    #[arg(long)]
    request_id: Option<String>,
}

/// The sample body with the given request id.
pub fn body(request_id: &str) -> String {
    SAMPLE.replace(SAMPLE_REQUEST_ID, request_id)
}

pub fn random_request_id() -> String {
    let mut rng = rand::rng();
    let hex = |n: usize, rng: &mut rand::rngs::ThreadRng| -> String {
        (0..n)
            .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    };
    format!(
        "{}-{}-4{}-8{}-{}",
        hex(8, &mut rng),
        hex(4, &mut rng),
        hex(3, &mut rng),
        hex(3, &mut rng),
        hex(12, &mut rng)
    )
}

pub async fn send(args: SampleArgs) -> Result<()> {
    let stored = crate::credentials::stored(&args.data_dir);
    let user = args.user.or_else(|| stored.as_ref().map(|s| s.0.clone()));
    let password = args.password.or_else(|| stored.as_ref().map(|s| s.1.clone()));
    let (Some(user), Some(password)) = (user, password) else {
        bail!(
            "no webhook credentials: pass --user/--password, set PAM_WEBHOOK_USER/PAM_WEBHOOK_PASSWORD, or point --data-dir at the sandbox host's data dir"
        );
    };
    let request_id = args.request_id.unwrap_or_else(random_request_id);
    // The webhook credentials go to the URL given and nowhere else: no redirect is followed.
    let response = crate::outbound::client()?
        .post(&args.url)
        .basic_auth(&user, Some(&password))
        .header("Content-Type", "application/json")
        .body(body(&request_id))
        .send()
        .await
        .with_context(|| format!("sending to {}", args.url))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("EPM request {request_id}: HTTP {status} {text}");
    if let Ok(answer) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(key) = answer["issueKey"].as_str()
        && let Some(root) = args.url.split("/x/").next()
    {
        println!("See it at {root}/sandbox/jira/browse/{key}");
    }
    if !status.is_success() {
        bail!("the host refused the sample (HTTP {status})");
    }
    Ok(())
}
