//! Who may approve or deny a Keeper request, on the server: Jira administrators and the
//! administrators of the project (Keeper's own rule), or the members of a configured
//! group; never the person who asked. Who asked is Keeper's user, from Commander's live answer
//! (or the alert the app received), matched to the signed-in user by e-mail, name and the Jira
//! account that e-mail has; an issue's fields are never read for it.

use serde_json::Value;

use super::super::settings::{Deciders, KeeperSettings};
use crate::approver::{self, Approver, same_person};
use crate::caps::Caps;
use crate::jira::client::{self, query_value};
use crate::jira::users;
use crate::protocol::Actor;
use crate::resolver::{Refusal, unavailable};

/// The signed-in user, and why they may not decide, if so.
pub async fn check(
    caps: &Caps,
    settings: &KeeperSettings,
    project_key: &str,
    requester: Option<&str>,
    context_account: Option<&str>,
    now: u64,
) -> Result<(Approver, Option<Refusal>), Refusal> {
    let approver = approver::current(caps, context_account).await?;
    let blocked = verdict(caps, settings, project_key, requester, &approver, true, now).await?;
    Ok((approver, blocked))
}

/// Why `approver` may not decide, if so. `signed_in`: their rights are read as them (a page);
/// otherwise (a person an event names) looked up as the app.
pub async fn verdict(
    caps: &Caps,
    settings: &KeeperSettings,
    project_key: &str,
    requester: Option<&str>,
    approver: &Approver,
    signed_in: bool,
    now: u64,
) -> Result<Option<Refusal>, Refusal> {
    if let Some(refusal) = evidently_self(requester, approver) {
        return Ok(Some(refusal));
    }
    let allowed = match settings.deciders {
        Deciders::Group => approver.groups.iter().any(|g| g == &settings.decider_group),
        Deciders::Admins if signed_in => administers(caps, project_key).await?,
        Deciders::Admins => account_administers(caps, project_key, &approver.account_id).await?,
    };
    let blocked = (!allowed).then(|| match settings.deciders {
        Deciders::Group => Refusal::new(
            "not-approver",
            format!(
                "Only members of the group \"{}\" may decide Keeper requests.",
                settings.decider_group
            ),
        ),
        Deciders::Admins => Refusal::new(
            "not-approver",
            "Only Jira administrators and this project's administrators may decide Keeper requests.",
        ),
    });
    if blocked.is_some() {
        // Refused without looking the requester up: the lookup caches what it finds, and a
        // refusal writes nothing.
        return Ok(blocked);
    }
    Ok(self_by_account(caps, requester, approver, now).await)
}

/// Whether another person administers Jira or the project (looked up as the app, once for each
/// permission: the search answers only people holding every permission it names).
async fn account_administers(caps: &Caps, project_key: &str, account_id: &str) -> Result<bool, Refusal> {
    if approver::account_holds(caps, account_id, "ADMINISTER", "").await? {
        return Ok(true);
    }
    let scope = format!("&projectKey={}", query_value(project_key));
    approver::account_holds(caps, account_id, "ADMINISTER_PROJECTS", &scope).await
}

/// Whether the user administers Jira or the project (`GET /mypermissions` as the user).
async fn administers(caps: &Caps, project_key: &str) -> Result<bool, Refusal> {
    let path = format!(
        "/rest/api/3/mypermissions?projectKey={}&permissions=ADMINISTER,ADMINISTER_PROJECTS",
        query_value(project_key)
    );
    let answer = client::call(caps, Actor::User, "GET", &path, None)
        .await
        .map_err(|e| unavailable(&e))?;
    let has = |p: &str| {
        answer
            .pointer(&format!("/permissions/{p}/havePermission"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    Ok(has("ADMINISTER") || has("ADMINISTER_PROJECTS"))
}

fn refuse_self() -> Refusal {
    Refusal::new(
        "self-approval",
        "You asked for this in Keeper, so someone else has to decide it.",
    )
}

/// The requester unknown, or plainly the approver (e-mail or name): no lookup needed.
fn evidently_self(requester: Option<&str>, approver: &Approver) -> Option<Refusal> {
    let Some(requester) = requester.filter(|r| !r.trim().is_empty()) else {
        return Some(Refusal::new(
            "requester-unknown",
            "Keeper did not say who asked, so the app cannot make sure you are not the requester. Decide it in Keeper's Admin Console.",
        ));
    };
    same_person(requester, approver).then(refuse_self)
}

/// The requester's e-mail names the approver's Jira account (after [`evidently_self`]).
async fn self_by_account(caps: &Caps, requester: Option<&str>, approver: &Approver, now: u64) -> Option<Refusal> {
    let refuse = refuse_self;
    let requester = requester?;
    // Jira may hide the approver's e-mail: the requester's e-mail may still find their account.
    if requester.contains('@') {
        match users::find_account(caps, requester, now).await {
            Ok(Some(account)) if account == approver.account_id => return Some(refuse()),
            Ok(_) => {}
            Err(e) => return Some(unavailable(&e)),
        }
    }
    None
}
