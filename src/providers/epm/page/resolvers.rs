//! The EPM resolvers of the issue action page (`docs/resolvers.md`). Everything they act on
//! comes from the app's records (`trusted.rs`, `deliver::recorded`, the decision claim); the
//! issue property is never read for state.

use serde_json::{Value, json};

use super::view;
use crate::caps::Caps;
use crate::protocol::{LogLevel, Outcome};
use crate::providers::epm::flows::approver;
use crate::providers::epm::flows::claim;
use crate::providers::epm::flows::decide::{self, decision_config, in_flight_message, load_request};
use crate::providers::epm::flows::deliver::{self, Delivered};
use crate::providers::epm::flows::record;
use crate::providers::epm::flows::trusted::RequestRecord;
use crate::providers::epm::mapping::issue::IssueFacts;
use crate::providers::epm::mapping::property::DecisionRecord;
use crate::resolver::{self, Context, Refusal};

/// Routes `epm.*` resolvers; `None` for names this provider does not have.
/// The issue action page's resolvers.
pub const NAMES: [&str; 2] = ["epm.request", "epm.decide"];

/// Runs one of [`NAMES`] (the provider table routes nothing else here).
pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> Outcome {
    let result = match name {
        "epm.decide" => decide::decide(caps, context, payload).await,
        _ => request(caps, context).await,
    };
    resolver::answer(result)
}

/// The page's view of the request, for the signed-in user.
async fn request(caps: &Caps, context: &Context) -> Result<Value, Refusal> {
    let (issue, record) = load_request(caps, context).await?;
    let request = record.request_ref();
    let now = caps.now().await.map_err(decide::storage)?;
    let mut status = issue.status.clone();
    let mut decision = deliver::recorded(caps, &request).await.map_err(decide::storage)?;
    let mut blocker = None;
    let mut sending = false;
    if decision.is_none()
        && let Some((generation, held)) = claim::current(caps, &request).await.map_err(decide::storage)?
        && held.in_flight(now, crate::instance::current(caps).await.as_deref())
    {
        // A decision whose delivery is unknown: this viewer sends the same one again.
        if let Ok(config) = decision_config(caps).await
            && let Delivered::Sent = deliver::resend(caps, &config, &request, generation, &held, now)
                .await
                .map_err(decide::storage)?
        {
            decision = held.intent.as_ref().map(|i| i.decision.clone());
        }
        if decision.is_none() {
            blocker = Some(in_flight_message(&held));
            sending = true;
        }
    }
    if let Some(known) = &decision {
        status = repair(caps, &issue, &record, known, now).await.unwrap_or(status);
    } else if blocker.is_none() {
        blocker = match decision_config(caps).await {
            Err(refusal) => Some(refusal.message),
            Ok(config) => {
                let account = context.account_id.as_deref();
                let (_, blocked) = approver::check(caps, &config, &issue, &record.requester(), account).await?;
                blocked.map(|r| r.message)
            }
        };
    }
    let property = record.property(decision.as_ref());
    let mut view = view::build(&issue.key, &issue.summary, &status, &property, blocker, now);
    view.sending = sending;
    Ok(json!({ "view": view }))
}

/// Completes the recording of a decision (or of its end) on the issue when a run left it
/// unfinished; the status it moved to, if it did.
async fn repair(
    caps: &Caps,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
    now: u64,
) -> Option<String> {
    if record::wait_before_repair(decision, now).is_some() {
        return None;
    }
    let config = crate::providers::epm::settings::load(caps).await.ok()?;
    match record::complete(caps, &config, issue, record, decision).await {
        Ok(recorded) => recorded.moved_to.filter(|_| recorded.wrote),
        Err(e) => {
            caps.log(LogLevel::Warn, format!("{} is still not recorded: {e}", issue.key))
                .await;
            None
        }
    }
}
