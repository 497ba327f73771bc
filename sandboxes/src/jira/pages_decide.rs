//! Deciding "the Jira way" on the issue page: the Status control (a workflow transition, with
//! the Access duration for Approve) and the JSM approval panel (Approve/Decline for a signed-in
//! approver). Both post forms to routes that act as the signed-in person through the same
//! functions as the REST API (`issue_update.rs`, `approvals.rs`), then redirect back (303).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::JiraSandbox;
use super::adf_html::escape;
use super::approvals::{Approval, Decision};
use super::error::JiraError;
use super::page_shell::html;
use super::seed::ACCESS_DURATION_FIELD;
use super::session::Person;
use super::store::Issue;
use super::time::friendly;

type Shared = State<Arc<JiraSandbox>>;

/// The first value of each named field of a form-urlencoded body.
fn form_value(body: &Bytes, name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

impl JiraSandbox {
    fn problem_page(&self, headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
        let body = format!(
            "<h1>{}</h1><p class=\"problem\">{}</p>",
            escape(status.canonical_reason().unwrap_or("Refused")),
            escape(message)
        );
        html(status, self.page("Refused - Jira sandbox", headers, &body))
    }

    fn refused(&self, headers: &HeaderMap, error: &JiraError) -> Response {
        self.problem_page(headers, error.status(), error.reason())
    }

    fn not_signed_in(&self, headers: &HeaderMap) -> Response {
        self.problem_page(
            headers,
            StatusCode::UNAUTHORIZED,
            "Nobody is signed in: choose a person in \"Signed in as\" first.",
        )
    }

    fn back_to(&self, issue: &Issue) -> Response {
        let location = format!("{}/browse/{}", self.link_prefix, issue.key);
        (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
    }

    /// The Status control and the approvals panel of an issue page.
    pub(crate) fn decide_html(&self, issue: &Issue, approvals: &[Approval], person: Option<&Person>) -> String {
        let mut out = self.status_control(issue);
        if !approvals.is_empty() {
            out.push_str("<section class=\"approvals\"><h2>Approvals</h2>");
            for approval in approvals {
                out.push_str(&self.approval_html(issue, approval, person));
            }
            out.push_str("</section>");
        }
        out
    }

    fn status_control(&self, issue: &Issue) -> String {
        let transitions: Vec<_> = self.catalog.transitions_from(&issue.status_id).collect();
        if transitions.is_empty() {
            return "<section class=\"status-control\"><h2>Status</h2><p class=\"none\">No transition leaves this status.</p></section>".to_string();
        }
        let mut options = String::new();
        for transition in &transitions {
            let to = self.catalog.status(&transition.to).map_or("?", |s| s.name.as_str());
            options.push_str(&format!(
                "<option value=\"{}\">{} \u{2192} {}</option>",
                escape(&transition.id),
                escape(&transition.name),
                escape(to)
            ));
        }
        let mut duration = String::new();
        let field = self.catalog.field(ACCESS_DURATION_FIELD);
        if let Some(field) = field.filter(|_| transitions.iter().any(|t| t.name == "Approve")) {
            duration.push_str(&format!(
                "<label for=\"duration\">{} (with Approve)</label> <select name=\"duration\" id=\"duration\"><option value=\"\">\u{2014}</option>",
                escape(&field.name)
            ));
            for option in &field.options {
                duration.push_str(&format!(
                    "<option value=\"{}\">{}</option>",
                    escape(&option.id),
                    escape(&option.value)
                ));
            }
            duration.push_str("</select> ");
        }
        format!(
            "<section class=\"status-control\"><h2>Status</h2>\
             <form method=\"post\" action=\"{prefix}/browse/{key}/transition\" id=\"status-control\">\
             <label for=\"transition\">Transition</label> <select name=\"transition\" id=\"transition\">{options}</select> \
             {duration}<button type=\"submit\" id=\"move\">Move</button></form></section>",
            prefix = escape(&self.link_prefix),
            key = escape(&issue.key),
        )
    }

    fn approval_html(&self, issue: &Issue, approval: &Approval, person: Option<&Person>) -> String {
        let name = |account_id: &str| {
            self.catalog
                .user(account_id)
                .map_or(account_id.to_string(), |u| u.display_name.clone())
        };
        let approvers: Vec<String> = approval
            .approvers
            .iter()
            .map(|a| format!("{} ({})", escape(&name(&a.account_id)), escape(&a.decision)))
            .collect();
        let approvers = if approvers.is_empty() {
            "nobody".to_string()
        } else {
            approvers.join(", ")
        };
        let state = match (approval.completed, &approval.decided_by) {
            (Some(completed), Some(by)) => format!(
                "<p class=\"approval-outcome\"><strong>{}</strong> by {} ({})</p>",
                if approval.final_decision == "approved" {
                    "Approved"
                } else {
                    "Declined"
                },
                escape(&name(by)),
                escape(&friendly(completed))
            ),
            _ => "<p class=\"approval-outcome\">Waiting for approval.</p>".to_string(),
        };
        let buttons = match person {
            Some(person) if approval.is_pending() && approval.is_approver(&person.account_id) => format!(
                "<form method=\"post\" action=\"{}/browse/{}/approval/{}\" class=\"jsm-answer\">\
                 <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"jsm-approve\">Approve</button> \
                 <button type=\"submit\" name=\"decision\" value=\"decline\" id=\"jsm-decline\">Decline</button></form>",
                escape(&self.link_prefix),
                escape(&issue.key),
                approval.id
            ),
            _ => String::new(),
        };
        format!(
            "<div class=\"approval\" id=\"approval-{}\"><h3>{}</h3>{state}<p>Approvers: {approvers}</p>{buttons}</div>",
            approval.id,
            escape(&approval.name)
        )
    }
}

/// `POST /browse/{key}/transition` (form: `transition`, optional `duration` option id).
pub(crate) async fn transition(
    State(sandbox): Shared,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(person) = sandbox.signed_in(&headers) else {
        return sandbox.not_signed_in(&headers);
    };
    let Some(transition) = form_value(&body, "transition") else {
        let error = JiraError::bad_request("Choose a transition: the form's 'transition' is missing or empty.");
        return sandbox.refused(&headers, &error);
    };
    let fields = match form_value(&body, "duration") {
        Some(option_id) => json!({"fields": {ACCESS_DURATION_FIELD: {"id": option_id}}}),
        None => Value::Null,
    };
    match sandbox.transition_issue(&person.account_id, &key, &transition, &fields) {
        Ok(issue) => sandbox.back_to(&issue),
        Err(error) => sandbox.refused(&headers, &error),
    }
}

/// `POST /browse/{key}/approval/{approvalId}` (form: `decision` = approve | decline).
pub(crate) async fn answer_approval(
    State(sandbox): Shared,
    Path((key, approval_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(person) = sandbox.signed_in(&headers) else {
        return sandbox.not_signed_in(&headers);
    };
    let decision = match form_value(&body, "decision").as_deref().map(Decision::parse) {
        Some(Ok(decision)) => decision,
        Some(Err(error)) => return sandbox.refused(&headers, &error),
        None => {
            let error = JiraError::bad_request("The form's 'decision' is missing: approve or decline.");
            return sandbox.refused(&headers, &error);
        }
    };
    match sandbox.answer_approval(&person.account_id, &key, &approval_id, decision) {
        Ok((issue, _)) => sandbox.back_to(&issue),
        Err(error) => sandbox.refused(&headers, &error),
    }
}
