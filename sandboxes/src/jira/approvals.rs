//! JSM approvals: every request (issue of a service-desk project) gets one pending "Access
//! approval" when created, whose approvers are the members of `pam-approvers` then. One
//! approver's answer completes it: the approval is stored, then the issue moves to Approved or
//! Denied (when the workflow allows it from where the issue is), which records one
//! issue-updated event with that approver as the actor. The REST routes, the issue page and the
//! `/_sandbox/issues/{key}/approvers` control all go through here.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use axum::http::StatusCode;

use super::JiraSandbox;
use super::error::JiraError;
use super::seed::PAM_APPROVERS_GROUP;
use super::store::{self, Issue, decode, encode, next_value};
use super::time::{friendly, iso8601, jira_time, now_ms};

/// The name of the approval every request gets.
pub(crate) const APPROVAL_NAME: &str = "Access approval";
/// The transitions a completed approval takes (the seed's Approve and Deny).
const APPROVE_TRANSITION: &str = "11";
const DECLINE_TRANSITION: &str = "21";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Approval {
    pub id: i64,
    pub issue_id: i64,
    pub name: String,
    /// `pending`, `approved` or `declined`.
    pub final_decision: String,
    pub approvers: Vec<Approver>,
    pub created: i64,
    #[serde(default)]
    pub completed: Option<i64>,
    /// Who answered (the one approver whose decision completed it).
    #[serde(default)]
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Approver {
    pub account_id: String,
    /// `pending`, `approved` or `declined`.
    pub decision: String,
}

impl Approval {
    pub(crate) fn is_pending(&self) -> bool {
        self.completed.is_none()
    }

    pub(crate) fn is_approver(&self, account_id: &str) -> bool {
        self.approvers.iter().any(|approver| approver.account_id == account_id)
    }
}

/// An answer to an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Approve,
    Decline,
}

impl Decision {
    pub(crate) fn parse(text: &str) -> Result<Decision, JiraError> {
        match text {
            "approve" => Ok(Decision::Approve),
            "decline" => Ok(Decision::Decline),
            other => Err(JiraError::servicedesk(
                StatusCode::BAD_REQUEST,
                format!("The decision '{other}' is not valid: send 'approve' or 'decline'."),
            )),
        }
    }

    fn outcome(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Decline => "declined",
        }
    }
}

/// Writes a pending approval for a new request (inside its creation's transaction).
pub(crate) fn create(tx: &Transaction<'_>, issue_id: i64, approvers: &[String], now: i64) -> rusqlite::Result<()> {
    let approval = Approval {
        id: next_value(tx, "approval_id", 1)?,
        issue_id,
        name: APPROVAL_NAME.to_string(),
        final_decision: "pending".to_string(),
        approvers: approvers
            .iter()
            .map(|account_id| Approver {
                account_id: account_id.clone(),
                decision: "pending".to_string(),
            })
            .collect(),
        created: now,
        completed: None,
        decided_by: None,
    };
    tx.execute(
        "INSERT INTO approvals (id, issue_id, data) VALUES (?1, ?2, ?3)",
        params![approval.id, issue_id, encode(&approval)?],
    )?;
    Ok(())
}

/// The issue's approvals, oldest first.
pub(crate) fn of_issue(conn: &Connection, issue_id: i64) -> rusqlite::Result<Vec<Approval>> {
    let mut statement = conn.prepare("SELECT data FROM approvals WHERE issue_id = ?1 ORDER BY id")?;
    let rows = statement.query_map([issue_id], |row| row.get::<_, String>(0))?;
    rows.map(|data| decode(&data?)).collect()
}

fn find(conn: &Connection, issue_id: i64, id: i64) -> rusqlite::Result<Option<Approval>> {
    let data: Option<String> = conn
        .query_row(
            "SELECT data FROM approvals WHERE issue_id = ?1 AND id = ?2",
            params![issue_id, id],
            |row| row.get(0),
        )
        .optional()?;
    data.map(|data| decode(&data)).transpose()
}

fn save(conn: &Connection, approval: &Approval) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE approvals SET data = ?2 WHERE id = ?1",
        params![approval.id, encode(approval)?],
    )?;
    Ok(())
}

/// JSM's `DateDTO`.
fn date(ms: i64) -> Value {
    json!({"iso8601": iso8601(ms), "jira": jira_time(ms), "friendly": friendly(ms), "epochMillis": ms})
}

fn request_not_found(id_or_key: &str) -> JiraError {
    JiraError::servicedesk(
        StatusCode::NOT_FOUND,
        format!(
            "The request '{id_or_key}' does not exist, is not a service desk request, or you do not have permission to see it."
        ),
    )
}

impl JiraSandbox {
    /// The approvers of a new issue of `project_id`: `pam-approvers`' members, or `None` when
    /// the project is not a service desk (its issues get no approval).
    pub(crate) fn initial_approvers(&self, project_id: &str) -> Option<Vec<String>> {
        let service_desk = self.catalog.project_by_id(project_id)?.service_desk;
        service_desk.then(|| {
            self.catalog
                .groups
                .iter()
                .find(|group| group.name == PAM_APPROVERS_GROUP)
                .map(|group| group.members.clone())
                .unwrap_or_default()
        })
    }

    /// A service-desk request and its approvals (404 in JSM's shape for any other issue).
    pub(crate) fn request_approvals(
        &self,
        conn: &Connection,
        id_or_key: &str,
    ) -> Result<(Issue, Vec<Approval>), JiraError> {
        let issue = store::find_issue(conn, id_or_key)?.ok_or_else(|| request_not_found(id_or_key))?;
        let service_desk = self
            .catalog
            .project_by_id(&issue.project_id)
            .is_some_and(|project| project.service_desk);
        if !service_desk {
            return Err(request_not_found(id_or_key));
        }
        let approvals = of_issue(conn, issue.id)?;
        Ok((issue, approvals))
    }

    /// JSM's `ApprovalDTO`, as `caller` sees it.
    pub(crate) fn approval_json(&self, issue: &Issue, approval: &Approval, caller: &str) -> Value {
        let approvers: Vec<Value> = approval
            .approvers
            .iter()
            .map(|approver| {
                let user = self.catalog.user(&approver.account_id);
                json!({
                    "approver": {
                        "accountId": approver.account_id,
                        "displayName": user.map_or("Unknown user", |u| u.display_name.as_str()),
                        "emailAddress": user.and_then(|u| u.email.as_deref()),
                        "active": user.is_some_and(|u| u.active),
                        "timeZone": "Etc/UTC",
                        "_links": {"self": format!("{}/rest/api/3/user?accountId={}", self.base_url, approver.account_id)},
                    },
                    "approverDecision": approver.decision,
                })
            })
            .collect();
        let mut value = json!({
            "id": approval.id.to_string(),
            "name": approval.name,
            "finalDecision": approval.final_decision,
            "canAnswerApproval": approval.is_pending() && approval.is_approver(caller),
            "approvers": approvers,
            "createdDate": date(approval.created),
            "_links": {"self": format!(
                "{}/rest/servicedeskapi/request/{}/approval/{}",
                self.base_url, issue.id, approval.id
            )},
        });
        if let (Some(completed), Some(object)) = (approval.completed, value.as_object_mut()) {
            object.insert("completedDate".into(), date(completed));
        }
        value
    }

    /// `actor` answers approval `approval_id` of request `id_or_key`: one approver's answer
    /// completes it, then the issue takes the Approve or Deny transition if the workflow
    /// offers it from the issue's status (recording the issue-updated event as `actor`).
    /// 404 unknown request or approval, 403 not an approver, 400 already complete.
    pub(crate) fn answer_approval(
        &self,
        actor: &str,
        id_or_key: &str,
        approval_id: &str,
        decision: Decision,
    ) -> Result<(Issue, Approval), JiraError> {
        let mut db = self.db();
        let (issue, _) = self.request_approvals(&db, id_or_key)?;
        let not_found = || {
            JiraError::servicedesk(
                StatusCode::NOT_FOUND,
                format!(
                    "The approval '{approval_id}' does not exist on request '{}'.",
                    issue.key
                ),
            )
        };
        let id: i64 = approval_id.parse().map_err(|_| not_found())?;
        let mut approval = find(&db, issue.id, id)?.ok_or_else(not_found)?;
        if !approval.is_approver(actor) {
            return Err(JiraError::servicedesk(
                StatusCode::FORBIDDEN,
                format!("You are not an approver of approval '{id}' on request '{}'.", issue.key),
            ));
        }
        if !approval.is_pending() {
            return Err(JiraError::servicedesk(
                StatusCode::BAD_REQUEST,
                format!(
                    "The approval '{id}' ({}) on request '{}' is already complete: {}.",
                    approval.name, issue.key, approval.final_decision
                ),
            ));
        }
        let now = now_ms();
        approval.final_decision = decision.outcome().to_string();
        approval.completed = Some(now);
        approval.decided_by = Some(actor.to_string());
        for approver in &mut approval.approvers {
            if approver.account_id == actor {
                approver.decision = decision.outcome().to_string();
            }
        }
        save(&db, &approval)?;
        let transition = match decision {
            Decision::Approve => APPROVE_TRANSITION,
            Decision::Decline => DECLINE_TRANSITION,
        };
        let available = self
            .catalog
            .transitions_from(&issue.status_id)
            .any(|t| t.id == transition);
        let issue = if available {
            self.apply_transition(&mut db, actor, issue, transition, &Value::Null)?
        } else {
            issue
        };
        Ok((issue, approval))
    }

    /// Replaces the approvers of the request's pending approval (a test control).
    pub(crate) fn set_approvers(
        &self,
        id_or_key: &str,
        account_ids: &[String],
    ) -> Result<(Issue, Approval), JiraError> {
        let db = self.db();
        let no_pending = || {
            JiraError::message(
                StatusCode::NOT_FOUND,
                format!("No issue '{id_or_key}' with a pending approval in the Jira sandbox."),
            )
        };
        let issue = store::find_issue(&db, id_or_key)?.ok_or_else(no_pending)?;
        let mut approval = of_issue(&db, issue.id)?
            .into_iter()
            .find(Approval::is_pending)
            .ok_or_else(no_pending)?;
        approval.approvers = account_ids
            .iter()
            .map(|account_id| Approver {
                account_id: account_id.clone(),
                decision: "pending".to_string(),
            })
            .collect();
        save(&db, &approval)?;
        Ok((issue, approval))
    }
}
