//! Error responses in the shapes Jira uses: `{"errorMessages": [...], "errors": {...}}` for the
//! platform API and `{"errorMessage": ..., "i18nErrorMessage": ...}` for the servicedesk API.

use std::collections::BTreeMap;
use std::fmt::Display;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Attached to error responses so the request log can say why a request was refused.
#[derive(Debug, Clone)]
pub(crate) struct RejectReason(pub String);

#[derive(Debug)]
pub(crate) struct JiraError {
    status: StatusCode,
    body: Value,
    reason: String,
}

pub(crate) const ISSUE_NOT_FOUND: &str = "Issue does not exist or you do not have permission to see it.";

impl JiraError {
    pub(crate) fn new(status: StatusCode, messages: Vec<String>, errors: BTreeMap<String, String>) -> JiraError {
        let reason = messages
            .iter()
            .cloned()
            .chain(errors.iter().map(|(field, message)| format!("{field}: {message}")))
            .collect::<Vec<_>>()
            .join("; ");
        JiraError {
            status,
            body: json!({"errorMessages": messages, "errors": errors}),
            reason,
        }
    }

    pub(crate) fn message(status: StatusCode, message: impl Into<String>) -> JiraError {
        JiraError::new(status, vec![message.into()], BTreeMap::new())
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> JiraError {
        JiraError::message(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn fields(errors: BTreeMap<String, String>) -> JiraError {
        JiraError::new(StatusCode::BAD_REQUEST, Vec::new(), errors)
    }

    pub(crate) fn field(field: &str, message: impl Into<String>) -> JiraError {
        JiraError::fields(BTreeMap::from([(field.to_string(), message.into())]))
    }

    pub(crate) fn issue_not_found() -> JiraError {
        JiraError::message(StatusCode::NOT_FOUND, ISSUE_NOT_FOUND)
    }

    pub(crate) fn unauthorized() -> JiraError {
        JiraError::message(
            StatusCode::UNAUTHORIZED,
            "Client must be authenticated to access this resource.",
        )
    }

    /// A storage failure: logged, answered with a 500.
    pub(crate) fn internal(error: impl Display) -> JiraError {
        tracing::error!(%error, "Jira sandbox storage failure");
        JiraError::message(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Internal server error in the Jira sandbox: {error}"),
        )
    }

    /// The servicedesk API's error shape.
    pub(crate) fn servicedesk(status: StatusCode, message: impl Into<String>) -> JiraError {
        let message = message.into();
        JiraError {
            status,
            body: json!({
                "errorMessage": message,
                "i18nErrorMessage": {"i18nKey": "sd.sandbox.error", "parameters": []}
            }),
            reason: message,
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The messages, joined (what a page shows for a refusal).
    pub(crate) fn reason(&self) -> &str {
        &self.reason
    }
}

impl From<rusqlite::Error> for JiraError {
    fn from(error: rusqlite::Error) -> JiraError {
        JiraError::internal(error)
    }
}

impl IntoResponse for JiraError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        response.extensions_mut().insert(RejectReason(self.reason));
        response
    }
}

/// Field errors gathered while checking a request, answered together as Jira does.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| message.into());
    }

    pub(crate) fn into_result(self) -> Result<(), JiraError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(JiraError::fields(self.0))
        }
    }
}
