//! Where the component's Jira calls go: the embedded sandbox (in-process, through its router)
//! or a real Jira Cloud site (REST v3 with an API token).

use axum::Router;
use axum::body::Body;
use base64::Engine;
use tower::ServiceExt;

use crate::capabilities::from_reqwest;
use crate::runtime::{Actor, HttpResponse, JiraRequest};

/// Largest Jira response the host passes on.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub enum JiraTarget {
    Sandbox(Router),
    Site {
        base_url: String,
        authorization: String,
        client: reqwest::Client,
    },
}

impl JiraTarget {
    pub fn site(base_url: &str, email: &str, token: &str, client: reqwest::Client) -> JiraTarget {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}"));
        JiraTarget::Site {
            base_url: base_url.trim_end_matches('/').to_string(),
            authorization: format!("Basic {credentials}"),
            client,
        }
    }

    pub async fn send(&self, request: JiraRequest) -> Result<HttpResponse, String> {
        if !request.path.starts_with('/') {
            return Err("Jira paths start with /".into());
        }
        match self {
            JiraTarget::Sandbox(router) => {
                // The sandbox treats unauthenticated calls as the app. Calls as a user need the
                // resolver's user; until resolvers exist they are refused rather than faked.
                if matches!(request.actor, Actor::User) {
                    return Err("Jira calls as a user need a resolver context".into());
                }
                let mut builder = axum::http::Request::builder()
                    .method(request.method.as_str())
                    .uri(&request.path);
                if request.body.is_some() {
                    builder = builder.header("Content-Type", "application/json");
                }
                let http_request = builder
                    .body(Body::from(request.body.unwrap_or_default()))
                    .map_err(|e| format!("bad Jira request: {e}"))?;
                let response = router.clone().oneshot(http_request).await.map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let headers = crate::capabilities::header_pairs(response.headers());
                let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
                    .await
                    .map_err(|e| format!("reading the sandbox answer: {e}"))?;
                Ok(HttpResponse {
                    status,
                    headers,
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                })
            }
            JiraTarget::Site {
                base_url,
                authorization,
                client,
            } => {
                let method =
                    reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| "invalid method".to_string())?;
                let mut builder = client
                    .request(method, format!("{base_url}{}", request.path))
                    .header("Authorization", authorization)
                    .header("Accept", "application/json");
                if let Some(body) = request.body {
                    builder = builder.header("Content-Type", "application/json").body(body);
                }
                let response = builder.send().await.map_err(|e| e.without_url().to_string())?;
                from_reqwest(response).await
            }
        }
    }
}
