//! Keeper's part of the configuration page (`admin.*` with `"section": "keeper"`, after the
//! caller was found to be a Jira administrator): the view model, saving (the write-only API
//! key, "Generate a new token") and "Validate configuration", whose Commander check is the
//! page's "Test connection". The view never holds a secret; the one answer that holds the
//! token is the save that generated it.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{KeeperSettings, checks, secrets};
use crate::caps::Caps;
use crate::config;
use crate::protocol::{LogLevel, Outcome};
use crate::providers::keeper::WEB_TRIGGER;
use crate::providers::{Boxed, SettingsPage};
use crate::resolver::{Context, Refusal, storage};

/// Egress for Commander on Forge: the tunnels Keeper documents (ngrok, Cloudflare). A
/// Commander on the customer's own domain is added to the manifest by the admin who deploys
/// the app (docs/deploy-forge.md).
pub static KEEPER_EGRESS: &[&str] = &["*.ngrok.io", "*.ngrok-free.app", "*.ngrok.app", "*.trycloudflare.com"];

/// The alerts to configure in Keeper's Admin Console.
pub const ALERTS: [&str; 3] = [
    "Agent created approval request",
    "Changed approval request status",
    "Device admin approval requested",
];

/// The webhook body to paste into the alert's recipient: Keeper replaces the variables.
pub const TEMPLATE: &str = r##"{"alert_name": "#alert_name", "description": "#description", "timestamp": "#timestamp", "remote_address": "#remote_address", "username": "#username", "json": #json}"##;

pub static PAGE: SettingsPage = SettingsPage {
    view: boxed_view,
    save: boxed_save,
    checks: boxed_checks,
    provision: boxed_provision,
};

fn boxed_view<'a>(caps: &'a Caps, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(async move {
        let settings = super::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
        let key_set = crate::auth::is_set(caps, secrets::API_KEY).await.map_err(storage)?;
        let token_set = crate::auth::is_set(caps, secrets::ALERT_TOKEN).await.map_err(storage)?;
        Ok(view(&settings, key_set, token_set, context, None))
    })
}

fn boxed_save<'a>(caps: &'a Caps, payload: &'a Value, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(save(caps, payload, context))
}

fn boxed_checks(caps: &Caps) -> Boxed<'_, Result<Value, Refusal>> {
    Box::pin(async move {
        let settings = super::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
        Ok(config::check::answer("keeper", checks::run(caps, &settings).await))
    })
}

fn boxed_provision<'a>(caps: &'a Caps, document: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(super::provision::configure(caps, document))
}

/// The page's view model. `fresh_token` only in the answer to the save that generated it.
fn view(
    settings: &KeeperSettings,
    key_set: bool,
    token_set: bool,
    context: &Context,
    fresh_token: Option<&str>,
) -> Value {
    json!({ "view": {
        "section": "keeper",
        "settings": settings,
        "apiKeySet": key_set,
        "tokenSet": token_set,
        "triggerUrl": context.web_trigger_url(WEB_TRIGGER),
        "tokenToPaste": fresh_token,
        "authorization": fresh_token.map(|t| format!("Bearer {t}")),
        "template": TEMPLATE,
        "alerts": ALERTS,
        "egress": KEEPER_EGRESS,
    }})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SaveRequest {
    settings: KeeperSettings,
    /// A new Commander API key; absent or empty: the stored one stays.
    #[serde(default)]
    api_key: Option<String>,
    /// "Generate a new token": the old one stops working.
    #[serde(default)]
    rotate_token: bool,
}

async fn save(caps: &Caps, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    let request: SaveRequest = serde_json::from_value(payload.clone()).map_err(|e| {
        let problem = crate::config::shape_problem::<SaveRequest>(payload, "settings", &e);
        Refusal::new(
            "invalid",
            format!(
                "The Keeper settings sent are not in the expected shape ({problem}); reload the page and try again."
            ),
        )
    })?;
    let settings = request.settings.normalized();
    let api_key = request.api_key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    let mut problem = settings.validate().err();
    if problem.is_none()
        && let Some(key) = &api_key
        && !secrets::acceptable_api_key(key)
    {
        problem = Some(config::bad(
            "apiKey",
            "must be the key Commander printed: 8 to 512 characters, no spaces",
        ));
    }
    let key_set = crate::auth::is_set(caps, secrets::API_KEY).await.map_err(storage)?;
    if problem.is_none() && settings.enabled && !key_set && api_key.is_none() {
        problem = Some(config::bad("apiKey", "is required to enable Keeper"));
    }
    if let Some(problem) = problem {
        return Err(Refusal::new("invalid", format!("{problem}; nothing was saved."))
            .with_fields(json!({ problem.field: problem.problem })));
    }
    let trigger_url = context.web_trigger_url(WEB_TRIGGER);
    if request.rotate_token && trigger_url.is_none() {
        return Err(Refusal::new(
            "unavailable",
            "The host gave no URL for the Keeper web trigger, so a new token could not be shown with it; nothing was saved. Try again.",
        ));
    }
    config::save_section(caps, &settings)
        .await
        .map_err(|e| Refusal::new("unavailable", e))?;
    if let Some(key) = &api_key {
        caps.secret_set(secrets::API_KEY, key).await.map_err(storage)?;
        caps.log(LogLevel::Info, "Keeper: a new Commander API key was saved")
            .await;
    }
    let (token_set, fresh) = crate::auth::secret_on_save(
        caps,
        secrets::ALERT_TOKEN,
        request.rotate_token,
        settings.enabled,
        trigger_url.is_some(),
        "Keeper alert token",
    )
    .await
    .map_err(storage)?;
    caps.log(LogLevel::Info, "Keeper configuration saved").await;
    Ok(view(
        &settings,
        key_set || api_key.is_some(),
        token_set,
        context,
        fresh.as_deref(),
    ))
}
