//! Who may see or change the configuration: Jira administrators (global ADMINISTER), asked of
//! Jira as the user on every call. Jira shows a `useAsConfig` page to admins only, but the
//! resolvers are reachable by anyone who can call the app, so the check is here.

use serde_json::Value;

use crate::caps::Caps;
use crate::jira::client;
use crate::protocol::Actor;
use crate::resolver::{Context, Refusal, unavailable};

pub async fn require_admin(caps: &Caps, context: &Context) -> Result<(), Refusal> {
    if context.account_id.is_none() {
        return Err(denied());
    }
    let answer = client::call(
        caps,
        Actor::User,
        "GET",
        "/rest/api/3/mypermissions?permissions=ADMINISTER",
        None,
    )
    .await
    .map_err(|e| unavailable(&e))?;
    let admin = answer
        .pointer("/permissions/ADMINISTER/havePermission")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if admin { Ok(()) } else { Err(denied()) }
}

fn denied() -> Refusal {
    Refusal::new(
        "forbidden",
        "Only Jira administrators can view or change the configuration of PAM Approvals for Jira.",
    )
}
