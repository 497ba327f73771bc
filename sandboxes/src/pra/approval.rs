//! `POST /api/endpoint_approval`: the appliance takes the ticket system's answer. A form (415),
//! valid (400 naming the key), a ticket system configured (404), a pending request (403), then
//! the response is recorded and answered 200 with an empty body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::store::{self, Outcome};
use super::{PraSandbox, validate};
use crate::answer::{message, problem};
use crate::gate::Gated;

pub(super) async fn receive(State(sandbox): State<Arc<PraSandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    if !crate::media_type::is(&headers, "application/x-www-form-urlencoded") {
        return message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The answer must be a form (Content-Type: application/x-www-form-urlencoded).",
        );
    }
    let answer = match validate::answer(&body) {
        Ok(answer) => answer,
        Err(refusal) => return problem(StatusCode::BAD_REQUEST, refusal.key.as_deref(), refusal.message),
    };
    let db = sandbox.db();
    let outcome = store::settings(&db).and_then(|settings| {
        if settings.ticket_system_configured {
            store::answer(&db, sandbox.now_ms(), &answer).map(Some)
        } else {
            Ok(None)
        }
    });
    let why = match outcome {
        Ok(Some(Outcome::Recorded)) => return StatusCode::OK.into_response(),
        Ok(None) => {
            return message(
                StatusCode::NOT_FOUND,
                "No ticket system URL is configured on the appliance.",
            );
        }
        Ok(Some(Outcome::Unknown)) => "no such request",
        Ok(Some(Outcome::AlreadyAnswered)) => "the request was already answered",
        Ok(Some(Outcome::TimedOut)) => "the request timed out",
        Err(e) => return crate::answer::storage_failed("the PRA sandbox", e),
    };
    message(StatusCode::FORBIDDEN, format!("The request id is not valid: {why}."))
}
