//! `admin.diagnostics` and `admin.retry`: what the configuration page's "Diagnostics" section
//! shows (the admin check is the caller's, `admin::resolvers`), and "retry now" for a dead
//! letter. Everything shown is already redacted where it was recorded: no bodies, no secrets,
//! no PRA ticket IDs.

use serde_json::{Value, json};

use super::deliveries::{self, BODY_DIGITS, Delivery};
use super::view::{DeadView, DeliveryView, DiagnosticsView, JobView, TriggerView};
use crate::caps::Caps;
use crate::jobs::runs::{self as jobs, Ended, JobRun};
use crate::jobs::{Job, dead};
use crate::providers;
use crate::resolver::{Refusal, storage};
use crate::store::ring;

/// The view: per web trigger its deliveries, then the jobs and the dead letters, newest first.
pub async fn view(caps: &Caps) -> Result<Value, Refusal> {
    let mut triggers = Vec::new();
    let mut by_body: Vec<Delivery> = Vec::new();
    for provider in providers::ALL {
        for trigger in provider.web_triggers {
            let entries: Vec<Delivery> = ring::read(caps, &deliveries::key(trigger)).await.map_err(storage)?;
            triggers.push(TriggerView {
                trigger: trigger.to_string(),
                title: provider.title.into(),
                deliveries: entries.iter().map(delivery).collect(),
            });
            by_body.extend(entries);
        }
    }
    let runs: Vec<JobRun> = ring::read(caps, jobs::RUNS_KEY).await.map_err(storage)?;
    let dead = jobs::dead(caps).await.map_err(storage)?;
    let view = DiagnosticsView {
        limit: ring::LIMIT,
        triggers,
        jobs: runs.iter().map(|run| job_run(run, &by_body)).collect(),
        dead: dead
            .iter()
            .map(|letter| DeadView {
                key: letter.key.clone(),
                at: crate::time::iso(letter.at),
                kind: letter.kind.clone(),
                request: request_of(&letter.ids, &by_body),
                attempts: letter.attempts,
                reason: letter.reason.clone(),
            })
            .collect(),
    };
    Ok(json!({ "diagnostics": view }))
}

fn delivery(d: &Delivery) -> DeliveryView {
    DeliveryView {
        at: crate::time::iso(d.at),
        event: d.event.clone(),
        request: d.request.clone(),
        status: d.status,
        outcome: d.outcome.clone(),
        attempts: d.attempts,
    }
}

fn job_run(run: &JobRun, by_body: &[Delivery]) -> JobView {
    JobView {
        at: crate::time::iso(run.at),
        kind: run.kind.clone(),
        request: request_of(&run.ids, by_body),
        outcome: match run.ended {
            Ended::Done => "done",
            Ended::Retrying => "retrying",
            Ended::GivenUp => "given up",
        }
        .into(),
        attempts: run.attempts,
        last: run.last.clone(),
    }
}

/// What a job is about, as a person reads it: a kept body's job names the body's digest, which
/// the delivery of that body turns into its request id; other ids are shown as they are.
fn request_of(ids: &[String], by_body: &[Delivery]) -> String {
    let named: Vec<String> = ids
        .iter()
        .map(|id| {
            let found = (id.len() == 64)
                .then(|| {
                    by_body
                        .iter()
                        .find(|d| !d.request.is_empty() && id.starts_with(&d.body))
                })
                .flatten();
            match found {
                Some(d) => d.request.clone(),
                None if id.len() == 64 => format!("body {}…", &id[..BODY_DIGITS.min(id.len())]),
                None => id.clone(),
            }
        })
        .collect();
    named.join(" ")
}

/// "Retry now": the dead letter `payload.deadLetter` names (one the list shows) is queued again
/// as a new job (its time bound counting from now) and taken off the list. Answers the view.
pub async fn retry(caps: &Caps, payload: &Value) -> Result<Value, Refusal> {
    let Some(key) = payload.get("deadLetter").and_then(Value::as_str) else {
        return Err(Refusal::new(
            "invalid",
            "Name the dead letter to retry (\"deadLetter\": its key, as the diagnostics list it).",
        ));
    };
    // Only a listed letter: the payload never names an arbitrary key to read or delete.
    let listed = jobs::dead(caps).await.map_err(storage)?;
    if !listed.iter().any(|letter| letter.key == key) {
        return Err(not_listed());
    }
    let Some(letter) = dead::read_key(caps, key).await.map_err(storage)? else {
        jobs::unlist_dead(caps, key).await.map_err(storage)?;
        return Err(not_listed());
    };
    let now = caps.now().await.map_err(storage)?;
    let job = Job {
        since: now,
        ..letter.job
    };
    crate::jobs::push(caps, &job, 0).await.map_err(storage)?;
    // Queued: the letter goes. Were this to fail, the list would offer it again; running the
    // job twice is harmless (every job is idempotent).
    caps.kv_delete(key).await.map_err(storage)?;
    jobs::unlist_dead(caps, key).await.map_err(storage)?;
    jobs::record_run(
        caps,
        &job,
        letter.attempts.saturating_sub(1),
        Ended::Retrying,
        "queued again by an administrator",
    )
    .await;
    view(caps).await
}

fn not_listed() -> Refusal {
    Refusal::new(
        "not-found",
        "That dead letter is not listed any more: it was retried already. Reload the diagnostics.",
    )
}
