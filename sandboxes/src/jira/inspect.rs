//! Test inspection endpoints (not Jira): the request log, a dump of every issue, and faults on
//! demand.
//!
//! - `POST /_sandbox/fail` with a rule (`{"method"?, "path"?, "fault": {...}, "times" | "rate",
//!   ...}`, syntax in `crate::faults`): adds it, answers it with its `id`. Paths are the
//!   REST paths below `/sandbox/jira` (`/rest/api/3/issue`, `/rest/api/3/issue/*/transitions`);
//!   only `/rest/...` requests that pass the contract and authentication checks are matched.
//!   A refused body answers 400 `{"errorMessages": ["field: why"], "errors": {"field": "why"}}`.
//! - `GET /_sandbox/fail`: the rules, oldest first, with how many requests each matched and
//!   failed; `DELETE /_sandbox/fail` clears them (`{"cleared": n}`).

use std::sync::Arc;

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::JiraError;
use super::render::{FieldSelection, PropertySelection};
use super::{JiraSandbox, store};
use crate::faults::Rule;

type Shared = State<Arc<JiraSandbox>>;

/// `GET /_sandbox/requests`: every REST request since start or the last reset, oldest first.
pub(crate) async fn requests(State(sandbox): Shared) -> Response {
    Json(sandbox.logged_requests()).into_response()
}

/// `POST /_sandbox/requests/reset`: clears the request log.
pub(crate) async fn reset_requests(State(sandbox): Shared) -> Response {
    sandbox.reset_log();
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_sandbox/fail`: adds a fault rule.
pub(crate) async fn add_fault(State(sandbox): Shared, body: Bytes) -> Response {
    match Rule::parse(&body).and_then(|rule| sandbox.faults().add(rule)) {
        Ok(rule) => Json(rule).into_response(),
        Err(problem) => {
            let errors = problem
                .field
                .clone()
                .map(|field| BTreeMap::from([(field, problem.message.clone())]))
                .unwrap_or_default();
            JiraError::new(StatusCode::BAD_REQUEST, vec![problem.to_string()], errors).into_response()
        }
    }
}

/// `GET /_sandbox/fail`: the fault rules with their counts.
pub(crate) async fn fault_rules(State(sandbox): Shared) -> Response {
    Json(sandbox.faults().list()).into_response()
}

/// `DELETE /_sandbox/fail`: clears the fault rules.
pub(crate) async fn clear_faults(State(sandbox): Shared) -> Response {
    let cleared = sandbox.faults().clear();
    Json(json!({ "cleared": cleared })).into_response()
}

/// `GET /_sandbox/issues`: every issue (oldest first) with all fields, all properties and all
/// comments (each with `internal` and `source`).
pub(crate) async fn issues(State(sandbox): Shared) -> Result<Response, JiraError> {
    let db = sandbox.db();
    let mut all = Vec::new();
    for issue in store::all_issues(&db)? {
        let mut value = sandbox.issue_json(&db, &issue, &FieldSelection::all(), &PropertySelection::All)?;
        let comments: Vec<Value> = store::comments(&db, issue.id)?
            .iter()
            .map(|comment| {
                let mut json = sandbox.comment_json(comment, true);
                if let Some(object) = json.as_object_mut() {
                    object.insert("internal".into(), json!(!comment.jsd_public));
                    object.insert("source".into(), json!(comment.source));
                    // The text a person reads: a JSM comment's own text, or the ADF body's
                    // blocks, one line each.
                    let text = comment
                        .plain_text
                        .clone()
                        .unwrap_or_else(|| super::adf_html::lines(&comment.body));
                    object.insert("plainText".into(), json!(text));
                }
                json
            })
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.remove("expand");
            if let Some(Value::Object(fields)) = object.get_mut("fields") {
                fields.remove("comment");
            }
            object.insert("comments".into(), Value::Array(comments));
            object.entry("properties").or_insert_with(|| Value::Object(Map::new()));
        }
        all.push(value);
    }
    Ok(Json(all).into_response())
}
