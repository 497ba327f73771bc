//! BeyondTrust EPM for Cloud: JIT Application Access webhooks (seed 000).

pub mod api;
pub mod apply;
pub mod approver;
pub mod checks;
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
pub mod settle;
pub mod templates;
pub mod trusted;
pub mod update;
pub mod view;
pub mod wire;

pub use records::keys;

use crate::caps::Caps;
use crate::config::Config;
use crate::protocol::HttpResponse;

/// Module key of the EPM web trigger in the manifest.
pub const WEB_TRIGGER: &str = "epm-webhook";

/// Handles an authenticated webhook body from EPM.
pub async fn handle_webhook(caps: &Caps, config: &Config, body: &str) -> HttpResponse {
    match wire::parse(body) {
        Err(e) => HttpResponse::error(400, e.to_string()),
        Ok(event) => inbox::receive(caps, config, body, event).await,
    }
}

/// Runs one of the provider's jobs; `None` for kinds it does not have.
pub async fn run_job(caps: &Caps, job: &crate::jobs::Job) -> Option<crate::jobs::Progress> {
    Some(match job.kind.as_str() {
        inbox::KIND => inbox::run_job(caps, job).await,
        settle::KIND => settle::run_job(caps, job).await,
        _ => return None,
    })
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
