//! Who is signed in to the local host's pages, for the bridge. In sandbox mode: the person the
//! sandbox Jira's "Signed in as" switcher chose (a cookie; Alice Approver without one). Against
//! a real site: the API token's account, the only user this host can act as, found once with
//! `GET /rest/api/3/myself`. Never an account id the page sends.

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::jira_target::JiraTarget;
use crate::runtime::RunContext;
use crate::wit::{Actor, JiraRequest};

/// The sessions of an in-process Jira (sandbox mode): who a page's request is signed in as.
pub trait Sessions: Send + Sync {
    /// The account id of the active person the request's session names (cookie), if any.
    fn signed_in(&self, headers: &HeaderMap) -> Option<String>;
}

pub enum SignIn {
    /// Whoever the in-process Jira's session names.
    Session(Arc<dyn Sessions>),
    Site(tokio::sync::OnceCell<String>),
}

/// Why no one is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// The request names no one who can sign in (answer 401).
    NotSignedIn(String),
    /// The site could not say who the API token belongs to (answer 502).
    Unavailable(String),
}

impl SignIn {
    pub fn site() -> SignIn {
        SignIn::Site(tokio::sync::OnceCell::new())
    }

    /// The account id of the person signed in for this request.
    pub async fn account_id(&self, headers: &HeaderMap, jira: &JiraTarget) -> Result<String, SignInError> {
        match self {
            SignIn::Session(sessions) => sessions.signed_in(headers).ok_or_else(|| {
                SignInError::NotSignedIn(
                    "not signed in: the sandbox session names no active person; choose one with \"Signed in as\" on a sandbox Jira page".into(),
                )
            }),
            SignIn::Site(account) => account
                .get_or_try_init(|| token_account(jira))
                .await
                .cloned()
                .map_err(SignInError::Unavailable),
        }
    }
}

async fn token_account(jira: &JiraTarget) -> Result<String, String> {
    let request = JiraRequest {
        actor: Actor::App,
        method: "GET".into(),
        path: "/rest/api/3/myself".into(),
        body: None,
    };
    let response = jira
        .send(request, &RunContext::default())
        .await
        .map_err(|e| format!("could not ask Jira who the API token belongs to: {e}"))?;
    if !(200..300).contains(&response.status) {
        return Err(format!(
            "Jira answered HTTP {} when asked who the API token belongs to",
            response.status
        ));
    }
    let me: serde_json::Value =
        serde_json::from_str(&response.body).map_err(|_| "Jira's /myself answer is not JSON".to_string())?;
    me["accountId"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| "Jira's /myself answer has no accountId".to_string())
}
