//! The EPM resolvers of the issue action page (`docs/resolvers.md`).

use serde_json::{Value, json};

use super::approver;
use super::decide::{self, decision_config, load_request, recorded, request_ref};
use super::record;
use super::view;
use crate::caps::Caps;
use crate::protocol::{LogLevel, Outcome};
use crate::resolver::{self, Context, Refusal};

/// A decision kept in storage but missing on the issue is recorded by the next viewer once
/// it is this old (younger, its own run may still be recording it).
const REPAIR_AFTER_MS: u64 = 30_000;

/// Routes `epm.*` resolvers; `None` for names this provider does not have.
pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Option<Outcome> {
    let result = match name {
        "epm.request" => request(caps, context).await,
        "epm.decide" => decide::decide(caps, context, payload).await,
        _ => return None,
    };
    Some(resolver::answer(result))
}

/// The page's view of the request, for the signed-in user.
async fn request(caps: &Caps, context: &Context) -> Result<Value, Refusal> {
    let (issue, mut property) = load_request(caps, context).await?;
    let now = caps.now().await.map_err(decide::storage)?;
    let mut status = issue.status.clone();
    if property.decision.is_none()
        && let Some(decision) = recorded(caps, &request_ref(&property)).await?
    {
        if now.saturating_sub(decision.decided_at) >= REPAIR_AFTER_MS
            && let Ok(config) = crate::webtrigger::load_config(caps).await
        {
            match record::on_issue(caps, &config, &issue, &property, &decision).await {
                Ok(recorded) => status = recorded.moved_to.unwrap_or(status),
                Err(e) => {
                    caps.log(LogLevel::Warn, format!("{} is still not recorded: {e}", issue.key))
                        .await
                }
            }
        }
        property.decision = Some(decision);
    }
    let blocker = if property.decision.is_some() {
        None
    } else {
        match decision_config(caps).await {
            Err(refusal) => Some(refusal.message),
            Ok(config) => {
                let account = context.account_id.as_deref();
                let (_, blocked) = approver::check(caps, &config, &issue, &property, account).await?;
                blocked.map(|r| r.message)
            }
        }
    };
    let view = view::build(&issue.key, &issue.summary, &status, &property, blocker, now);
    Ok(json!({ "view": view }))
}
