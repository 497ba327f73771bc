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

pub use crate::approver::Approver;
use crate::approver::current;

/// The approver as EPM's records name a person.
pub fn person(approver: &Approver) -> Person {
    Person {
        account_id: Some(approver.account_id.clone()),
        display_name: approver.display_name.clone(),
    }
}

/// How the approval right of a person is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// The signed-in user of a page: their own permissions (`/mypermissions` as them).
    SignedIn,
    /// A person the app was told of by an event: their permissions looked up as the app.
    Account,
    /// JSM's approver list is trusted as the right (the admin's choice): only the requester
    /// check applies.
    JsmApprover,
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
    let blocked = blocker(caps, config, issue, requester, &approver, Right::SignedIn).await?;
    Ok((approver, blocked))
}

/// Why `approver` may not decide the request on `issue`, if so. A refusal for the checks
/// themselves failing (Jira down) is an `Err`.
pub async fn blocker(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    requester: &Requester,
    approver: &Approver,
    right: Right,
) -> Result<Option<Refusal>, Refusal> {
    if let Some(refusal) = self_approval(requester, approver) {
        return Ok(Some(refusal));
    }
    if right == Right::JsmApprover {
        return Ok(None);
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
    let allowed = if right == Right::SignedIn {
        let path = format!(
            "/rest/api/3/mypermissions?issueKey={}&permissions=TRANSITION_ISSUES",
            query_value(&issue.key)
        );
        let answer = client::call(caps, Actor::User, "GET", &path, None)
            .await
            .map_err(|e| unavailable(&e))?;
        answer
            .pointer("/permissions/TRANSITION_ISSUES/havePermission")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    } else {
        let scope = format!("&issueKey={}", query_value(&issue.key));
        crate::approver::account_holds(caps, &approver.account_id, "TRANSITION_ISSUES", &scope).await?
    };
    Ok((!allowed).then(|| {
        Refusal::new(
            "forbidden",
            format!(
                "{} the \"Transition issues\" permission on {} to decide this request.",
                if right == Right::SignedIn {
                    "You need"
                } else {
                    "It takes"
                },
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

pub use crate::approver::same_person;

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
