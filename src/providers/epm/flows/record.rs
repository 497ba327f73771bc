//! Recording an EPM event (a decision, or the end of an approval) on its issue, after the
//! app's own record of it is kept (`deliver::keep`, `keys::decision`): EPM's wording, property
//! and statuses, handed to the shared steps of `lifecycle::recording` (property, note,
//! transition, each done once, marked in `keys::recording`).

use super::trusted::RequestRecord;
use crate::caps::Caps;
use crate::jira::client::JiraError;
use crate::lifecycle::recording::{self, Event, Order};
use crate::providers::epm::keys;
use crate::providers::epm::mapping::issue::IssueFacts;
use crate::providers::epm::mapping::map::ISSUE_PROPERTY;
use crate::providers::epm::mapping::property::{DecisionRecord, EpmProperty};
use crate::providers::epm::page::view::decision_lines;
use crate::providers::epm::settings::EpmSettings;

pub use crate::lifecycle::recording::{REPAIR_AFTER_MS, Recorded};

/// The status a decision should lead to.
pub fn target_status(config: &EpmSettings, record: &DecisionRecord) -> String {
    if record.approved {
        config.approved_status.clone()
    } else {
        config.denied_status.clone()
    }
}

/// The event id of a decision: a change of mind in EPM is a new event.
fn decision_event(decision: &DecisionRecord) -> String {
    format!("decision:{}:{}", decision.approved, decision.decided_at)
}

/// Whether the recording of this decision (or of its end) is finished.
pub async fn is_complete(caps: &Caps, record: &RequestRecord, decision: &DecisionRecord) -> Result<bool, JiraError> {
    let event = match decision.expired_at {
        Some(_) => expiry_event(decision),
        None => decision_event(decision),
    };
    let done = recording::load(caps, &keys::recording(&record.request_ref()), &event).await?;
    Ok(done.complete())
}

/// A decision kept (or ended) moments ago is being recorded by the run that kept it; any other
/// run leaves it that run's time to finish, so two runs never add the same note. How long
/// still to wait, `None` when another run may complete it.
pub fn wait_before_repair(decision: &DecisionRecord, now: u64) -> Option<u64> {
    recording::wait_before_repair(decision.expired_at.unwrap_or(decision.kept_at), now)
}

/// Records the decision, or its end when it ended, on the issue: each missing step.
pub async fn complete(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    match decision.expired_at {
        Some(_) => expiry(caps, config, issue, record, decision).await,
        None => on_issue(caps, config, issue, record, decision).await,
    }
}

pub async fn on_issue(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    let mut lines = vec![format!(
        "EPM access request {} (request id {}).",
        if decision.approved { "approved" } else { "denied" },
        record.request.request_id
    )];
    lines.extend(decision_lines(decision));
    let property = record.property(Some(decision));
    let target = target_status(config, decision);
    let event = decision_event(decision);
    write(
        caps,
        config,
        issue,
        record,
        &event,
        lines,
        &property,
        &target,
        Order::PropertyFirst,
    )
    .await
}

fn expiry_event(decision: &DecisionRecord) -> String {
    format!("expiry:{}", decision.decided_at)
}

/// Records that an approval has ended (`decision.expired_at` set in the app's record): a note,
/// the move to the configured expired status, then the property without `openExpiry`.
pub async fn expiry(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    let ended = decision.expires_at.or(decision.expired_at).unwrap_or_default();
    let lines = vec![
        format!("EPM access expired (request id {}).", record.request.request_id),
        format!(
            "The approval for {} by {} ended at {}.",
            decision.duration_label,
            decision.decided_by.display_name,
            crate::time::display(ended)
        ),
    ];
    let property = record.property(Some(decision));
    let event = expiry_event(decision);
    write(
        caps,
        config,
        issue,
        record,
        &event,
        lines,
        &property,
        &config.expired_status,
        Order::PropertyLast,
    )
    .await
}

/// The event's steps that are not done yet, in `order` (`lifecycle::recording`).
#[allow(clippy::too_many_arguments)]
async fn write(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    event: &str,
    lines: Vec<String>,
    property: &EpmProperty,
    target: &str,
    order: Order,
) -> Result<Recorded, JiraError> {
    let at = issue.at();
    let event = Event {
        id: event.to_string(),
        lines,
        property_key: ISSUE_PROPERTY,
        property: property.to_value(),
        target_status: target,
        order,
        internal_note: config.internal_note,
    };
    recording::record(caps, &keys::recording(&record.request_ref()), at, event).await
}

/// Writes the app's property on the issue with this id (as the app).
pub async fn put_property(caps: &Caps, issue: &str, property: &EpmProperty) -> Result<(), JiraError> {
    recording::put_property(caps, issue, ISSUE_PROPERTY, &property.to_value()).await
}
