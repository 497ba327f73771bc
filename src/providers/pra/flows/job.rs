//! The `pra.decide` job: decide a kept request (once), answer the appliance (once), then record
//! it on the issue. Each step finds what an earlier run did, so a redelivered or repeated job
//! finishes what is missing and sends nothing twice.

use super::super::records::{self, Received, keys};
use super::super::settings;
use super::{answer, audit, verdict};
use crate::caps::{CapError, Caps};
use crate::jobs::{self, Job, Progress};
use crate::protocol::LogLevel;
use crate::store;

/// The job's kind.
pub const KIND: &str = "pra.decide";

/// Queues the job for the request `id` (to run at once).
pub async fn queue(caps: &Caps, id: &str, now: u64) -> Result<(), CapError> {
    jobs::push(caps, &Job::new(KIND, &[id], now), 0).await
}

/// Whether the request was answered and audited already (a duplicate needs no job). Any doubt
/// (storage failing) says no: one more job run does nothing twice.
pub async fn finished(caps: &Caps, id: &str) -> bool {
    if answer::settled(caps, id).await.is_none() {
        return false;
    }
    match verdict::load(caps, id).await {
        Ok(Some(verdict)) if verdict.issue.is_none() => true,
        Ok(Some(_)) => audit::done(caps, id).await,
        _ => false,
    }
}

pub async fn run_job(caps: &Caps, job: &Job) -> Progress {
    let [id] = job.ids.as_slice() else {
        return Progress::Failed("a pra.decide job names one request".into());
    };
    match run(caps, id).await {
        Ok(progress) | Err(progress) => progress,
    }
}

async fn run(caps: &Caps, id: &str) -> Result<Progress, Progress> {
    let Some(received) = caps
        .kv_get(&keys::request(id))
        .await?
        .and_then(|text| store::decode::<Received>(records::VERSION, &text))
    else {
        return Ok(Progress::Failed(format!("PRA request {id} is not kept")));
    };
    let settings = settings::load(caps).await.map_err(Progress::retry)?;
    let now = caps.now().await?;
    let verdict = verdict::decided(caps, &settings, id, &received, now).await?;
    let answered = answer::answer(caps, id, &received, &verdict, now).await?;
    match audit::record(caps, id, &received, &verdict, answered.delivered).await {
        Ok(()) => {}
        Err(e) if e.is_transient() => return Err(Progress::retry(format!("the audit on the issue: {e}"))),
        Err(e) => {
            // Jira refuses the note or property (a permission changed): the appliance has its
            // answer; this is worth a log line, not endless retries.
            caps.log(
                LogLevel::Warn,
                format!("PRA request {id}: the audit on the issue failed: {e}"),
            )
            .await;
        }
    }
    Ok(Progress::Done(format!(
        "PRA request {id}: {} by rule {}; {}",
        verdict.decision.as_str(),
        verdict.rule,
        answered.delivered.map_or("not answered", |d| d.describe())
    )))
}
