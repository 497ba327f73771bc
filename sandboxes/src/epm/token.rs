//! `POST /oauth/connect/token`: the OAuth 2.0 client-credentials grant as EPM's identity server
//! answers it. Refusals use the OAuth error shape (RFC 6749 §5.2), status 400.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::json;

use super::{EpmSandbox, TOKEN_LIFETIME_SECS, store};
use crate::answer::{Refusal, message};
use crate::time::now_ms;

/// The only scope EPM's management API grants.
const SCOPE: &str = "urn:management:api";

fn oauth_error(code: &'static str, description: impl Into<String>) -> Response {
    let description = description.into();
    let mut response = (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(Refusal(format!("{code}: {description}")));
    response
}

/// Compares secrets without stopping at the first difference.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

pub(super) async fn issue(State(sandbox): State<Arc<EpmSandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    if !crate::media_type::is(&headers, "application/x-www-form-urlencoded") {
        return oauth_error(
            "invalid_request",
            "The token request must be a form (Content-Type: application/x-www-form-urlencoded).",
        );
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(&body) {
        if params.iter().any(|(known, _)| *known == name) {
            return oauth_error("invalid_request", format!("The parameter {name} is given twice."));
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    match param("grant_type") {
        None => return oauth_error("invalid_request", "grant_type is missing."),
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                "unsupported_grant_type",
                format!("The grant type '{other}' is not supported; use client_credentials."),
            );
        }
    }
    let client = &sandbox.client;
    let (Some(client_id), Some(secret)) = (param("client_id"), param("client_secret")) else {
        return oauth_error("invalid_client", "client_id and client_secret are required.");
    };
    if client_id != client.client_id || !same_secret(secret, &client.client_secret) {
        return oauth_error("invalid_client", "Unknown client or wrong client secret.");
    }
    if let Some(scope) = param("scope")
        && scope != SCOPE
    {
        return oauth_error("invalid_scope", format!("Only the scope {SCOPE} can be granted."));
    }
    let token: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    let expires_at = now_ms() + TOKEN_LIFETIME_SECS * 1000;
    if let Err(e) = store::add_token(&sandbox.db(), &token, client_id, expires_at) {
        return message(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The EPM sandbox could not store the token: {e}"),
        );
    }
    (
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "scope": SCOPE,
        })),
    )
        .into_response()
}
