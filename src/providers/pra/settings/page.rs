//! PRA's part of the configuration page (`admin.*` with `"section": "pra"`, after the caller was
//! found to be a Jira administrator): the view model, saving (with "Generate a new URL") and
//! "Validate configuration". The view never holds the URL secret; the one answer that does is
//! the save that generated it, so the admin can copy the URL once.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{PraSettings, checks, secret};
use crate::caps::Caps;
use crate::config;
use crate::protocol::{LogLevel, Outcome};
use crate::providers::pra::WEB_TRIGGER;
use crate::providers::{Boxed, SettingsPage};
use crate::resolver::{Context, Refusal, storage};

/// Egress for PRA answers on Forge: BeyondTrust's cloud appliances. An on-premises appliance's
/// host is added to the manifest by the admin who deploys the app (docs/deploy-forge.md).
pub static PRA_EGRESS: &[&str] = &["*.beyondtrustcloud.com"];

/// The rules in the order they are checked, for the page.
pub const RULE_ORDER: [(&str, &str); 6] = [
    ("issueKey", "The ticket ID is a Jira issue key in an allowed project"),
    ("issueExists", "The issue exists and the app can see it"),
    ("status", "Its status is allowed"),
    ("requester", "The requester is the person on the issue"),
    ("jumpItem", "The Jump Item is listed on the issue"),
    ("changeWindow", "Now is inside the issue's change window"),
];

pub static PAGE: SettingsPage = SettingsPage {
    view: boxed_view,
    save: boxed_save,
    checks: boxed_checks,
    provision: boxed_provision,
};

fn boxed_view<'a>(caps: &'a Caps, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(async move {
        let settings = super::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
        let secret_set = crate::auth::is_set(caps, secret::SECRET_KEY).await.map_err(storage)?;
        Ok(view(&settings, secret_set, context, None))
    })
}

fn boxed_save<'a>(caps: &'a Caps, payload: &'a Value, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(save(caps, payload, context))
}

fn boxed_checks(caps: &Caps) -> Boxed<'_, Result<Value, Refusal>> {
    Box::pin(async move {
        let settings = super::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
        Ok(config::check::answer("pra", checks::run(caps, &settings).await))
    })
}

fn boxed_provision<'a>(caps: &'a Caps, document: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(super::provision::configure(caps, document))
}

/// The page's view model. `fresh_secret` only in the answer to the save that generated it.
fn view(settings: &PraSettings, secret_set: bool, context: &Context, fresh_secret: Option<&str>) -> Value {
    let trigger_url = context.web_trigger_url(WEB_TRIGGER);
    let url_to_paste = match (trigger_url, fresh_secret) {
        (Some(url), Some(secret)) => Some(secret::url_with(url, secret)),
        _ => None,
    };
    json!({ "view": {
        "section": "pra",
        "settings": settings,
        "secretSet": secret_set,
        "triggerUrl": trigger_url,
        "urlToPaste": url_to_paste,
        "rules": RULE_ORDER.iter().map(|(key, title)| json!({"key": key, "title": title})).collect::<Vec<_>>(),
        "egress": PRA_EGRESS,
    }})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SaveRequest {
    settings: PraSettings,
    /// "Generate a new URL": a new secret; the old URL stops working.
    #[serde(default)]
    rotate_secret: bool,
}

async fn save(caps: &Caps, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    let request: SaveRequest = serde_json::from_value(payload.clone()).map_err(|e| {
        let problem = crate::config::shape_problem::<SaveRequest>(payload, "settings", &e);
        Refusal::new(
            "invalid",
            format!("The PRA settings sent are not in the expected shape ({problem}); reload the page and try again."),
        )
    })?;
    let settings = request.settings.normalized();
    let trigger_url = context.web_trigger_url(WEB_TRIGGER);
    let mut problem = settings.validate().err();
    // `is_webhook_url`: https, or http to this machine only (the local host without TLS).
    if problem.is_none()
        && settings.sensitive_ticket_id
        && trigger_url.is_some_and(|u| !config::rules::is_webhook_url(u))
    {
        problem = Some(config::bad(
            "sensitiveTicketId",
            "a sensitive ticket ID needs an https web trigger URL (PRA refuses http then); serve the app over https",
        ));
    }
    if let Some(problem) = problem {
        return Err(Refusal::new("invalid", format!("{problem}; nothing was saved."))
            .with_fields(json!({ problem.field: problem.problem })));
    }
    // A secret is shown once, with its URL: without the URL it would be lost at birth.
    if request.rotate_secret && trigger_url.is_none() {
        return Err(Refusal::new(
            "unavailable",
            "The host gave no URL for the PRA web trigger, so a new URL could not be shown; nothing was saved. Try again.",
        ));
    }
    config::save_section(caps, &settings)
        .await
        .map_err(|e| Refusal::new("unavailable", e))?;
    let (secret_set, fresh) = crate::auth::secret_on_save(
        caps,
        secret::SECRET_KEY,
        request.rotate_secret,
        settings.enabled,
        trigger_url.is_some(),
        "PRA web trigger URL secret",
    )
    .await
    .map_err(storage)?;
    caps.log(LogLevel::Info, "PRA configuration saved").await;
    Ok(view(&settings, secret_set, context, fresh.as_deref()))
}
