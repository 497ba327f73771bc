//! "Validate configuration" for PRA: the settings against the live Jira (as the app) and the
//! manifest's egress. Each check says what to fix.

use serde_json::Value;

use super::page::PRA_EGRESS;
use super::{PraSettings, secret};
use crate::caps::Caps;
use crate::config::check::Check;
use crate::config::egress::covers;
use crate::jira::client::{self, JiraError, query_value};
use crate::protocol::Actor;

pub async fn run(caps: &Caps, settings: &PraSettings) -> Vec<Check> {
    let mut checks = vec![appliance(settings)];
    checks.push(match crate::auth::is_set(caps, secret::SECRET_KEY).await {
        Ok(true) => Check::pass(
            "pra-secret",
            "Web trigger URL secret",
            "A secret is set; only its URL is accepted.",
        ),
        Ok(false) => Check::fail(
            "pra-secret",
            "Web trigger URL secret",
            "No secret is set: the appliance's requests are refused (401).",
            "Generate a new URL and paste it into PRA's Ticket System URL.",
        ),
        Err(e) => Check::fail(
            "pra-secret",
            "Web trigger URL secret",
            format!("Secret storage failed: {e}"),
            "Try again.",
        ),
    });
    checks.extend(projects(caps, settings).await);
    let fields = match client::call(caps, Actor::App, "GET", "/rest/api/3/field", None).await {
        Ok(Value::Array(fields)) => fields,
        Ok(_) => Vec::new(),
        Err(e) => {
            checks.push(Check::could_not_check("pra-fields", "Fields", &e));
            return checks;
        }
    };
    checks.push(statuses(caps, settings).await);
    checks.extend(field_checks(settings, &fields));
    checks
}

/// The appliance check's id.
const APPLIANCE: &str = "pra-appliance";

fn appliance(settings: &PraSettings) -> Check {
    let title = "PRA appliance";
    let host = &settings.appliance_host;
    if host.is_empty() {
        return Check::fail(
            APPLIANCE,
            title,
            "No appliance host is set.",
            "Enter the appliance's host name, e.g. acme.beyondtrustcloud.com.",
        );
    }
    if covers(PRA_EGRESS, host) {
        return Check::pass(
            APPLIANCE,
            title,
            format!("Answers go to https://{host}/api/endpoint_approval."),
        );
    }
    Check::warn(
        APPLIANCE,
        title,
        format!(
            "{host} is not under {}: on Forge the app may not reach it.",
            PRA_EGRESS.join(", ")
        ),
        "For an on-premises appliance, add its host to permissions.external.fetch.backend in manifest.yml and redeploy (docs/deploy-forge.md); the local host needs nothing.",
    )
}

async fn projects(caps: &Caps, settings: &PraSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    for key in &settings.allowed_projects {
        let path = format!("/rest/api/3/project/{}", query_value(key));
        let id = "pra-project";
        let title = format!("Project {key}");
        checks.push(match client::call(caps, Actor::App, "GET", &path, None).await {
            Ok(_) => Check::pass(id, title, "The project exists and the app can see it."),
            Err(JiraError::Refused { status: 404 | 403, .. }) => Check::fail(
                id,
                title,
                "Jira has no such project, or the app cannot browse it.",
                "Fix the key in Allowed projects, or give the app Browse projects there.",
            ),
            Err(e) => Check::could_not_check(id, title, &e),
        });
    }
    checks
}

async fn statuses(caps: &Caps, settings: &PraSettings) -> Check {
    let id = "pra-statuses";
    let title = "Allowed statuses";
    if !settings.rules.status {
        return Check::skip(id, title, "The status rule is off.");
    }
    let known = match client::call(caps, Actor::App, "GET", "/rest/api/3/status", None).await {
        Ok(Value::Array(all)) => all
            .iter()
            .filter_map(|s| s["name"].as_str().map(String::from))
            .collect::<Vec<_>>(),
        Ok(_) => Vec::new(),
        Err(e) => return Check::could_not_check(id, title, &e),
    };
    let missing: Vec<&String> = settings
        .allowed_statuses
        .iter()
        .filter(|s| !known.iter().any(|k| k.eq_ignore_ascii_case(s)))
        .collect();
    if missing.is_empty() {
        return Check::pass(id, title, format!("Jira has {}.", settings.allowed_statuses.join(", ")));
    }
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    Check::fail(
        id,
        title,
        format!("Jira has no status named {}.", names.join(", ")),
        format!("Use statuses of your workflows: {}.", known.join(", ")),
    )
}

/// What each configured field must be.
fn field_checks(settings: &PraSettings, fields: &[Value]) -> Vec<Check> {
    let mut checks = Vec::new();
    let rules = settings.rules;
    if rules.requester && settings.requester_field.starts_with("customfield_") {
        checks.push(typed(
            fields,
            "pra-requester-field",
            "Requester field",
            &settings.requester_field,
            &["user"],
            "a user picker",
        ));
    }
    if rules.jump_item {
        checks.push(typed(
            fields,
            "pra-asset-field",
            "Jump Item field",
            &settings.asset_field,
            &["string", "array"],
            "a text, labels or multi-select field",
        ));
    }
    if rules.change_window
        || settings
            .session_attributes
            .iter()
            .any(|a| a.source.starts_with("window"))
    {
        for (id, title, field) in [
            ("pra-window-start", "Change window start", &settings.window_start_field),
            ("pra-window-end", "Change window end", &settings.window_end_field),
        ] {
            checks.push(typed(
                fields,
                id,
                title,
                field,
                &["datetime", "date"],
                "a date-time field",
            ));
        }
    }
    for attribute in &settings.session_attributes {
        if attribute.source.starts_with("customfield_") {
            let title = format!("Session attribute {}", attribute.code_name);
            checks.push(typed(
                fields,
                "pra-attribute",
                &title,
                &attribute.source,
                &[],
                "any field",
            ));
        }
    }
    checks
}

/// The field exists and its schema type is one of `types` (any when empty).
fn typed(fields: &[Value], id: &str, title: &str, field: &str, types: &[&str], what: &str) -> Check {
    let Some(found) = fields.iter().find(|f| f["id"].as_str() == Some(field)) else {
        return Check::fail(
            id,
            title,
            format!("Jira has no field {field}."),
            format!("Choose {what} that exists (Jira settings → Issues → Custom fields)."),
        );
    };
    let name = found["name"].as_str().unwrap_or(field);
    let kind = found["schema"]["type"].as_str().unwrap_or("");
    if types.is_empty() || types.contains(&kind) {
        return Check::pass(id, title, format!("{name} ({field}) is {kind}."));
    }
    Check::fail(
        id,
        title,
        format!("{name} ({field}) is of type {kind}."),
        format!("Choose {what}."),
    )
}
