//! Reading Commander's results (`{"status": "success", "command", "data"}`) into what the app
//! shows and decides on. Anything missing or of another shape is an error naming it; strings
//! are kept printable and bounded, since they end up on issues and pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Finished;
use crate::providers::keeper::subject::{DeviceId, Uid};
use crate::text::printable;

/// A KEPM request's status as Commander names it (`pedm_shared.approval_status_to_name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KepmStatus {
    Pending,
    Approved,
    Denied,
    Escalated,
    Expired,
}

impl KepmStatus {
    fn parse(text: &str) -> Option<KepmStatus> {
        Some(match text {
            "Pending" => KepmStatus::Pending,
            "Approved" => KepmStatus::Approved,
            "Denied" => KepmStatus::Denied,
            "Escalated" => KepmStatus::Escalated,
            "Expired" => KepmStatus::Expired,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            KepmStatus::Pending => "Pending",
            KepmStatus::Approved => "Approved",
            KepmStatus::Denied => "Denied",
            KepmStatus::Escalated => "Escalated",
            KepmStatus::Expired => "Expired",
        }
    }

    /// Still waiting for someone to decide.
    pub fn open(self) -> bool {
        matches!(self, KepmStatus::Pending | KepmStatus::Escalated)
    }
}

/// `epm approval view <UID> --format json`, as the page and the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KepmRequest {
    pub uid: Uid,
    pub status: KepmStatus,
    /// Keeper's user who asked (`account_info`'s user name or e-mail), if it says.
    pub requester: Option<String>,
    pub account: BTreeMap<String, String>,
    pub application: BTreeMap<String, String>,
    pub justification: String,
    pub agent_uid: String,
    /// When Keeper created it (epoch ms).
    pub created: Option<u64>,
}

/// One pending SSO device (`device-approve --reload --format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingDevice {
    pub email: String,
    pub device_id: DeviceId,
    pub device_name: String,
    pub device_type: String,
    pub ip_address: String,
    pub client_version: String,
    pub location: String,
    pub date: String,
}

fn text(value: &Value, max: usize) -> String {
    match value {
        Value::String(s) => printable(s, max),
        Value::Null => String::new(),
        other => printable(&other.to_string(), max),
    }
}

fn map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .take(20)
                .map(|(k, v)| (printable(k, 40), text(v, 200)))
                .collect()
        })
        .unwrap_or_default()
}

/// A justification is text, or Keeper's JSON `{"text": ...}`.
fn justification(value: &Value) -> String {
    let raw = text(value, 2_000);
    serde_json::from_str::<Value>(&raw)
        .ok()
        .and_then(|v| v["text"].as_str().map(|t| printable(t, 1_000)))
        .unwrap_or_else(|| printable(&raw, 1_000))
}

/// `data` of a successful result.
fn data(finished: &Finished) -> Result<&Value, String> {
    if finished.status != 200 || finished.body["status"].as_str().is_some_and(|s| s != "success") {
        return Err(finished.message());
    }
    Ok(&finished.body["data"])
}

/// Whether a `view` result says the UID is unknown to Keeper.
pub fn unknown_request(finished: &Finished) -> bool {
    matches!(finished.status, 400 | 500) && finished.message().contains("does not exist")
}

pub fn kepm_request(finished: &Finished, uid: &Uid) -> Result<KepmRequest, String> {
    let data = data(finished)?;
    let row = data
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["approval_uid"].as_str() == Some(uid.as_str())))
        .ok_or("Commander's answer does not list this request")?;
    let status = row["status"]
        .as_str()
        .and_then(KepmStatus::parse)
        .ok_or("Commander's answer has no known status")?;
    let account = map(&row["account_info"]);
    let requester = ["username", "email", "user", "userName"]
        .iter()
        .find_map(|k| account.get(*k).filter(|v| !v.is_empty()).cloned());
    Ok(KepmRequest {
        uid: uid.clone(),
        status,
        requester,
        application: map(&row["application_info"]),
        account,
        justification: justification(&row["justification"]),
        agent_uid: text(&row["agent_uid"], 60),
        created: created(&row["created"]),
    })
}

/// Commander prints `created` as an ISO date-time (UTC when it has no offset) or epoch ms.
fn created(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => {
            let s = s.trim();
            crate::time::parse(s).or_else(|| crate::time::parse(&format!("{s}Z")))
        }
        _ => None,
    }
}

pub fn pending_devices(finished: &Finished) -> Result<Vec<PendingDevice>, String> {
    let data = data(finished)?;
    let Some(rows) = data.as_array() else {
        // "There are no pending devices to approve" is a message, not a list.
        return Ok(Vec::new());
    };
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some(PendingDevice {
                email: text(&row["email"], 254).to_ascii_lowercase(),
                device_id: DeviceId::parse(row["device_id"].as_str()?).ok()?,
                device_name: text(&row["device_name"], 100),
                device_type: text(&row["device_type"], 60),
                ip_address: text(&row["ip_address"], 60),
                client_version: text(&row["client_version"], 60),
                location: text(&row["location"], 100),
                date: text(&row["date"], 40),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn done(status: u16, body: Value) -> Finished {
        Finished { status, body }
    }

    #[test]
    fn reads_a_kepm_view() {
        let uid = Uid::parse("hV0Y0cF1SxSLFwQd0yQ8Kw").unwrap();
        let answer = done(
            200,
            json!({"status": "success", "command": "epm approval view hV0Y0cF1SxSLFwQd0yQ8Kw", "data": [{
                "approval_uid": "hV0Y0cF1SxSLFwQd0yQ8Kw", "approval_type": "Elevation", "status": "Pending",
                "agent_uid": "agent-1", "account_info": {"username": "bob@example.com", "domain": "CORP"},
                "application_info": {"name": "PowerShell"}, "justification": "{\"text\": \"patching\"}",
                "expire_in": 30, "created": "2023-11-14T22:13:20"
            }]}),
        );
        let request = kepm_request(&answer, &uid).unwrap();
        assert_eq!(request.status, KepmStatus::Pending);
        assert_eq!(request.requester.as_deref(), Some("bob@example.com"));
        assert_eq!(request.justification, "patching");
        assert_eq!(request.created, Some(1_700_000_000_000));
        let unknown = done(
            400,
            json!({"status": "error", "error": "Approval UID \"x\" does not exist"}),
        );
        assert!(unknown_request(&unknown));
        assert!(kepm_request(&unknown, &uid).unwrap_err().contains("does not exist"));
    }

    #[test]
    fn reads_pending_devices_and_skips_malformed_rows() {
        let answer = done(
            200,
            json!({"status": "success", "data": [
                {"email": "Bob@example.com", "device_id": "0a1b2c3d4e5f60718293", "device_name": "Bob's laptop"},
                {"email": "x@example.com", "device_id": "--approve"},
            ]}),
        );
        let devices = pending_devices(&answer).unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].email, "bob@example.com");
        let none = done(
            200,
            json!({"status": "success", "data": "There are no pending devices to approve"}),
        );
        assert!(pending_devices(&none).unwrap().is_empty());
    }
}
