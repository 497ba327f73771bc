//! `POST /management-api/{version}/AuthorizationRequest/notification`: EPM takes an approver's
//! decision. Bearer token first (401), then JSON (415), then the body (400); a valid decision
//! is recorded with the API version the app called and answered 200 `{}`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::store::{self, TokenState};
use super::{EpmSandbox, validate};
use crate::answer::{message, problem};
use crate::time::{now_ms, utc_iso};

/// The API versions the sandbox serves (the app's setting allows v2 and v3).
const VERSIONS: [&str; 3] = ["v1", "v2", "v3"];

fn unauthorized(challenge: &'static str, text: &str) -> Response {
    let mut response = message(StatusCode::UNAUTHORIZED, text);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub(super) async fn receive(
    State(sandbox): State<Arc<EpmSandbox>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !VERSIONS.contains(&version.as_str()) {
        return message(
            StatusCode::NOT_FOUND,
            format!("No management API version '{version}' (the sandbox serves v1, v2 and v3)."),
        );
    }
    let Some(token) = bearer(&headers) else {
        return unauthorized("Bearer", "A Bearer access token is required.");
    };
    let now = now_ms();
    let state = store::token_state(&sandbox.db(), token, now);
    match state {
        Ok(TokenState::Valid) => {}
        Ok(refused) => {
            let why = match refused {
                TokenState::Expired => "The access token has expired.",
                TokenState::Revoked => "The access token has been revoked.",
                _ => "The access token is not valid.",
            };
            return unauthorized("Bearer error=\"invalid_token\"", why);
        }
        Err(e) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("The EPM sandbox could not check the token: {e}"),
            );
        }
    }
    if !crate::media_type::is(&headers, "application/json") {
        return message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The notification must be JSON (Content-Type: application/json).",
        );
    }
    let notification = match validate::notification(&body) {
        Ok(object) => Value::Object(object),
        Err(refusal) => return problem(StatusCode::BAD_REQUEST, refusal.field, refusal.message),
    };
    if let Err(e) = store::add_decision(&sandbox.db(), &version, &utc_iso(now), &notification) {
        return message(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The EPM sandbox could not record the decision: {e}"),
        );
    }
    Json(json!({})).into_response()
}
