//! The `epm.settle` job: finishes what the app accepted for one request, whatever failed on
//! the way. It is the outbox of decisions (a decision whose delivery to EPM is unknown is sent
//! again, the same one) and the retry of recording on the issue (record, property, note,
//! transition: each step idempotent, `record.rs`). Queued by the decision that could not
//! finish and by every accepted webhook (`inbox.rs`); running it again when all is done costs a
//! few reads.

use super::apply;
use super::claim::{self, ClaimState};
use super::deliver::{self, Delivered};
use super::record;
use super::trusted;
use super::update::{self, Updated};
use crate::caps::Caps;
use crate::jobs::{self, Job, Progress};
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::RequestRef;

pub const KIND: &str = "epm.settle";

/// The job for a request.
pub fn job(request: &RequestRef, now: u64) -> Job {
    Job::new(KIND, &[&request.tenant_id, &request.request_id], now)
}

/// Queues the request's settle job; a failure is logged (the next view or delivery still
/// repairs what it finds).
pub async fn queue(caps: &Caps, request: &RequestRef, now: u64, delay_ms: u64) {
    if let Err(e) = jobs::push(caps, &job(request, now), delay_ms).await {
        caps.log(
            crate::protocol::LogLevel::Warn,
            format!(
                "could not queue the completion of EPM request {}: {e}",
                request.request_id
            ),
        )
        .await;
    }
}

/// Runs the job (`ids`: tenant, request id).
pub async fn run_job(caps: &Caps, job: &Job) -> Progress {
    let [tenant_id, request_id] = job.ids.as_slice() else {
        return Progress::Failed(format!("{KIND} takes a tenant and a request id, not {:?}", job.ids));
    };
    let config = match crate::providers::epm::settings::load(caps).await {
        Ok(config) => config,
        Err(e) => return Progress::retry(e),
    };
    let request = RequestRef {
        tenant_id: tenant_id.clone(),
        request_id: request_id.clone(),
    };
    run(caps, &config, &request).await
}

/// Everything still owed for the request: an early EPM update applied, an in-flight decision
/// sent, the decision recorded on the issue.
pub async fn run(caps: &Caps, config: &EpmSettings, request: &RequestRef) -> Progress {
    match settle(caps, config, request).await {
        Ok(progress) => progress,
        Err(e) => e.into(),
    }
}

async fn settle(caps: &Caps, config: &EpmSettings, request: &RequestRef) -> Result<Progress, crate::caps::CapError> {
    let Some(record) = trusted::read(caps, request).await? else {
        return Ok(Progress::Done("the request has no issue; nothing to settle".into()));
    };
    let now = caps.now().await?;
    let mut sent_now = false;
    if deliver::recorded(caps, request).await?.is_none() {
        // An update EPM sent before the issue existed, if the intake could not apply it.
        match update::apply_kept(caps, config, request).await? {
            Some(Updated::LockBusy) => return Ok(busy("another update for this request is being applied")),
            Some(updated) if !updated.finished() => {
                return Ok(Progress::retry(format!(
                    "EPM's update is not applied yet ({updated:?})"
                )));
            }
            _ => {}
        }
        if let Some((generation, held)) = claim::current(caps, request).await? {
            let instance = crate::instance::current(caps).await;
            if held.in_flight(now, instance.as_deref()) {
                match deliver::resend(caps, config, request, generation, &held, now).await? {
                    Delivered::Sent => sent_now = true,
                    Delivered::Refused(e) => {
                        return Ok(Progress::Done(format!(
                            "EPM refused the decision ({e}); the claim is released for the approver to decide again"
                        )));
                    }
                    Delivered::Unknown(e) => {
                        return Ok(Progress::retry(format!("EPM did not confirm the decision: {e}")));
                    }
                    Delivered::NotDue => {
                        return Ok(Progress::Retry {
                            hint_ms: Some(deliver::RESEND_EVERY_MS / 2),
                            reason: "the decision was sent again moments ago".into(),
                        });
                    }
                }
            } else if held.state == ClaimState::Sending {
                // Its own run is sending it right now.
                let wait = claim::STALE_MS.saturating_sub(now.saturating_sub(held.at));
                return Ok(Progress::Retry {
                    hint_ms: Some(wait.min(5_000)),
                    reason: "the decision is being sent by its approver's run".into(),
                });
            }
        }
    }
    let Some(decision) = deliver::recorded(caps, request).await? else {
        return Ok(Progress::Done("nothing decided yet".into()));
    };
    if record::is_complete(caps, &record, &decision).await.unwrap_or(false) {
        return Ok(Progress::Done(format!("{} shows the decision", record.issue_key)));
    }
    // This job kept it only if it just sent it; otherwise the run that kept it may still be
    // recording it.
    if !sent_now && let Some(wait) = record::wait_before_repair(&decision, now) {
        return Ok(Progress::Retry {
            hint_ms: Some(wait),
            reason: "the decision is being recorded by the run that kept it".into(),
        });
    }
    Ok(match apply::complete_as_app(caps, config, &record, &decision).await {
        Ok(key) => Progress::Done(format!("recorded the decision on {key}")),
        Err(e) => Progress::retry(format!(
            "Jira could not record the decision on {} yet: {e}",
            record.issue_key
        )),
    })
}

fn busy(reason: &str) -> Progress {
    Progress::Retry {
        hint_ms: Some(5_000),
        reason: reason.into(),
    }
}
