//! "Validate configuration" (and "Test connection") for Keeper: the URL and its egress, the two
//! secrets, Commander itself (`service-status` through its request queue, reporting exactly
//! what failed), the project and the statuses. Each check says what to fix.

use serde_json::Value;

use super::page::KEEPER_EGRESS;
use super::{KeeperSettings, api_url_problem, secrets};
use crate::caps::Caps;
use crate::config::check::Check;
use crate::config::egress::covers;
use crate::jira::client::{self, JiraError, query_value};
use crate::protocol::Actor;
use crate::providers::keeper::commander::{self, Command, Polled};

/// How long the connection test waits for Commander to run `service-status`.
const TEST_BUDGET_MS: u64 = 15_000;

pub async fn run(caps: &Caps, settings: &KeeperSettings) -> Vec<Check> {
    let mut checks = vec![url(settings)];
    for (id, title, key, missing, fix) in [
        (
            "keeper-api-key",
            "Commander API key",
            secrets::API_KEY,
            "No API key is set: nothing can be read from or sent to Keeper.",
            "Paste the API key Commander Service Mode printed when it started.",
        ),
        (
            "keeper-token",
            "Alert token",
            secrets::ALERT_TOKEN,
            "No token is set: Keeper's alerts are refused (401).",
            "Generate a token and put it in the alert recipient's Authorization header.",
        ),
    ] {
        checks.push(match crate::auth::is_set(caps, key).await {
            Ok(true) => Check::pass(id, title, "Set (never shown again)."),
            Ok(false) => Check::fail(id, title, missing, fix),
            Err(e) => Check::could_not_check(id, title, &e),
        });
    }
    checks.push(connection(caps, settings).await);
    checks.push(project(caps, settings).await);
    checks.push(statuses(caps, settings).await);
    checks
}

fn url(settings: &KeeperSettings) -> Check {
    let (id, title) = ("keeper-url", "Commander API URL");
    if settings.api_url.is_empty() {
        return Check::fail(
            id,
            title,
            "No API URL is set.",
            "Enter the full API v2 URL, e.g. https://your-subdomain.ngrok.io/api/v2.",
        );
    }
    if let Some(problem) = api_url_problem(&settings.api_url) {
        return Check::fail(
            id,
            title,
            format!("The URL {problem}."),
            "Use the full API v2 URL of Commander Service Mode.",
        );
    }
    match settings.api_host() {
        Some(host) if !covers(KEEPER_EGRESS, &host) => Check::warn(
            id,
            title,
            format!(
                "{host} is not in the app's declared egress ({}); Forge blocks calls to it.",
                KEEPER_EGRESS.join(", ")
            ),
            "Add the host to permissions.external.fetch.backend in manifest.yml and deploy again (docs/deploy-forge.md); the local host is not limited.",
        ),
        _ => Check::pass(id, title, "An https API v2 URL."),
    }
}

/// `service-status` through Commander's queue: the test Keeper's own guide gives.
pub async fn connection(caps: &Caps, settings: &KeeperSettings) -> Check {
    let (id, title) = ("keeper-connection", "Connection to Commander");
    let endpoint = match secrets::endpoint(caps, settings).await {
        Ok(endpoint) => endpoint,
        Err(e) => return Check::skip(id, title, format!("Not tested: {e}.")),
    };
    match commander::run(caps, &endpoint, &Command::ServiceStatus, TEST_BUDGET_MS).await {
        Ok(Polled::Done(finished)) if finished.status == 200 => Check::pass(
            id,
            title,
            "Commander accepted the key, queued service-status and ran it.",
        ),
        Ok(Polled::Done(finished)) => Check::fail(
            id,
            title,
            format!("Commander ran service-status but reported: {}", finished.message()),
            "Check Commander's logs (start it with --debug) and that its session is logged in.",
        ),
        Ok(Polled::Running(_)) => Check::warn(
            id,
            title,
            format!(
                "Commander queued service-status but did not run it within {} s.",
                TEST_BUDGET_MS / 1000
            ),
            "Commander's queue is busy or its worker is stuck; look at service-status on its machine.",
        ),
        Err(e) => Check::fail(
            id,
            title,
            format!("{e}."),
            "Fix what the message names, then test again.",
        ),
    }
}

async fn project(caps: &Caps, settings: &KeeperSettings) -> Check {
    let (id, title) = (
        "keeper-project",
        format!(
            "Project {} and issue type {}",
            settings.project_key, settings.issue_type_name
        ),
    );
    if settings.project_key.is_empty() {
        return Check::fail(
            id,
            title,
            "No project is set: alerts cannot become issues.",
            "Enter the key of the project Keeper issues go to.",
        );
    }
    let path = format!("/rest/api/3/project/{}", query_value(&settings.project_key));
    match client::call(caps, Actor::App, "GET", &path, None).await {
        Ok(project) => {
            let types = project["issueTypes"].as_array().cloned().unwrap_or_default();
            let found = types.iter().any(|t| {
                t["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&settings.issue_type_name))
            });
            if found || types.is_empty() {
                Check::pass(id, title, "The project exists and has the issue type.")
            } else {
                Check::fail(
                    id,
                    title,
                    format!("The project has no issue type \"{}\".", settings.issue_type_name),
                    "Enter one of the project's issue types.",
                )
            }
        }
        Err(JiraError::Refused { status: 404 | 403, .. }) => Check::fail(
            id,
            title,
            "Jira has no such project, or the app cannot browse it.",
            "Fix the project key, or give the app Browse projects there.",
        ),
        Err(e) => Check::could_not_check(id, title, &e),
    }
}

async fn statuses(caps: &Caps, settings: &KeeperSettings) -> Check {
    let (id, title) = ("keeper-statuses", "Statuses for approved, denied and expired");
    let known = match client::call(caps, Actor::App, "GET", "/rest/api/3/status", None).await {
        Ok(Value::Array(all)) => all
            .iter()
            .filter_map(|s| s["name"].as_str().map(String::from))
            .collect::<Vec<_>>(),
        Ok(_) => Vec::new(),
        Err(e) => return Check::could_not_check(id, title, &e),
    };
    let wanted = [
        &settings.approved_status,
        &settings.denied_status,
        &settings.expired_status,
    ];
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|s| !known.iter().any(|k| k.eq_ignore_ascii_case(s)))
        .map(|s| s.as_str())
        .collect();
    if missing.is_empty() {
        Check::pass(id, title, "Jira has these statuses.")
    } else {
        Check::warn(
            id,
            title,
            format!(
                "Jira has no status {}: the issue keeps its status and the note says so.",
                missing.join(", ")
            ),
            "Name statuses of the project's workflow.",
        )
    }
}
