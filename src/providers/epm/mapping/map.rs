//! Mapping a ticket-created event to one Jira create-issue request (`IssueUpdateDetails`):
//! fields, custom field, labels, people, and the app's issue property in the same call.

use serde_json::{Map, Value, json};

use super::describe::description;
use super::placeholders::render_summary;
use super::property::EpmProperty;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{RequestRef, TicketCreated};

/// Issue property holding the app's facts about an EPM request.
pub const ISSUE_PROPERTY: &str = "pam-approvals.epm";

/// Accounts found for the people on the issue (`None`: leave it to Jira).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    pub assignee: Option<String>,
    pub reporter: Option<String>,
}

/// The body of `POST /rest/api/3/issue`.
pub fn create_issue(config: &EpmSettings, request: &TicketCreated, people: &People, property: &EpmProperty) -> Value {
    let mut fields = Map::new();
    fields.insert("project".into(), json!({ "key": config.project_key }));
    fields.insert("issuetype".into(), json!({ "name": config.issue_type_name }));
    fields.insert(
        "summary".into(),
        json!(render_summary(&config.summary_template, request)),
    );
    fields.insert("description".into(), description(request));
    fields.insert(config.custom_field_id.clone(), json!(request.request.request_id));
    if !config.labels.is_empty() {
        fields.insert("labels".into(), json!(config.labels));
    }
    if let Some(id) = &people.assignee {
        fields.insert("assignee".into(), json!({ "accountId": id }));
    }
    if let Some(id) = &people.reporter {
        fields.insert("reporter".into(), json!({ "accountId": id }));
    }
    json!({
        "fields": fields,
        "properties": [{ "key": ISSUE_PROPERTY, "value": property.to_value() }],
    })
}

/// The JQL that finds the issue of a request by its exact request id in the app's indexed
/// property (used to recover after a run stopped between creating the issue and recording it).
/// A `string` index path compares whole values with `=`; the value is a JQL string literal.
pub fn find_issue_jql(request: &RequestRef) -> String {
    format!(
        "issue.property[{ISSUE_PROPERTY}].requestId = {} AND issue.property[{ISSUE_PROPERTY}].tenantId = {}",
        crate::jira::client::jql_string(&request.request_id),
        crate::jira::client::jql_string(&request.tenant_id)
    )
}
