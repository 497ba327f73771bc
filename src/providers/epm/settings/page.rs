//! EPM's part of the configuration page: the view model, saving and "Validate configuration"
//! (`docs/resolvers.md`). The caller was found to be a Jira administrator before any of these.

use serde_json::{Value, json};

use super::form::SaveRequest;
use super::view::{self, SecretsState};
use super::{EpmSettings, checks, save};
use crate::caps::Caps;
use crate::protocol::Outcome;
use crate::providers::{Boxed, SettingsPage};
use crate::resolver::{Context, Refusal};

pub static PAGE: SettingsPage = SettingsPage {
    view: boxed_view,
    save: boxed_save,
    checks: boxed_checks,
    provision: boxed_provision,
};

fn boxed_view<'a>(caps: &'a Caps, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(async move { Ok(answer_view(save::stored(caps).await?, context)) })
}

fn boxed_save<'a>(caps: &'a Caps, payload: &'a Value, context: &'a Context) -> Boxed<'a, Result<Value, Refusal>> {
    Box::pin(save_page(caps, payload, context))
}

fn boxed_checks(caps: &Caps) -> Boxed<'_, Result<Value, Refusal>> {
    Box::pin(validate(caps))
}

fn boxed_provision<'a>(caps: &'a Caps, document: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(super::provision::configure(caps, document))
}

fn answer_view(stored: (EpmSettings, SecretsState), context: &Context) -> Value {
    let (config, secrets) = stored;
    let url = context.web_trigger_url(crate::providers::epm::WEB_TRIGGER);
    json!({ "view": view::build(config, secrets, url) })
}

async fn save_page(caps: &Caps, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    let request: SaveRequest = serde_json::from_value(payload.clone()).map_err(|e| {
        let problem = crate::config::shape_problem::<SaveRequest>(payload, "config", &e);
        Refusal::new(
            "invalid",
            format!("The settings sent are not in the expected shape ({problem}); reload the page and try again."),
        )
    })?;
    Ok(answer_view(save::save(caps, request).await?, context))
}

async fn validate(caps: &Caps) -> Result<Value, Refusal> {
    let (config, secrets) = save::stored(caps).await?;
    let checks = checks::run(caps, &config, &secrets).await;
    let summary = crate::config::check::summary(&checks);
    Ok(json!({ "checks": checks, "summary": summary }))
}
