//! The Jira half of "Validate configuration": the project, issue type, custom field, assignee
//! and the decision statuses, read from the live site as the app creates issues (as the app) and,
//! for workflows, which only administrators may read, as the admin at the page.

use serde_json::{Value, json};

use super::EpmSettings;
use crate::caps::Caps;
use crate::config::check::Check;
use crate::jira::client::{self, JiraError, query_value};
use crate::jira::users;
use crate::protocol::Actor;

/// Text custom fields: the app writes the EPM request id as a plain string, which API v3 takes
/// only for single-line text (a paragraph field wants ADF).
const TEXT_FIELD: &str = "com.atlassian.jira.plugin.system.customfieldtypes:textfield";
/// Single-choice select fields: the duration of an approval made in Jira is one's value.
const SELECT_FIELD: &str = "com.atlassian.jira.plugin.system.customfieldtypes:select";
/// Pages of create metadata read at most (200 entries each).
const MAX_PAGES: usize = 5;

pub async fn run(caps: &Caps, config: &EpmSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    let project = project(caps, config, &mut checks).await;
    let issue_type = match &project {
        Some(_) => issue_type(caps, config, &mut checks).await,
        None => {
            checks.push(Check::skip(
                "issueType",
                issue_type_title(config),
                "Skipped: the project check failed.",
            ));
            None
        }
    };
    match &issue_type {
        Some(issue_type_id) => checks.push(custom_field(caps, config, issue_type_id).await),
        None => checks.push(Check::skip(
            "customField",
            custom_field_title(config),
            "Skipped: the project or issue type check failed.",
        )),
    }
    checks.push(assignee(caps, config).await);
    checks.extend(duration_field(caps, config).await);
    match (&project, &issue_type) {
        (Some(project_id), Some(issue_type_id)) => {
            checks.extend(statuses(caps, config, project_id, issue_type_id).await);
        }
        _ => {
            for (id, name) in [
                ("approvedStatus", &config.approved_status),
                ("deniedStatus", &config.denied_status),
            ] {
                checks.push(Check::skip(
                    id,
                    status_title(id, name),
                    "Skipped: the project or issue type check failed.",
                ));
            }
        }
    }
    checks
}

/// The project's id when it exists and the app may create issues in it.
async fn project(caps: &Caps, config: &EpmSettings, checks: &mut Vec<Check>) -> Option<String> {
    let key = &config.project_key;
    let title = format!("Project {key}");
    let path = format!("/rest/api/3/project/{}", query_value(key));
    let project = match client::call(caps, Actor::App, "GET", &path, None).await {
        Ok(project) => project,
        Err(JiraError::Refused { status: 404, .. }) => {
            checks.push(Check::fail(
                "project",
                title,
                format!("Jira has no project with key {key} that the app can see."),
                format!(
                    "Create the project (a Jira Service Management project gives internal notes), or change \
                     \"Project key\" to an existing project's key. If {key} exists, give the app access to it \
                     (Project settings → Permissions: Browse projects for atlassian-addons-project-access)."
                ),
            ));
            return None;
        }
        Err(e) => {
            checks.push(Check::could_not_check("project", title, &e));
            return None;
        }
    };
    let id = project["id"].as_str().unwrap_or_default().to_string();
    let name = project["name"].as_str().unwrap_or(key);
    let path = format!(
        "/rest/api/3/mypermissions?projectKey={}&permissions=BROWSE_PROJECTS,CREATE_ISSUES",
        query_value(key)
    );
    let permissions = match client::call(caps, Actor::App, "GET", &path, None).await {
        Ok(answer) => answer,
        Err(e) => {
            checks.push(Check::could_not_check("project", title, &e));
            return None;
        }
    };
    let has = |permission: &str| {
        permissions
            .pointer(&format!("/permissions/{permission}/havePermission"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let missing: Vec<&str> = [
        ("BROWSE_PROJECTS", "Browse projects"),
        ("CREATE_ISSUES", "Create issues"),
    ]
    .iter()
    .filter(|(key, _)| !has(key))
    .map(|(_, name)| *name)
    .collect();
    if !missing.is_empty() {
        checks.push(Check::fail(
            "project",
            title,
            format!("{name} ({key}) exists, but the app lacks: {}.", missing.join(", ")),
            format!(
                "In {key}'s permission scheme (Project settings → Permissions), grant {} to the \
                 atlassian-addons-project-access role (or to the app's user, PAM Approvals for Jira).",
                missing.join(" and ")
            ),
        ));
        return None;
    }
    let kind = project["projectTypeKey"].as_str().unwrap_or("");
    let detail = if kind == "service_desk" {
        format!("{name} ({key}) is a service project; the app can create issues in it.")
    } else {
        format!(
            "{name} ({key}) exists and the app can create issues in it. It is not a service project, so \
             decision notes are comments restricted to no one: use a service project for internal notes."
        )
    };
    checks.push(Check::pass("project", title, detail));
    (!id.is_empty()).then_some(id)
}

fn issue_type_title(config: &EpmSettings) -> String {
    format!("Issue type \"{}\"", config.issue_type_name)
}

/// Reads every page of a create-metadata list (`issueTypes` or `fields`).
async fn pages(caps: &Caps, base: &str, keys: [&str; 2]) -> Result<Vec<Value>, JiraError> {
    let mut items = Vec::new();
    for page in 0..MAX_PAGES {
        let path = format!("{base}?startAt={}&maxResults=200", page * 200);
        let answer = client::call(caps, Actor::App, "GET", &path, None).await?;
        let batch = keys
            .iter()
            .find_map(|k| answer[*k].as_array())
            .cloned()
            .unwrap_or_default();
        let total = answer["total"].as_u64().unwrap_or(0) as usize;
        let done = batch.len() < 200 || items.len() + batch.len() >= total;
        items.extend(batch);
        if done {
            break;
        }
    }
    Ok(items)
}

/// The issue type's id when the project has it.
async fn issue_type(caps: &Caps, config: &EpmSettings, checks: &mut Vec<Check>) -> Option<String> {
    let title = issue_type_title(config);
    let base = format!(
        "/rest/api/3/issue/createmeta/{}/issuetypes",
        query_value(&config.project_key)
    );
    let types = match pages(caps, &base, ["issueTypes", "createMetaIssueType"]).await {
        Ok(types) => types,
        Err(e) => {
            checks.push(Check::could_not_check("issueType", title, &e));
            return None;
        }
    };
    let wanted = config.issue_type_name.trim();
    let found = types
        .iter()
        .find(|t| t["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(wanted)));
    match found.and_then(|t| t["id"].as_str()) {
        Some(id) => {
            checks.push(Check::pass(
                "issueType",
                title,
                format!("{} has issue type \"{wanted}\" (id {id}).", config.project_key),
            ));
            Some(id.to_string())
        }
        None => {
            let names: Vec<&str> = types.iter().filter_map(|t| t["name"].as_str()).collect();
            checks.push(Check::fail(
                "issueType",
                title,
                format!(
                    "{} has no issue type \"{wanted}\"; its issue types are: {}.",
                    config.project_key,
                    if names.is_empty() {
                        "none you can create".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                format!(
                    "Add \"{wanted}\" to {}'s issue types (Project settings → Issue types), or set \"Issue type \
                     name\" to one of the names listed.",
                    config.project_key
                ),
            ));
            None
        }
    }
}

fn custom_field_title(config: &EpmSettings) -> String {
    format!("Custom field {}", config.custom_field_id)
}

async fn custom_field(caps: &Caps, config: &EpmSettings, issue_type_id: &str) -> Check {
    let id = &config.custom_field_id;
    let title = custom_field_title(config);
    let fields = match client::call(caps, Actor::App, "GET", "/rest/api/3/field", None).await {
        Ok(fields) => fields,
        Err(e) => return Check::could_not_check("customField", title, &e),
    };
    let Some(field) = fields
        .as_array()
        .and_then(|all| all.iter().find(|f| f["id"].as_str() == Some(id)))
    else {
        return Check::fail(
            "customField",
            title,
            format!("Jira has no field {id}."),
            "Create a \"Short text\" custom field for the EPM request id (Jira settings → Issues → Custom \
             fields), add it to the request issue type's create screen, and paste its id (customfield_…) \
             into \"Custom field ID\".",
        );
    };
    let name = field["name"].as_str().unwrap_or(id);
    let kind = field.pointer("/schema/custom").and_then(Value::as_str).unwrap_or("");
    if kind != TEXT_FIELD {
        let described = if kind.is_empty() {
            field
                .pointer("/schema/type")
                .and_then(Value::as_str)
                .unwrap_or("a system field")
        } else {
            kind.rsplit(':').next().unwrap_or(kind)
        };
        return Check::fail(
            "customField",
            title,
            format!("{id} (\"{name}\") is {described}, not a single-line text field."),
            "Use a \"Short text (plain text only)\" custom field for the EPM request id: create one if needed \
             and paste its id into \"Custom field ID\".",
        );
    }
    let base = format!(
        "/rest/api/3/issue/createmeta/{}/issuetypes/{}",
        query_value(&config.project_key),
        query_value(issue_type_id)
    );
    let on_screen = match pages(caps, &base, ["fields", "results"]).await {
        Ok(fields) => fields.iter().any(|f| f["fieldId"].as_str() == Some(id)),
        Err(e) => return Check::could_not_check("customField", title, &e),
    };
    if on_screen {
        Check::pass(
            "customField",
            title,
            format!(
                "\"{name}\" is a text field on the create screen of {} in {}.",
                config.issue_type_name, config.project_key
            ),
        )
    } else {
        Check::fail(
            "customField",
            title,
            format!(
                "\"{name}\" is not on the create screen of \"{}\" in {}, so Jira would refuse every new issue.",
                config.issue_type_name, config.project_key
            ),
            format!(
                "Add \"{name}\" to the create screen used by \"{}\" in {} (Project settings → Issue types → {} \
                 → Fields, or the screen scheme), then validate again.",
                config.issue_type_name, config.project_key, config.issue_type_name
            ),
        )
    }
}

async fn assignee(caps: &Caps, config: &EpmSettings) -> Check {
    let name = config.assignee_name.trim();
    let title = "Default assignee".to_string();
    if name.is_empty() {
        return Check::pass(
            "assignee",
            title,
            "No default assignee: new issues get the project's default assignee, if any.",
        );
    }
    let needle = users::needle(name);
    let path = format!("/rest/api/3/user/search?query={}&maxResults=50", query_value(needle));
    let found = match client::call(caps, Actor::App, "GET", &path, None).await {
        Ok(found) => found,
        Err(e) => return Check::could_not_check("assignee", title, &e),
    };
    let matches = users::matches(&found, needle);
    match (matches.active.as_slice(), matches.inactive) {
        ([(_, display)], _) => Check::pass(
            "assignee",
            title,
            format!("\"{name}\" is {display}, an active Jira user."),
        ),
        ([], 0) => Check::fail(
            "assignee",
            title,
            format!("No Jira user matches \"{name}\"."),
            "Enter the assignee's exact display name, email address or account id, or leave \"Assignee name\" \
             empty.",
        ),
        ([], _) => Check::fail(
            "assignee",
            title,
            format!("\"{name}\" matches only deactivated Jira users."),
            "Choose an active user as the default assignee, or leave \"Assignee name\" empty.",
        ),
        (several, _) => Check::fail(
            "assignee",
            title,
            format!(
                "{} active users match \"{name}\", so the app cannot tell which one.",
                several.len()
            ),
            format!(
                "Enter an email address or account id instead, e.g. {}.",
                several
                    .iter()
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
    }
}

fn status_title(id: &str, name: &str) -> String {
    let which = if id == "approvedStatus" { "Approved" } else { "Denied" };
    format!("{which} status \"{name}\"")
}

/// Whether the workflow of the project's issue type has each decision status and a transition
/// into it (by status or transition name, as the decision looks it up).
async fn statuses(caps: &Caps, config: &EpmSettings, project_id: &str, issue_type_id: &str) -> Vec<Check> {
    let targets = [
        ("approvedStatus", &config.approved_status, "Approved status"),
        ("deniedStatus", &config.denied_status, "Denied status"),
    ];
    let body = json!({"projectAndIssueTypes": [{"projectId": project_id, "issueTypeId": issue_type_id}]});
    let answer = client::call(caps, Actor::User, "POST", "/rest/api/3/workflows", Some(&body)).await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            return targets
                .iter()
                .map(|(id, name, _)| Check::could_not_check(id, status_title(id, name), &e))
                .collect();
        }
    };
    let Some(workflow) = answer["workflows"].as_array().and_then(|w| w.first()) else {
        return targets
            .iter()
            .map(|(id, name, _)| {
                Check::fail(
                    id,
                    status_title(id, name),
                    format!(
                        "Jira returned no workflow for \"{}\" in {}.",
                        config.issue_type_name, config.project_key
                    ),
                    "Check the project's workflow scheme, then validate again.",
                )
            })
            .collect();
    };
    let workflow_name = workflow["name"].as_str().unwrap_or("the workflow");
    let empty = Vec::new();
    let status_defs = answer["statuses"].as_array().unwrap_or(&empty);
    let used: Vec<&str> = workflow["statuses"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|s| s["statusReference"].as_str())
        .collect();
    let status_name = |reference: &str| {
        status_defs
            .iter()
            .find(|s| s["statusReference"].as_str() == Some(reference) || s["id"].as_str() == Some(reference))
            .and_then(|s| s["name"].as_str())
    };
    let names: Vec<&str> = used.iter().filter_map(|r| status_name(r)).collect();
    let transitions = workflow["transitions"].as_array().unwrap_or(&empty);
    let mut checks: Vec<Check> = targets
        .iter()
        .map(|(id, wanted, setting)| {
            let title = status_title(id, wanted);
            let reaches = |t: &&Value| {
                t["type"].as_str() != Some("INITIAL")
                    && (t["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(wanted))
                        || t["toStatusReference"]
                            .as_str()
                            .and_then(status_name)
                            .is_some_and(|n| n.eq_ignore_ascii_case(wanted)))
            };
            let has_status = names.iter().any(|n| n.eq_ignore_ascii_case(wanted));
            match transitions.iter().find(reaches) {
                Some(t) => Check::pass(
                    id,
                    title,
                    format!(
                        "{workflow_name} reaches it with transition \"{}\".",
                        t["name"].as_str().unwrap_or("?")
                    ),
                ),
                None if has_status => Check::fail(
                    id,
                    title,
                    format!("{workflow_name} has the status \"{wanted}\" but no transition into it."),
                    format!(
                        "Add a transition into \"{wanted}\" to {workflow_name} (a global transition works from any \
                         status), or the decision stays in the issue's current status."
                    ),
                ),
                None => Check::fail(
                    id,
                    title,
                    format!(
                        "{workflow_name} has no status \"{wanted}\"; its statuses are: {}.",
                        names.join(", ")
                    ),
                    format!("Set \"{setting}\" to one of the statuses listed, or add \"{wanted}\" to {workflow_name} with a transition into it."),
                ),
            }
        })
        .collect();
    if config.decide_by_transition || config.decide_by_jsm_approval {
        checks.push(move_back(config, workflow_name, transitions, &status_name));
    }
    checks
}

/// Deciding in Jira: a move the app does not accept is moved back, so the workflow needs a
/// transition from each decision status back to where requests start.
fn move_back<'a>(
    config: &EpmSettings,
    workflow_name: &str,
    transitions: &'a [Value],
    status_name: &dyn Fn(&str) -> Option<&'a str>,
) -> Check {
    let title = "Moving a refused decision back".to_string();
    let initial = transitions
        .iter()
        .find(|t| t["type"].as_str() == Some("INITIAL"))
        .and_then(|t| t["toStatusReference"].as_str());
    let Some(initial) = initial else {
        return Check::warn(
            "moveBack",
            title,
            format!("{workflow_name} has no create transition, so the app cannot tell where requests start."),
            "Check the workflow in Jira settings → Issues → Workflows.",
        );
    };
    let initial_name = status_name(initial).unwrap_or(initial);
    let back_from = |status: &str| {
        transitions.iter().any(|t| {
            t["type"].as_str() != Some("INITIAL")
                && t["toStatusReference"].as_str() == Some(initial)
                && t["links"].as_array().is_none_or(|links| {
                    links.is_empty()
                        || links.iter().any(|l| {
                            l["fromStatusReference"]
                                .as_str()
                                .and_then(status_name)
                                .is_some_and(|n| n.eq_ignore_ascii_case(status))
                        })
                })
        })
    };
    let missing: Vec<&str> = [config.approved_status.as_str(), config.denied_status.as_str()]
        .into_iter()
        .filter(|status| !back_from(status))
        .collect();
    if missing.is_empty() {
        Check::pass(
            "moveBack",
            title,
            format!(
                "{workflow_name} can move a request from \"{}\" and \"{}\" back to \"{initial_name}\", so a move the app refuses is undone.",
                config.approved_status, config.denied_status
            ),
        )
    } else {
        Check::warn(
            "moveBack",
            title,
            format!(
                "{workflow_name} has no transition from \"{}\" back to \"{initial_name}\": a move the app refuses (by the requester, by someone without the right) stays where it is, with a note saying the request is still open.",
                missing.join("\" or \"")
            ),
            format!(
                "Add a transition back to \"{initial_name}\" (a \"Reopen\" from the decision statuses), or turn off deciding by moving the issue."
            ),
        )
    }
}

/// The duration field of deciding in Jira: a select field Jira has.
async fn duration_field(caps: &Caps, config: &EpmSettings) -> Option<Check> {
    let id = config.duration_field_id.trim();
    if id.is_empty() || !(config.decide_by_transition || config.decide_by_jsm_approval) {
        return None;
    }
    let title = format!("Duration field {id}");
    let fields = match client::call(caps, Actor::App, "GET", "/rest/api/3/field", None).await {
        Ok(fields) => fields,
        Err(e) => return Some(Check::could_not_check("durationField", title, &e)),
    };
    let Some(field) = fields
        .as_array()
        .and_then(|all| all.iter().find(|f| f["id"].as_str() == Some(id)))
    else {
        return Some(Check::fail(
            "durationField",
            title,
            format!("Jira has no field {id}."),
            "Create a \"Select list (single choice)\" custom field with options like \"Once\", \"4 hours\", \"1 day\", add it to the approve transition's screen or the issue's edit screen, and paste its id into \"Duration field ID\" (or leave it empty to use the default duration).",
        ));
    };
    let name = field["name"].as_str().unwrap_or(id);
    let kind = field.pointer("/schema/custom").and_then(Value::as_str).unwrap_or("");
    Some(if kind == SELECT_FIELD {
        Check::pass(
            "durationField",
            title,
            format!(
                "\"{name}\" is a single-choice select: its value (\"4 hours\", \"once\") is the duration of an approval made in Jira."
            ),
        )
    } else {
        Check::fail(
            "durationField",
            title,
            format!("{id} (\"{name}\") is not a single-choice select field."),
            "Use a \"Select list (single choice)\" custom field whose options are durations, or leave \"Duration field ID\" empty.",
        )
    })
}
