//! A decision in flight: the app's claim says an action went to Commander (or may have), and
//! its effect is not known yet. Collecting it reads the action's result and then Keeper's live
//! state (a failed action is only a warning in Commander's result, so the state is what counts):
//! the claimed decision took effect → recorded as decided in Jira; the request closed otherwise
//! → processed outside Jira; still open → the action did not take, and the claim is released so
//! someone may decide again. The `keeper.settle` job does this without anyone opening the
//! issue; a panel view does it too.

use super::super::commander::{self, CommanderError, Endpoint, Polled};
use super::super::records::{self, Outcome};
use super::super::settings::{self, secrets};
use super::live;
use super::reconcile::{self, Said};
use crate::caps::Caps;
use crate::jobs::{self, Job, Progress};
use crate::lifecycle::claim::{self, in_flight};
use crate::lifecycle::lease::State;
use crate::protocol::LogLevel;
use crate::providers::keeper::records::{Request, keys};
use crate::providers::keeper::settings::KeeperSettings;

pub const KIND: &str = "keeper.settle";
/// Commander drops a command queued this long: an action not run by then never will be.
pub const QUEUE_EXPIRY_MS: u64 = 300_000;
/// A job's budget for Commander (a job run ends within 55 s).
const JOB_BUDGET_MS: u64 = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collected {
    /// No decision in flight.
    Nothing,
    Concluded(Outcome),
    /// The action did not take: the claim is released.
    Released(String),
    /// Not known yet: look again later.
    Waiting(String),
}

pub async fn collect(
    caps: &Caps,
    settings: &KeeperSettings,
    endpoint: &Endpoint,
    request: &Request,
    budget_ms: u64,
) -> Collected {
    match collect_inner(caps, settings, endpoint, request, budget_ms).await {
        Ok(collected) => collected,
        Err(e) => Collected::Waiting(format!("storage failed: {e}")),
    }
}

async fn collect_inner(
    caps: &Caps,
    settings: &KeeperSettings,
    endpoint: &Endpoint,
    request: &Request,
    budget_ms: u64,
) -> Result<Collected, crate::caps::CapError> {
    let Some((generation, claim)) = reconcile::current_claim(caps, request).await? else {
        return Ok(Collected::Nothing);
    };
    if claim.state == State::Decided {
        return Ok(Collected::Nothing);
    }
    let started = caps.now().await?;
    let instance = crate::instance::current(caps).await;
    if claim.command_id.is_none() && !in_flight(&claim, started, instance.as_deref()) {
        return Ok(Collected::Waiting("the decision is being sent by another run".into()));
    }
    if let Some(id) = &claim.command_id {
        match commander::wait(caps, endpoint, id, budget_ms / 2).await {
            Ok(Polled::Running(_)) => return Ok(Collected::Waiting("Commander has not run the action yet".into())),
            Ok(Polled::Done(_)) | Err(CommanderError::Lost) => {}
            Err(CommanderError::Expired) => {
                return release(
                    caps,
                    request,
                    generation,
                    claim,
                    "the action expired in Commander's queue before it ran",
                )
                .await;
            }
            Err(e) if e.transient() => return Ok(Collected::Waiting(e.to_string())),
            Err(_) => {}
        }
    }
    let now = caps.now().await?;
    let left = budget_ms.saturating_sub(now.saturating_sub(started)).max(1_000);
    let live = live::read(caps, endpoint, request, left).await;
    let now = caps.now().await?;
    Ok(match reconcile::said(request, &live, Some(&claim), now) {
        Said::Closed(outcome) => Collected::Concluded(
            reconcile::conclude(caps, settings, request, Some((generation, claim)), outcome).await?,
        ),
        Said::Open if claim.command_id.is_some() || now.saturating_sub(claim.submitted_at) > QUEUE_EXPIRY_MS => {
            return release(
                caps,
                request,
                generation,
                claim,
                "Keeper did not apply the action (Commander reported only a warning)",
            )
            .await;
        }
        Said::Open | Said::Unknown => Collected::Waiting("Keeper's state could not be read yet".into()),
    })
}

async fn release(
    caps: &Caps,
    request: &Request,
    generation: u32,
    mut claim: records::Claim,
    why: &str,
) -> Result<Collected, crate::caps::CapError> {
    claim.state = State::Released;
    claim.at = caps.now().await?;
    claim::settle(caps, &keys::decision(&request.sid), generation, &claim).await?;
    caps.log(
        LogLevel::Warn,
        format!("{}: {why}; the decision may be made again", request.issue_key),
    )
    .await;
    Ok(Collected::Released(why.to_string()))
}

/// Queues the settle job (a few seconds on: Commander usually runs the action by then).
pub async fn queue(caps: &Caps, sid: &str, now: u64) -> Result<(), crate::caps::CapError> {
    jobs::push(caps, &Job::new(KIND, &[sid], now), 5_000).await
}

/// The request, settings and endpoint a job needs; a progress when it cannot go on.
pub async fn prepare(caps: &Caps, job: &Job) -> Result<(Request, KeeperSettings, Endpoint), Progress> {
    let [sid] = job.ids.as_slice() else {
        return Err(Progress::Failed(format!(
            "{} takes one request id, not {:?}",
            job.kind, job.ids
        )));
    };
    let request = records::read_request(caps, sid)
        .await?
        .ok_or_else(|| Progress::Failed(format!("no Keeper request {sid} is kept")))?;
    let settings = settings::load(caps).await.map_err(Progress::retry)?;
    let endpoint = secrets::endpoint(caps, &settings).await.map_err(Progress::retry)?;
    Ok((request, settings, endpoint))
}

/// `keeper.settle`: collects a decision in flight.
pub async fn run_job(caps: &Caps, job: &Job) -> Progress {
    let (request, settings, endpoint) = match prepare(caps, job).await {
        Ok(prepared) => prepared,
        Err(progress) => return progress,
    };
    match collect(caps, &settings, &endpoint, &request, JOB_BUDGET_MS).await {
        Collected::Nothing => Progress::Done("no decision in flight".into()),
        Collected::Concluded(outcome) => Progress::Done(format!("{} ({})", outcome.result, outcome.source)),
        Collected::Released(why) => Progress::Done(format!("released: {why}")),
        Collected::Waiting(why) => Progress::Retry {
            hint_ms: Some(5_000),
            reason: why,
        },
    }
}

/// `keeper.sync`: Keeper said a request changed (a status alert): read it and record what
/// happened, without anyone opening the issue.
pub async fn run_sync(caps: &Caps, job: &Job) -> Progress {
    let (request, settings, endpoint) = match prepare(caps, job).await {
        Ok(prepared) => prepared,
        Err(progress) => return progress,
    };
    match records::read_outcome(caps, &request.sid).await {
        Ok(Some(_)) => return Progress::Done("already recorded".into()),
        Ok(None) => {}
        Err(e) => return e.into(),
    }
    match collect(caps, &settings, &endpoint, &request, JOB_BUDGET_MS).await {
        Collected::Nothing => {}
        Collected::Waiting(why) => {
            return Progress::Retry {
                hint_ms: Some(5_000),
                reason: why,
            };
        }
        other => return Progress::Done(format!("{other:?}")),
    }
    let live = live::read(caps, &endpoint, &request, JOB_BUDGET_MS).await;
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return e.into(),
    };
    match reconcile::said(&request, &live, None, now) {
        Said::Closed(outcome) => match reconcile::conclude(caps, &settings, &request, None, outcome).await {
            Ok(outcome) => Progress::Done(format!("{} ({})", outcome.result, outcome.source)),
            Err(e) => e.into(),
        },
        Said::Open => Progress::Done("still open in Keeper".into()),
        Said::Unknown => match live {
            live::Live::Failed(e) if !e.transient() => Progress::Failed(e.to_string()),
            _ => Progress::retry("Keeper's state could not be read yet"),
        },
    }
}
