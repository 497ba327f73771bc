//! The configuration page's fake resolver answers (`tests/browser/fixtures/admin-*.json`) are
//! real answers: each is one `admin.*` resolver run of the core, driven through its in-memory
//! world (`testkit`: KV, secrets, the sandbox Jira in memory, a fake EPM). This test fails when a fixture
//! drifts from what the core answers; `UPDATE_FIXTURES=1 cargo test -p pam-approvals-ui --test
//! admin_fixtures` rewrites them. Native only, like the test world.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use pam_approvals::config;
use pam_approvals::config::check::{Check, Summary};
use pam_approvals::providers::epm::settings::view::AdminView;
use pam_approvals::providers::epm::settings::{EpmSettings, SECRET_CLIENT_SECRET, SECRET_WEBHOOK_PASSWORD};
use pam_approvals::testkit::World;
use pam_approvals::testkit_epm;
use pam_approvals_ui::admin::answer::{self, ChecksAnswer, Reply, ViewAnswer};
use serde_json::{Value, json};

const ALICE: &str = "acc-alice";
/// A web trigger URL shaped like Forge's.
const WEB_TRIGGER_URL: &str =
    "https://3d0f6c1e-7a6b-4c0e-9f3e-2b1d5c8a9e10.hello.atlassian-dev.net/x1/pA3mX9v2QeK7wT4n";

/// A site where Carol is a Jira admin and the app is fully configured (what "Validate
/// configuration" passes on).
fn configured() -> World {
    World::admin_configured()
}

/// A first visit: nothing stored yet, so the defaults and no credentials.
fn fresh() -> World {
    let mut world = configured();
    world.kv.clear();
    world.secrets.clear();
    world
}

fn call(world: &mut World, name: &str, payload: Value) -> Value {
    serde_json::from_str(&world.resolve(name, &payload, WEB_TRIGGER_URL)).expect("resolver answers are JSON")
}

fn stored_config(world: &World) -> Value {
    serde_json::to_value(EpmSettings::from_stored(&world.kv[config::CONFIG_KEY]).unwrap()).unwrap()
}

fn fixtures() -> Vec<(&'static str, Value)> {
    let config = call(&mut configured(), "admin.config", json!({}));
    let fresh_config = call(&mut fresh(), "admin.config", json!({}));

    // What the browser test's Save sends: a new summary template and webhook password.
    let mut world = configured();
    let mut settings = stored_config(&world);
    settings["summaryTemplate"] = json!("JIT access: %%User%% on %%HostName%%");
    let saved = call(
        &mut world,
        "admin.save",
        json!({"config": settings, "secrets": {"webhookPassword": "a-new-webhook-password"}}),
    );

    // What only the server can refuse (the page checks the same rules before sending).
    let mut world = configured();
    let mut settings = stored_config(&world);
    settings["projectKey"] = json!("pmc jit");
    settings["customFieldId"] = json!("cf_1");
    let save_invalid = call(&mut world, "admin.save", json!({"config": settings, "secrets": {}}));

    let validate = call(&mut configured(), "admin.validate", json!({}));
    // A project and field the site does not have, and no client secret: fails, and what
    // depends on them is skipped.
    let mut world = configured();
    let broken = EpmSettings {
        project_key: "LEGAL".into(),
        custom_field_id: "customfield_10003".into(),
        ..EpmSettings::from_stored(&world.kv[config::CONFIG_KEY]).unwrap()
    };
    world.kv.insert(config::CONFIG_KEY.into(), broken.stored());
    world.secrets.remove(SECRET_CLIENT_SECRET);
    let validate_failing = call(&mut world, "admin.validate", json!({}));

    let mut world = configured();
    world.user = Some(ALICE.into());
    let forbidden = call(&mut world, "admin.config", json!({}));
    let mut world = configured();
    world.storage_down = true;
    let unavailable = call(&mut world, "admin.config", json!({}));

    vec![
        ("admin-config", config),
        ("admin-config-fresh", fresh_config),
        ("admin-saved", saved),
        ("admin-save-invalid", save_invalid),
        ("admin-validate", validate),
        ("admin-validate-failing", validate_failing),
        ("admin-forbidden", forbidden),
        ("admin-unavailable", unavailable),
    ]
}

/// The page reads each the way it reads the real answers.
fn readable(name: &str, answer: &Value) {
    let ok = answer["ok"] == json!(true);
    let result = if name.starts_with("admin-validate") {
        answer::parse::<ChecksAnswer>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    } else {
        answer::parse::<ViewAnswer>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    };
    assert_eq!(result, Ok(ok), "{name}: the page reads it otherwise: {answer}");
}

#[test]
fn admin_fixtures_are_what_the_core_answers() {
    let fixtures = fixtures();
    // What the browser tests rely on, said here so that a change in the core shows up as a
    // clear failure rather than an odd browser one.
    let by_name = |name: &str| &fixtures.iter().find(|(n, _)| *n == name).unwrap().1;
    let view: AdminView = serde_json::from_value(by_name("admin-config")["view"].clone()).unwrap();
    assert!(view.secrets.webhook_password_set && view.secrets.client_secret_set);
    let fresh: AdminView = serde_json::from_value(by_name("admin-config-fresh")["view"].clone()).unwrap();
    assert!(!fresh.secrets.webhook_password_set && !fresh.secrets.client_secret_set);
    assert!(fresh.warnings.len() >= 2, "{:?}", fresh.warnings);
    assert_eq!(
        by_name("admin-saved")["view"]["config"]["summaryTemplate"],
        json!("JIT access: %%User%% on %%HostName%%")
    );
    let fields = by_name("admin-save-invalid")["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("projectKey") && fields.contains_key("customFieldId"));
    let checks: Vec<Check> = serde_json::from_value(by_name("admin-validate")["checks"].clone()).unwrap();
    assert!(!checks.is_empty());
    let summary: Summary = serde_json::from_value(by_name("admin-validate-failing")["summary"].clone()).unwrap();
    assert!(summary.failed > 0 && summary.passed > 0, "{summary:?}");
    assert_eq!(by_name("admin-forbidden")["error"]["code"], json!("forbidden"));
    assert_eq!(by_name("admin-unavailable")["error"]["code"], json!("unavailable"));
    // The world's stored secrets and the one just saved are in no answer.
    let stored = configured().secrets[SECRET_WEBHOOK_PASSWORD].clone();
    for (name, answer) in &fixtures {
        let text = answer.to_string();
        for secret in [stored.as_str(), testkit_epm::CLIENT_SECRET, "a-new-webhook-password"] {
            assert!(!text.contains(secret), "{name} has a secret: {text}");
        }
    }
    common::check(fixtures, readable);
}
