//! Reading `fields`, `update` and `properties` of an `IssueUpdateDetails` body (create, edit,
//! transition) into checked changes, with Jira's field error messages.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::catalog::{Catalog, FieldRec, IssueTypeRec, ProjectRec};
use super::error::{FieldErrors, JiraError};
use super::store::Issue;

const MAX_SUMMARY_CHARS: usize = 255;
const MAX_TEXT_FIELD_CHARS: usize = 255;
const MAX_LABEL_CHARS: usize = 255;
pub(crate) const MAX_PROPERTY_KEY_CHARS: usize = 255;
pub(crate) const MAX_PROPERTY_VALUE_BYTES: usize = 32_768;

/// Checked field changes; `Some(None)` clears a field.
#[derive(Debug, Default)]
pub(crate) struct FieldChanges {
    pub summary: Option<String>,
    pub description: Option<Option<Value>>,
    pub assignee: Option<Option<String>>,
    pub reporter: Option<Option<String>>,
    pub labels: Option<Vec<String>>,
    pub label_ops: Vec<LabelOp>,
    pub custom: BTreeMap<String, Value>,
}

#[derive(Debug)]
pub(crate) enum LabelOp {
    Add(String),
    Remove(String),
}

impl FieldChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.summary.is_none()
            && self.description.is_none()
            && self.assignee.is_none()
            && self.reporter.is_none()
            && self.labels.is_none()
            && self.label_ops.is_empty()
            && self.custom.is_empty()
    }

    pub(crate) fn apply(self, issue: &mut Issue) {
        if let Some(summary) = self.summary {
            issue.summary = summary;
        }
        if let Some(description) = self.description {
            issue.description = description;
        }
        if let Some(assignee) = self.assignee {
            issue.assignee = assignee;
        }
        if let Some(reporter) = self.reporter {
            issue.reporter = reporter;
        }
        if let Some(labels) = self.labels {
            issue.labels = labels;
        }
        for op in self.label_ops {
            match op {
                LabelOp::Add(label) => {
                    if !issue.labels.contains(&label) {
                        issue.labels.push(label);
                    }
                }
                LabelOp::Remove(label) => issue.labels.retain(|l| *l != label),
            }
        }
        for (field, value) in self.custom {
            if value.is_null() {
                issue.custom.remove(&field);
            } else {
                issue.custom.insert(field, value);
            }
        }
    }
}

fn cannot_be_set(field: &str) -> String {
    format!("Field '{field}' cannot be set. It is not on the appropriate screen, or unknown.")
}

/// Reads `fields` and `update` for an issue of `project` / `issue_type`. `project` and
/// `issuetype` are skipped (the caller resolves them on create; they cannot change on edit).
pub(crate) fn read_changes(
    catalog: &Catalog,
    body: &Value,
    project: &ProjectRec,
    issue_type: &IssueTypeRec,
    creating: bool,
    errors: &mut FieldErrors,
) -> FieldChanges {
    let mut changes = FieldChanges::default();
    let empty = Map::new();
    let fields = body.get("fields").and_then(Value::as_object).unwrap_or(&empty);
    for (field, value) in fields {
        if matches!(field.as_str(), "project" | "issuetype") {
            if !creating {
                errors.add(field, cannot_be_set(field));
            }
            continue;
        }
        set_field(catalog, project, issue_type, field, value, &mut changes, errors);
    }
    let update = body.get("update").and_then(Value::as_object).unwrap_or(&empty);
    for (field, operations) in update {
        if fields.contains_key(field) {
            errors.add(
                field,
                format!("Field '{field}' cannot be changed in both 'fields' and 'update'."),
            );
            continue;
        }
        for operation in operations.as_array().into_iter().flatten() {
            let Some(operation) = operation.as_object() else {
                continue;
            };
            for (verb, value) in operation {
                match (field.as_str(), verb.as_str()) {
                    (_, "set") => set_field(catalog, project, issue_type, field, value, &mut changes, errors),
                    ("labels", "add" | "remove") => match value.as_str() {
                        Some(label) if label_ok(label, errors) => changes.label_ops.push(if verb == "add" {
                            LabelOp::Add(label.to_string())
                        } else {
                            LabelOp::Remove(label.to_string())
                        }),
                        Some(_) => {}
                        None => errors.add("labels", "The label must be a string."),
                    },
                    _ => errors.add(
                        field,
                        format!("The operation '{verb}' is not supported for field '{field}'."),
                    ),
                }
            }
        }
    }
    changes
}

fn label_ok(label: &str, errors: &mut FieldErrors) -> bool {
    if label.chars().any(char::is_whitespace) {
        errors.add(
            "labels",
            format!("The label '{label}' contains spaces which is invalid."),
        );
        false
    } else if label.is_empty() {
        errors.add("labels", "The label must not be empty.");
        false
    } else if label.chars().count() > MAX_LABEL_CHARS {
        errors.add(
            "labels",
            format!("The label exceeds the maximum length for a single label of {MAX_LABEL_CHARS} characters."),
        );
        false
    } else {
        true
    }
}

fn account_id(value: &Value) -> Option<&str> {
    value
        .get("accountId")
        .or_else(|| value.get("id"))
        .and_then(Value::as_str)
}

fn set_field(
    catalog: &Catalog,
    project: &ProjectRec,
    issue_type: &IssueTypeRec,
    field: &str,
    value: &Value,
    changes: &mut FieldChanges,
    errors: &mut FieldErrors,
) {
    let known = catalog
        .field(field)
        .filter(|f| f.settable && f.on_screen(&project.id, &issue_type.id));
    if known.is_none() {
        errors.add(field, cannot_be_set(field));
        return;
    }
    match field {
        "summary" => match value.as_str() {
            Some(summary) if summary.trim().is_empty() => {
                errors.add("summary", "You must specify a summary of the issue.")
            }
            Some(summary) if summary.contains(['\n', '\r']) => errors.add(
                "summary",
                "The summary is invalid because it contains newline characters.",
            ),
            Some(summary) if summary.chars().count() > MAX_SUMMARY_CHARS => errors.add(
                "summary",
                format!("Summary must be less than {MAX_SUMMARY_CHARS} characters."),
            ),
            Some(summary) => changes.summary = Some(summary.to_string()),
            None => errors.add("summary", "Operation value must be a string"),
        },
        "description" => match value {
            Value::Null => changes.description = Some(None),
            Value::Object(_) => changes.description = Some(Some(value.clone())),
            _ => errors.add(
                "description",
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            ),
        },
        "assignee" => match value {
            Value::Null => changes.assignee = Some(None),
            _ => match account_id(value) {
                Some(id) => match catalog.user(id) {
                    Some(user) if user.active && user.account_type == "atlassian" => {
                        changes.assignee = Some(Some(id.to_string()))
                    }
                    _ => errors.add("assignee", format!("User '{id}' cannot be assigned issues.")),
                },
                None => errors.add("assignee", "Specify the assignee by accountId."),
            },
        },
        "reporter" => match value {
            Value::Null => errors.add("reporter", "Reporter is required."),
            _ => match account_id(value) {
                Some(id) => match catalog.user(id) {
                    Some(user) if user.active => changes.reporter = Some(Some(id.to_string())),
                    Some(_) => errors.add("reporter", format!("The reporter '{id}' is not active.")),
                    None => errors.add("reporter", "The reporter specified is not a user."),
                },
                None => errors.add("reporter", "Specify the reporter by accountId."),
            },
        },
        "labels" => match value.as_array() {
            Some(items) => {
                let mut labels = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(label) if label_ok(label, errors) => {
                            if !labels.iter().any(|l| l == label) {
                                labels.push(label.to_string());
                            }
                        }
                        Some(_) => {}
                        None => errors.add("labels", "The label must be a string."),
                    }
                }
                changes.labels = Some(labels);
            }
            None => errors.add("labels", "data was not an array"),
        },
        custom => {
            let type_name = known
                .and_then(|f| f.schema.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("any");
            match (type_name, value) {
                (_, Value::Null) => {
                    changes.custom.insert(custom.to_string(), Value::Null);
                }
                ("string", Value::String(text)) if text.chars().count() > MAX_TEXT_FIELD_CHARS => {
                    errors.add(
                        custom,
                        format!(
                            "The entered text is too long. It exceeds the allowed limit of {MAX_TEXT_FIELD_CHARS} characters."
                        ),
                    )
                }
                ("string", Value::String(_)) => {
                    changes.custom.insert(custom.to_string(), value.clone());
                }
                ("string", _) => errors.add(custom, "Operation value must be a string"),
                ("option", _) => match known.map(|field| select_option(field, value)) {
                    Some(Ok(option)) => {
                        changes.custom.insert(custom.to_string(), option);
                    }
                    Some(Err(message)) => errors.add(custom, message),
                    None => errors.add(custom, cannot_be_set(custom)),
                },
                _ => {
                    changes.custom.insert(custom.to_string(), value.clone());
                }
            }
        }
    }
}

/// A select field's value (`{"id": ...}` or `{"value": ...}`) as stored: `{"id", "value"}` of
/// one of its options; otherwise Jira's message naming what was sent.
fn select_option(field: &FieldRec, value: &Value) -> Result<Value, String> {
    let by_id = value.get("id").and_then(Value::as_str);
    let by_value = value.get("value").and_then(Value::as_str);
    let option = match (by_id, by_value) {
        (Some(id), _) => field
            .option(id)
            .ok_or_else(|| format!("Option id '{id}' is not valid."))?,
        (None, Some(text)) => field
            .options
            .iter()
            .find(|option| option.value == text)
            .ok_or_else(|| format!("Option value '{text}' is not valid."))?,
        (None, None) => {
            return Err(format!(
                "Specify a valid 'id' or 'value' for {}: an object such as {{\"id\": \"...\"}}.",
                field.name
            ));
        }
    };
    Ok(serde_json::json!({"id": option.id, "value": option.value}))
}

/// Reads `properties: [{key, value}]`.
pub(crate) fn read_properties(body: &Value) -> Result<Vec<(String, Value)>, JiraError> {
    let mut properties = Vec::new();
    for property in body.get("properties").and_then(Value::as_array).into_iter().flatten() {
        let key = property.get("key").and_then(Value::as_str).unwrap_or("");
        let value = property.get("value").cloned().unwrap_or(Value::Null);
        check_property(key, &value)?;
        properties.push((key.to_string(), value));
    }
    Ok(properties)
}

/// Jira's limits on entity properties.
pub(crate) fn check_property(key: &str, value: &Value) -> Result<(), JiraError> {
    if key.is_empty() {
        return Err(JiraError::bad_request("The property key cannot be empty."));
    }
    if key.chars().count() > MAX_PROPERTY_KEY_CHARS {
        return Err(JiraError::bad_request(format!(
            "The property key cannot be longer than {MAX_PROPERTY_KEY_CHARS} characters."
        )));
    }
    if value.is_null() {
        return Err(JiraError::bad_request(format!(
            "The value of property '{key}' must be a valid, non-empty JSON value."
        )));
    }
    if value.to_string().len() > MAX_PROPERTY_VALUE_BYTES {
        return Err(JiraError::bad_request(format!(
            "The property '{key}' has a value longer than {MAX_PROPERTY_VALUE_BYTES} bytes."
        )));
    }
    Ok(())
}
