//! `send-sample-keeper`: plays a Keeper Admin Console alert against a running host: posts the
//! webhook an alert with a webhook recipient sends (the variables `#alert_name`,
//! `#description`, `#timestamp`, `#remote_address`, `#username` and the ARAM event `#json`, as
//! ../shared/contracts/CONTRACTS.md lists them) to the app's Keeper alert web trigger, with
//! `Authorization: Bearer <token>`, and prints the answer.
//!
//! By default the alert names the sandbox Commander's seeded pending KEPM request (`--kind
//! kepm`) or its first pending SSO device request (`--kind device`), so that the app finds them
//! when it asks Commander. The token is `--token`, else the one the app stored in `--data-dir`
//! (`keeper.alert.token`); it is never printed.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The sandbox Commander's seeded pending KEPM request (`pam_sandboxes::keeper::seed`; the
/// host builds without the sandboxes too, so they are repeated here and a test ties them).
pub const DEFAULT_KEPM_UID: &str = "hoPd_gmQH1WsmbzgOMSimg";
pub const DEFAULT_KEPM_EMAIL: &str = "alice@example.com";
pub const DEFAULT_AGENT_UID: &str = "16YOiwk6HYYQfpdndu2n8w";
/// The sandbox Commander's first seeded pending device request.
pub const DEFAULT_DEVICE_EMAIL: &str = "dave@example.com";
pub const DEFAULT_DEVICE_NAME: &str = "Chrome on Windows 11";
/// Where the sample alert says it came from (TEST-NET-3).
pub const REMOTE_ADDRESS: &str = "203.0.113.7";
/// The enterprise the sample events belong to.
pub const ENTERPRISE_ID: u64 = 1234;

/// Which alert to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// "Agent created approval request" (a KEPM elevation request).
    Kepm,
    /// "Device admin approval requested" (an SSO device waiting for an admin).
    Device,
}

#[derive(clap::Args)]
pub struct KeeperSampleArgs {
    /// The Keeper alert web trigger URL the host printed.
    #[arg(long, default_value = "http://127.0.0.1:8080/x/keeper-alert")]
    url: String,
    /// Which alert: a KEPM approval request, or an SSO device approval request.
    #[arg(long, value_enum, default_value_t = Kind::Kepm)]
    kind: Kind,
    /// The KEPM request's UID (default: the sandbox Commander's seeded pending request).
    #[arg(long)]
    uid: Option<String>,
    /// The requesting user's email (default: the seeded request's or device's user).
    #[arg(long)]
    email: Option<String>,
    /// The device's name in a device alert (default: the seeded device's).
    #[arg(long)]
    device_name: Option<String>,
    /// The alert's bearer token (default: the one the app stored in --data-dir).
    #[arg(long, env = "PAM_KEEPER_ALERT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The host's data dir, to read the alert token from.
    #[arg(long, default_value = ".pam-approvals")]
    data_dir: PathBuf,
}

/// What the alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: Kind,
    /// The KEPM request's UID (KEPM alerts only).
    pub uid: String,
    pub email: String,
    pub device_name: String,
}

impl Alert {
    /// The seeded request of `kind`, with the overrides given.
    pub fn new(kind: Kind, uid: Option<String>, email: Option<String>, device_name: Option<String>) -> Alert {
        let default_email = match kind {
            Kind::Kepm => DEFAULT_KEPM_EMAIL,
            Kind::Device => DEFAULT_DEVICE_EMAIL,
        };
        Alert {
            kind,
            uid: uid.unwrap_or_else(|| DEFAULT_KEPM_UID.into()),
            email: email.unwrap_or_else(|| default_email.into()),
            device_name: device_name.unwrap_or_else(|| DEFAULT_DEVICE_NAME.into()),
        }
    }

    /// The webhook body at `now_ms` (milliseconds since the Unix epoch).
    pub fn body(&self, now_ms: u64) -> Value {
        let timestamp = iso_utc(now_ms);
        let (alert_name, description, mut event) = match self.kind {
            Kind::Kepm => (
                "Agent created approval request",
                format!(
                    "An Endpoint Privilege Manager agent created an approval request for {}",
                    self.email
                ),
                json!({
                    "audit_event": "approval_request_created",
                    "category": "endpoint_privilege_manager",
                    "client_version": "EPM.1.0.0",
                    "agent_uid": DEFAULT_AGENT_UID,
                    "request_uid": self.uid,
                }),
            ),
            Kind::Device => (
                "Device admin approval requested",
                format!(
                    "{} asked an administrator to approve the device {}",
                    self.email, self.device_name
                ),
                json!({
                    "audit_event": "device_admin_approval_requested",
                    "category": "login",
                    "client_version": "w17.4.2",
                    "device_name": self.device_name,
                }),
            ),
        };
        event["remote_address"] = json!(REMOTE_ADDRESS);
        event["username"] = json!(self.email);
        event["timestamp"] = json!(timestamp);
        event["enterprise_id"] = json!(ENTERPRISE_ID);
        json!({
            "alert_name": alert_name,
            "description": description,
            "timestamp": timestamp,
            "remote_address": REMOTE_ADDRESS,
            "username": self.email,
            "json": event,
        })
    }

    /// How the alert is named in messages.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::Kepm => format!("KEPM request {} ({})", self.uid, self.email),
            Kind::Device => format!("device request of {} ({})", self.email, self.device_name),
        }
    }
}

/// `2026-11-29T14:19:38.123Z`.
pub fn iso_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// The request to the web trigger: the alert as JSON with the bearer token.
pub fn request(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
    client
        .post(url)
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
}

pub async fn send(args: KeeperSampleArgs) -> Result<()> {
    let data_dir = args.data_dir.clone();
    let Some(token) = args
        .token
        .filter(|t| !t.is_empty())
        .or_else(|| crate::credentials::keeper_alert_token(&data_dir))
    else {
        bail!(
            "no alert token: pass --token (or set PAM_KEEPER_ALERT_TOKEN), or point --data-dir at the data dir of the host (the app keeps it once Keeper is configured)"
        );
    };
    let alert = Alert::new(args.kind, args.uid, args.email, args.device_name);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    // The token goes to the URL given and nowhere else: no redirect is followed.
    let client = crate::outbound::client()?;
    let response = request(&client, &args.url, &token, &alert.body(now))
        .send()
        .await
        .map_err(|e| e.without_url())
        .with_context(|| format!("sending to {}", args.url))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("Keeper alert for {}: HTTP {status} {text}", alert.label());
    if !status.is_success() {
        bail!("the host refused the alert (HTTP {status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_709_251_198_007), "2024-02-29T23:59:58.007Z");
        assert_eq!(iso_utc(1_796_048_378_000), "2026-11-30T14:19:38.000Z");
    }

    #[test]
    fn a_kepm_alert_names_the_request() {
        let body = Alert::new(Kind::Kepm, None, None, None).body(1_709_251_198_007);
        assert_eq!(body["alert_name"], "Agent created approval request");
        assert_eq!(body["username"], DEFAULT_KEPM_EMAIL);
        assert_eq!(body["remote_address"], REMOTE_ADDRESS);
        assert_eq!(body["timestamp"], "2024-02-29T23:59:58.007Z");
        assert_eq!(
            body["json"],
            json!({
                "audit_event": "approval_request_created",
                "category": "endpoint_privilege_manager",
                "remote_address": REMOTE_ADDRESS,
                "client_version": "EPM.1.0.0",
                "username": DEFAULT_KEPM_EMAIL,
                "timestamp": "2024-02-29T23:59:58.007Z",
                "enterprise_id": 1234,
                "agent_uid": DEFAULT_AGENT_UID,
                "request_uid": DEFAULT_KEPM_UID,
            })
        );
        let other = Alert::new(
            Kind::Kepm,
            Some("AAAAAAAAAAAAAAAAAAAAAA".into()),
            Some("z@example.com".into()),
            None,
        );
        let body = other.body(0);
        assert_eq!(body["json"]["request_uid"], "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(body["json"]["username"], "z@example.com");
        assert_eq!(body["username"], "z@example.com");
    }

    #[test]
    fn a_device_alert_names_the_user_and_device() {
        let body = Alert::new(Kind::Device, None, None, Some("Edge on Windows".into())).body(0);
        assert_eq!(body["alert_name"], "Device admin approval requested");
        assert_eq!(body["username"], DEFAULT_DEVICE_EMAIL);
        assert_eq!(body["json"]["audit_event"], "device_admin_approval_requested");
        assert_eq!(body["json"]["device_name"], "Edge on Windows");
        assert_eq!(body["json"]["username"], DEFAULT_DEVICE_EMAIL);
        assert_eq!(body["json"]["enterprise_id"], 1234);
        assert!(body["json"].get("request_uid").is_none());
    }

    #[test]
    fn the_request_carries_the_bearer_token_and_json() {
        let client = reqwest::Client::new();
        let body = Alert::new(Kind::Kepm, None, None, None).body(0);
        let built = request(&client, "http://127.0.0.1:9/x/keeper-alert", "s3cr3t", &body)
            .build()
            .expect("request");
        assert_eq!(built.method(), reqwest::Method::POST);
        assert_eq!(built.url().as_str(), "http://127.0.0.1:9/x/keeper-alert");
        assert_eq!(built.headers()["authorization"], "Bearer s3cr3t");
        assert_eq!(built.headers()["content-type"], "application/json");
        let sent: Value = serde_json::from_slice(built.body().and_then(|b| b.as_bytes()).expect("body")).expect("json");
        assert_eq!(sent, body);
    }

    /// The defaults are the sandbox Commander's seeds.
    #[cfg(feature = "sandbox")]
    #[test]
    fn defaults_are_the_sandbox_seeds() {
        use pam_sandboxes::keeper::seed;
        assert_eq!(DEFAULT_KEPM_UID, seed::KEPM_PENDING_UID);
        assert_eq!(DEFAULT_KEPM_EMAIL, seed::KEPM_PENDING_EMAIL);
        assert_eq!(DEFAULT_AGENT_UID, seed::AGENT_UID);
        assert_eq!(DEFAULT_DEVICE_EMAIL, seed::DEVICE_EMAIL);
    }
}
