//! Changing an issue: an edit of its fields and a workflow transition (with the fields set on
//! it). The REST routes, the issue page's status control and JSM approvals all change issues
//! through here, so each change is checked the same way and records one issue-updated event
//! (`events.rs`) when it changes something.

use axum::http::StatusCode;
use rusqlite::Connection;
use serde_json::Value;

use super::JiraSandbox;
use super::error::{FieldErrors, JiraError};
use super::issue_fields::{read_changes, read_properties};
use super::routes_meta::holds;
use super::store::{self, Issue};
use super::time::now_ms;

impl JiraSandbox {
    /// Applies the `fields`/`update`/`properties` of an edit or transition body to `issue`;
    /// returns the properties to write. Nothing is written here.
    pub(crate) fn apply_edit(&self, issue: &mut Issue, body: &Value) -> Result<Vec<(String, Value)>, JiraError> {
        let catalog = &self.catalog;
        let project = catalog
            .project_by_id(&issue.project_id)
            .ok_or_else(|| JiraError::internal("the issue's project is missing"))?;
        let issue_type = catalog
            .issue_type(&issue.issue_type_id)
            .ok_or_else(|| JiraError::internal("the issue's type is missing"))?;
        let mut errors = FieldErrors::default();
        let changes = read_changes(catalog, body, project, issue_type, false, &mut errors);
        errors.into_result()?;
        let properties = read_properties(body)?;
        if !changes.is_empty() {
            changes.apply(issue);
            issue.updated = now_ms();
        }
        Ok(properties)
    }

    /// `actor` edits the issue (`PUT /rest/api/3/issue/{key}`): saved with its properties,
    /// and an event when a field changed.
    pub(crate) fn edit_issue(
        &self,
        conn: &mut Connection,
        actor: &str,
        mut issue: Issue,
        body: &Value,
    ) -> Result<Issue, JiraError> {
        let before = issue.clone();
        let properties = self.apply_edit(&mut issue, body)?;
        store::save_issue_with_properties(conn, &issue, &properties)?;
        self.record_update(conn, actor, &before, &issue)?;
        Ok(issue)
    }

    /// 403 unless `actor` holds TRANSITION_ISSUES in the issue's project.
    fn check_may_transition(&self, actor: &str, issue: &Issue) -> Result<(), JiraError> {
        let project = self.catalog.project_by_id(&issue.project_id);
        let allowed = self
            .catalog
            .user(actor)
            .is_some_and(|user| holds(&self.catalog, user, "TRANSITION_ISSUES", project));
        if allowed {
            return Ok(());
        }
        Err(JiraError::message(
            StatusCode::FORBIDDEN,
            format!(
                "You do not have permission to transition issue {}: the Transition Issues permission in project {} is required.",
                issue.key,
                project.map_or(issue.project_id.as_str(), |p| p.key.as_str())
            ),
        ))
    }

    /// `actor` moves the issue through `transition_id` with the fields of `body` (the REST
    /// route and the issue page's status control): 404 unknown issue, 403 without the
    /// permission, 400 a transition not available from the issue's status or a bad field.
    pub(crate) fn transition_issue(
        &self,
        actor: &str,
        id_or_key: &str,
        transition_id: &str,
        body: &Value,
    ) -> Result<Issue, JiraError> {
        let mut db = self.db();
        let issue = store::find_issue(&db, id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
        self.check_may_transition(actor, &issue)?;
        self.apply_transition(&mut db, actor, issue, transition_id, body)
    }

    /// The transition itself, with no permission check (a completed JSM approval moves the
    /// issue on the approver's behalf).
    pub(crate) fn apply_transition(
        &self,
        conn: &mut Connection,
        actor: &str,
        mut issue: Issue,
        transition_id: &str,
        body: &Value,
    ) -> Result<Issue, JiraError> {
        let before = issue.clone();
        let target = self
            .catalog
            .transitions_from(&issue.status_id)
            .find(|t| t.id == transition_id)
            .map(|t| t.to.clone())
            .ok_or_else(|| {
                JiraError::bad_request(format!("Transition id '{transition_id}' is not valid for this issue."))
            })?;
        let properties = self.apply_edit(&mut issue, body)?;
        issue.status_id = target;
        issue.updated = now_ms();
        store::save_issue_with_properties(conn, &issue, &properties)?;
        self.record_update(conn, actor, &before, &issue)?;
        Ok(issue)
    }
}
