//! BeyondTrust EPM for Cloud: JIT Application Access webhooks (seed 000).

pub mod api;
pub mod apply;
pub mod approver;
pub mod claim;
pub mod decide;
pub mod deliver;
pub mod describe;
pub mod duration;
pub mod expiry;
pub mod fields;
pub mod form;
pub mod inbox;
pub mod intake;
pub mod issue;
pub mod map;
pub mod placeholders;
pub mod property;
pub mod record;
pub mod records;
pub mod resolvers;
pub mod settings;
pub mod settle;
pub mod templates;
pub mod trusted;
pub mod update;
pub mod view;
pub mod webhook;
pub mod wire;

pub use records::keys;
use serde_json::Value;

use crate::caps::Caps;
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
    resolvers: &resolvers::NAMES,
    job_kinds: &[inbox::KIND, settle::KIND],
    ticks: &[expiry::TICK],
    egress: settings::egress::EPM_EGRESS,
    web_trigger,
    resolve,
    job,
    tick,
    settings: Some(&settings::page::PAGE),
};

fn web_trigger<'a>(caps: &'a Caps, _trigger: &'a str, request: &'a HttpRequest) -> Boxed<'a, HttpResponse> {
    Box::pin(webhook::receive(caps, request))
}

fn resolve<'a>(caps: &'a Caps, name: &'a str, payload: &'a Value, context: &'a Context) -> Boxed<'a, Outcome> {
    Box::pin(resolvers::run(caps, name, payload, context))
}

fn job<'a>(caps: &'a Caps, job: &'a Job) -> Boxed<'a, Progress> {
    Box::pin(async move {
        match job.kind.as_str() {
            inbox::KIND => inbox::run_job(caps, job).await,
            _ => settle::run_job(caps, job).await,
        }
    })
}

fn tick<'a>(caps: &'a Caps, _key: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(expiry::tick(caps))
}

#[cfg(test)]
mod decide_tests;
#[cfg(test)]
mod expiry_tests;
#[cfg(test)]
mod queue_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
