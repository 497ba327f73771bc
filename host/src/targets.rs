//! Where the app's calls go, which clock it reads, and who the pages are signed in as: against
//! a real site, its REST API with an API token, the network for fetches and real time; in
//! sandbox mode, what `sandbox_mode.rs` assembles (the embedded Jira and EPM in-process, also
//! mounted under `/sandbox/`, and the sandbox clock).

use std::sync::Arc;

use axum::Router;

use crate::clock::{Clock, SystemClock};
use crate::jira_target::JiraTarget;
use crate::outbound::Outbound;
use crate::sign_in::SignIn;

pub struct Targets {
    pub jira: JiraTarget,
    pub outbound: Outbound,
    pub sign_in: SignIn,
    /// The Jira site's URL (resolver contexts' `siteUrl`).
    pub site_url: String,
    /// The app's clock.
    pub clock: Arc<dyn Clock>,
    /// Sandbox mode's routes for the server to serve (the sandboxes and their controls).
    pub sandbox_routes: Option<Router>,
    /// Jira's issue-updated events for the app (`events.rs`): the sandbox Jira's; a real site
    /// sends none to this host.
    pub events: Option<crate::events::Feed>,
}

impl Targets {
    /// A real Jira Cloud site (`url` like https://your-site.atlassian.net).
    pub fn site(url: &str, email: &str, token: &str, http: reqwest::Client) -> Targets {
        Targets {
            jira: JiraTarget::site(url, email, token, http.clone()),
            outbound: Outbound::network(http),
            sign_in: SignIn::site(),
            site_url: url.trim_end_matches('/').to_string(),
            clock: Arc::new(SystemClock),
            sandbox_routes: None,
            events: None,
        }
    }
}
