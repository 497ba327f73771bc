//! Workflows: `POST /rest/api/3/workflows` ("Bulk get workflows"), built from the catalog's
//! statuses and transitions. The site has one workflow, used by every project and issue type.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Caller;
use super::catalog::{Catalog, StatusRec};
use super::error::JiraError;
use super::routes_meta::holds;
use super::seed::{WORKFLOW_ID, WORKFLOW_NAME};
use super::{JiraSandbox, parse_body};

type Shared = State<Arc<JiraSandbox>>;

/// Id of the synthesized create transition (Jira numbers it 1 in new workflows).
const INITIAL_TRANSITION_ID: &str = "1";

/// The workflow is global, so reading it takes *Administer Jira* (the spec's permissions note).
fn not_admin() -> JiraError {
    JiraError::message(
        StatusCode::FORBIDDEN,
        "You are not authorized to perform this action. Administrator privileges are required.",
    )
}

pub(crate) async fn read(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let catalog = &sandbox.catalog;
    let admin = catalog
        .user(&caller.account_id)
        .is_some_and(|user| holds(catalog, user, "ADMINISTER", None));
    if !admin {
        return Err(not_admin());
    }
    let body = parse_body(&body)?;
    let strings = |name: &str| -> Vec<String> {
        body.get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    // Unknown names, ids and pairs match nothing, as on Jira: the answer is then empty.
    let by_pair = body
        .get("projectAndIssueTypes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|pair| uses_the_workflow(catalog, pair));
    let by_name = strings("workflowNames").iter().any(|name| name == WORKFLOW_NAME);
    let by_id = strings("workflowIds").iter().any(|id| id == WORKFLOW_ID);
    let answer = if by_pair || by_name || by_id {
        json!({
            "workflows": [workflow(catalog)],
            "statuses": catalog.statuses.iter().map(status).collect::<Vec<_>>(),
        })
    } else {
        json!({"workflows": [], "statuses": []})
    };
    Ok(Json(answer).into_response())
}

/// A `{projectId, issueTypeId}` pair naming a project and one of its issue types (ids only,
/// as the spec says).
fn uses_the_workflow(catalog: &Catalog, pair: &Value) -> bool {
    let field = |name: &str| pair.get(name).and_then(Value::as_str).unwrap_or_default();
    catalog
        .project_by_id(field("projectId"))
        .is_some_and(|project| project.issue_types.iter().any(|id| id == field("issueTypeId")))
}

/// `JiraWorkflowStatus`: the category as the new workflow API names it.
fn status(status: &StatusRec) -> Value {
    let category = match status.category.as_str() {
        "done" => "DONE",
        "indeterminate" => "IN_PROGRESS",
        _ => "TODO",
    };
    json!({
        "id": status.id,
        "name": status.name,
        "statusReference": status.id,
        "statusCategory": category,
        "scope": {"type": "GLOBAL"},
        "description": status.description,
    })
}

fn transition(id: &str, name: &str, kind: &str, to: &str, links: Vec<Value>) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "",
        "type": kind,
        "toStatusReference": to,
        "links": links,
        "actions": [],
        "validators": [],
        "triggers": [],
        "properties": {},
    })
}

/// `JiraWorkflow`: the catalog's statuses (laid out in a row) and transitions, plus the
/// create transition into the initial status that every Jira workflow has.
fn workflow(catalog: &Catalog) -> Value {
    let statuses: Vec<Value> = catalog
        .statuses
        .iter()
        .enumerate()
        .map(|(index, status)| {
            json!({
                "statusReference": status.id,
                "deprecated": false,
                "layout": {"x": 200.0 * index as f64, "y": 0.0},
                "properties": {},
            })
        })
        .collect();
    let mut transitions = Vec::new();
    if let Some(initial) = catalog.initial_status() {
        transitions.push(transition(
            INITIAL_TRANSITION_ID,
            "Create",
            "INITIAL",
            &initial.id,
            Vec::new(),
        ));
    }
    for rec in &catalog.transitions {
        let links = rec
            .from
            .iter()
            .map(|from| json!({"fromStatusReference": from, "fromPort": 0, "toPort": 1}))
            .collect();
        transitions.push(transition(&rec.id, &rec.name, "DIRECTED", &rec.to, links));
    }
    json!({
        "id": WORKFLOW_ID,
        "name": WORKFLOW_NAME,
        "description": "Open requests are approved, denied or expire; any decision can be reopened.",
        "statuses": statuses,
        "transitions": transitions,
        "scope": {"type": "GLOBAL"},
        "version": {"id": "0b7c9e1d-2a3f-4b5c-8d6e-7f8091a2b3c4", "versionNumber": 0},
        "isEditable": true,
        "startPointLayout": {"x": -100.0, "y": 0.0},
    })
}
