//! JSM approvals on the servicedesk API paths (`getApprovals`, `getApprovalById`,
//! `answerApproval`) and the `/_sandbox/issues/{key}/approvers` control. The rules are in
//! `approvals.rs`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::approvals::Decision;
use super::auth::Caller;
use super::error::JiraError;
use super::{JiraSandbox, QueryParams, parse_body};

type Shared = State<Arc<JiraSandbox>>;

/// Largest page `getApprovals` answers.
const MAX_LIMIT: i64 = 100;

/// `GET /rest/servicedeskapi/request/{issueIdOrKey}/approval`: `PagedDTOApprovalDTO`.
pub(crate) async fn list(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let start = query.int("start")?.unwrap_or(0).max(0);
    let limit = query.int("limit")?.unwrap_or(50).clamp(0, MAX_LIMIT);
    let db = sandbox.db();
    let (issue, approvals) = sandbox.request_approvals(&db, &id_or_key)?;
    let total = approvals.len();
    let values: Vec<Value> = approvals
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|approval| sandbox.approval_json(&issue, approval, &caller.account_id))
        .collect();
    let is_last_page = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .saturating_add(values.len())
        >= total;
    Ok(Json(json!({
        "size": values.len(),
        "start": start,
        "limit": limit,
        "isLastPage": is_last_page,
        "values": values,
        "_links": {
            "base": sandbox.base_url,
            "context": "",
            "self": format!("{}/rest/servicedeskapi/request/{}/approval", sandbox.base_url, issue.id),
        },
    }))
    .into_response())
}

/// `GET /rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}`: `ApprovalDTO`.
pub(crate) async fn get_one(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path((id_or_key, approval_id)): Path<(String, String)>,
) -> Result<Response, JiraError> {
    let db = sandbox.db();
    let (issue, approvals) = sandbox.request_approvals(&db, &id_or_key)?;
    let approval = approvals
        .iter()
        .find(|approval| approval.id.to_string() == approval_id)
        .ok_or_else(|| {
            JiraError::servicedesk(
                StatusCode::NOT_FOUND,
                format!(
                    "The approval '{approval_id}' does not exist on request '{}'.",
                    issue.key
                ),
            )
        })?;
    Ok(Json(sandbox.approval_json(&issue, approval, &caller.account_id)).into_response())
}

/// `POST /rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}` with
/// `{"decision": "approve" | "decline"}`: the caller answers; 200 with the `ApprovalDTO`.
pub(crate) async fn answer(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path((id_or_key, approval_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let decision = match body.get("decision").and_then(Value::as_str) {
        Some(text) => Decision::parse(text)?,
        None => {
            return Err(JiraError::servicedesk(
                StatusCode::BAD_REQUEST,
                "The 'decision' is required: send {\"decision\": \"approve\"} or {\"decision\": \"decline\"}.",
            ));
        }
    };
    let (issue, approval) = sandbox.answer_approval(&caller.account_id, &id_or_key, &approval_id, decision)?;
    Ok(Json(sandbox.approval_json(&issue, &approval, &caller.account_id)).into_response())
}

/// `POST /_sandbox/issues/{key}/approvers` with `{"accountIds": [...]}`: replaces the approvers
/// of the issue's pending approval; answers the approval as the app sees it.
pub(crate) async fn set_approvers(
    State(sandbox): Shared,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| JiraError::bad_request(format!("The body is not JSON ({e}): send {{\"accountIds\": [...]}}.")))?;
    let Some(items) = body.get("accountIds").and_then(Value::as_array) else {
        return Err(JiraError::field(
            "accountIds",
            "Send {\"accountIds\": [...]}: an array of account ids.",
        ));
    };
    let mut account_ids = Vec::new();
    for item in items {
        let Some(account_id) = item.as_str() else {
            return Err(JiraError::field(
                "accountIds",
                format!("Every account id must be a string, not {item}."),
            ));
        };
        if sandbox.catalog.user(account_id).is_none() {
            return Err(JiraError::field(
                "accountIds",
                format!("The account '{account_id}' is not a user of the Jira sandbox."),
            ));
        }
        if !account_ids.iter().any(|known| known == account_id) {
            account_ids.push(account_id.to_string());
        }
    }
    let (issue, approval) = sandbox.set_approvers(&key, &account_ids)?;
    let app = sandbox
        .catalog
        .app_user()
        .map(|app| app.account_id.clone())
        .unwrap_or_default();
    Ok(Json(sandbox.approval_json(&issue, &approval, &app)).into_response())
}
