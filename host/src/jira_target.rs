//! Where the component's Jira calls go: a Jira served in-process through its router (sandbox
//! mode) or a real Jira Cloud site (REST v3 with an API token), and whose identity they carry.
//!
//! `Actor::App` calls carry the app's identity: no `Authorization` in-process (the sandbox treats
//! that as the app), the API token for a site. `Actor::User` calls need the run's user
//! ([`RunContext::user`]): in-process, that person's credentials ([`UserAuthorization`]), so the
//! Jira sees that caller; a
//! site gets the API token again, because its account is the only user this host can act as
//! (the bridge signs everyone in as that account). A user call in a run without a user is
//! refused.

use std::sync::Arc;

use axum::Router;
use base64::Engine;

use crate::http::from_reqwest;
use crate::runtime::RunContext;
use crate::wit::{Actor, HttpResponse, JiraRequest};

/// How an in-process Jira lets a call act as one of its people.
pub trait UserAuthorization: Send + Sync {
    /// The `Authorization` header value under which the Jira sees `account_id`; None when that
    /// is no active person there.
    fn authorization_for(&self, account_id: &str) -> Option<String>;
}

pub enum JiraTarget {
    /// A Jira answered in-process by `router` (sandbox mode), whose people `users` can act as.
    InProcess {
        router: Router,
        users: Arc<dyn UserAuthorization>,
    },
    Site {
        base_url: String,
        authorization: String,
        client: reqwest::Client,
    },
}

impl JiraTarget {
    pub fn in_process(router: Router, users: Arc<dyn UserAuthorization>) -> JiraTarget {
        JiraTarget::InProcess { router, users }
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
            JiraTarget::InProcess { router, users } => {
                let mut headers = Vec::new();
                if let Some(account_id) = user {
                    let authorization = users.authorization_for(account_id).ok_or_else(|| {
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
