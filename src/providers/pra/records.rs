//! Every record PRA keeps in KV, keyed by a digest of the appliance's request id (opaque, up to
//! 255 characters of anything: too long and too free for a key):
//!
//! - `pra:request:<id>`: the request as received (written with set-if-absent: the first
//!   delivery of a request id is the one kept; a duplicate finds it).
//! - `pra:verdict:<id>`: the decision and the rule that made it (set-if-absent: decided once).
//! - `pra:respond:<id>:<n>` (+ `:next`): the claim on answering the appliance (`lifecycle`).
//! - `pra:recording:<id>`: which audit steps on the issue are done (`lifecycle::recording`).
//! - `pra:history:<issue id>`: the issue's last requests, the source of its property.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::wire::JumpRequest;
use super::wire::response::{Decision, MAX_MESSAGE_CHARS};
use crate::lifecycle::lease::{State, envelope};
use crate::text::cap_chars;

pub const VERSION: u32 = 1;

/// The request id's digest (SHA-256, hex): the id of a request in every key.
pub fn id_of(request_id: &str) -> String {
    crate::store::digest(request_id)
}

pub mod keys {
    use crate::lifecycle::lease::Slots;

    pub fn request(id: &str) -> String {
        format!("pra:request:{id}")
    }
    pub fn verdict(id: &str) -> String {
        format!("pra:verdict:{id}")
    }
    pub fn respond(id: &str) -> Slots {
        Slots(format!("pra:respond:{id}"))
    }
    pub fn recording(id: &str) -> String {
        format!("pra:recording:{id}")
    }
    pub fn history(issue_id: &str) -> String {
        format!("pra:history:{issue_id}")
    }
}

/// A request as the web trigger kept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub request: JumpRequest,
    /// The checked URL the answer goes to.
    pub respond_to: String,
    pub received_at: u64,
}

/// The issue a ticket ID named, as read when deciding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketIssue {
    pub id: String,
    pub key: String,
    pub status: String,
    pub project_type: String,
}

/// What the app decided, once per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub decision: Decision,
    /// For the PRA user: why not (at most 255 characters; empty on allow).
    pub message: String,
    /// The rule that decided (`issue-key`, `issue-exists`, `status`, `requester`, `jump-item`,
    /// `change-window`), or `all-rules` on allow.
    pub rule: String,
    /// `session.custom.*` attributes of an allowed session.
    pub attributes: BTreeMap<String, String>,
    /// The issue, when the app could see it: where the audit goes.
    pub issue: Option<TicketIssue>,
    pub decided_at: u64,
}

impl Verdict {
    /// A denial by `rule`, its message cut to what PRA shows.
    pub fn deny(rule: &str, message: String, issue: Option<TicketIssue>, now: u64) -> Verdict {
        Verdict {
            decision: Decision::Deny,
            message: cap_chars(&message, MAX_MESSAGE_CHARS),
            rule: rule.into(),
            attributes: BTreeMap::new(),
            issue,
            decided_at: now,
        }
    }

    /// Every rule passed: access with these session attributes.
    pub fn allow(attributes: BTreeMap<String, String>, issue: Option<TicketIssue>, now: u64) -> Verdict {
        Verdict {
            decision: Decision::Allow,
            message: String::new(),
            rule: "all-rules".into(),
            attributes,
            issue,
            decided_at: now,
        }
    }
}

/// How the answer to the appliance went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivered {
    /// The appliance took it (2xx).
    Accepted,
    /// 403: the request id is unknown to the appliance or timed out.
    TimedOut,
    /// 404: the appliance has no ticket system URL configured.
    NotConfigured,
    /// Another 4xx: the appliance refused the answer itself.
    Refused,
    /// No answer from the appliance within the time the app keeps trying.
    GaveUp,
}

impl Delivered {
    /// For the note and the page.
    pub fn describe(self) -> &'static str {
        match self {
            Delivered::Accepted => "PRA received the answer",
            Delivered::TimedOut => "PRA no longer knew the request (it timed out or was unknown, HTTP 403)",
            Delivered::NotConfigured => "PRA has no ticket system configured (HTTP 404)",
            Delivered::Refused => "PRA refused the answer",
            Delivered::GaveUp => "PRA could not be reached in time; the answer was not delivered",
        }
    }
}

/// The claim on answering the appliance (one answer per request, resent only while its
/// outcome is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answering {
    pub at: u64,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Set when settled `Decided`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Delivered>,
    /// The appliance's last status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

envelope!(Answering);

/// One line of an issue's PRA history (its `pam-approvals.pra` property).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The request id's digest (the request id itself may be long).
    pub id: String,
    pub at: u64,
    pub user: String,
    pub jump_item: String,
    pub decision: Decision,
    pub rule: String,
    pub delivered: Option<Delivered>,
}

/// An issue's kept history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub requests: Vec<HistoryEntry>,
}
