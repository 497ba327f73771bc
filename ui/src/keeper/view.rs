//! The panel's view, as `keeper.request`, `keeper.status` and `keeper.decide` answer it
//! (`{"ok": true, "view"}`, or a refusal; `src/providers/keeper/flows/panel.rs`, `view`). The
//! core builds it as JSON, so its shape is written down here with the core's own types for the
//! parts that have one (Keeper's request, a pending device, the outcome); the fixtures test
//! (`tests/keeper_fixtures.rs`) reads real answers with it, so the two cannot drift apart
//! unnoticed.

use pam_approvals::providers::keeper::commander::result::{KepmRequest, PendingDevice};
use pam_approvals::providers::keeper::records::{Decision, Outcome};
use serde::Deserialize;
use serde_json::Value;

use crate::admin::answer::{self, Reply, ViewAnswer};

/// What the panel knows of Keeper right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Live {
    /// Read from Keeper just now.
    Current,
    /// Keeper is still answering: the panel asks again.
    Running,
    /// A decision is on its way to Keeper: the panel asks again.
    Sending,
    /// The request has its outcome.
    Closed,
    /// Keeper does not know the request.
    UnknownRequest,
    /// Keeper could not be read; `liveMessage` says why.
    Unavailable,
}

impl Live {
    /// Whether the panel asks `keeper.status` again.
    pub fn in_progress(self) -> bool {
        matches!(self, Live::Running | Live::Sending)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Kepm,
    Device,
}

/// A decision in flight: who sent which.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pending {
    pub decision: Decision,
    pub by: String,
}

/// Why the user may not decide.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WhyNot {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeeperView {
    pub issue_key: String,
    pub kind: Kind,
    /// "KEPM request hV0Y…", "Device request of bob@example.com".
    pub label: String,
    /// `alert` (the app made the issue) or `ticket` (Keeper ITSM did).
    pub source: String,
    pub live: Live,
    pub live_message: Option<String>,
    pub kepm: Option<KepmRequest>,
    pub devices: Option<Vec<PendingDevice>>,
    /// The server's clock (epoch ms): the countdown runs from `expires_at - now`.
    pub now: u64,
    pub expires_at: Option<u64>,
    pub outcome: Option<Outcome>,
    pub pending: Option<Pending>,
    /// Only in `keeper.decide`'s answer while the decision is in flight: what it waits for.
    #[serde(default)]
    pub pending_reason: Option<String>,
    pub can_decide: bool,
    pub why_not: Option<WhyNot>,
}

/// One answer of the panel's resolvers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok(Box<KeeperView>),
    Refused(crate::answer::Refusal),
}

impl Answer {
    /// Reads an answer; one of another shape is an error for the person, not a panic.
    pub fn parse(value: Value) -> Result<Answer, String> {
        Ok(match answer::parse::<ViewAnswer<Box<KeeperView>>>(value)? {
            Reply::Ok(ViewAnswer { view, .. }) => Answer::Ok(view),
            Reply::Refused(refusal) => Answer::Refused(refusal),
        })
    }
}

/// Whether a refusal of `keeper.decide` means the request is settled for this user (someone
/// decided, it expired, the user may not decide it): the panel shows the request as it is now.
pub fn settles(code: &str) -> bool {
    matches!(
        code,
        "already-decided"
            | "expired"
            | "not-approver"
            | "self-approval"
            | "requester-unknown"
            | "ambiguous"
            | "disabled"
            | "not-keeper"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn odd_answers_are_errors_and_refusals_are_read() {
        assert!(
            Answer::parse(json!({"ok": true}))
                .unwrap_err()
                .contains("unexpected form")
        );
        let refused = Answer::parse(json!({"ok": false, "error": {"code": "expired", "message": "Too late."}}));
        assert!(matches!(refused, Ok(Answer::Refused(r)) if r.code == "expired" && settles(&r.code)));
        assert!(!settles("keeper-failed"));
    }
}
