//! What the issue action page shows: built by the `epm.request` and `epm.decide` resolvers and
//! read back by the page (the same Rust types on both sides).

use serde::{Deserialize, Serialize};

use crate::providers::epm::mapping::property::{DecisionRecord, EpmProperty, RequestFacts};
use crate::time;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    Pending,
    Approved,
    Denied,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateView {
    pub kind: StateKind,
    /// One line for people: "Pending decision", "Approved until 2026-11-23 14:00 UTC", ...
    pub label: String,
    pub decision: Option<DecisionRecord>,
    /// The decision's lines for people (who, when, for how long, message).
    pub lines: Vec<String>,
}

/// The page's model of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub issue_key: String,
    pub summary: String,
    /// The issue's Jira status name.
    pub status: String,
    pub request_id: String,
    pub request: RequestFacts,
    pub state: StateView,
    /// Whether the signed-in user may decide now; when not, `cannot_decide` says why.
    pub can_decide: bool,
    pub cannot_decide: Option<String>,
    /// A decision is on its way to EPM (its delivery is being retried by the app's queue): the
    /// page says "Sending to EPM…" and asks again until it lands.
    #[serde(default)]
    pub sending: bool,
}

/// The state of a request at `now` (ms): an approval for a duration ends on its own.
pub fn state(decision: Option<&DecisionRecord>, now: u64) -> StateView {
    let Some(d) = decision else {
        return StateView {
            kind: StateKind::Pending,
            label: "Pending decision".into(),
            decision: None,
            lines: Vec::new(),
        };
    };
    let (kind, label) = match (d.approved, d.expires_at) {
        (false, _) => (StateKind::Denied, "Denied".to_string()),
        (true, Some(end)) if end <= now => (StateKind::Expired, format!("Expired at {}", time::display(end))),
        (true, Some(end)) => (StateKind::Approved, format!("Approved until {}", time::display(end))),
        (true, None) if d.duration_label == "once" => (StateKind::Approved, "Approved once".to_string()),
        (true, None) => (StateKind::Approved, "Approved".to_string()),
    };
    StateView {
        kind,
        label,
        decision: Some(d.clone()),
        lines: decision_lines(d),
    }
}

/// The facts of a decision, one per line (used by the page and the internal note).
pub fn decision_lines(d: &DecisionRecord) -> Vec<String> {
    let mut lines = vec![format!(
        "{} by {} at {}{}",
        d.word(),
        if d.decided_by.display_name.is_empty() {
            "an unknown user"
        } else {
            &d.decided_by.display_name
        },
        time::display(d.decided_at),
        match d.source {
            crate::providers::epm::mapping::property::Source::Jira => " in Jira",
            crate::providers::epm::mapping::property::Source::Epm => " in BeyondTrust EPM",
            crate::providers::epm::mapping::property::Source::Transition => " by moving the issue in Jira",
            crate::providers::epm::mapping::property::Source::Approval => " by a Jira Service Management approval",
        }
    )];
    if d.approved && !d.duration_label.is_empty() {
        lines.push(match d.expires_at {
            Some(end) => format!("Duration: {} (until {})", d.duration_label, time::display(end)),
            None => format!("Duration: {}", d.duration_label),
        });
    }
    if !d.message.is_empty() {
        lines.push(format!("Message: {}", d.message));
    }
    lines
}

/// Builds the view. `blocker` is why the signed-in user may not decide (permission or
/// self-approval), if so; a decided request blocks everyone.
pub fn build(
    issue_key: &str,
    summary: &str,
    status: &str,
    property: &EpmProperty,
    blocker: Option<String>,
    now: u64,
) -> RequestView {
    let state = state(property.decision.as_ref(), now);
    let cannot_decide = match (&state.kind, blocker) {
        (StateKind::Pending, blocker) => blocker,
        (_, _) => Some(format!("This request is already decided: {}.", state.lines[0])),
    };
    RequestView {
        issue_key: issue_key.into(),
        summary: summary.into(),
        status: status.into(),
        request_id: property.request_id.clone(),
        request: property.request.clone(),
        can_decide: cannot_decide.is_none(),
        cannot_decide,
        sending: false,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::epm::mapping::property::{Person, Source};
    use crate::providers::epm::wire::duration::AccessDuration;

    const NOW: u64 = 1_700_000_000_000;

    fn approved(duration: Option<AccessDuration>, expires_at: Option<u64>) -> DecisionRecord {
        DecisionRecord {
            approved: true,
            duration,
            duration_label: duration.map(|d| d.label()).unwrap_or_default(),
            expires_at,
            decided_by: Person {
                account_id: Some("acc-alice".into()),
                display_name: "Alice Approver".into(),
            },
            decided_at: NOW,
            expired_at: None,
            kept_at: 0,
            message: "ok for the patch".into(),
            source: Source::Jira,
        }
    }

    #[test]
    fn states_over_time() {
        assert_eq!(state(None, NOW).kind, StateKind::Pending);
        let four_hours = approved(Some(AccessDuration::Hours(4)), Some(NOW + 4 * 3_600_000));
        let view = state(Some(&four_hours), NOW + 1);
        assert_eq!(view.kind, StateKind::Approved);
        assert_eq!(view.label, "Approved until 2023-11-15 02:13 UTC");
        assert_eq!(
            view.lines,
            [
                "Approved by Alice Approver at 2023-11-14 22:13 UTC in Jira",
                "Duration: 4 hours (until 2023-11-15 02:13 UTC)",
                "Message: ok for the patch"
            ]
        );
        let later = state(Some(&four_hours), NOW + 4 * 3_600_000);
        assert_eq!(
            (later.kind, later.label.as_str()),
            (StateKind::Expired, "Expired at 2023-11-15 02:13 UTC")
        );
        let once = approved(Some(AccessDuration::Once), None);
        assert_eq!(state(Some(&once), NOW + 10 * 86_400_000).label, "Approved once");
        let denied = DecisionRecord {
            approved: false,
            ..once
        };
        assert_eq!(state(Some(&denied), NOW).kind, StateKind::Denied);
    }

    #[test]
    fn who_may_decide() {
        let mut property = EpmProperty {
            request_id: "r-1".into(),
            provider: "epm".into(),
            ..EpmProperty::default()
        };
        let open = build("PMCJIT-1", "s", "Open", &property, None, NOW);
        assert!(open.can_decide && open.cannot_decide.is_none());
        let blocked = build("PMCJIT-1", "s", "Open", &property, Some("no right".into()), NOW);
        assert_eq!(
            (blocked.can_decide, blocked.cannot_decide.as_deref()),
            (false, Some("no right"))
        );
        property.decision = Some(approved(Some(AccessDuration::Once), None));
        let decided = build("PMCJIT-1", "s", "Approved", &property, None, NOW);
        assert!(!decided.can_decide);
        assert!(
            decided
                .cannot_decide
                .unwrap()
                .contains("already decided: Approved by Alice Approver")
        );
    }
}
