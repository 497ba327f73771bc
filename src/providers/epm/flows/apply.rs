//! Applying EPM's "decision updated" webhooks to the issue. A decision made in Jira comes back
//! from EPM as an update (the echo) and adds nothing; a decision made in EPM itself, or a change
//! of mind there, is recorded like one made in Jira. An update for a request whose issue does
//! not exist yet stays kept (`update.rs`) and is applied right after the issue is created
//! (`update::apply_pending`).

use super::claim::{self, Acquired, Claim, ClaimState};
use super::deliver;
use super::record;
use super::trusted::{self, RequestRecord};
use crate::caps::{CapError, Caps};
use crate::protocol::{Actor, LogLevel};
use crate::providers::epm::mapping::issue;
use crate::providers::epm::mapping::property::{DecisionRecord, Person, Source};
use crate::providers::epm::records::PendingUpdate;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::RequestRef;
use crate::providers::epm::wire::duration::AccessDuration;
use crate::time;

/// What applying an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Recorded on this issue.
    Recorded(String),
    /// Kept as the app's record; recording on the issue failed (why) and is retried later.
    NotRecorded(String, String),
    /// The issue already shows this decision (or it is on its way there).
    Echo,
    /// The request has no issue yet; the update waits for it.
    NoIssueYet,
    /// Not an approval or denial (e.g. "Pending"): kept, nothing to record.
    NotADecision,
    /// A different decision from Jira is being sent right now; EPM should deliver again.
    Busy,
}

/// `Some(true)` approved, `Some(false)` denied, `None` anything else.
pub fn approved(decision: &str) -> Option<bool> {
    match decision.trim().to_ascii_lowercase().as_str() {
        "approved" | "approve" | "2000" => Some(true),
        "denied" | "deny" | "declined" | "rejected" | "2001" => Some(false),
        _ => None,
    }
}

/// The decision record of an update made in EPM.
pub fn record_of(update: &PendingUpdate, approved: bool) -> DecisionRecord {
    let decided_at = update
        .decision_time
        .as_deref()
        .and_then(time::parse)
        .unwrap_or(update.received_at);
    let raw = update.duration.clone().unwrap_or_default();
    let duration = AccessDuration::from_epm(&raw).filter(|_| approved);
    let duration_label = match duration {
        Some(d) => d.label(),
        None if approved => raw,
        None => String::new(),
    };
    DecisionRecord {
        approved,
        duration,
        duration_label,
        expires_at: duration.and_then(|d| d.seconds()).map(|s| decided_at + s * 1000),
        decided_by: Person {
            account_id: None,
            display_name: update
                .performed_by
                .clone()
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| "BeyondTrust EPM".into()),
        },
        decided_at,
        message: String::new(),
        source: Source::Epm,
        expired_at: None,
        kept_at: 0,
    }
}

pub async fn apply(
    caps: &Caps,
    config: &EpmSettings,
    request: &RequestRef,
    update: &PendingUpdate,
) -> Result<Applied, CapError> {
    let Some(approved) = approved(&update.decision) else {
        return Ok(Applied::NotADecision);
    };
    let Some(record) = trusted::read(caps, request).await? else {
        return Ok(Applied::NoIssueYet);
    };
    let known = deliver::recorded(caps, request).await?;
    let mut decision = record_of(update, approved);
    match known {
        Some(known) if known.approved == approved => {
            // The echo adds nothing, unless the decision's recording was left unfinished.
            return Ok(match repair(caps, config, &record, &known).await {
                Some(Ok(key)) => Applied::Recorded(key),
                Some(Err(e)) => Applied::NotRecorded(record.issue_key, e),
                None => Applied::Echo,
            });
        }
        // EPM changed its mind after a decision was recorded: the newer word counts.
        Some(_) => deliver::keep(caps, request, &decision).await?,
        None => {
            let claim = Claim {
                at: caps.now().await?,
                by: decision.decided_by.display_name.clone(),
                approved,
                state: ClaimState::Sending,
                intent: None,
                instance: crate::instance::current(caps).await,
            };
            match claim::acquire(caps, request, &claim).await? {
                Acquired::Won(generation) => deliver::remember(caps, request, generation, &claim, &decision).await?,
                Acquired::Busy(Some(held)) | Acquired::Decided(held) if held.approved == approved => {
                    return Ok(Applied::Echo);
                }
                // EPM says what it did with a decision whose delivery was unknown: settled.
                Acquired::InFlight(generation, held) => {
                    if held.approved == approved
                        && let Some(intent) = &held.intent
                    {
                        decision = intent.decision.clone();
                    }
                    deliver::remember(caps, request, generation, &held, &decision).await?;
                }
                Acquired::Decided(_) => deliver::keep(caps, request, &decision).await?,
                Acquired::Busy(_) | Acquired::Exhausted => return Ok(Applied::Busy),
            }
        }
    }
    Ok(match record_on_issue(caps, config, &record, &decision).await {
        Ok(()) => Applied::Recorded(record.issue_key),
        Err(e) => Applied::NotRecorded(record.issue_key, e),
    })
}

/// Completes an unfinished recording of a known decision once its own run had time to finish.
async fn repair(
    caps: &Caps,
    config: &EpmSettings,
    record: &RequestRecord,
    known: &DecisionRecord,
) -> Option<Result<String, String>> {
    let now = caps.now().await.ok()?;
    if record::wait_before_repair(known, now).is_some() || record::is_complete(caps, record, known).await.ok()? {
        return None;
    }
    Some(complete_as_app(caps, config, record, known).await)
}

/// Loads the issue as the app and records what is missing of the decision; the issue key, or
/// why not.
pub async fn complete_as_app(
    caps: &Caps,
    config: &EpmSettings,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<String, String> {
    let facts = issue::load(caps, Actor::App, &record.issue_id)
        .await
        .map_err(|r| r.message)?;
    record::complete(caps, config, &facts, record, decision)
        .await
        .map(|_| record.issue_key.clone())
        .map_err(|e| e.to_string())
}

/// Records on the issue as the app. The decision is already the app's record; a Jira failure
/// here is retried by the next viewer, redelivery or tick.
async fn record_on_issue(
    caps: &Caps,
    config: &EpmSettings,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<(), String> {
    let key = &record.issue_key;
    let result = async {
        let facts = issue::load(caps, Actor::App, &record.issue_id)
            .await
            .map_err(|r| r.message)?;
        record::on_issue(caps, config, &facts, record, decision)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match &result {
        Ok(_) => {
            caps.log(
                LogLevel::Info,
                format!("recorded EPM's decision \"{}\" on {key}", decision.word()),
            )
            .await
        }
        Err(e) => {
            caps.log(
                LogLevel::Error,
                format!("EPM's decision for {key} is not recorded yet: {e}"),
            )
            .await
        }
    }
    result.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_epm_words() {
        assert_eq!(approved("Approved"), Some(true));
        assert_eq!(approved(" denied "), Some(false));
        assert_eq!(approved("Pending"), None);
        let update = PendingUpdate {
            decision: "Approved".into(),
            decision_time: Some("2026-11-23 10:00:00".into()),
            performed_by: Some("EPM Admin".into()),
            duration: Some("7200".into()),
            timestamp: None,
            received_at: 5,
        };
        let record = record_of(&update, true);
        assert_eq!(record.duration, Some(AccessDuration::Hours(2)));
        assert_eq!(record.expires_at, Some(record.decided_at + 7_200_000));
        assert_eq!(record.decided_by.display_name, "EPM Admin");
        let odd = PendingUpdate {
            duration: Some("90".into()),
            decision_time: None,
            performed_by: None,
            ..update
        };
        let record = record_of(&odd, true);
        assert_eq!(
            (
                record.duration_label.as_str(),
                record.decided_at,
                record.decided_by.display_name.as_str()
            ),
            ("90", 5, "BeyondTrust EPM")
        );
    }
}
