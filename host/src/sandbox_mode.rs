//! Sandbox mode (`serve --sandbox`, the `sandbox` cargo feature): the one module of the host
//! that names the sandboxes (crate `pam-sandboxes`). It opens the sandbox Jira, EPM, PRA
//! appliance and Keeper Commander in the data dir, routes the app's Jira calls and its fetches to
//! `https://epm.sandbox.test`, `https://pra.sandbox.test` and `https://keeper.sandbox.test` to
//! them in-process, signs pages in through the sandbox Jira's session, gives the app (and the PRA
//! appliance's timeout, Commander's queue and KEPM expiry) the sandbox clock, and hands the
//! server the sandboxes' routes. A deployment builds without the feature,
//! so none of this is linked into it.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use pam_contracts_check::Contracts;
use pam_sandboxes::clock::SandboxClock;
use pam_sandboxes::epm::{self, ClientCredentials, EpmSandbox};
use pam_sandboxes::jira::JiraSandbox;
use pam_sandboxes::keeper::{self, CommanderSandbox};
use pam_sandboxes::pra::{self, PraSandbox};

use crate::clock::Clock;
use crate::in_process::Unreachable;
use crate::jira_target::{JiraTarget, UserAuthorization};
use crate::outbound::Outbound;
use crate::provision::SandboxConfig;
use crate::queue::Queue;
use crate::sign_in::{Sessions, SignIn};
use crate::targets::Targets;

/// The host name the app reaches the sandbox EPM at, and its API client (for the start-up lines).
pub use pam_sandboxes::epm::{CLIENT_ID as EPM_CLIENT_ID, HOST as EPM_HOST};
/// The host name the app reaches the sandbox Keeper Commander at, and its API key (for the
/// start-up lines).
pub use pam_sandboxes::keeper::{DEFAULT_API_KEY as KEEPER_API_KEY, HOST as KEEPER_HOST};
/// The host name the app reaches the sandbox PRA appliance at (for the start-up lines).
pub use pam_sandboxes::pra::HOST as PRA_HOST;

/// The sandboxes, keeping their data in `data_dir`; `base` is the host's own URL, `epm_secret`
/// the sandbox EPM's client secret. Moving the sandbox clock wakes `queue`'s workers.
pub fn targets(
    data_dir: &Path,
    base: &str,
    epm_secret: &str,
    http: reqwest::Client,
    queue: &Arc<Queue>,
) -> Result<Targets> {
    let site_url = format!("{base}/sandbox/jira");
    let clock = Arc::new(SandboxClock::default());
    let contracts = Arc::new(Contracts::load()?);
    let site = JiraSandbox::open(&private(&data_dir.join("sandbox-jira.sqlite"))?, &site_url, contracts)?;
    let epm = EpmSandbox::open(
        &private(&data_dir.join("sandbox-epm.sqlite"))?,
        ClientCredentials {
            client_id: epm::CLIENT_ID.into(),
            client_secret: epm_secret.into(),
        },
    )?;
    // On the app's clock: moving it times the appliance's pending requests out too.
    let pra = PraSandbox::open(
        &private(&data_dir.join("sandbox-pra.sqlite"))?,
        Some(Arc::clone(&clock)),
    )?;
    // On the app's clock too: its queue's worker, expiry and KEPM requests' ages follow it.
    let keeper = CommanderSandbox::open(
        &private(&data_dir.join("sandbox-keeper.sqlite"))?,
        Some(Arc::clone(&clock)),
    )?;
    let wake = Arc::clone(queue);
    let routes = Router::new()
        // A nested router's "/" answers only the prefix itself; the URL printed (and linked)
        // with a trailing slash must reach the sandbox Jira's index too.
        .route(
            "/sandbox/jira/",
            get(|| async { axum::response::Redirect::permanent("/sandbox/jira") }),
        )
        .nest("/sandbox/jira", site.router())
        .nest("/sandbox/epm", epm.router())
        .nest("/sandbox/pra", pra.router())
        .nest("/sandbox/keeper", keeper.router())
        .merge(pam_sandboxes::clock::controls(Arc::clone(&clock), move || wake.wake()));
    Ok(Targets {
        jira: JiraTarget::in_process(in_process(site.router()), Arc::new(SandboxJira(Arc::clone(&site)))),
        outbound: Outbound::network(http)
            .with_sandbox(epm::HOST, in_process(epm.router()))
            .with_sandbox(pra::HOST, in_process(pra.router()))
            .with_sandbox(keeper::HOST, in_process(keeper.router())),
        events: Some(crate::events::Feed {
            events: site.subscribe_events(),
            app_account: pam_sandboxes::jira::seed::APP_ACCOUNT_ID.into(),
        }),
        sign_in: SignIn::Session(Arc::new(SandboxJira(site))),
        site_url,
        clock: Arc::new(AppClock(clock)),
        sandbox_routes: Some(routes),
    })
}

/// The sandbox's configuration: on a first start, the seed's example settings, enabled,
/// pointing at the sandbox EPM, PRA enabled against the sandbox appliance with a generated
/// URL secret, and Keeper enabled against the sandbox Commander with a generated alert token; on every start, the settings the sandbox EPM and appliance own, on top of
/// whatever is stored (so a data dir configured before they existed, or by an older version,
/// talks to them too).
pub fn config(epm_secret: &str) -> SandboxConfig {
    SandboxConfig {
        first_start: serde_json::json!({
            "config": {
                "enabled": true,
                "serviceHostname": epm::HOST,
                "clientId": epm::CLIENT_ID,
                "assigneeName": "John Doe",
                // The sandbox Jira's "Access duration" select: an approval made by moving the
                // issue lasts what it says.
                "durationFieldId": pam_sandboxes::jira::seed::ACCESS_DURATION_FIELD,
            },
            "onlyIfUnconfigured": true,
        }),
        every_start: serde_json::json!({
            "config": {
                "serviceHostname": epm::HOST,
                "clientId": epm::CLIENT_ID,
            },
            "secrets": { "clientSecret": epm_secret },
        }),
        providers: vec![
            // First start: PRA on, against the sandbox appliance; a URL secret made if none is.
            serde_json::json!({
                "provider": "pra",
                // Change tickets of OPS (the sandbox Jira's change fields): assigned to the
                // requester, In Progress or Approved, listing the Jump Item.
                "config": {
                    "enabled": true,
                    "applianceHost": pra::HOST,
                    "allowedProjects": ["OPS"],
                    "rules": {"issueKey": true, "issueExists": true, "status": true, "requester": true, "jumpItem": true, "changeWindow": false},
                    "assetField": pam_sandboxes::jira::seed::AFFECTED_ASSETS_FIELD,
                    "windowStartField": pam_sandboxes::jira::seed::CHANGE_START_FIELD,
                    "windowEndField": pam_sandboxes::jira::seed::CHANGE_END_FIELD,
                    "sessionAttributes": [
                        {"codeName": "jira_issue", "source": "issueKey"},
                        {"codeName": "jira_url", "source": "issueUrl"},
                    ],
                },
                "generateSecret": true,
                "onlyIfUnconfigured": true,
            }),
            // Every start: the appliance host the sandbox owns.
            serde_json::json!({ "provider": "pra", "config": { "applianceHost": pra::HOST } }),
            // First start: Keeper on, against the sandbox Commander (its seeded API key); alerts
            // become OPS tasks; a token made for the alert webhook.
            serde_json::json!({
                "provider": "keeper",
                "config": {
                    "enabled": true,
                    "apiUrl": format!("https://{}{}", keeper::HOST, keeper::API_PREFIX),
                    "projectKey": "OPS",
                    "issueTypeName": "Task",
                },
                "secrets": { "apiKey": keeper::DEFAULT_API_KEY },
                "generateToken": true,
                "onlyIfUnconfigured": true,
            }),
            // Every start: the Commander URL and key the sandbox owns.
            serde_json::json!({
                "provider": "keeper",
                "config": { "apiUrl": format!("https://{}{}", keeper::HOST, keeper::API_PREFIX) },
                "secrets": { "apiKey": keeper::DEFAULT_API_KEY },
            }),
        ],
    }
}

/// Makes a sandbox database file private (0600) before SQLite writes a byte.
fn private(path: &Path) -> Result<std::path::PathBuf> {
    crate::data_dir::private_file(path)?;
    Ok(path.to_path_buf())
}

/// A sandbox router as the host's in-process sender expects it: a response the sandbox marks
/// as coming from an unreachable host carries the host's [`Unreachable`] mark.
fn in_process(router: Router) -> Router {
    router.layer(axum::middleware::map_response(|mut response: Response| async move {
        if response.extensions().get::<pam_sandboxes::Unreachable>().is_some() {
            response.extensions_mut().insert(Unreachable);
        }
        response
    }))
}

/// The sandbox Jira's people, for user calls and page sign-in.
struct SandboxJira(Arc<JiraSandbox>);

impl UserAuthorization for SandboxJira {
    fn authorization_for(&self, account_id: &str) -> Option<String> {
        self.0.authorization_for(account_id)
    }
}

impl Sessions for SandboxJira {
    fn signed_in(&self, headers: &HeaderMap) -> Option<String> {
        self.0.signed_in(headers).map(|person| person.account_id)
    }
}

/// The sandbox clock as the app's clock.
struct AppClock(Arc<SandboxClock>);

impl Clock for AppClock {
    fn now_ms(&self) -> u64 {
        self.0.now_ms()
    }
}

#[cfg(test)]
mod tests;
