//! Issues: create, read, edit, entity properties and transitions.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::{FieldErrors, JiraError};
use super::issue_fields::{check_property, read_changes, read_properties};
use super::render::{FieldSelection, PropertySelection};
use super::store::{self, Issue};
use super::time::now_ms;
use super::{JiraSandbox, QueryParams, parse_body};

type Shared = State<Arc<JiraSandbox>>;

impl JiraSandbox {
    pub(crate) fn find_issue(&self, id_or_key: &str) -> Result<Issue, JiraError> {
        store::find_issue(&self.db(), id_or_key)?.ok_or_else(JiraError::issue_not_found)
    }
}

/// A project reference (`{key}` or `{id}`) from a create body.
fn reference<'a>(value: Option<&'a Value>, names: &[&str]) -> Option<&'a str> {
    let value = value?;
    names.iter().find_map(|name| value.get(*name).and_then(Value::as_str))
}

pub(crate) async fn create(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let catalog = &sandbox.catalog;
    let fields = body.get("fields");
    let mut errors = FieldErrors::default();

    let project = reference(fields.and_then(|f| f.get("project")), &["key", "id"])
        .and_then(|id_or_key| catalog.project(id_or_key));
    let Some(project) = project else {
        errors.add("project", "valid project is required");
        if fields.and_then(|f| f.get("issuetype")).is_none() {
            errors.add("issuetype", "Specify an issue type");
        }
        return Err(JiraError::fields(errors.0));
    };
    let issue_type_ref = fields.and_then(|f| f.get("issuetype"));
    let issue_type = catalog.project_issue_type(
        project,
        reference(issue_type_ref, &["id"]),
        reference(issue_type_ref, &["name"]),
    );
    let Some(issue_type) = issue_type else {
        errors.add("issuetype", "Specify a valid issue type");
        return Err(JiraError::fields(errors.0));
    };

    let changes = read_changes(catalog, &body, project, issue_type, true, &mut errors);
    if changes.summary.is_none() {
        errors.add("summary", "You must specify a summary of the issue.");
    }
    errors.into_result()?;
    let properties = read_properties(&body)?;
    let initial = catalog
        .initial_status()
        .ok_or_else(|| JiraError::internal("the sandbox has no workflow statuses"))?;
    let mut status_id = initial.id.clone();
    if let Some(transition_id) = body.pointer("/transition/id").and_then(Value::as_str) {
        let transition = catalog
            .transitions_from(&status_id)
            .find(|t| t.id == transition_id)
            .ok_or_else(|| {
                JiraError::bad_request(format!("Transition id '{transition_id}' is not valid for this issue."))
            })?;
        status_id = transition.to.clone();
    }

    let now = now_ms();
    let mut template = Issue {
        id: 0,
        key: String::new(),
        project_id: project.id.clone(),
        issue_type_id: issue_type.id.clone(),
        status_id,
        summary: String::new(),
        description: None,
        assignee: None,
        reporter: Some(caller.account_id.clone()),
        creator: Some(caller.account_id.clone()),
        labels: Vec::new(),
        custom: Default::default(),
        created: now,
        updated: now,
    };
    changes.apply(&mut template);

    let issue = {
        let mut db = sandbox.db();
        let approvers = sandbox.initial_approvers(&project.id);
        store::create_issue(&mut db, template, &project.key, &properties, approvers.as_deref())?
    };
    let created = json!({
        "id": issue.id.to_string(),
        "key": issue.key,
        "self": sandbox.issue_self(issue.id),
    });
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub(crate) async fn get_issue(
    State(sandbox): Shared,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let fields = match query.list("fields") {
        Some(items) => FieldSelection::parse(&items),
        None => FieldSelection::all(),
    };
    let properties = PropertySelection::parse(query.list("properties").as_deref());
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let value = sandbox.issue_json(&db, &issue, &fields, &properties)?;
    Ok(Json(value).into_response())
}

pub(crate) async fn edit(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let query = QueryParams::parse(query.as_deref());
    let mut db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let issue = sandbox.edit_issue(&mut db, &caller.account_id, issue, &body)?;
    if query.get("returnIssue") == Some("true") {
        let value = sandbox.issue_json(&db, &issue, &FieldSelection::all(), &PropertySelection::None)?;
        return Ok(Json(value).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_properties(
    State(sandbox): Shared,
    Path(id_or_key): Path<String>,
) -> Result<Response, JiraError> {
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let keys: Vec<Value> = store::properties(&db, issue.id)?
        .into_iter()
        .map(|(key, _)| {
            json!({
                "self": format!("{}/properties/{key}", sandbox.issue_self(issue.id)),
                "key": key,
            })
        })
        .collect();
    Ok(Json(json!({"keys": keys})).into_response())
}

fn property_not_found(key: &str) -> JiraError {
    JiraError::message(
        StatusCode::NOT_FOUND,
        format!("The property with key '{key}' does not exist."),
    )
}

pub(crate) async fn get_property(
    State(sandbox): Shared,
    Path((id_or_key, key)): Path<(String, String)>,
) -> Result<Response, JiraError> {
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let value = store::property(&db, issue.id, &key)?.ok_or_else(|| property_not_found(&key))?;
    Ok(Json(json!({"key": key, "value": value})).into_response())
}

pub(crate) async fn put_property(
    State(sandbox): Shared,
    Path((id_or_key, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let value = parse_body(&body)?;
    check_property(&key, &value)?;
    let mut db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let created = store::set_property(&mut db, issue.id, &key, &value)?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(status.into_response())
}

pub(crate) async fn delete_property(
    State(sandbox): Shared,
    Path((id_or_key, key)): Path<(String, String)>,
) -> Result<Response, JiraError> {
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    if store::delete_property(&db, issue.id, &key)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(property_not_found(&key))
    }
}

pub(crate) async fn list_transitions(
    State(sandbox): Shared,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let only = query.get("transitionId");
    let issue = sandbox.find_issue(&id_or_key)?;
    let links = sandbox.links();
    let transitions: Vec<Value> = sandbox
        .catalog
        .transitions_from(&issue.status_id)
        .filter(|t| only.is_none_or(|id| t.id == id))
        .filter_map(|t| {
            let to = sandbox.catalog.status(&t.to)?;
            Some(json!({
                "id": t.id,
                "name": t.name,
                "to": links.status(to),
                "hasScreen": false,
                "isGlobal": false,
                "isInitial": false,
                "isAvailable": true,
                "isConditional": false,
                "isLooped": false,
            }))
        })
        .collect();
    Ok(Json(json!({"expand": "transitions", "transitions": transitions})).into_response())
}

pub(crate) async fn do_transition(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path(id_or_key): Path<String>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let Some(transition_id) = body.pointer("/transition/id").and_then(Value::as_str) else {
        return Err(JiraError::bad_request(
            "Missing 'transition' identifier: send {\"transition\": {\"id\": \"...\"}}.",
        ));
    };
    sandbox.transition_issue(&caller.account_id, &id_or_key, transition_id, &body)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
