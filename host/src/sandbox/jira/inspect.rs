//! Test inspection endpoints (not Jira): the request log and a dump of every issue.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::JiraError;
use super::render::{FieldSelection, PropertySelection};
use super::{JiraSandbox, store};

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
