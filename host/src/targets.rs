//! Where the app's calls go in each mode, and who the pages are signed in as: in sandbox mode
//! the embedded Jira and EPM (in-process, also mounted under `/sandbox/`); against a real site,
//! its REST API with an API token and the network for fetches.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use crate::contracts::Contracts;
use crate::jira_target::JiraTarget;
use crate::outbound::Outbound;
use crate::sandbox::epm::{self, ClientCredentials, EpmSandbox};
use crate::sandbox::jira::JiraSandbox;
use crate::server::Sandboxes;
use crate::sign_in::SignIn;

pub struct Targets {
    pub jira: JiraTarget,
    pub outbound: Outbound,
    pub sign_in: SignIn,
    /// The Jira site's URL (resolver contexts' `siteUrl`).
    pub site_url: String,
    /// The sandboxes' routers for the server to mount (sandbox mode only).
    pub sandboxes: Option<Sandboxes>,
}

impl Targets {
    /// The sandboxes, keeping their data in `data_dir`; `base` is the host's own URL.
    pub fn sandbox(data_dir: &Path, base: &str, epm_secret: &str, http: reqwest::Client) -> Result<Targets> {
        let site_url = format!("{base}/sandbox/jira");
        let contracts = Arc::new(Contracts::load()?);
        let site = JiraSandbox::open(&data_dir.join("sandbox-jira.sqlite"), &site_url, contracts)?;
        let epm = EpmSandbox::open(
            &data_dir.join("sandbox-epm.sqlite"),
            ClientCredentials {
                client_id: epm::CLIENT_ID.into(),
                client_secret: epm_secret.into(),
            },
        )?;
        let epm_router = epm.router();
        Ok(Targets {
            jira: JiraTarget::sandbox(&site),
            outbound: Outbound::network(http).with_sandbox(epm::HOST, epm_router.clone()),
            sign_in: SignIn::Sandbox(site.clone()),
            site_url,
            sandboxes: Some(Sandboxes {
                jira: site.router(),
                epm: epm_router,
            }),
        })
    }

    /// A real Jira Cloud site (`url` like https://your-site.atlassian.net).
    pub fn site(url: &str, email: &str, token: &str, http: reqwest::Client) -> Targets {
        Targets {
            jira: JiraTarget::site(url, email, token, http.clone()),
            outbound: Outbound::network(http),
            sign_in: SignIn::site(),
            site_url: url.trim_end_matches('/').to_string(),
            sandboxes: None,
        }
    }
}
