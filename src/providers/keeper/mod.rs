//! Keeper: KEPM elevation requests and SSO device approvals decided in Jira through the
//! customer's Keeper Commander in Service Mode (seed 002, docs/keeper.md). Keeper's alerts
//! become issues (or Keeper ITSM's labelled tickets are picked up); an issue panel shows the
//! request live from Keeper and decides it; the rules (who may decide, first decision wins,
//! the 30-minute expiry, outside decisions) run here, never in the page.

// By role: what Keeper sends (`alert`) and what a request is (`subject`); the Commander client
// (`commander`); the web trigger, the panel, the jobs and the tick (`flows`); the settings
// section (`settings`); and every record Keeper's provider keeps (`records`).
pub mod alert;
pub mod commander;
pub mod flows;
pub mod records;
pub mod settings;
pub mod subject;

use serde_json::Value;

use crate::caps::Caps;
use crate::jobs::{Job, Progress};
use crate::protocol::{HttpRequest, HttpResponse, Outcome};
use crate::providers::{Boxed, Provider};
use crate::resolver::Context;

/// Module key of the Keeper alert web trigger in the manifest.
pub const WEB_TRIGGER: &str = "keeper-alert";

/// Keeper in the provider table.
pub static PROVIDER: Provider = Provider {
    name: "keeper",
    title: "Keeper",
    web_triggers: &[WEB_TRIGGER],
    resolvers: &["keeper.request", "keeper.status", "keeper.decide"],
    job_kinds: &[
        flows::receive::ALERT_KIND,
        flows::receive::SYNC_KIND,
        flows::settle::KIND,
    ],
    ticks: &[flows::expiry::TICK],
    egress: settings::page::KEEPER_EGRESS,
    web_trigger,
    resolve,
    job,
    tick,
    settings: Some(&settings::page::PAGE),
    issue_event: Some(issue_event),
    describe: Some(describe),
};

/// The alert's event and request (a KEPM request's uid, a device request's user), for the
/// diagnostics.
fn describe(request: &HttpRequest) -> Option<crate::providers::Described> {
    use alert::Event;
    use subject::Subject;
    let (event, request) = match alert::parse(&request.body).ok()? {
        Event::Created(created) => match created.subject {
            Subject::Kepm { uid } => ("approval request created".into(), uid.as_str().to_string()),
            Subject::Device { email, .. } => ("device approval requested".into(), email.as_str().to_string()),
        },
        Event::StatusChanged(uid) => ("approval request status changed".into(), uid.as_str().to_string()),
        Event::Other(name) => (crate::text::printable(&name, 80), String::new()),
    };
    Some(crate::providers::Described { event, request })
}

fn web_trigger<'a>(caps: &'a Caps, _trigger: &'a str, request: &'a HttpRequest) -> Boxed<'a, HttpResponse> {
    Box::pin(flows::receive::receive(caps, request))
}

fn resolve<'a>(caps: &'a Caps, name: &'a str, payload: &'a Value, context: &'a Context) -> Boxed<'a, Outcome> {
    Box::pin(flows::panel::run(caps, name, payload, context))
}

fn job<'a>(caps: &'a Caps, job: &'a Job) -> Boxed<'a, Progress> {
    Box::pin(async move {
        match job.kind.as_str() {
            flows::receive::ALERT_KIND => flows::receive::run_alert_job(caps, job).await,
            flows::receive::SYNC_KIND => flows::settle::run_sync(caps, job).await,
            flows::settle::KIND => flows::settle::run_job(caps, job).await,
            other => Progress::Failed(format!("Keeper has no job \"{}\"", crate::text::printable(other, 60))),
        }
    })
}

fn issue_event<'a>(caps: &'a Caps, event: &'a crate::jira::events::IssueUpdated) -> Boxed<'a, Option<Outcome>> {
    Box::pin(flows::moves::on_issue_updated(caps, event))
}

fn tick<'a>(caps: &'a Caps, _key: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(flows::expiry::tick(caps))
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;
