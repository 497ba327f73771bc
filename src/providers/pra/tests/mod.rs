//! PRA end to end in the test world: the web trigger, the job, the appliance's answer and the
//! audit, on the sandbox Jira (every Jira request held to Atlassian's contract).

mod bad_input;
mod flow;
mod rules;

use serde_json::{Value, json};

use super::records;
use super::settings::{PraSettings, secret};
use crate::protocol::{HttpRequest, Invocation};
use crate::testkit::{World, http};
use crate::testkit_pra::{HOST, RESPONSE_URL};
use pam_sandboxes::jira::seed;

pub const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The settings of most tests: OPS tickets, In Progress or Approved, assigned to the
/// requester, listing the Jump Item; the issue key and summary as session attributes.
pub fn settings() -> PraSettings {
    serde_json::from_value(json!({
        "enabled": true,
        "applianceHost": HOST,
        "rules": {"issueKey": true, "issueExists": true, "status": true, "requester": true, "jumpItem": true, "changeWindow": false},
        "allowedProjects": ["OPS"],
        "assetField": seed::AFFECTED_ASSETS_FIELD,
        "windowStartField": seed::CHANGE_START_FIELD,
        "windowEndField": seed::CHANGE_END_FIELD,
        "sessionAttributes": [
            {"codeName": "jira_issue", "source": "issueKey"},
            {"codeName": "jira_summary", "source": "summary"},
        ],
    }))
    .expect("test settings")
}

/// A configured world (EPM as usual) with PRA configured by `settings` and its URL secret.
pub fn world_with(settings: &PraSettings) -> World {
    let mut world = World::configured();
    set_settings(&mut world, settings);
    world.secrets.insert(secret::SECRET_KEY.into(), SECRET.into());
    world
}

pub fn world() -> World {
    world_with(&settings())
}

pub fn set_settings(world: &mut World, settings: &PraSettings) {
    world.set_section(settings);
}

/// A change ticket in OPS created by Carol, assigned to Bob, listing `web-01` among its assets,
/// moved to In Progress; `change` alters its fields first.
pub fn ticket(world: &mut World, change: impl FnOnce(&mut Value)) -> String {
    let mut fields = json!({
        "project": {"id": seed::OPS_PROJECT_ID},
        "issuetype": {"id": seed::TASK_TYPE_ID},
        "summary": "Patch the web tier",
        "assignee": {"accountId": seed::BOB_REQUESTER},
        (seed::AFFECTED_ASSETS_FIELD): ["web-01", "db-02"],
    });
    change(&mut fields);
    let (status, made) = world.person_call(
        seed::CAROL_ADMIN,
        "POST",
        "/rest/api/3/issue",
        Some(&json!({"fields": fields})),
    );
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("key").to_string();
    move_to(world, &key, "51");
    key
}

/// Runs a transition by id as Carol.
pub fn move_to(world: &mut World, key: &str, transition: &str) {
    let path = format!("/rest/api/3/issue/{key}/transitions");
    let (status, body) = world.person_call(
        seed::CAROL_ADMIN,
        "POST",
        &path,
        Some(&json!({"transition": {"id": transition}})),
    );
    assert_eq!(status, 204, "{body}");
}

/// The appliance's request for `ticket_id`, as the seed's form keys; `change` alters them.
pub fn form(
    request_id: &str,
    ticket_id: &str,
    change: impl FnOnce(&mut Vec<(String, String)>),
) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = [
        ("request_id", request_id),
        ("ticket_id", ticket_id),
        ("response_url", RESPONSE_URL),
        ("jump_item.computer_name", "web-01.corp.example"),
        ("jump_item.type", "shell_jump"),
        ("jump_item.group", "Production Web"),
        ("jump_item.jumpoint_name", "DC1 Jumpoint"),
        ("jump_item.private_ip", "10.0.4.21"),
        ("jump_item.custom.owner", "web team"),
        ("user.id", "42"),
        ("user.username", "bob"),
        ("user.public_display_name", "Bob Requester"),
        ("user.email_address", "bob@example.com"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    change(&mut pairs);
    pairs
}

pub fn encode(pairs: &[(String, String)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        form.append_pair(k, v);
    }
    form.finish()
}

/// A POST to the PRA web trigger with the right secret.
pub fn post(body: &str, content_type: &str) -> Invocation {
    post_to(&format!("?{}={SECRET}", secret::PARAM), body, content_type)
}

pub fn post_to(query: &str, body: &str, content_type: &str) -> Invocation {
    Invocation::WebTrigger {
        trigger: super::WEB_TRIGGER.into(),
        request: HttpRequest {
            method: "POST".into(),
            url: query.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        },
    }
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// Sends the request as the appliance would (the appliance waits on its id), checks the 202,
/// runs the queue; the appliance's recorded answer for it.
pub fn ask(world: &mut World, pairs: &[(String, String)]) -> std::collections::BTreeMap<String, String> {
    let id = pairs
        .iter()
        .find(|(k, _)| k == "request_id")
        .map(|(_, v)| v.clone())
        .expect("request_id");
    world.pra.pending.insert(id.clone());
    let (status, body) = http(&crate::testkit::drive(world, post(&encode(pairs), FORM)));
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["requestId"], json!(id));
    world.run_jobs(60_000);
    world
        .pra
        .responses
        .iter()
        .find(|r| r.get("response_id") == Some(&id))
        .cloned()
        .unwrap_or_else(|| panic!("no answer for {id}: {:?}; logs {:?}", world.pra.responses, world.logs))
}

/// The kept verdict of a request id.
pub fn verdict(world: &World, request_id: &str) -> records::Verdict {
    let text = &world.kv[&records::keys::verdict(&records::id_of(request_id))];
    crate::store::decode(records::VERSION, text).expect("a verdict")
}
