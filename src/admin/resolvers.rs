//! `admin.config`, `admin.save` and `admin.validate`: the caller must be a Jira administrator,
//! then the provider's settings page answers.

use serde_json::Value;

use crate::access;
use crate::caps::Caps;
use crate::protocol::Outcome;
use crate::providers;
use crate::resolver::{self, Context, Refusal};

/// The configuration page's resolvers.
pub const NAMES: [&str; 3] = ["admin.config", "admin.save", "admin.validate"];

pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Option<Outcome> {
    if !NAMES.contains(&name) {
        return None;
    }
    Some(resolver::answer(page(caps, name, payload, context).await))
}

async fn page(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    access::require_admin(caps, context).await?;
    let Some(page) = providers::settings_page() else {
        return Err(Refusal::new("unavailable", "This build of the app has no settings."));
    };
    match name {
        "admin.config" => (page.view)(caps, context).await,
        "admin.save" => (page.save)(caps, payload, context).await,
        _ => (page.checks)(caps).await,
    }
}
