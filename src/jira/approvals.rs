//! Jira Service Management's own approvals on a request (`GET
//! /rest/servicedeskapi/request/{key}/approval`, as the app): which one completed, how, and who
//! gave the deciding answer.

use serde_json::Value;

use super::client::{self, JiraError};
use crate::caps::Caps;
use crate::protocol::Actor;

/// A completed approval: its outcome and the approver whose answer matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    pub approval_id: String,
    pub name: String,
    pub approved: bool,
    /// The account of the approver who answered as the approval ended (the first such one).
    pub approver: String,
    /// When it completed (ms since the epoch), 0 when JSM did not say.
    pub completed_at: u64,
}

/// The newest completed approval of the request, if any.
pub async fn completed(caps: &Caps, issue_key: &str) -> Result<Option<Completed>, JiraError> {
    let path = format!("/rest/servicedeskapi/request/{issue_key}/approval");
    let answer = client::call(caps, Actor::App, "GET", &path, None).await?;
    Ok(newest_completed(&answer))
}

/// The newest completed approval in a `PagedDTOApprovalDTO` answer.
pub fn newest_completed(answer: &Value) -> Option<Completed> {
    answer["values"]
        .as_array()?
        .iter()
        .filter_map(completed_one)
        .max_by_key(|c| c.completed_at)
}

fn completed_one(approval: &Value) -> Option<Completed> {
    let (approved, word) = match approval["finalDecision"].as_str()? {
        "approved" => (true, "approved"),
        "declined" => (false, "declined"),
        _ => return None,
    };
    let approver = approval["approvers"]
        .as_array()?
        .iter()
        .find(|a| a["approverDecision"].as_str() == Some(word))?
        .pointer("/approver/accountId")?
        .as_str()?
        .to_string();
    Some(Completed {
        approval_id: approval["id"].as_str().unwrap_or_default().to_string(),
        name: approval["name"].as_str().unwrap_or_default().to_string(),
        approved,
        approver,
        completed_at: approval
            .pointer("/completedDate/epochMillis")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn approval(id: &str, decision: &str, at: u64, approvers: Value) -> Value {
        json!({"id": id, "name": "Access approval", "finalDecision": decision,
               "approvers": approvers, "completedDate": {"epochMillis": at}})
    }

    #[test]
    fn finds_the_newest_completed_approval_and_its_approver() {
        let answer = json!({"values": [
            approval("1", "declined", 100, json!([{"approver": {"accountId": "a"}, "approverDecision": "declined"}])),
            approval("2", "approved", 200, json!([
                {"approver": {"accountId": "b"}, "approverDecision": "pending"},
                {"approver": {"accountId": "c"}, "approverDecision": "approved"}])),
            approval("3", "pending", 300, json!([{"approver": {"accountId": "d"}, "approverDecision": "pending"}])),
        ]});
        let found = newest_completed(&answer).unwrap();
        assert_eq!(
            (found.approval_id.as_str(), found.approved, found.approver.as_str()),
            ("2", true, "c")
        );
        assert_eq!(newest_completed(&json!({"values": []})), None);
        assert_eq!(newest_completed(&json!({"values": "x"})), None);
        // A completed approval naming no approver with that answer is not taken as anyone's.
        let orphan = json!({"values": [approval("4", "approved", 1, json!([]))]});
        assert_eq!(newest_completed(&orphan), None);
    }
}
