//! Who may decide a request, checked on the server (`check`): the configured approval right (permission
//! to transition the issue, or membership of a group) and never the person who asked. Who asked
//! comes from the app's record (`trusted::Requester`), never from the issue.

use serde_json::Value;

use super::trusted::Requester;
use crate::caps::Caps;
use crate::jira::client::{self, query_value};
use crate::protocol::Actor;
use crate::providers::epm::mapping::issue::{IssueFacts, unavailable};
use crate::providers::epm::mapping::property::Person;
use crate::providers::epm::settings::EpmSettings;
use crate::resolver::Refusal;

/// The signed-in user as Jira knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub account_id: String,
    pub display_name: String,
    /// Empty when Jira hides it (the user's privacy settings).
    pub email: String,
    pub groups: Vec<String>,
}

impl Approver {
    pub fn person(&self) -> Person {
        Person {
            account_id: Some(self.account_id.clone()),
            display_name: self.display_name.clone(),
        }
    }
}

/// Reads the user the run acts for (`GET /myself` as that user, with groups).
async fn current(caps: &Caps, context_account: Option<&str>) -> Result<Approver, Refusal> {
    let me = client::call(caps, Actor::User, "GET", "/rest/api/3/myself?expand=groups", None)
        .await
        .map_err(|e| unavailable(&e))?;
    let account_id = me["accountId"].as_str().unwrap_or_default().to_string();
    if account_id.is_empty() || context_account.is_some_and(|a| a != account_id) {
        return Err(Refusal::new(
            "forbidden",
            "Jira did not confirm who you are; sign in again and reopen the request.",
        ));
    }
    let groups = me
        .pointer("/groups/items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|g| g["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    Ok(Approver {
        display_name: me["displayName"].as_str().unwrap_or(&account_id).to_string(),
        email: me["emailAddress"].as_str().unwrap_or_default().to_string(),
        account_id,
        groups,
    })
}

/// The signed-in user and why they may not decide this request, if so (`blocker`).
pub async fn check(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    requester: &Requester,
    context_account: Option<&str>,
) -> Result<(Approver, Option<Refusal>), Refusal> {
    let approver = current(caps, context_account).await?;
    let blocked = blocker(caps, config, issue, requester, &approver).await?;
    Ok((approver, blocked))
}

/// Why `approver` may not decide the request on `issue`, if so. A refusal for the checks
/// themselves failing (Jira down) is an `Err`.
async fn blocker(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    requester: &Requester,
    approver: &Approver,
) -> Result<Option<Refusal>, Refusal> {
    if let Some(refusal) = self_approval(requester, approver) {
        return Ok(Some(refusal));
    }
    let group = config.approver_group.trim();
    if !group.is_empty() {
        let member = approver.groups.iter().any(|g| g.eq_ignore_ascii_case(group));
        return Ok((!member).then(|| {
            Refusal::new(
                "forbidden",
                format!("Only members of the Jira group \"{group}\" may decide access requests."),
            )
        }));
    }
    let path = format!(
        "/rest/api/3/mypermissions?issueKey={}&permissions=TRANSITION_ISSUES",
        query_value(&issue.key)
    );
    let answer = client::call(caps, Actor::User, "GET", &path, None)
        .await
        .map_err(|e| unavailable(&e))?;
    let allowed = answer
        .pointer("/permissions/TRANSITION_ISSUES/havePermission")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((!allowed).then(|| {
        Refusal::new(
            "forbidden",
            format!(
                "You need the \"Transition issues\" permission on {} to decide this request.",
                issue.key
            ),
        )
    }))
}

/// Refuses the person who asked. With their Jira account known, by account; without it
/// (automatic reporter off, an ambiguous or refused reporter), by EPM's name of the user against
/// the approver's e-mail and display name; with neither, nobody can be cleared, so nobody decides
/// in Jira.
fn self_approval(requester: &Requester, approver: &Approver) -> Option<Refusal> {
    let refuse = || {
        Refusal::new(
            "self-approval",
            "You asked for this access, so someone else has to decide it.",
        )
    };
    if !requester.known {
        return Some(Refusal::new(
            "requester-unknown",
            "The app does not know who asked for this request (it was received by an older version), so it cannot make sure you are not the requester. Decide it in BeyondTrust EPM.",
        ));
    }
    if let Some(account) = &requester.account_id {
        return (account == &approver.account_id).then(refuse);
    }
    let Some(user) = &requester.epm_user else {
        return Some(Refusal::new(
            "requester-unknown",
            "EPM did not say who asked for this request and Jira has no account for them, so the app cannot make sure you are not the requester. Decide it in BeyondTrust EPM.",
        ));
    };
    same_person(user, approver).then(refuse)
}

/// EPM's user name (`DOMAIN\user`, `user@domain`, a display name), without a domain prefix and
/// ignoring case, against the approver's e-mail address, its local part, and display name.
pub fn same_person(epm_user: &str, approver: &Approver) -> bool {
    let name = epm_user.rsplit('\\').next().unwrap_or(epm_user).trim().to_lowercase();
    if name.is_empty() {
        return false;
    }
    let email = approver.email.trim().to_lowercase();
    let local = |address: &str| address.split('@').next().unwrap_or_default().to_string();
    let display = approver.display_name.trim().to_lowercase();
    name == display || (!email.is_empty() && (name == email || name == local(&email) || local(&name) == local(&email)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approver(display_name: &str, email: &str) -> Approver {
        Approver {
            account_id: "acc-x".into(),
            display_name: display_name.into(),
            email: email.into(),
            groups: vec![],
        }
    }

    #[test]
    fn epm_names_match_the_approver_without_domain_or_case() {
        let bob = approver("Bob Requester", "bob@example.com");
        for same in [
            "ACME\\bob",
            "bob",
            "BOB@example.com",
            "bob@acme.local",
            "  acme\\Bob ",
            "bob requester",
        ] {
            assert!(same_person(same, &bob), "{same}");
        }
        for other in ["ACME\\alice", "", "ACME\\", "bobby", "Bob Requester Jr"] {
            assert!(!same_person(other, &bob), "{other}");
        }
        let hidden_email = approver("Bob Requester", "");
        assert!(!same_person("ACME\\bob", &hidden_email));
        assert!(same_person("Bob Requester", &hidden_email));
    }

    #[test]
    fn the_requester_is_refused_by_account_by_name_or_when_unknown() {
        let bob = approver("Bob Requester", "bob@example.com");
        let code = |requester: Requester| self_approval(&requester, &bob).map(|r| r.code);
        let by_account = |id: &str| Requester {
            account_id: Some(id.into()),
            epm_user: Some("ACME\\bob".into()),
            known: true,
        };
        assert_eq!(code(by_account("acc-x")), Some("self-approval"));
        // A known account that is someone else clears the approver, whatever the names say.
        assert_eq!(code(by_account("acc-other")), None);
        let by_name = |user: Option<&str>| Requester {
            account_id: None,
            epm_user: user.map(String::from),
            known: true,
        };
        assert_eq!(code(by_name(Some("ACME\\bob"))), Some("self-approval"));
        assert_eq!(code(by_name(Some("ACME\\alice"))), None);
        assert_eq!(code(by_name(None)), Some("requester-unknown"));
        let legacy = Requester::default();
        assert_eq!(code(legacy), Some("requester-unknown"));
    }
}
