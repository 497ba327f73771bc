//! Issues and comments in Jira's REST shapes, with `fields` and `properties` selection.

use std::collections::BTreeSet;

use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::JiraSandbox;
use super::store::{self, Comment, Issue};
use super::time::jira_time;

/// The `fields` parameter: `*all`, `*navigable`, field ids, `-id` exclusions, `id` (none).
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldSelection {
    all: bool,
    navigable: bool,
    include: BTreeSet<String>,
    exclude: BTreeSet<String>,
}

impl FieldSelection {
    pub(crate) fn parse<S: AsRef<str>>(items: &[S]) -> FieldSelection {
        let mut selection = FieldSelection::default();
        for item in items {
            let item = item.as_ref().trim();
            match item {
                "*all" => selection.all = true,
                "*navigable" => selection.navigable = true,
                "" | "id" => {}
                _ => match item.strip_prefix('-') {
                    Some(excluded) => {
                        selection.exclude.insert(excluded.to_string());
                    }
                    None => {
                        selection.include.insert(item.to_string());
                    }
                },
            }
        }
        selection
    }

    pub(crate) fn all() -> FieldSelection {
        FieldSelection {
            all: true,
            ..FieldSelection::default()
        }
    }

    fn wants(&self, id: &str, navigable: bool) -> bool {
        if self.exclude.contains(id) {
            return false;
        }
        self.all || (self.navigable && navigable) || self.include.contains(id)
    }

    /// Nothing but the issue id was asked for.
    pub(crate) fn is_id_only(&self) -> bool {
        !self.all && !self.navigable && self.include.is_empty()
    }
}

/// The `properties` parameter.
#[derive(Debug, Clone, Default)]
pub(crate) enum PropertySelection {
    #[default]
    None,
    All,
    Keys(Vec<String>),
}

impl PropertySelection {
    pub(crate) fn parse<S: AsRef<str>>(items: Option<&[S]>) -> PropertySelection {
        let Some(items) = items else {
            return PropertySelection::None;
        };
        if items.iter().any(|item| item.as_ref() == "*all") {
            return PropertySelection::All;
        }
        let keys: Vec<String> = items
            .iter()
            .map(|item| item.as_ref().trim().to_string())
            .filter(|item| !item.is_empty() && !item.starts_with('-'))
            .collect();
        if keys.is_empty() {
            PropertySelection::None
        } else {
            PropertySelection::Keys(keys)
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            PropertySelection::Keys(keys) => keys.len(),
            _ => 0,
        }
    }
}

impl JiraSandbox {
    /// An issue as `GET /rest/api/3/issue/{key}` returns it.
    pub(crate) fn issue_json(
        &self,
        conn: &Connection,
        issue: &Issue,
        fields: &FieldSelection,
        properties: &PropertySelection,
    ) -> rusqlite::Result<Value> {
        let mut object = Map::new();
        object.insert(
            "expand".into(),
            json!("renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"),
        );
        object.insert("id".into(), json!(issue.id.to_string()));
        object.insert("self".into(), json!(self.issue_self(issue.id)));
        object.insert("key".into(), json!(issue.key));
        object.insert("fields".into(), Value::Object(self.issue_fields(conn, issue, fields)?));
        if let Some(selected) = self.issue_properties(conn, issue.id, properties)? {
            object.insert("properties".into(), Value::Object(selected));
        }
        Ok(Value::Object(object))
    }

    pub(crate) fn issue_properties(
        &self,
        conn: &Connection,
        issue_id: i64,
        selection: &PropertySelection,
    ) -> rusqlite::Result<Option<Map<String, Value>>> {
        let wanted = |key: &str| match selection {
            PropertySelection::None => false,
            PropertySelection::All => true,
            PropertySelection::Keys(keys) => keys.iter().any(|k| k == key),
        };
        if matches!(selection, PropertySelection::None) {
            return Ok(None);
        }
        Ok(Some(
            store::properties(conn, issue_id)?
                .into_iter()
                .filter(|(key, _)| wanted(key))
                .collect(),
        ))
    }

    pub(crate) fn issue_fields(
        &self,
        conn: &Connection,
        issue: &Issue,
        selection: &FieldSelection,
    ) -> rusqlite::Result<Map<String, Value>> {
        let links = self.links();
        let catalog = &self.catalog;
        let user = |account: &Option<String>| match account {
            Some(id) => links.user_or_unknown(catalog, id),
            None => Value::Null,
        };
        let mut fields = Map::new();
        for field in &catalog.fields {
            if !selection.wants(&field.id, field.navigable) {
                continue;
            }
            let value = match field.id.as_str() {
                "summary" => json!(issue.summary),
                "description" => issue.description.clone().unwrap_or(Value::Null),
                "assignee" => user(&issue.assignee),
                "reporter" => user(&issue.reporter),
                "labels" => json!(issue.labels),
                "status" => catalog
                    .status(&issue.status_id)
                    .map(|status| links.status(status))
                    .unwrap_or(Value::Null),
                "project" => catalog
                    .project_by_id(&issue.project_id)
                    .map(|project| links.project_ref(project))
                    .unwrap_or(Value::Null),
                "issuetype" => catalog
                    .issue_type(&issue.issue_type_id)
                    .map(|issue_type| links.issue_type(issue_type))
                    .unwrap_or(Value::Null),
                "created" => json!(jira_time(issue.created)),
                "updated" => json!(jira_time(issue.updated)),
                id if field.is_select() => issue
                    .custom
                    .get(id)
                    .and_then(|stored| stored.get("id"))
                    .and_then(Value::as_str)
                    .and_then(|option_id| field.option(option_id))
                    .map(|option| links.field_option(option))
                    .unwrap_or(Value::Null),
                id if field.custom => issue.custom.get(id).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            };
            fields.insert(field.id.clone(), value);
        }
        if selection.wants("creator", true) {
            fields.insert("creator".into(), user(&issue.creator));
        }
        if selection.wants("comment", false) {
            let comments: Vec<Value> = store::comments(conn, issue.id)?
                .iter()
                .map(|comment| self.comment_json(comment, false))
                .collect();
            fields.insert(
                "comment".into(),
                json!({
                    "comments": comments,
                    "self": format!("{}/comment", self.issue_self(issue.id)),
                    "maxResults": comments.len(),
                    "total": comments.len(),
                    "startAt": 0,
                }),
            );
        }
        Ok(fields)
    }

    /// A platform comment (`GET .../comment`).
    pub(crate) fn comment_json(&self, comment: &Comment, with_properties: bool) -> Value {
        let links = self.links();
        let author = links.user_or_unknown(&self.catalog, &comment.author);
        let mut value = json!({
            "self": format!("{}/comment/{}", self.issue_self(comment.issue_id), comment.id),
            "id": comment.id.to_string(),
            "author": author,
            "body": comment.body,
            "updateAuthor": author,
            "created": jira_time(comment.created),
            "updated": jira_time(comment.updated),
            "jsdPublic": comment.jsd_public,
        });
        if let Some(object) = value.as_object_mut() {
            if let Some(visibility) = &comment.visibility {
                object.insert("visibility".into(), visibility.clone());
            }
            if with_properties {
                let properties: Vec<Value> = comment
                    .properties
                    .iter()
                    .map(|(key, value)| json!({"key": key, "value": value}))
                    .collect();
                object.insert("properties".into(), Value::Array(properties));
            }
        }
        value
    }
}
