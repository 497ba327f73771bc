//! Where the component's Jira calls go: the embedded sandbox (in-process, through its router)
//! or a real Jira Cloud site (REST v3 with an API token), and whose identity they carry.
//!
//! `Actor::App` calls carry the app's identity: no `Authorization` for the sandbox (it treats
//! that as the app), the API token for a site. `Actor::User` calls need the run's user
//! ([`RunContext::user`]): the sandbox gets that person's Basic auth, so it sees that caller; a
//! site gets the API token again, because its account is the only user this host can act as
//! (the bridge signs everyone in as that account). A user call in a run without a user is
//! refused.

use std::sync::Arc;

use axum::Router;
use base64::Engine;

use crate::capabilities::from_reqwest;
use crate::runtime::{Actor, HttpResponse, JiraRequest, RunContext};
use crate::sandbox::jira::JiraSandbox;

pub enum JiraTarget {
    Sandbox {
        site: Arc<JiraSandbox>,
        router: Router,
    },
    Site {
        base_url: String,
        authorization: String,
        client: reqwest::Client,
    },
}

impl JiraTarget {
    pub fn sandbox(site: &Arc<JiraSandbox>) -> JiraTarget {
        JiraTarget::Sandbox {
            site: Arc::clone(site),
            router: site.router(),
        }
    }

    /// `client` must follow no redirects ([`crate::outbound::client`]): the API token is never
    /// sent on to wherever a `Location` points.
    pub fn site(base_url: &str, email: &str, token: &str, client: reqwest::Client) -> JiraTarget {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}"));
        JiraTarget::Site {
            base_url: base_url.trim_end_matches('/').to_string(),
            authorization: format!("Basic {credentials}"),
            client,
        }
    }

    pub async fn send(&self, request: JiraRequest, context: &RunContext) -> Result<HttpResponse, String> {
        if !request.path.starts_with('/') {
            return Err("Jira paths start with /".into());
        }
        let user = match request.actor {
            Actor::App => None,
            Actor::User => Some(context.user.as_deref().ok_or_else(|| {
                "a Jira call as the user needs a signed-in user, and only resolver runs have one (web triggers, jobs and ticks act as the app)".to_string()
            })?),
        };
        match self {
            JiraTarget::Sandbox { site, router } => {
                let mut headers = Vec::new();
                if let Some(account_id) = user {
                    let authorization = site.authorization_for(account_id).ok_or_else(|| {
                        format!("the run's user {account_id} is not an active person of the sandbox Jira")
                    })?;
                    headers.push(("Authorization".to_string(), authorization));
                }
                if request.body.is_some() {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                let body = request.body.unwrap_or_default();
                crate::in_process::send(router, &request.method, &request.path, &headers, body).await
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
