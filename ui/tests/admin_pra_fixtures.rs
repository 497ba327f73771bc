//! The PRA section's fake resolver answers (`tests/browser/fixtures/admin-pra-*.json`) are real
//! answers: `admin.*` with `"section": "pra"` run by the core in its in-memory world, as
//! `tests/admin_fixtures.rs` does for EPM's. A test binary of its own: the world's URL secrets
//! come from a process-wide counter, so nothing else may draw from it for the answers to stay
//! the same from run to run. `UPDATE_FIXTURES=1 cargo test -p pam-approvals-ui --test
//! admin_pra_fixtures` rewrites them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use pam_approvals::protocol::{Invocation, Outcome};
use pam_approvals::providers::pra::settings::secret::SECRET_KEY;
use pam_approvals::testkit::{self, World};
use pam_approvals_ui::admin::answer::{self, ChecksAnswer, Reply, ViewAnswer};
use pam_approvals_ui::admin::pra::view::PraView;
use serde_json::{Value, json};

/// Web trigger URLs shaped like Forge's.
const EPM_URL: &str = "https://3d0f6c1e-7a6b-4c0e-9f3e-2b1d5c8a9e10.hello.atlassian-dev.net/x1/pA3mX9v2QeK7wT4n";
const PRA_URL: &str = "https://3d0f6c1e-7a6b-4c0e-9f3e-2b1d5c8a9e10.hello.atlassian-dev.net/x1/Vq8Lr2Zt6HcN1bYs";

/// What the browser test fills in and saves: every kind of input of the section.
fn filled_in() -> Value {
    json!({
        "enabled": true,
        "applianceHost": "acme.beyondtrustcloud.com",
        "sensitiveTicketId": true,
        "rules": {"issueKey": true, "issueExists": true, "status": true, "requester": true,
                  "jumpItem": true, "changeWindow": true},
        "allowedProjects": ["PMCJIT", "OPS"],
        "allowedStatuses": ["In Progress", "Approved"],
        "requesterField": "assignee",
        "assetField": "customfield_10050",
        "assetMatch": ["computer_name", "public_ip", "private_ip"],
        "windowStartField": "customfield_10051",
        "windowEndField": "customfield_10052",
        "sessionAttributes": [
            {"codeName": "jira_issue", "source": "issueKey"},
            {"codeName": "change_end", "source": "windowEnd"}
        ]
    })
}

/// Runs `name` as Carol (a Jira administrator), with both web trigger URLs in the context as a
/// host gives them.
fn call(world: &mut World, name: &str, payload: Value) -> Value {
    let context = json!({"accountId": world.user, "webTriggerUrls": {"epm-webhook": EPM_URL, "pra-ticket": PRA_URL}});
    let invocation = Invocation::Resolver {
        name: name.into(),
        payload: payload.to_string(),
        context: context.to_string(),
    };
    match testkit::drive(world, invocation) {
        Outcome::Value(text) => serde_json::from_str(&text).expect("resolver answers are JSON"),
        other => panic!("{name}: {other:?}"),
    }
}

/// The answers in the order the browser test meets them, with the URL secrets they generated.
fn fixtures() -> (Vec<(&'static str, Value)>, Vec<String>) {
    let mut world = World::admin_configured();
    let config = call(&mut world, "admin.config", json!({"section": "pra"}));
    // The section refuses what the page checks first too; only a page out of step sends it.
    let save_invalid = call(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": {"enabled": true}}),
    );
    let saved = call(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": filled_in(), "rotateSecret": false}),
    );
    let first = world.secrets[SECRET_KEY].clone();
    let reloaded = call(&mut world, "admin.config", json!({"section": "pra"}));
    let rotated = call(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": filled_in(), "rotateSecret": true}),
    );
    let second = world.secrets[SECRET_KEY].clone();
    let validate = call(&mut world, "admin.validate", json!({"section": "pra"}));
    // An appliance outside the egress, a project and a field the site does not have.
    let mut settings = filled_in();
    settings["applianceHost"] = json!("pra.corp.example");
    settings["allowedProjects"] = json!(["PMCJIT", "LEGAL"]);
    settings["windowEndField"] = json!("customfield_19999");
    call(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": settings}),
    );
    let validate_failing = call(&mut world, "admin.validate", json!({"section": "pra"}));
    let fixtures = vec![
        ("admin-pra-config", config),
        ("admin-pra-save-invalid", save_invalid),
        ("admin-pra-saved", saved),
        ("admin-pra-config-set", reloaded),
        ("admin-pra-rotated", rotated),
        ("admin-pra-validate", validate),
        ("admin-pra-validate-failing", validate_failing),
    ];
    (fixtures, vec![first, second])
}

fn readable(name: &str, answer: &Value) {
    let ok = answer["ok"] == json!(true);
    let result = if name.starts_with("admin-pra-validate") {
        answer::parse::<ChecksAnswer>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    } else {
        answer::parse::<ViewAnswer<PraView>>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    };
    assert_eq!(result, Ok(ok), "{name}: the page reads it otherwise: {answer}");
}

#[test]
fn admin_pra_fixtures_are_what_the_core_answers() {
    let (fixtures, secrets) = fixtures();
    let by_name = |name: &str| &fixtures.iter().find(|(n, _)| *n == name).unwrap().1;
    // What the browser and state tests rely on, said here so that a change in the core shows up
    // as a clear failure rather than an odd browser one.
    let config = &by_name("admin-pra-config")["view"];
    assert_eq!(
        (config["secretSet"].clone(), config["urlToPaste"].clone()),
        (json!(false), Value::Null)
    );
    assert_eq!(config["triggerUrl"], json!(PRA_URL));
    assert_eq!(config["settings"]["enabled"], json!(false));
    assert_eq!(config["rules"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        by_name("admin-pra-save-invalid")["error"]["fields"],
        json!({"applianceHost": "is required to enable PRA"})
    );
    let saved = &by_name("admin-pra-saved")["view"];
    assert_eq!(saved["settings"], filled_in(), "saved as the page sends it");
    assert_eq!(saved["urlToPaste"], json!(format!("{PRA_URL}?secret={}", secrets[0])));
    let reloaded = &by_name("admin-pra-config-set")["view"];
    assert_eq!(
        (reloaded["secretSet"].clone(), reloaded["urlToPaste"].clone()),
        (json!(true), Value::Null)
    );
    assert_eq!(
        by_name("admin-pra-rotated")["view"]["urlToPaste"],
        json!(format!("{PRA_URL}?secret={}", secrets[1]))
    );
    assert_ne!(secrets[0], secrets[1]);
    assert!(
        by_name("admin-pra-validate")["checks"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    let failing = &by_name("admin-pra-validate-failing")["summary"];
    assert!(
        failing["failed"].as_u64() >= Some(2) && failing["warnings"].as_u64() >= Some(1),
        "{failing}"
    );
    for (name, answer) in &fixtures {
        if answer["ok"] == json!(true) {
            assert_eq!(answer["sections"], json!(["epm", "pra", "keeper"]), "{name}");
        }
        // A secret is only in the answer that generated it.
        let text = answer.to_string();
        let shown: Vec<_> = secrets.iter().filter(|s| text.contains(s.as_str())).collect();
        let expected = usize::from(matches!(*name, "admin-pra-saved" | "admin-pra-rotated"));
        assert_eq!(shown.len(), expected, "{name}");
    }
    common::check(fixtures, readable);
}
