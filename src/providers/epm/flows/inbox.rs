//! The webhook inbox. A webhook that passed authentication and parsing is kept (its body under
//! `epm:inbox:<sha-256 of the body>`, in parts when large: `jobs::inbox`) and an `epm.webhook`
//! job is queued *before* any work, so whatever happens next (Jira busy, EPM down, the host
//! killed) the app finishes it without the sender delivering again. The web trigger then does
//! the work inline within its time budget: finished → 201/200 as before; not finished → 202
//! Accepted, and the job finishes it.
//! A "ticket created" whose issue the app already recorded is answered from the record and
//! writes nothing.

use super::intake::{self, Intake};
use super::settle;
use super::trusted;
use super::update;
use crate::caps::{CapError, Caps};
use crate::jobs::{self, Job, Progress, inbox};
use crate::protocol::{HttpResponse, LogLevel};
use crate::providers::epm::keys::INBOX;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{self, Event};

pub const KIND: &str = "epm.webhook";
/// The job's first run comes this long after the webhook: past the web trigger's own run (its
/// longest wait is `intake::WEB_TRIGGER_WAIT_MS`), so the two rarely meet; when they do, the
/// leases keep the work single.
pub const GRACE_MS: u64 = 25_000;

/// Answers an authenticated, parsed webhook.
pub async fn receive(caps: &Caps, config: &EpmSettings, body: &str, event: Event) -> HttpResponse {
    if let Event::TicketCreated(ticket) = &event {
        match trusted::read(caps, &ticket.request).await {
            Ok(Some(record)) => {
                let done = Intake::Recorded {
                    record: Box::new(record),
                    fresh: false,
                };
                return intake::answer(ticket, &done);
            }
            Ok(None) => {}
            Err(e) => return unavailable(&e),
        }
    }
    if let Err(e) = keep(caps, body).await {
        caps.log(LogLevel::Error, format!("could not keep an EPM webhook: {e}"))
            .await;
        return unavailable(&e);
    }
    match event {
        Event::TicketCreated(ticket) => {
            let intake = intake::run(caps, config, &ticket, intake::WEB_TRIGGER_WAIT_MS).await;
            intake::answer(&ticket, &intake)
        }
        Event::DecisionUpdated(change) => update::answer(&change, &update::run(caps, config, &change).await),
    }
}

/// Nothing was kept: the sender must deliver again.
fn unavailable(e: &CapError) -> HttpResponse {
    HttpResponse::error(503, format!("the app could not keep the request ({e}); retry later"))
        .with_header("Retry-After", "5")
}

async fn keep(caps: &Caps, body: &str) -> Result<(), CapError> {
    let digest = inbox::keep(caps, INBOX, body).await?;
    let now = caps.now().await?;
    jobs::push(caps, &Job::new(KIND, &[&digest], now), GRACE_MS).await
}

/// Runs the job of a kept webhook (`ids`: the body's digest).
pub async fn run_job(caps: &Caps, job: &Job) -> Progress {
    let [digest] = job.ids.as_slice() else {
        return Progress::Failed(format!("{KIND} takes one digest, not {:?}", job.ids));
    };
    let (body, parts) = match inbox::read(caps, INBOX, digest).await {
        Ok(Some(kept)) => kept,
        Ok(None) => return Progress::Done("nothing kept: finished earlier".into()),
        Err(e) => return e.into(),
    };
    let config = match crate::providers::epm::settings::load(caps).await {
        Ok(config) => config,
        Err(e) => return Progress::retry(e),
    };
    let progress = match wire::parse(&body) {
        // It parsed when it arrived: only a change of the parser can get here.
        Err(e) => Progress::Failed(format!("the kept webhook no longer parses: {e}")),
        Ok(Event::TicketCreated(ticket)) => match intake::run(caps, &config, &ticket, intake::JOB_WAIT_MS).await {
            Intake::Recorded { .. } => settle::run(caps, &config, &ticket.request).await,
            Intake::Unfinished { hint_ms, reason } => Progress::Retry { hint_ms, reason },
            Intake::Refused(e) => Progress::Failed(format!("Jira refused the create: {e}")),
        },
        Ok(Event::DecisionUpdated(change)) => match update::run(caps, &config, &change).await {
            updated if updated.finished() => settle::run(caps, &config, &change.request).await,
            update::Updated::LockBusy => Progress::Retry {
                hint_ms: Some(5_000),
                reason: "another decision update for this request is being applied".into(),
            },
            updated => Progress::retry(format!("EPM's update is not applied yet ({updated:?})")),
        },
    };
    if let Progress::Done(_) = progress
        && let Err(e) = inbox::drop(caps, INBOX, digest, parts).await
    {
        // Harmless: the next run of a redelivered job finds the work done.
        caps.log(LogLevel::Warn, format!("could not drop a finished webhook: {e}"))
            .await;
    }
    progress
}
