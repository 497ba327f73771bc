//! The configuration page's resolvers (`docs/resolvers.md`): `admin.config`, `admin.save`,
//! `admin.validate`. Each first checks that the user is a Jira administrator.

use serde_json::{Value, json};

use super::form::SaveRequest;
use super::view::SecretsState;
use super::{access, checks, save, view};
use crate::caps::Caps;
use crate::config::Config;
use crate::protocol::Outcome;
use crate::resolver::{self, Context, Refusal};

/// Routes `admin.*` resolvers; `None` for other names.
pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Option<Outcome> {
    let result = match name {
        "admin.config" => config(caps, context).await,
        "admin.save" => save(caps, payload, context).await,
        "admin.validate" => validate(caps, context).await,
        _ => return None,
    };
    Some(resolver::answer(result))
}

fn answer_view(stored: (Config, SecretsState), context: &Context) -> Value {
    let (config, secrets) = stored;
    json!({ "view": view::build(config, secrets, context.web_trigger_url.as_deref()) })
}

async fn config(caps: &Caps, context: &Context) -> Result<Value, Refusal> {
    access::require_admin(caps, context).await?;
    Ok(answer_view(save::stored(caps).await?, context))
}

async fn save(caps: &Caps, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    access::require_admin(caps, context).await?;
    // serde's message can quote a value, and this payload carries secrets: say where only.
    let request: SaveRequest = serde_json::from_value(payload.clone()).map_err(|e| {
        // Only an unknown field's name is quoted back: other serde messages quote values.
        let hint = e.to_string();
        let field = hint
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .filter(|f| f.len() <= 40 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .map(|f| format!(" (field `{f}`)"))
            .unwrap_or_default();
        Refusal::new(
            "invalid",
            format!("The settings sent are not in the expected shape{field}; reload the page and try again."),
        )
    })?;
    Ok(answer_view(save::save(caps, request).await?, context))
}

async fn validate(caps: &Caps, context: &Context) -> Result<Value, Refusal> {
    access::require_admin(caps, context).await?;
    let (config, secrets) = save::stored(caps).await?;
    let checks = checks::run(caps, &config, &secrets).await;
    let summary = checks::summary(&checks);
    Ok(json!({ "checks": checks, "summary": summary }))
}
