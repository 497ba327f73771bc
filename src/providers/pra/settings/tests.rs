//! PRA's settings: validation, and the configuration page's PRA section through the `admin.*`
//! resolvers (an admin only; the URL secret shown once, on the answer that generated it).

use serde_json::{Value, json};

use super::*;
use crate::testkit::World;

fn valid() -> PraSettings {
    PraSettings {
        enabled: true,
        appliance_host: "acme.beyondtrustcloud.com".into(),
        ..PraSettings::default()
    }
}

#[test]
fn validation_names_the_field() {
    let cases: Vec<(PraSettings, &str)> = vec![
        (
            PraSettings {
                appliance_host: String::new(),
                ..valid()
            },
            "applianceHost: is required",
        ),
        (
            PraSettings {
                appliance_host: "https://acme.beyondtrustcloud.com".into(),
                ..valid()
            },
            "applianceHost: must be",
        ),
        (
            PraSettings {
                appliance_host: "10.0.0.1".into(),
                ..valid()
            },
            "applianceHost: must be",
        ),
        (
            PraSettings {
                appliance_host: "pra.localhost".into(),
                ..valid()
            },
            "applianceHost: must be",
        ),
        (
            PraSettings {
                allowed_projects: vec!["1ops".into()],
                ..valid()
            },
            "allowedProjects: \"1OPS\"",
        ),
        (
            PraSettings {
                allowed_statuses: vec![],
                ..valid()
            },
            "allowedStatuses: name at least one",
        ),
        (
            PraSettings {
                requester_field: "description".into(),
                ..valid()
            },
            "requesterField",
        ),
        (
            PraSettings {
                rules: Rules {
                    jump_item: true,
                    ..Rules::default()
                },
                ..valid()
            },
            "assetField: is required",
        ),
        (
            PraSettings {
                asset_field: "labels".into(),
                asset_match: vec!["mac".into()],
                ..valid()
            },
            "assetMatch: \"mac\"",
        ),
        (
            PraSettings {
                rules: Rules {
                    change_window: true,
                    ..Rules::default()
                },
                ..valid()
            },
            "windowStartField: is required",
        ),
        (
            PraSettings {
                session_attributes: vec![SessionAttribute {
                    code_name: "a b".into(),
                    source: "issueKey".into(),
                }],
                ..valid()
            },
            "code name \"a b\"",
        ),
        (
            PraSettings {
                session_attributes: vec![SessionAttribute {
                    code_name: "ab".into(),
                    source: "password".into(),
                }],
                ..valid()
            },
            "the source of \"ab\"",
        ),
        (
            PraSettings {
                session_attributes: vec![SessionAttribute {
                    code_name: "end".into(),
                    source: "windowEnd".into(),
                }],
                ..valid()
            },
            "reads the change window",
        ),
    ];
    for (settings, message) in cases {
        let error = settings.normalized().validate().unwrap_err().to_string();
        assert!(error.contains(message), "{error} lacks {message}");
    }
    assert!(valid().validate().is_ok());
    assert!(
        PraSettings::default().validate().is_ok(),
        "the defaults are valid (disabled)"
    );
    let tidy = PraSettings {
        appliance_host: " ACME.BeyondTrustCloud.com. ".into(),
        allowed_projects: vec![" ops ".into(), "OPS".into(), "".into()],
        ..valid()
    }
    .normalized();
    assert_eq!(tidy.appliance_host, "acme.beyondtrustcloud.com");
    assert_eq!(tidy.allowed_projects, ["OPS"]);
}

const EPM_TRIGGER_URL: &str = "https://example.atlassian-dev.net/x1/abc/epm-webhook";
const TRIGGER_URL: &str = "https://example.atlassian-dev.net/x1/abc/pra-ticket";

/// The statuses of the checks with this id, in order.
fn statuses(checks: &Value, id: &str) -> Vec<String> {
    checks["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap_or("").to_string())
        .collect()
}

/// An `admin.*` call as the world's user (Carol), its answer.
fn admin(world: &mut World, name: &str, payload: Value) -> Value {
    serde_json::from_str(&world.resolve(name, &payload, EPM_TRIGGER_URL)).unwrap()
}

#[test]
fn the_pra_section_saves_generates_the_url_once_and_validates() {
    let mut world = World::configured();
    world.user = Some(pam_sandboxes::jira::seed::CAROL_ADMIN.into());
    let view = admin(&mut world, "admin.config", json!({"section": "pra"}));
    assert_eq!(view["view"]["section"], "pra", "{view}");
    assert_eq!(view["view"]["secretSet"], false);
    // Every section of this build, PRA's among them.
    assert_eq!(view["sections"], json!(crate::providers::settings_sections()));
    assert!(view["sections"].as_array().unwrap().contains(&json!("pra")));
    assert_eq!(
        view["view"]["settings"]["allowedStatuses"],
        json!(["In Progress", "Approved"])
    );

    let settings = json!({"enabled": true, "applianceHost": "acme.beyondtrustcloud.com", "allowedProjects": ["ops"]});
    let saved = admin(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": settings}),
    );
    assert_eq!(saved["ok"], true, "{saved}");
    let url = saved["view"]["urlToPaste"]
        .as_str()
        .expect("enabling generates the URL");
    let stored = world.secrets[secret::SECRET_KEY].clone();
    assert_eq!(stored.len(), 64, "256 bits, hex");
    assert_eq!(url, format!("{TRIGGER_URL}?secret={stored}"));
    assert_eq!(saved["view"]["settings"]["allowedProjects"], json!(["OPS"]));

    // Shown once: views and later saves never carry it.
    let view = admin(&mut world, "admin.config", json!({"section": "pra"}));
    assert_eq!(view["view"]["urlToPaste"], Value::Null);
    assert_eq!(view["view"]["secretSet"], true);
    assert!(!view.to_string().contains(&stored));
    let again = admin(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": settings}),
    );
    assert_eq!(again["view"]["urlToPaste"], Value::Null);
    assert_eq!(world.secrets[secret::SECRET_KEY], stored, "kept");

    let rotated = admin(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": settings, "rotateSecret": true}),
    );
    let fresh = world.secrets[secret::SECRET_KEY].clone();
    assert_ne!(fresh, stored);
    assert!(rotated["view"]["urlToPaste"].as_str().unwrap().ends_with(&fresh));
    assert!(world.logs.iter().all(|l| !l.contains(&fresh) && !l.contains(&stored)));

    // EPM's section is left as it was.
    let epm = admin(&mut world, "admin.config", json!({}));
    assert_eq!(epm["view"]["config"]["enabled"], true, "{epm}");

    let refused = admin(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": {"enabled": true}}),
    );
    assert_eq!(refused["ok"], false);
    assert_eq!(
        refused["error"]["fields"]["applianceHost"], "is required to enable PRA",
        "{refused}"
    );

    let checks = admin(&mut world, "admin.validate", json!({"section": "pra"}));
    assert_eq!(checks["ok"], true, "{checks}");
    for id in ["pra-appliance", "pra-secret", "pra-project", "pra-statuses"] {
        assert_eq!(statuses(&checks, id), ["pass"], "{id}: {checks}");
    }
}

#[test]
fn the_checks_find_missing_statuses_fields_and_foreign_appliances() {
    let mut world = World::configured();
    world.user = Some(pam_sandboxes::jira::seed::CAROL_ADMIN.into());
    let settings = json!({
        "enabled": true, "applianceHost": "pra.corp.example", "allowedProjects": ["NOPE"],
        "allowedStatuses": ["In Progress", "Doing"],
        "rules": {"jumpItem": true, "changeWindow": true, "issueKey": true, "issueExists": true, "status": true, "requester": true},
        "assetField": "customfield_10001", "windowStartField": "customfield_10051", "windowEndField": "customfield_19999",
    });
    let saved = admin(
        &mut world,
        "admin.save",
        json!({"section": "pra", "settings": settings}),
    );
    assert_eq!(saved["ok"], true, "{saved}");
    let checks = admin(&mut world, "admin.validate", json!({"section": "pra"}));
    let status = |id: &str| statuses(&checks, id);
    assert_eq!(status("pra-appliance"), ["warn"], "{checks}");
    assert_eq!(status("pra-project"), ["fail"]);
    assert_eq!(status("pra-statuses"), ["fail"]);
    assert_eq!(status("pra-asset-field"), ["pass"], "a text field lists Jump Items too");
    assert_eq!(status("pra-window-start"), ["pass"]);
    assert_eq!(status("pra-window-end"), ["fail"]);
}

/// Resolver `name` as `person`, with `trigger_urls` as the host's web trigger URLs; the answer.
fn call_as(person: &str, name: &str, payload: Value, trigger_urls: Value) -> (World, String) {
    let mut world = World::configured();
    world.user = Some(person.into());
    let context = json!({"accountId": person, "webTriggerUrls": trigger_urls});
    let outcome = crate::testkit::drive(
        &mut world,
        crate::protocol::Invocation::Resolver {
            name: name.into(),
            payload: payload.to_string(),
            context: context.to_string(),
        },
    );
    let crate::protocol::Outcome::Value(text) = outcome else {
        panic!("{outcome:?}")
    };
    (world, text)
}

#[test]
fn a_sensitive_ticket_id_needs_an_https_trigger() {
    let payload = json!({"section": "pra", "settings": {"enabled": true, "applianceHost": "acme.beyondtrustcloud.com", "sensitiveTicketId": true}});
    let urls = json!({"pra-ticket": "http://pam.corp.example/x/pra-ticket"});
    let (_, text) = call_as(pam_sandboxes::jira::seed::CAROL_ADMIN, "admin.save", payload, urls);
    assert!(text.contains("needs an https web trigger URL"), "{text}");
}

#[test]
fn only_admins_see_the_section() {
    let payload = json!({"section": "pra"});
    let (_, text) = call_as(
        pam_sandboxes::jira::seed::BOB_REQUESTER,
        "admin.config",
        payload,
        json!({}),
    );
    assert!(text.contains("forbidden"), "{text}");
}

/// Without the web trigger's URL a new secret could not be shown: none is made.
#[test]
fn no_secret_is_made_that_could_not_be_shown() {
    let settings = json!({"enabled": true, "applianceHost": "acme.beyondtrustcloud.com"});
    for rotate in [false, true] {
        let payload = json!({"section": "pra", "settings": settings, "rotateSecret": rotate});
        let (world, text) = call_as(pam_sandboxes::jira::seed::CAROL_ADMIN, "admin.save", payload, json!({}));
        assert_eq!(text.contains("no URL for the PRA web trigger"), rotate, "{text}");
        assert!(!world.secrets.contains_key(secret::SECRET_KEY), "rotate {rotate}");
    }
}
