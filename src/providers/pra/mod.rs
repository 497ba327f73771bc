//! BeyondTrust Privileged Remote Access: ticket-ID approval of Jump Item access (seed 001). The
//! appliance posts the ticket ID a user entered; the app decides from the Jira issue with that
//! key and answers the appliance asynchronously, leaving an audit on the issue.

// By role: what the appliance sends and is answered (`wire`), the response URL's guard
// (`guard`), the decision (`rules`), the web trigger and the job (`flows`), the settings section
// (`settings`), and every record PRA keeps (`records`).
pub mod flows;
pub mod guard;
pub mod records;
pub mod rules;
pub mod settings;
pub mod wire;

use crate::caps::Caps;
use crate::jobs::{Job, Progress};
use crate::protocol::{HttpRequest, HttpResponse};
use crate::providers::{self, Boxed, Provider};

/// Module key of the PRA web trigger in the manifest.
pub const WEB_TRIGGER: &str = "pra-ticket";

/// PRA in the provider table.
pub static PROVIDER: Provider = Provider {
    name: "pra",
    title: "PRA",
    web_triggers: &[WEB_TRIGGER],
    resolvers: &[],
    job_kinds: &[flows::job::KIND],
    ticks: &[],
    egress: settings::page::PRA_EGRESS,
    web_trigger,
    resolve: providers::no_resolver,
    job,
    tick: providers::no_tick,
    settings: Some(&settings::page::PAGE),
    issue_event: None,
    describe: Some(describe),
};

/// PRA's request id (opaque, the appliance's; never the ticket ID), for the diagnostics.
fn describe(request: &HttpRequest) -> Option<crate::providers::Described> {
    let parsed = wire::parse(request.header("Content-Type"), &request.body).ok()?;
    Some(crate::providers::Described {
        event: "approval request".into(),
        request: crate::text::printable(&parsed.request_id, 80),
    })
}

fn web_trigger<'a>(caps: &'a Caps, _trigger: &'a str, request: &'a HttpRequest) -> Boxed<'a, HttpResponse> {
    Box::pin(flows::receive::receive(caps, request))
}

fn job<'a>(caps: &'a Caps, job: &'a Job) -> Boxed<'a, Progress> {
    Box::pin(flows::job::run_job(caps, job))
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;
