//! The configuration page's resolvers against the in-memory world (`testkit`, `testkit_site`):
//! the checks read the sandbox Jira's site.

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use super::{EpmSettings, SECRET_CLIENT_SECRET, SECRET_WEBHOOK_PASSWORD};
use crate::config;
use crate::testkit::World;
use crate::testkit_epm;

const WEB_TRIGGER_URL: &str = "https://site.example/x/epm-webhook";

fn world() -> World {
    World::admin_configured()
}

fn call(world: &mut World, name: &str, payload: Value) -> (String, Value) {
    let text = world.resolve(name, &payload, WEB_TRIGGER_URL);
    let value = serde_json::from_str(&text).expect("JSON answer");
    (text, value)
}

fn stored(world: &World) -> EpmSettings {
    EpmSettings::from_stored(&world.kv[crate::config::CONFIG_KEY]).unwrap()
}

fn save_payload(world: &World, secrets: Value) -> Value {
    json!({"config": stored(world), "secrets": secrets})
}

fn checks(answer: &Value) -> Vec<(String, String)> {
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == json!(id))
        .unwrap_or_else(|| panic!("no check {id} in {answer}"))
}

#[test]
fn only_jira_admins_get_anywhere_and_nothing_is_written_for_others() {
    let mut world = world();
    world.user = Some("acc-alice".into());
    let before = (world.kv.clone(), world.secrets.clone());
    let mut payload = save_payload(&world, json!({"webhookPassword": "a-new-password-1"}));
    payload["config"]["projectKey"] = json!("OPS");
    for (name, payload) in [
        ("admin.config", json!({})),
        ("admin.save", payload),
        ("admin.validate", json!({})),
    ] {
        let (text, answer) = call(&mut world, name, payload);
        assert_eq!(answer["error"]["code"], json!("forbidden"), "{name}: {text}");
        assert!(
            !text.contains("PMCJIT") && !text.contains("hook"),
            "{name} leaks settings: {text}"
        );
    }
    assert_eq!((world.kv.clone(), world.secrets.clone()), before);
    assert_eq!(world.jira_calls("POST", "/rest/api/3/workflows"), 0);
    assert!(world.epm.token_requests == 0, "no EPM call for a non-admin");
}

#[test]
fn the_view_shows_settings_and_which_secrets_are_set_never_their_values() {
    let mut world = world();
    let (text, answer) = call(&mut world, "admin.config", json!({}));
    assert_eq!(answer["ok"], json!(true), "{text}");
    let view = &answer["view"];
    assert_eq!(view["config"]["projectKey"], json!("PMCJIT"));
    assert_eq!(
        view["secrets"],
        json!({"webhookUsername": "hook", "webhookPasswordSet": true, "clientSecretSet": true})
    );
    for secret in ["pw-123456", testkit_epm::CLIENT_SECRET] {
        assert!(!text.contains(secret), "secret in the answer: {text}");
    }
    assert_eq!(
        view["webhookUrls"],
        json!([{"label": "Web trigger URL (paste this into both EPM webhooks)", "url": WEB_TRIGGER_URL, "primary": true}])
    );
    let events: Vec<&str> = view["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "JIT Application Access Ticket Created",
            "JIT Application Access Decision Updated"
        ]
    );
    assert!(view["templates"][0]["body"].as_str().unwrap().contains("%%RequestId%%"));
    // epm.example.test is not under *.pm.beyondtrustcloud.com: the egress warning names the fix.
    let warnings = view["warnings"].to_string();
    assert!(warnings.contains("permissions.external.fetch.backend"), "{warnings}");
}

#[test]
fn a_valid_save_writes_settings_and_only_the_secrets_given() {
    let mut world = world();
    world.secrets.insert("epm.token".into(), "cached-token".into());
    let mut payload = save_payload(
        &world,
        json!({"webhookUsername": "hook", "webhookPassword": "a-new-password-1", "clientSecret": ""}),
    );
    payload["config"]["summaryTemplate"] = json!("JIT: %%User%% on %%HostName%%");
    payload["config"]["approverGroup"] = json!("pam-approvers");
    let (text, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["ok"], json!(true), "{text}");
    assert_eq!(
        answer["view"]["config"]["summaryTemplate"],
        json!("JIT: %%User%% on %%HostName%%")
    );
    assert!(!text.contains("a-new-password-1"));
    assert_eq!(stored(&world).approver_group, "pam-approvers");
    assert_eq!(world.secrets[SECRET_WEBHOOK_PASSWORD], "a-new-password-1");
    assert_eq!(
        world.secrets[SECRET_CLIENT_SECRET],
        testkit_epm::CLIENT_SECRET,
        "a blank secret keeps the stored one"
    );
    assert_eq!(
        world.secrets["epm.token"], "cached-token",
        "EPM settings unchanged: token kept"
    );

    let mut payload = save_payload(&world, json!({"clientSecret": "another-client-secret"}));
    payload["config"]["clientId"] = json!("client-2");
    let (_, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["ok"], json!(true));
    assert_eq!(
        world.secrets["epm.token"], "",
        "new EPM credentials drop the cached token"
    );
}

#[test]
fn a_bad_save_names_every_field_and_writes_nothing() {
    let mut world = world();
    let before = (world.kv.clone(), world.secrets.clone());
    let mut payload = save_payload(&world, json!({"webhookPassword": "short", "webhookUsername": "a:b"}));
    let config = &mut payload["config"];
    config["serviceHostname"] = json!("https://x.example.com:443/p");
    config["projectKey"] = json!("bad key");
    config["customFieldId"] = json!("cf_1");
    config["summaryTemplate"] = json!("%%Nope%%");
    config["customWebhookUrl"] = json!("http://example.com/hook");
    let (text, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["error"]["code"], json!("invalid"), "{text}");
    let mut fields: Vec<&String> = answer["error"]["fields"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "customFieldId",
            "customWebhookUrl",
            "projectKey",
            "serviceHostname",
            "summaryTemplate",
            "webhookPassword",
            "webhookUsername"
        ]
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing was saved")
    );
    assert!(!text.contains("short\""), "the password is not echoed: {text}");
    assert_eq!((world.kv.clone(), world.secrets.clone()), before);
}

#[test]
fn enabling_needs_every_credential() {
    let mut world = world();
    world.secrets.clear();
    let mut payload = save_payload(&world, json!({}));
    payload["config"]["clientId"] = json!("");
    let (_, answer) = call(&mut world, "admin.save", payload.clone());
    let fields = answer["error"]["fields"].as_object().unwrap();
    for field in ["clientId", "clientSecret", "webhookUsername", "webhookPassword"] {
        assert_eq!(
            fields[field],
            json!("is required while the integration is enabled"),
            "{field}"
        );
    }
    payload["config"]["enabled"] = json!(false);
    let (_, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["ok"], json!(true), "a disabled integration may be incomplete");
}

#[test]
fn a_misshapen_save_is_refused_without_echoing_values() {
    let mut world = world();
    let before = world.kv.clone();
    for (payload, named) in [
        (
            json!({"config": {"projectKey": 12345678901u64}}),
            "`config.projectKey` must be a string",
        ),
        (
            json!({"config": stored(&world), "secrets": {"webhookPassword": 98765432101u64}}),
            "`secrets.webhookPassword` must be a string",
        ),
        (
            json!({"config": stored(&world), "extra": "x"}),
            "`extra` is not a known setting",
        ),
        (
            json!({"config": {"enabled": "yes"}}),
            "`config.enabled` must be a boolean",
        ),
        (json!({"secrets": {}}), "missing field `config`"),
        (json!("not an object"), "must be an object with `config`"),
    ] {
        let (text, answer) = call(&mut world, "admin.save", payload);
        assert_eq!(answer["error"]["code"], json!("invalid"), "{text}");
        assert!(
            answer["error"]["message"].as_str().is_some_and(|m| m.contains(named)),
            "{text} lacks {named}"
        );
        assert!(!text.contains("12345678901") && !text.contains("98765432101"), "{text}");
    }
    assert_eq!(world.kv, before);
}

#[test]
fn a_section_this_build_lacks_is_the_requests_fault() {
    let mut world = world();
    let before = world.kv.clone();
    let (text, answer) = call(&mut world, "admin.save", json!({"section": "nope", "settings": {}}));
    assert_eq!(answer["error"]["code"], json!("invalid"), "{text}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("no settings section \"nope\""), "{text}");
    assert_eq!(world.kv, before);
}

#[test]
fn validation_passes_on_a_good_configuration() {
    let mut world = world();
    let good = EpmSettings {
        duration_field_id: seed::ACCESS_DURATION_FIELD.into(),
        ..stored(&world)
    };
    world.kv.insert(config::CONFIG_KEY.into(), good.stored());
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    assert_eq!(answer["ok"], json!(true), "{text}");
    let all_pass: Vec<(String, String)> = [
        "enabled",
        "webhookCredentials",
        "project",
        "issueType",
        "customField",
        "assignee",
        "durationField",
        "approvedStatus",
        "deniedStatus",
        "moveBack",
        "epmHost",
        "epmToken",
    ]
    .iter()
    .map(|id| (id.to_string(), "pass".to_string()))
    .collect();
    assert_eq!(checks(&answer), all_pass, "{text}");
    assert_eq!(
        answer["summary"],
        json!({"passed": 12, "failed": 0, "warnings": 0, "skipped": 0})
    );
    assert_eq!(world.epm.token_requests, 1);
    assert!(
        !world.secrets.contains_key("epm.token"),
        "a check does not cache a token"
    );
    assert!(!text.contains(testkit_epm::CLIENT_SECRET));
}

/// Deciding in Jira needs a select field for durations and a way back for refused moves.
#[test]
fn validation_checks_what_deciding_in_jira_needs() {
    // The seed's workflow without "Reopen": nothing leads back from a decision.
    let mut world = world().with_site(|site| site.transitions.retain(|t| t.name != "Reopen"));
    let settings = EpmSettings {
        duration_field_id: seed::EPM_REQUEST_ID_FIELD.into(),
        ..stored(&world)
    };
    world.kv.insert(config::CONFIG_KEY.into(), settings.stored());
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    assert_eq!(check(&answer, "durationField")["status"], json!("fail"), "{text}");
    assert!(
        check(&answer, "durationField")["detail"]
            .as_str()
            .unwrap()
            .contains("not a single-choice select")
    );
    assert_eq!(check(&answer, "moveBack")["status"], json!("warn"), "{text}");
    assert!(
        check(&answer, "moveBack")["detail"]
            .as_str()
            .unwrap()
            .contains("no transition from")
    );
    // A field Jira does not have; and with deciding in Jira off, neither check runs.
    let missing = EpmSettings {
        duration_field_id: "customfield_19999".into(),
        ..settings.clone()
    };
    world.kv.insert(config::CONFIG_KEY.into(), missing.stored());
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    assert!(
        check(&answer, "durationField")["detail"]
            .as_str()
            .unwrap()
            .contains("no field customfield_19999"),
        "{text}"
    );
    let off = EpmSettings {
        decide_by_transition: false,
        ..settings
    };
    world.kv.insert(config::CONFIG_KEY.into(), off.stored());
    let (_, answer) = call(&mut world, "admin.validate", json!({}));
    let ids: Vec<String> = checks(&answer).into_iter().map(|(id, _)| id).collect();
    assert!(
        !ids.iter().any(|id| id == "durationField" || id == "moveBack"),
        "{ids:?}"
    );
}

#[test]
fn validation_says_what_is_broken_and_how_to_fix_it() {
    // The seed's site, plus a Task type in PMCJIT, a status no transition reaches and a text
    // field on no create screen.
    let mut world = world().with_site(|site| {
        site.projects[0].issue_types.push(seed::TASK_TYPE_ID.into());
        site.statuses.push(pam_sandboxes::jira::StatusRec {
            id: "10005".into(),
            name: "Waiting".into(),
            description: "Reached by no transition.".into(),
            category: "indeterminate".into(),
            initial: false,
        });
        let mut off_screen = site
            .fields
            .iter()
            .find(|f| f.id == seed::EPM_REQUEST_ID_FIELD)
            .unwrap()
            .clone();
        off_screen.id = "customfield_10003".into();
        off_screen.name = "Off-screen id".into();
        off_screen.clause_names = vec!["cf[10003]".into(), "Off-screen id".into()];
        off_screen.schema["customId"] = json!(10003);
        off_screen.screens = Some(Vec::new());
        site.fields.push(off_screen);
    });
    let broken = EpmSettings {
        enabled: false,
        issue_type_name: "Bug".into(),
        assignee_name: "Sam Smith".into(),
        approved_status: "Granted".into(),
        ..stored(&world)
    };
    world.kv.insert(config::CONFIG_KEY.into(), broken.stored());
    // The seed has two active Sam Smiths.
    world.secrets.insert(SECRET_CLIENT_SECRET.into(), "wrong-secret".into());
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    let expected = [
        ("enabled", "warn"),
        ("webhookCredentials", "pass"),
        ("project", "pass"),
        ("issueType", "fail"),
        ("customField", "skip"),
        ("assignee", "fail"),
        ("approvedStatus", "skip"),
        ("deniedStatus", "skip"),
        ("epmHost", "pass"),
        ("epmToken", "fail"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(checks(&answer), expected, "{text}");
    assert!(
        check(&answer, "issueType")["detail"]
            .as_str()
            .unwrap()
            .contains("Access Request, Task")
    );
    assert!(check(&answer, "assignee")["fix"].as_str().unwrap().contains(&format!(
        "{} or {}",
        seed::SAM_SMITH_1,
        seed::SAM_SMITH_2
    )));
    assert!(
        check(&answer, "epmToken")["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 400")
    );
    for c in answer["checks"].as_array().unwrap() {
        if c["status"] == json!("fail") || c["status"] == json!("warn") {
            assert!(!c["fix"].as_str().unwrap().is_empty(), "{c}");
        }
    }
    assert!(!text.contains("wrong-secret"));

    // The issue type fixed, the status and field broken in other ways.
    let broken = EpmSettings {
        issue_type_name: "access request".into(),
        custom_field_id: "customfield_10002".into(),
        denied_status: "Waiting".into(),
        ..broken
    };
    world.kv.insert(config::CONFIG_KEY.into(), broken.stored());
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    assert_eq!(check(&answer, "customField")["status"], json!("fail"), "{text}");
    assert!(
        check(&answer, "customField")["detail"]
            .as_str()
            .unwrap()
            .contains("datetime")
    );
    let approved = check(&answer, "approvedStatus");
    assert_eq!(approved["status"], json!("fail"));
    assert!(
        approved["detail"]
            .as_str()
            .unwrap()
            .contains("Open, Approved, Denied, Expired, In Progress, Waiting"),
        "{approved}"
    );
    let denied = check(&answer, "deniedStatus");
    assert!(
        denied["detail"].as_str().unwrap().contains("no transition into it"),
        "{denied}"
    );

    let off_screen = EpmSettings {
        custom_field_id: "customfield_10003".into(),
        ..broken.clone()
    };
    world.kv.insert(config::CONFIG_KEY.into(), off_screen.stored());
    let (_, answer) = call(&mut world, "admin.validate", json!({}));
    assert!(
        check(&answer, "customField")["fix"]
            .as_str()
            .unwrap()
            .contains("create screen")
    );

    let missing = EpmSettings {
        project_key: "NOPE".into(),
        ..broken
    };
    world.kv.insert(config::CONFIG_KEY.into(), missing.stored());
    world.epm.faults.push_back(None);
    let (text, answer) = call(&mut world, "admin.validate", json!({}));
    assert_eq!(check(&answer, "project")["status"], json!("fail"), "{text}");
    assert_eq!(check(&answer, "issueType")["status"], json!("skip"));
    assert_eq!(check(&answer, "epmHost")["status"], json!("fail"));
    assert_eq!(check(&answer, "epmToken")["status"], json!("skip"));
}

#[test]
fn the_app_without_create_permission_fails_the_project_check() {
    // The app may browse the project but not create issues in it.
    let mut world = world().with_site(|site| {
        let app = site
            .users
            .iter_mut()
            .find(|u| u.account_id == seed::APP_ACCOUNT_ID)
            .unwrap();
        app.all_permissions = false;
        app.project_permissions = Some(vec!["BROWSE_PROJECTS".into()]);
    });
    let (_, answer) = call(&mut world, "admin.validate", json!({}));
    let project = check(&answer, "project");
    assert_eq!(project["status"], json!("fail"));
    assert!(
        project["detail"].as_str().unwrap().contains("Create issues"),
        "{project}"
    );
}

/// The stored client secret was typed for the stored EPM host: a save pointing the app at
/// another host (or client id) must bring the secret again, or "Validate configuration" and the
/// next decision would post the stored secret to the new host.
#[test]
fn a_new_epm_host_or_client_id_needs_the_client_secret_again() {
    let mut world = world();
    let before = (world.kv.clone(), world.secrets.clone());
    for (field, value, says) in [
        ("serviceHostname", "epm.attacker.example", "the EPM host changed"),
        ("clientId", "client-2", "the client id changed"),
    ] {
        for enabled in [true, false] {
            let mut payload = save_payload(&world, json!({"clientSecret": ""}));
            payload["config"][field] = json!(value);
            payload["config"]["enabled"] = json!(enabled);
            let (text, answer) = call(&mut world, "admin.save", payload);
            assert_eq!(answer["error"]["code"], json!("invalid"), "{field}: {text}");
            let fields = answer["error"]["fields"].as_object().unwrap();
            assert_eq!(fields.keys().collect::<Vec<_>>(), ["clientSecret"], "{text}");
            let message = fields["clientSecret"].as_str().unwrap();
            assert!(
                message.starts_with("Enter the client secret again") && message.contains(says),
                "{message}"
            );
            assert_eq!((world.kv.clone(), world.secrets.clone()), before, "nothing written");
        }
    }
    // "Validate configuration" still talks to the stored host only.
    let (_, answer) = call(&mut world, "admin.validate", json!({}));
    assert_eq!(check(&answer, "epmToken")["status"], json!("pass"));
    let hosts: Vec<&str> = world
        .calls
        .iter()
        .filter_map(|c| match c {
            crate::protocol::Call::Fetch(request) => Some(request.url.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        hosts
            .iter()
            .all(|url| url.starts_with(&format!("https://{}/", testkit_epm::HOST))),
        "{hosts:?}"
    );

    // With the secret typed again, the new host is saved; clearing the host needs no secret.
    let mut payload = save_payload(&world, json!({"clientSecret": "the-secret-for-the-new-host"}));
    payload["config"]["serviceHostname"] = json!("epm2.example.test");
    let (text, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["ok"], json!(true), "{text}");
    assert_eq!(world.secrets[SECRET_CLIENT_SECRET], "the-secret-for-the-new-host");
    let mut payload = save_payload(&world, json!({}));
    payload["config"]["serviceHostname"] = json!("");
    payload["config"]["enabled"] = json!(false);
    let (text, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["ok"], json!(true), "{text}");
    // Setting a host again (from none) asks for the secret again too.
    let mut payload = save_payload(&world, json!({}));
    payload["config"]["serviceHostname"] = json!("epm2.example.test");
    let (text, answer) = call(&mut world, "admin.save", payload);
    assert_eq!(answer["error"]["code"], json!("invalid"), "{text}");
}

#[test]
fn the_view_warns_when_the_automatic_reporter_is_off() {
    let mut world = world();
    let reporter_warning = |answer: &Value| {
        answer["view"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|w| w.starts_with("Automatic reporter is off"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let (_, answer) = call(&mut world, "admin.config", json!({}));
    assert!(reporter_warning(&answer).is_empty(), "on by default: no warning");

    let mut payload = save_payload(&world, json!({}));
    payload["config"]["automaticReporter"] = json!(false);
    let (text, saved) = call(&mut world, "admin.save", payload);
    assert_eq!(saved["ok"], json!(true), "{text}");
    let (_, answer) = call(&mut world, "admin.config", json!({}));
    for answer in [&saved, &answer] {
        let warning = reporter_warning(answer);
        assert_eq!(warning.len(), 1, "{answer}");
        assert!(
            warning[0].contains("own request") && warning[0].contains("names and e-mail addresses"),
            "{}",
            warning[0]
        );
    }
}
