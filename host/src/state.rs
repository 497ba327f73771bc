//! What every request handler of the host shares ([`AppState`]), and the small answers they
//! have in common.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::capabilities::Capabilities;
use crate::runtime::Runtime;
use crate::sign_in::SignIn;

#[derive(Clone)]
pub struct AppState {
    pub runtime: Arc<Runtime>,
    pub caps: Arc<Capabilities>,
    /// Who is signed in, for the bridge.
    pub sign_in: Arc<SignIn>,
    /// The Jira site's URL, as resolver contexts carry it (`siteUrl`).
    pub site_url: Arc<str>,
    /// This host's own base URL, as printed at start-up (`http://127.0.0.1:8080`): web trigger
    /// URLs given to resolvers are built on it.
    pub public_url: Arc<str>,
}

/// Where the host serves web triggers: `<public url>/x/<module key>`.
pub fn web_trigger_url(public_url: &str, key: &str) -> String {
    format!("{}/x/{key}", public_url.trim_end_matches('/'))
}

/// A JSON error answer: `{"error": message}`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [("Content-Type", "application/json")],
        serde_json::json!({ "error": message }).to_string(),
    )
        .into_response()
}
