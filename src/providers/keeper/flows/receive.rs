//! `POST /x/keeper-alert`: a Keeper Admin Console alert. The token is checked before anything
//! else is read; then the settings and the body. A new request is kept (its body, in the
//! app's inbox) and its `keeper.alert` job queued before any work, then its issue is made
//! inline within the web trigger's time: 201 made, 200 already there, 202 the job finishes it.
//! A status change queues a `keeper.sync` of the request's issue (202). Any other alert is
//! answered 202 and only logged. Nothing is written on a refusal.

use serde_json::json;

use super::super::alert::{self, Event};
use super::super::records::{self, PREFIX};
use super::super::settings::{self, secrets};
use super::super::subject::Subject;
use super::intake;
use crate::caps::{CapError, Caps};
use crate::jobs::{self, Job, inbox};
use crate::lifecycle::create;
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};

pub const ALERT_KIND: &str = "keeper.alert";
pub const SYNC_KIND: &str = "keeper.sync";
/// The alert job's first run comes after the web trigger's own run (see EPM's inbox).
const GRACE_MS: u64 = 25_000;

pub async fn receive(caps: &Caps, request: &HttpRequest) -> HttpResponse {
    if let Some(refusal) = crate::auth::require_token(caps, request, secrets::ALERT_TOKEN, secrets::BASIC_USER).await {
        return refusal;
    }
    let settings = match settings::load(caps).await {
        Ok(settings) => settings,
        Err(e) => return HttpResponse::error(503, e).with_header("Retry-After", "30"),
    };
    if !settings.enabled {
        return HttpResponse::error(503, "the Keeper integration is disabled in the app's configuration");
    }
    let event = match alert::parse(&request.body) {
        Ok(event) => event,
        Err(alert::Invalid(e)) => return HttpResponse::error(400, e),
    };
    match event {
        Event::Other(name) => {
            caps.log(
                LogLevel::Info,
                format!("Keeper alert \"{name}\" is not one the app acts on; ignored"),
            )
            .await;
            HttpResponse::json(
                202,
                &json!({"accepted": true, "ignored": true, "event": name,
                        "reason": "the app acts on approval request and device approval alerts only"}),
            )
        }
        Event::StatusChanged(uid) => {
            let sid = records::sid(&Subject::Kepm { uid: uid.clone() }, "");
            match records::read_request(caps, &sid).await {
                Ok(Some(_)) => match queue_sync(caps, &sid).await {
                    Ok(()) => HttpResponse::json(
                        202,
                        &json!({"accepted": true, "requestUid": uid, "reason": "the app reads the request's new status from Keeper and records it on its issue"}),
                    ),
                    Err(e) => unavailable(&e),
                },
                Ok(None) => HttpResponse::json(
                    202,
                    &json!({"accepted": true, "requestUid": uid, "reason": "no issue has this request yet; its panel reads the live status when it is made"}),
                ),
                Err(e) => unavailable(&e),
            }
        }
        Event::Created(new) => {
            let issue = intake::AlertIssue::new(&settings, &new);
            match records::read_request(caps, &issue.sid).await {
                Ok(Some(record)) => {
                    return HttpResponse::json(200, &json!({"issueKey": record.issue_key, "created": false}));
                }
                Ok(None) => {}
                Err(e) => return unavailable(&e),
            }
            if let Err(e) = keep(caps, &request.body).await {
                caps.log(LogLevel::Error, format!("could not keep a Keeper alert: {e}"))
                    .await;
                return unavailable(&e);
            }
            let created = intake::run(caps, &settings, &new, create::WEB_TRIGGER_WAIT_MS).await;
            intake::answer(&created, &issue.sid)
        }
    }
}

async fn keep(caps: &Caps, body: &str) -> Result<(), CapError> {
    let digest = inbox::keep(caps, PREFIX, body).await?;
    let now = caps.now().await?;
    jobs::push(caps, &Job::new(ALERT_KIND, &[&digest], now), GRACE_MS).await
}

async fn queue_sync(caps: &Caps, sid: &str) -> Result<(), CapError> {
    let now = caps.now().await?;
    jobs::push(caps, &Job::new(SYNC_KIND, &[sid], now), 0).await
}

fn unavailable(e: &CapError) -> HttpResponse {
    HttpResponse::error(503, format!("the app could not keep the alert ({e}); retry later"))
        .with_header("Retry-After", "5")
}

/// `keeper.alert`: finishes a kept alert's issue.
pub async fn run_alert_job(caps: &Caps, job: &Job) -> jobs::Progress {
    use jobs::Progress;
    let [digest] = job.ids.as_slice() else {
        return Progress::Failed(format!("{ALERT_KIND} takes one digest, not {:?}", job.ids));
    };
    let (body, parts) = match inbox::read(caps, PREFIX, digest).await {
        Ok(Some(kept)) => kept,
        Ok(None) => return Progress::Done("nothing kept: finished earlier".into()),
        Err(e) => return e.into(),
    };
    let settings = match settings::load(caps).await {
        Ok(settings) => settings,
        Err(e) => return Progress::retry(e),
    };
    let progress = match alert::parse(&body) {
        Ok(Event::Created(new)) => match intake::run(caps, &settings, &new, create::JOB_WAIT_MS).await {
            create::Created::Recorded { record, .. } => Progress::Done(format!("{} has its issue", record.issue_key)),
            create::Created::Unfinished { hint_ms, reason } => Progress::Retry { hint_ms, reason },
            create::Created::Refused(e) => Progress::Failed(format!("Jira refused the create: {e}")),
        },
        Ok(_) => Progress::Done("not a new request".into()),
        Err(alert::Invalid(e)) => Progress::Failed(format!("the kept alert no longer parses: {e}")),
    };
    if let Progress::Done(_) = progress
        && let Err(e) = inbox::drop(caps, PREFIX, digest, parts).await
    {
        caps.log(LogLevel::Warn, format!("could not drop a finished Keeper alert: {e}"))
            .await;
    }
    progress
}
