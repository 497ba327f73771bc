//! BeyondTrust EPM for Cloud: JIT Application Access webhooks (seed 000).

// By role: what EPM sends and its API (`wire`), how a request becomes a Jira issue
// (`mapping`), the work on requests and decisions (`flows`), the issue action page (`page`), the
// settings section (`settings`), and every record EPM stores (`records`).
pub mod flows;
pub mod mapping;
pub mod page;
pub mod records;
pub mod settings;
pub mod wire;

pub use records::keys;
use serde_json::Value;

use crate::caps::Caps;
use crate::jira::events::IssueUpdated;
use crate::jobs::{Job, Progress};
use crate::protocol::{HttpRequest, HttpResponse, Outcome};
use crate::providers::{Boxed, Provider};
use crate::resolver::Context;

/// Module key of the EPM web trigger in the manifest.
pub const WEB_TRIGGER: &str = "epm-webhook";

/// EPM in the provider table.
pub static PROVIDER: Provider = Provider {
    name: "epm",
    title: "EPM",
    web_triggers: &[WEB_TRIGGER],
    resolvers: &page::resolvers::NAMES,
    job_kinds: &[flows::inbox::KIND, flows::settle::KIND],
    ticks: &[flows::expiry::TICK],
    egress: settings::egress::EPM_EGRESS,
    web_trigger,
    resolve,
    job,
    tick,
    settings: Some(&settings::page::PAGE),
    issue_event: Some(issue_event),
    describe: Some(describe),
};

/// EPM's event and request id, for the diagnostics.
fn describe(request: &HttpRequest) -> Option<crate::providers::Described> {
    let (event, request) = match wire::parse(&request.body).ok()? {
        wire::Event::TicketCreated(t) => ("ticket created", t.request),
        wire::Event::DecisionUpdated(d) => ("decision updated", d.request),
    };
    Some(crate::providers::Described {
        event: event.into(),
        request: request.request_id,
    })
}

fn web_trigger<'a>(caps: &'a Caps, _trigger: &'a str, request: &'a HttpRequest) -> Boxed<'a, HttpResponse> {
    Box::pin(flows::webhook::receive(caps, request))
}

fn resolve<'a>(caps: &'a Caps, name: &'a str, payload: &'a Value, context: &'a Context) -> Boxed<'a, Outcome> {
    Box::pin(page::resolvers::run(caps, name, payload, context))
}

fn job<'a>(caps: &'a Caps, job: &'a Job) -> Boxed<'a, Progress> {
    Box::pin(async move {
        match job.kind.as_str() {
            flows::inbox::KIND => flows::inbox::run_job(caps, job).await,
            _ => flows::settle::run_job(caps, job).await,
        }
    })
}

fn issue_event<'a>(caps: &'a Caps, event: &'a IssueUpdated) -> Boxed<'a, Option<Outcome>> {
    Box::pin(flows::jira_way::on_issue_updated(caps, event))
}

fn tick<'a>(caps: &'a Caps, _key: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(flows::expiry::tick(caps))
}

#[cfg(test)]
mod tests;
