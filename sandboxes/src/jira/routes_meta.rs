//! Site metadata: fields, users, the caller, permissions, projects and create metadata.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::catalog::{Catalog, Links, ProjectRec, UserRec};
use super::error::JiraError;
use super::{JiraSandbox, QueryParams};

type Shared = State<Arc<JiraSandbox>>;

/// Permissions people other than admins hold by default, in service-desk projects only.
const BASIC_PERMISSIONS: [&str; 3] = ["BROWSE_PROJECTS", "CREATE_ISSUES", "TRANSITION_ISSUES"];

/// (key, id, name, type, description) of the permissions the sandbox knows.
const PERMISSIONS: [(&str, &str, &str, &str, &str); 22] = [
    (
        "ADMINISTER",
        "0",
        "Administer Jira",
        "GLOBAL",
        "Create and administer projects, issue types, fields, workflows, and schemes for all projects.",
    ),
    (
        "SYSTEM_ADMIN",
        "44",
        "Jira System Administrators",
        "GLOBAL",
        "Ability to perform all administration functions.",
    ),
    (
        "USER_PICKER",
        "27",
        "Browse users and groups",
        "GLOBAL",
        "View and select users or groups from the user picker.",
    ),
    (
        "ADMINISTER_PROJECTS",
        "23",
        "Administer Projects",
        "PROJECT",
        "Ability to administer a project in Jira.",
    ),
    (
        "BROWSE_PROJECTS",
        "10",
        "Browse Projects",
        "PROJECT",
        "Ability to browse projects and the issues within them.",
    ),
    (
        "CREATE_ISSUES",
        "11",
        "Create Issues",
        "PROJECT",
        "Ability to create issues.",
    ),
    ("EDIT_ISSUES", "12", "Edit Issues", "PROJECT", "Ability to edit issues."),
    (
        "TRANSITION_ISSUES",
        "46",
        "Transition Issues",
        "PROJECT",
        "Ability to transition issues.",
    ),
    (
        "ASSIGN_ISSUES",
        "13",
        "Assign Issues",
        "PROJECT",
        "Ability to assign issues to other people.",
    ),
    (
        "ASSIGNABLE_USER",
        "17",
        "Assignable User",
        "PROJECT",
        "Users with this permission may be assigned to issues.",
    ),
    (
        "RESOLVE_ISSUES",
        "14",
        "Resolve Issues",
        "PROJECT",
        "Ability to resolve and reopen issues.",
    ),
    (
        "CLOSE_ISSUES",
        "18",
        "Close Issues",
        "PROJECT",
        "Ability to close issues.",
    ),
    (
        "DELETE_ISSUES",
        "16",
        "Delete Issues",
        "PROJECT",
        "Ability to delete issues.",
    ),
    (
        "MODIFY_REPORTER",
        "30",
        "Modify Reporter",
        "PROJECT",
        "Ability to modify the reporter when creating or editing an issue.",
    ),
    (
        "ADD_COMMENTS",
        "15",
        "Add Comments",
        "PROJECT",
        "Ability to comment on issues.",
    ),
    (
        "EDIT_ALL_COMMENTS",
        "34",
        "Edit All Comments",
        "PROJECT",
        "Ability to edit all comments made on issues.",
    ),
    (
        "EDIT_OWN_COMMENTS",
        "35",
        "Edit Own Comments",
        "PROJECT",
        "Ability to edit own comments made on issues.",
    ),
    (
        "DELETE_ALL_COMMENTS",
        "36",
        "Delete All Comments",
        "PROJECT",
        "Ability to delete all comments made on issues.",
    ),
    (
        "DELETE_OWN_COMMENTS",
        "37",
        "Delete Own Comments",
        "PROJECT",
        "Ability to delete own comments made on issues.",
    ),
    (
        "LINK_ISSUES",
        "21",
        "Link Issues",
        "PROJECT",
        "Ability to link issues together.",
    ),
    (
        "SCHEDULE_ISSUES",
        "28",
        "Schedule Issues",
        "PROJECT",
        "Ability to view or edit an issue's due date.",
    ),
    (
        "SERVICEDESK_AGENT",
        "10001",
        "Service Desk Agent",
        "PROJECT",
        "Ability to act as an agent in a service project.",
    ),
];

fn project_not_found(id_or_key: &str) -> JiraError {
    JiraError::message(
        StatusCode::NOT_FOUND,
        format!("No project could be found with key '{id_or_key}'."),
    )
}

fn user_not_found() -> JiraError {
    JiraError::message(
        StatusCode::NOT_FOUND,
        "Specified user does not exist or you do not have required permissions",
    )
}

pub(crate) async fn fields(State(sandbox): Shared) -> Response {
    let fields: Vec<Value> = sandbox.catalog.fields.iter().map(|f| f.json()).collect();
    Json(fields).into_response()
}

/// `GET /rest/api/3/status`: every status of the site's workflows (the app checks names).
pub(crate) async fn statuses(State(sandbox): Shared) -> Response {
    let links = sandbox.links();
    let statuses: Vec<Value> = sandbox.catalog.statuses.iter().map(|s| links.status(s)).collect();
    Json(statuses).into_response()
}

pub(crate) async fn user(State(sandbox): Shared, RawQuery(query): RawQuery) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let account_id = query.get("accountId").ok_or_else(user_not_found)?;
    let user = sandbox.catalog.user(account_id).ok_or_else(user_not_found)?;
    let mut value = sandbox.links().user(user);
    add_groups(&sandbox, &mut value, user, &query);
    Ok(Json(value).into_response())
}

/// Jira always says how many groups a user is in; it lists them only with `expand=groups`.
fn add_groups(sandbox: &JiraSandbox, value: &mut Value, user: &UserRec, query: &QueryParams) {
    let links = sandbox.links();
    let groups: Vec<Value> = sandbox
        .catalog
        .groups_of(&user.account_id)
        .map(|group| links.group(group))
        .collect();
    let expanded = query
        .list("expand")
        .is_some_and(|items| items.iter().any(|item| item == "groups"));
    let size = groups.len();
    let items = if expanded { groups } else { Vec::new() };
    if let Some(object) = value.as_object_mut() {
        object.insert("groups".into(), json!({"size": size, "items": items}));
    }
}

/// Jira's matching: the whole display name or any word of it starts with the query, or the
/// email address starts with it (case-insensitively).
fn user_matches(user: &UserRec, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return false;
    }
    let name = user.display_name.to_lowercase();
    name.starts_with(&query)
        || name.split_whitespace().any(|word| word.starts_with(&query))
        || user
            .email
            .as_deref()
            .is_some_and(|email| email.to_lowercase().starts_with(&query))
}

pub(crate) async fn user_search(State(sandbox): Shared, RawQuery(query): RawQuery) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let text = query.get("query");
    let account_id = query.get("accountId");
    if text.is_none() && account_id.is_none() {
        return Err(JiraError::bad_request(
            "One of 'query' or 'accountId' query parameters must be provided.",
        ));
    }
    let start_at = usize::try_from(query.int("startAt")?.unwrap_or(0)).unwrap_or(0);
    let max_results = usize::try_from(query.int("maxResults")?.unwrap_or(50).clamp(0, 1000)).unwrap_or(0);
    let links = sandbox.links();
    let users: Vec<Value> = sandbox
        .catalog
        .users
        .iter()
        .filter(|user| account_id.is_none_or(|id| user.account_id == id))
        .filter(|user| text.is_none_or(|text| user_matches(user, text)))
        .skip(start_at)
        .take(max_results)
        .map(|user| links.user(user))
        .collect();
    Ok(Json(users).into_response())
}

pub(crate) async fn myself(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let user = sandbox.catalog.user(&caller.account_id).ok_or_else(user_not_found)?;
    let mut value = sandbox.links().user(user);
    add_groups(&sandbox, &mut value, user, &query);
    if let Some(object) = value.as_object_mut() {
        object.insert("applicationRoles".into(), json!({"size": 1, "items": []}));
    }
    Ok(Json(value).into_response())
}

pub(crate) async fn my_permissions(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let Some(keys) = query.list("permissions").filter(|keys| !keys.is_empty()) else {
        return Err(JiraError::bad_request(
            "The 'permissions' query parameter is required: a comma-separated list of permission keys.",
        ));
    };
    let catalog = &sandbox.catalog;
    // The project the question is about, if any.
    let project: Option<&ProjectRec> = if let Some(issue) = query.get("issueKey").or(query.get("issueId")) {
        let issue = sandbox.find_issue(issue)?;
        catalog.project_by_id(&issue.project_id)
    } else if let Some(project) = query.get("projectKey").or(query.get("projectId")) {
        Some(catalog.project(project).ok_or_else(|| project_not_found(project))?)
    } else {
        None
    };
    let user = catalog.user(&caller.account_id).ok_or_else(user_not_found)?;
    let mut permissions = Map::new();
    for key in keys {
        let Some((key, id, name, kind, description)) = PERMISSIONS.iter().find(|(known, ..)| *known == key) else {
            return Err(JiraError::message(
                StatusCode::NOT_FOUND,
                format!("The permission key '{key}' is not valid."),
            ));
        };
        let have = holds(catalog, user, key, project);
        permissions.insert(
            key.to_string(),
            json!({
                "id": id,
                "key": key,
                "name": name,
                "type": kind,
                "description": description,
                "havePermission": have,
            }),
        );
    }
    Ok(Json(json!({"permissions": permissions})).into_response())
}

/// `GET /rest/api/3/user/permission/search`: the users (optionally one `accountId`, or those a
/// `query` matches) holding every one of `permissions` on the issue or project named.
pub(crate) async fn permission_search(
    State(sandbox): Shared,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let Some(keys) = query.list("permissions").filter(|keys| !keys.is_empty()) else {
        return Err(JiraError::bad_request(
            "The 'permissions' query parameter is required: a comma-separated list of permission keys.",
        ));
    };
    if let Some(unknown) = keys
        .iter()
        .find(|key| !PERMISSIONS.iter().any(|(known, ..)| known == key))
    {
        return Err(JiraError::bad_request(format!(
            "The permission key '{unknown}' is not valid."
        )));
    }
    let catalog = &sandbox.catalog;
    let project: Option<&ProjectRec> = if let Some(issue) = query.get("issueKey") {
        let issue = sandbox.find_issue(issue)?;
        catalog.project_by_id(&issue.project_id)
    } else if let Some(project) = query.get("projectKey") {
        Some(catalog.project(project).ok_or_else(|| project_not_found(project))?)
    } else {
        None
    };
    let account_id = query.get("accountId");
    let text = query.get("query");
    let start_at = usize::try_from(query.int("startAt")?.unwrap_or(0)).unwrap_or(0);
    let max_results = usize::try_from(query.int("maxResults")?.unwrap_or(50).clamp(0, 1000)).unwrap_or(0);
    let links = sandbox.links();
    let users: Vec<Value> = catalog
        .users
        .iter()
        .skip(start_at)
        .take(max_results)
        .filter(|user| account_id.is_none_or(|id| user.account_id == id))
        .filter(|user| text.is_none_or(|text| user_matches(user, text)))
        .filter(|user| user.active && keys.iter().all(|key| holds(catalog, user, key, project)))
        .map(|user| links.user(user))
        .collect();
    Ok(Json(users).into_response())
}

/// Whether `user` holds permission `key`, in `project` or (without one) anywhere: admins hold
/// everything; other people hold their project permissions in service-desk projects only.
pub(crate) fn holds(catalog: &Catalog, user: &UserRec, key: &str, project: Option<&ProjectRec>) -> bool {
    let in_scope = match project {
        Some(project) => project.service_desk,
        None => catalog.projects.iter().any(|p| p.service_desk),
    };
    let held = match &user.project_permissions {
        Some(held) => held.iter().any(|held| held == key),
        None => BASIC_PERMISSIONS.contains(&key),
    };
    user.all_permissions || (held && in_scope)
}

pub(crate) async fn project(State(sandbox): Shared, Path(id_or_key): Path<String>) -> Result<Response, JiraError> {
    let catalog = &sandbox.catalog;
    let project = catalog
        .project(&id_or_key)
        .ok_or_else(|| project_not_found(&id_or_key))?;
    let links = sandbox.links();
    let issue_types = project_issue_types(&links, catalog, project);
    let mut value = links.project_ref(project);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "expand".into(),
            json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
        );
        object.insert("description".into(), json!(project.description));
        object.insert("lead".into(), links.user_or_unknown(catalog, &project.lead));
        object.insert("components".into(), json!([]));
        object.insert("issueTypes".into(), json!(issue_types));
        object.insert("assigneeType".into(), json!("UNASSIGNED"));
        object.insert("versions".into(), json!([]));
        object.insert("roles".into(), json!({}));
        object.insert("style".into(), json!("classic"));
        object.insert("isPrivate".into(), json!(false));
        object.insert("properties".into(), json!({}));
    }
    Ok(Json(value).into_response())
}

fn page(query: &QueryParams) -> Result<(usize, usize), JiraError> {
    let start_at = query.int("startAt")?.unwrap_or(0);
    let max_results = query.int("maxResults")?.unwrap_or(50);
    if max_results > 200 {
        return Err(JiraError::bad_request(
            "Parameter 'maxResults' must not exceed the limit '200'",
        ));
    }
    Ok((
        usize::try_from(start_at).unwrap_or(0),
        usize::try_from(max_results).unwrap_or(0),
    ))
}

pub(crate) async fn createmeta_issue_types(
    State(sandbox): Shared,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let (start_at, max_results) = page(&query)?;
    let catalog = &sandbox.catalog;
    let project = catalog
        .project(&id_or_key)
        .ok_or_else(|| project_not_found(&id_or_key))?;
    let links = sandbox.links();
    let all = project_issue_types(&links, catalog, project);
    let total = all.len();
    let items: Vec<Value> = all.into_iter().skip(start_at).take(max_results).collect();
    Ok(Json(json!({
        "issueTypes": items,
        "maxResults": max_results,
        "startAt": start_at,
        "total": total,
    }))
    .into_response())
}

pub(crate) async fn createmeta_fields(
    State(sandbox): Shared,
    Path((id_or_key, issue_type_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let (start_at, max_results) = page(&query)?;
    let catalog = &sandbox.catalog;
    let project = catalog
        .project(&id_or_key)
        .ok_or_else(|| project_not_found(&id_or_key))?;
    let issue_type = catalog
        .project_issue_type(project, Some(&issue_type_id), None)
        .ok_or_else(|| {
            JiraError::message(
                StatusCode::NOT_FOUND,
                format!("Issue type with id '{issue_type_id}' does not exist or you do not have permission to see it."),
            )
        })?;
    let links = sandbox.links();
    let base = &sandbox.base_url;
    let mut all = Vec::new();
    for field in &catalog.fields {
        let entry = |operations: Value, extra: Value| {
            let mut value = json!({
                "required": field.required,
                "schema": field.schema,
                "name": field.name,
                "key": field.id,
                "fieldId": field.id,
                "hasDefaultValue": field.id == "reporter",
                "operations": operations,
            });
            if let (Some(object), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
                object.extend(extra.clone());
            }
            value
        };
        let user_picker = json!({"autoCompleteUrl": format!("{base}/rest/api/3/user/search?query=")});
        let value = match field.id.as_str() {
            "project" => entry(json!(["set"]), json!({"allowedValues": [links.project_ref(project)]})),
            "issuetype" => entry(json!([]), json!({"allowedValues": [links.issue_type(issue_type)]})),
            _ if !field.settable || !field.on_screen(&project.id, &issue_type.id) => continue,
            "labels" => entry(
                json!(["add", "set", "remove"]),
                json!({"autoCompleteUrl": format!("{base}/rest/api/1.0/labels/suggest?query=")}),
            ),
            "assignee" | "reporter" => entry(json!(["set"]), user_picker),
            _ if field.is_select() => {
                let options: Vec<Value> = field.options.iter().map(|option| links.field_option(option)).collect();
                entry(json!(["set"]), json!({"allowedValues": options}))
            }
            _ => entry(json!(["set"]), json!({})),
        };
        all.push(value);
    }
    let total = all.len();
    let items: Vec<Value> = all.into_iter().skip(start_at).take(max_results).collect();
    Ok(Json(json!({
        "fields": items,
        "maxResults": max_results,
        "startAt": start_at,
        "total": total,
    }))
    .into_response())
}

/// A project's issue types as Jira renders them (shared by the project and createmeta answers).
fn project_issue_types(links: &Links<'_>, catalog: &Catalog, project: &ProjectRec) -> Vec<Value> {
    project
        .issue_types
        .iter()
        .filter_map(|id| catalog.issue_type(id))
        .map(|issue_type| links.issue_type(issue_type))
        .collect()
}
