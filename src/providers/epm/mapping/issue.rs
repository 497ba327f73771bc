//! Reading an EPM request's issue: its status, project type and the app's property.

use serde_json::Value;

use super::map::ISSUE_PROPERTY;
use super::property::EpmProperty;
use crate::caps::Caps;
use crate::jira::client;
use crate::protocol::Actor;
use crate::resolver::Refusal;

/// What the decision flow needs of an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueFacts {
    pub key: String,
    /// Jira's id of the issue: fixed for its life and never written by users, so it is what the
    /// app's records are looked up by (`trusted::for_issue`).
    pub id: String,
    pub summary: String,
    pub status: String,
    /// `service_desk` for JSM projects (internal notes are possible there).
    pub project_type: String,
    /// The Jira site's address, from the issue's `self` (for links sent to EPM).
    pub site_url: String,
    /// The app's issue property as Jira has it: anyone who may edit the issue can write it, so
    /// it is only a hint for finding the app's record, never acted on.
    pub property: Option<EpmProperty>,
}

impl IssueFacts {
    pub fn browse_url(&self) -> String {
        format!("{}/browse/{}", self.site_url, self.key)
    }

    /// The issue as `lifecycle::recording` writes to it.
    pub fn at(&self) -> crate::lifecycle::recording::Issue<'_> {
        crate::lifecycle::recording::Issue {
            id: &self.id,
            key: &self.key,
            status: &self.status,
            project_type: &self.project_type,
        }
    }
}

/// Issue keys as Jira makes them (`PROJ-123`), shared with the other providers' pages.
pub use crate::jira::is_issue_key;

/// Reads the issue (by key or Jira id) as `actor` (as the user, so that people see only issues
/// they may browse).
pub async fn load(caps: &Caps, actor: Actor, key: &str) -> Result<IssueFacts, Refusal> {
    let is_id = !key.is_empty() && key.len() <= 18 && key.bytes().all(|b| b.is_ascii_digit());
    if !is_issue_key(key) && !is_id {
        return Err(Refusal::new("no-issue", "This page was opened without a valid issue."));
    }
    let path = format!("/rest/api/3/issue/{key}?fields=summary,status,project&properties={ISSUE_PROPERTY}");
    let issue = client::call(caps, actor, "GET", &path, None)
        .await
        .map_err(|e| crate::resolver::issue_refusal(key, e))?;
    Ok(facts(key, &issue))
}

/// The facts of an issue as `GET /issue` or a search answers it (with the app's property).
pub fn facts(key: &str, issue: &Value) -> IssueFacts {
    let text = |pointer: &str| issue.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
    let self_url = text("/self");
    let site_url = self_url
        .find("/rest/")
        .map(|at| self_url[..at].to_string())
        .unwrap_or_default();
    IssueFacts {
        key: issue["key"].as_str().unwrap_or(key).to_string(),
        id: text("/id"),
        summary: text("/fields/summary"),
        status: text("/fields/status/name"),
        project_type: text("/fields/project/projectTypeKey"),
        site_url,
        property: issue
            .pointer(&format!("/properties/{ISSUE_PROPERTY}"))
            .and_then(EpmProperty::from_value),
    }
}

/// A refusal for a failed Jira call: retryable, with Jira's reason.
pub use crate::resolver::unavailable;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn issue_keys() {
        for good in ["PMCJIT-1", "A1_B-99"] {
            assert!(is_issue_key(good), "{good}");
        }
        for bad in [
            "",
            "PMCJIT",
            "pmcjit-1",
            "PMCJIT-",
            "PMCJIT-1/../x",
            "PMCJIT-1?x=1",
            "1A-2",
        ] {
            assert!(!is_issue_key(bad), "{bad}");
        }
    }

    #[test]
    fn reads_facts() {
        let issue = json!({
            "key": "PMCJIT-7",
            "self": "https://acme.atlassian.net/rest/api/3/issue/10007",
            "fields": {"summary": "S", "status": {"name": "Open"}, "project": {"projectTypeKey": "service_desk"}},
            "properties": {"pam-approvals.epm": {"provider": "epm", "requestId": "r-1", "tenantId": "t"}},
        });
        let facts = facts("PMCJIT-7", &issue);
        assert_eq!(facts.browse_url(), "https://acme.atlassian.net/browse/PMCJIT-7");
        assert_eq!(
            (facts.status.as_str(), facts.project_type.as_str()),
            ("Open", "service_desk")
        );
        assert_eq!(facts.property.unwrap().request_id, "r-1");
        let plain = facts_without_property();
        assert!(plain.property.is_none());
    }

    fn facts_without_property() -> IssueFacts {
        facts("OPS-1", &json!({"key": "OPS-1", "fields": {}, "properties": {}}))
    }
}
