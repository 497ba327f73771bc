//! Everything Keeper's provider keeps, and where. Who asked, which request an issue is and
//! whether and how it was decided come from here (and from Keeper itself through Commander),
//! never from the issue's fields or property, which serve display and search only.
//!
//! - `keeper:request:<sid>`: the request (`Request`): its subject, the issue it has, who Keeper
//!   says asked. `sid` is a digest of what identifies the request (`sid`).
//! - `keeper:by-issue:<issue id>`: the request an issue is, written once with set-if-absent
//!   when the app creates the issue or first sees a Keeper ITSM ticket; later edits of the
//!   ticket never rebind it.
//! - `keeper:claim:<sid>:<n>`: the creation lease (`lifecycle::create`).
//! - `keeper:decide:<sid>:<n>`: the decision claim (`Claim`, on `lifecycle::claim`): first
//!   decision wins; it carries the decision and Commander's request id while in flight.
//! - `keeper:outcome:<sid>`: how the request ended (`Outcome`), written once (set-if-absent).
//! - `keeper:recording:<sid>`: which steps of recording the outcome on the issue are done.
//! - `keeper:read:<sid>`: a live read submitted to Commander and not yet collected.
//! - `keeper:inbox:<digest>`: a kept alert body until its job is done (`jobs::inbox`).

use serde::{Deserialize, Serialize};

use super::subject::Subject;
use crate::caps::{CapError, Caps};
use crate::lifecycle::lease::{self, State};
use crate::store;

pub const VERSION: u32 = 1;
pub const PREFIX: &str = "keeper";

pub mod keys {
    pub fn request(sid: &str) -> String {
        format!("keeper:request:{sid}")
    }
    pub fn by_issue(issue_id: &str) -> String {
        format!("keeper:by-issue:{}", crate::store::key_part(issue_id))
    }
    pub fn creation(sid: &str) -> crate::lifecycle::lease::Slots {
        crate::lifecycle::lease::Slots(format!("keeper:claim:{sid}"))
    }
    pub fn decision(sid: &str) -> crate::lifecycle::lease::Slots {
        crate::lifecycle::lease::Slots(format!("keeper:decide:{sid}"))
    }
    pub fn outcome(sid: &str) -> String {
        format!("keeper:outcome:{sid}")
    }
    pub fn recording(sid: &str) -> String {
        format!("keeper:recording:{sid}")
    }
    pub fn read(sid: &str) -> String {
        format!("keeper:read:{sid}")
    }
}

/// The id of a request: a KEPM UID is unique in Keeper; a device request is a user's device at
/// the time Keeper raised it (a second request for the same device later is a new one), or, on
/// a ticket Keeper ITSM made, that ticket.
pub fn sid(subject: &Subject, raised: &str) -> String {
    let identity = match subject {
        Subject::Kepm { uid } => format!("kepm\n{uid}"),
        Subject::Device { email, device_name, .. } => format!(
            "device\n{email}\n{}\n{raised}",
            device_name.as_deref().unwrap_or_default()
        ),
    };
    // 32 hex characters are plenty for a key and keep it short.
    store::digest(&identity)[..32].to_string()
}

/// A request the app knows and the issue it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub sid: String,
    pub subject: Subject,
    pub issue_key: String,
    pub issue_id: String,
    /// When Keeper raised it (epoch ms), from the alert; else when the app first saw it.
    pub raised_at: u64,
    /// Keeper's user who asked, as the alert said (Commander's live answer is preferred).
    pub username: Option<String>,
    /// `alert`: the app created the issue; `ticket`: a Keeper ITSM ticket the app bound.
    pub source: String,
}

pub async fn read_request(caps: &Caps, sid: &str) -> Result<Option<Request>, CapError> {
    Ok(caps
        .kv_get(&keys::request(sid))
        .await?
        .and_then(|t| store::decode(VERSION, &t)))
}

/// Writes the request, then binds its issue to it (set-if-absent: an issue is bound once).
/// Answers the sid the issue is bound to (another when it was bound before).
pub async fn write_request(caps: &Caps, request: &Request) -> Result<String, CapError> {
    caps.kv_set(&keys::request(&request.sid), &store::encode(VERSION, request))
        .await?;
    let index = keys::by_issue(&request.issue_id);
    if caps.kv_set_if_absent(&index, &request.sid).await? {
        return Ok(request.sid.clone());
    }
    Ok(caps.kv_get(&index).await?.unwrap_or_else(|| request.sid.clone()))
}

/// The request an issue (by Jira id) is bound to.
pub async fn for_issue(caps: &Caps, issue_id: &str) -> Result<Option<Request>, CapError> {
    let Some(sid) = caps.kv_get(&keys::by_issue(issue_id)).await? else {
        return Ok(None);
    };
    Ok(read_request(caps, &sid).await?.filter(|r| r.issue_id == issue_id))
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    pub fn approved(self) -> bool {
        self == Decision::Approve
    }
    pub fn past(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Deny => "denied",
        }
    }
}

/// The decision claim: first decision wins (`lifecycle::claim`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub at: u64,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    pub decision: Decision,
    pub by_account: String,
    pub by_name: String,
    /// The device the decision is for (device requests: the id read from Keeper's list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Commander's request id of the action, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// When the action was submitted.
    #[serde(default)]
    pub submitted_at: u64,
}
lease::envelope!(Claim);

/// How a request ended, as the app recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// `approved`, `denied`, `expired`, or `decided` (a device no longer pending in Keeper,
    /// which does not say how).
    pub result: String,
    /// `jira` (decided here), `keeper` (processed outside Jira) or `expiry` (the app's tick or
    /// a view after 30 minutes).
    pub source: String,
    pub by: Option<String>,
    pub at: u64,
}

pub async fn read_outcome(caps: &Caps, sid: &str) -> Result<Option<Outcome>, CapError> {
    Ok(caps
        .kv_get(&keys::outcome(sid))
        .await?
        .and_then(|t| store::decode(VERSION, &t)))
}

/// Keeps the outcome once: answers the outcome in force (this one, or an earlier one).
pub async fn keep_outcome(caps: &Caps, sid: &str, outcome: &Outcome) -> Result<Outcome, CapError> {
    if caps
        .kv_set_if_absent(&keys::outcome(sid), &store::encode(VERSION, outcome))
        .await?
    {
        return Ok(outcome.clone());
    }
    Ok(read_outcome(caps, sid).await?.unwrap_or_else(|| outcome.clone()))
}

/// A live read waiting in Commander's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRead {
    pub command_id: String,
    pub submitted_at: u64,
}
