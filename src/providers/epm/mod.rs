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
pub mod intake;
pub mod issue;
pub mod keys;
pub mod map;
pub mod placeholders;
pub mod property;
pub mod record;
pub mod resolvers;
pub mod templates;
pub mod trusted;
pub mod update;
pub mod view;
pub mod wire;

use crate::caps::Caps;
use crate::config::Config;
use crate::protocol::HttpResponse;

/// Module key of the EPM web trigger in the manifest.
pub const WEB_TRIGGER: &str = "epm-webhook";

/// Handles an authenticated webhook body from EPM.
pub async fn handle_webhook(caps: &Caps, config: &Config, body: &str) -> HttpResponse {
    match wire::parse(body) {
        Err(e) => HttpResponse::error(400, e.to_string()),
        Ok(wire::Event::TicketCreated(request)) => intake::intake(caps, config, &request).await,
        Ok(wire::Event::DecisionUpdated(update)) => update::accept(caps, config, &update).await,
    }
}

#[cfg(test)]
mod decide_tests;
#[cfg(test)]
mod expiry_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
