//! `admin.config`, `admin.save` and `admin.validate`: the caller must be a Jira administrator,
//! then the provider's settings page answers. `admin.diagnostics` and `admin.retry` (the
//! page's "Diagnostics", `crate::diagnostics`) take the same check and no section.

use serde_json::Value;

use crate::caps::Caps;
use crate::protocol::Outcome;
use crate::providers;
use crate::resolver::{self, Context, Refusal};
use crate::{access, diagnostics};

/// The configuration page's resolvers.
pub const NAMES: [&str; 5] = [
    "admin.config",
    "admin.save",
    "admin.validate",
    "admin.diagnostics",
    "admin.retry",
];

pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Option<Outcome> {
    if !NAMES.contains(&name) {
        return None;
    }
    Some(resolver::answer(page(caps, name, payload, context).await))
}

async fn page(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    access::require_admin(caps, context).await?;
    match name {
        "admin.diagnostics" => return diagnostics::page::view(caps).await,
        "admin.retry" => return diagnostics::page::retry(caps, payload).await,
        _ => {}
    }
    let (section, payload) = section_of(payload)?;
    let Some(page) = providers::settings_page(section.as_deref()) else {
        // The page named a section this build does not have: the request is wrong, not the app.
        return Err(Refusal::new(
            "invalid",
            match section {
                Some(name) => format!("This build of the app has no settings section \"{name}\"."),
                None => "This build of the app has no settings.".into(),
            },
        ));
    };
    let mut answer = match name {
        "admin.config" => (page.view)(caps, context).await,
        "admin.save" => (page.save)(caps, &payload, context).await,
        _ => (page.checks)(caps).await,
    }?;
    // The page learns which sections this build has, to show one each.
    if let Some(object) = answer.as_object_mut() {
        object.insert("sections".into(), serde_json::json!(providers::settings_sections()));
    }
    Ok(answer)
}

/// The payload's `section` (a provider's name; none: the first provider's, EPM), and the
/// payload without it for that section's page.
fn section_of(payload: &Value) -> Result<(Option<String>, Value), Refusal> {
    let mut payload = payload.clone();
    let section = match payload.as_object_mut().and_then(|o| o.remove("section")) {
        None => None,
        Some(Value::String(name)) if name.len() <= 20 && name.bytes().all(|b| b.is_ascii_lowercase()) => Some(name),
        Some(_) => {
            return Err(Refusal::new(
                "invalid",
                "The settings section must be a provider's name like \"pra\"; reload the page and try again.",
            ));
        }
    };
    Ok((section, payload))
}
