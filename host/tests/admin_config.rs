//! End to end on the local host: the configuration page's resolvers (`admin.config`,
//! `admin.save`, `admin.validate`, docs/resolvers.md) through the UI bridge, against the
//! sandbox Jira and EPM. Secrets never come back, a bad form writes nothing, only Jira
//! administrators get in, and validation names the fix for each broken setting. Every Jira
//! request the app sent must meet Atlassian's OpenAPI (the sandbox checks; the tests look).

mod support;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const CAROL: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";
const NEW_PASSWORD: &str = "a-new-webhook-password-42";
/// Shorter than the 12 characters a webhook password needs.
const BAD_PASSWORD: &str = "short-pw";
/// Every check `admin.validate` runs, in the contract's words.
const CHECK_IDS: [&str; 10] = [
    "enabled",
    "webhookCredentials",
    "project",
    "issueType",
    "customField",
    "assignee",
    "approvedStatus",
    "deniedStatus",
    "epmHost",
    "epmToken",
];

/// Calls an `admin.*` resolver as `user` from the configuration page; the bridge answers 200.
async fn admin(host: &Host, user: &str, name: &str, payload: Value) -> Value {
    let call = json!({
        "functionKey": name,
        "payload": payload,
        "context": {"extension": {"type": "jira:adminPage"}},
    });
    let (status, answer) = invoke(host, Some(&sandbox_user_cookie(user)), &call).await;
    assert_eq!(status, 200, "{name}: {answer}");
    answer
}

/// The view `admin.config` answers Carol.
async fn current_view(host: &Host) -> Value {
    let answer = admin(host, CAROL, "admin.config", json!({})).await;
    assert_eq!(answer["ok"], json!(true), "{answer}");
    answer["view"].clone()
}

/// The stored settings with `changes` merged in, saved by Carol with `secrets`.
async fn save(host: &Host, changes: Value, secrets: Value) -> Value {
    let mut config = current_view(host).await["config"].clone();
    for (key, value) in changes.as_object().into_iter().flatten() {
        config[key] = value.clone();
    }
    admin(host, CAROL, "admin.save", json!({"config": config, "secrets": secrets})).await
}

/// `admin.validate` as Carol: the checks by id (each id once, every id there).
async fn validate(host: &Host) -> BTreeMap<String, Value> {
    let answer = admin(host, CAROL, "admin.validate", json!({})).await;
    assert_eq!(answer["ok"], json!(true), "{answer}");
    let checks = answer["checks"].as_array().cloned().unwrap_or_default();
    let by_id: BTreeMap<String, Value> = checks
        .iter()
        .map(|check| (check["id"].as_str().unwrap_or_default().to_string(), check.clone()))
        .collect();
    assert_eq!(by_id.len(), checks.len(), "ids are unique: {answer}");
    for id in CHECK_IDS {
        assert!(by_id.contains_key(id), "no check {id}: {answer}");
    }
    let summary = &answer["summary"];
    let count = |status: &str| checks.iter().filter(|c| c["status"] == status).count();
    assert_eq!(
        [
            &summary["passed"],
            &summary["failed"],
            &summary["warnings"],
            &summary["skipped"]
        ],
        [
            &json!(count("pass")),
            &json!(count("fail")),
            &json!(count("warn")),
            &json!(count("skip"))
        ],
        "{answer}"
    );
    by_id
}

/// The check failed and says what to change.
fn assert_fails(checks: &BTreeMap<String, Value>, id: &str) {
    let check = &checks[id];
    assert_eq!(check["status"], json!("fail"), "{id}: {check}");
    assert!(
        check["fix"].as_str().is_some_and(|fix| !fix.trim().is_empty()),
        "{id} names no fix: {check}"
    );
    assert!(check["detail"].as_str().is_some_and(|d| !d.is_empty()), "{check}");
}

/// No Jira request was refused for breaking Atlassian's contract: every one matched a known
/// operation and none got the contract's 400 or the deprecation 410. (A 404 for a project the
/// configuration names wrongly is Jira's answer, not a refusal.)
async fn assert_contract_kept(host: &Host) {
    let requests = jira_requests(host).await;
    assert!(!requests.is_empty());
    for request in requests {
        let status = request["status"].as_u64().unwrap_or(0);
        assert!(
            request["operation"].is_string() && status != 400 && status != 410,
            "the sandbox refused {request}"
        );
    }
}

/// Validates: an admin sees every setting, which secrets are set (never their values) and the
/// host's web trigger URL; a save changes settings and the webhook password at once, after
/// which the new password creates issues and the old one is refused.
#[tokio::test]
async fn an_admin_reads_and_changes_the_configuration() {
    let dir = TempDir::new("admin-save");
    let host = Host::start(&dir.0);
    let client_secret = epm_client_secret(&dir.0);

    let answer = admin(&host, CAROL, "admin.config", json!({})).await;
    let text = answer.to_string();
    assert!(
        !text.contains(PASSWORD) && !text.contains(&client_secret),
        "a secret leaked: {text}"
    );
    let view = &answer["view"];
    assert_eq!(view["config"]["projectKey"], json!("PMCJIT"), "{answer}");
    assert_eq!(view["config"]["serviceHostname"], json!(EPM_HOST));
    assert_eq!(view["config"]["clientId"], json!(EPM_CLIENT_ID));
    assert_eq!(
        view["secrets"],
        json!({"webhookUsername": USER, "webhookPasswordSet": true, "clientSecretSet": true})
    );
    let urls = view["webhookUrls"].as_array().cloned().unwrap_or_default();
    assert!(
        urls.iter()
            .any(|u| u["url"] == json!(host.webhook_url()) && u["primary"] == json!(true)),
        "{urls:?}"
    );
    assert_eq!(view["templates"].as_array().map(Vec::len), Some(2));
    assert!(
        view["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|w| w.as_str().is_some_and(|w| w.contains(EPM_HOST))),
        "the egress warning: {view}"
    );

    let saved = save(
        &host,
        json!({"summaryTemplate": "PAM request from %%User%%", "assigneeName": "Alice Approver"}),
        json!({"webhookPassword": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(saved["ok"], json!(true), "{saved}");
    assert!(!saved.to_string().contains(NEW_PASSWORD));
    let after = current_view(&host).await;
    assert_eq!(after["config"]["summaryTemplate"], json!("PAM request from %%User%%"));
    assert_eq!(after["config"]["assigneeName"], json!("Alice Approver"));
    assert_eq!(after["secrets"]["webhookPasswordSet"], json!(true));
    assert!(!after.to_string().contains(NEW_PASSWORD));
    assert_eq!(
        stored_secret(&dir.0, "epm.webhook.password").as_deref(),
        Some(NEW_PASSWORD)
    );
    assert_eq!(
        stored_config(&dir.0)["epm"]["summaryTemplate"],
        json!("PAM request from %%User%%")
    );

    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 401, "the old password: {body}");
    let (status, body) = post(&host, Some((USER, NEW_PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "the new password: {body}");
    let issue = issues(&host).await.into_iter().next().expect("an issue");
    assert_eq!(
        issue["fields"]["summary"],
        json!("PAM request from CORP\\bob"),
        "{issue}"
    );
    assert_eq!(issue["fields"]["assignee"]["accountId"], json!(ALICE));

    // Another project: read back as saved (secrets left out keep their values).
    let moved = save(&host, json!({"projectKey": "OPS", "issueTypeName": "Task"}), json!({})).await;
    assert_eq!(moved["ok"], json!(true), "{moved}");
    let after = current_view(&host).await;
    assert_eq!(
        (&after["config"]["projectKey"], &after["config"]["issueTypeName"]),
        (&json!("OPS"), &json!("Task"))
    );
    assert_eq!(
        stored_secret(&dir.0, "epm.webhook.password").as_deref(),
        Some(NEW_PASSWORD)
    );
    assert_eq!(stored_secret(&dir.0, "epm.client.secret"), Some(client_secret));
    assert_contract_kept(&host).await;
}

/// Validates: a save with several bad values names each field, and nothing is written (the
/// settings and the webhook password stay as they were).
#[tokio::test]
async fn bad_values_are_named_and_nothing_is_saved() {
    let dir = TempDir::new("admin-invalid");
    let host = Host::start(&dir.0);
    let before = stored_config(&dir.0);
    let answer = save(
        &host,
        json!({
            "serviceHostname": "https://x.com:443/p",
            "projectKey": "bad key",
            "customFieldId": "cf_1",
            "summaryTemplate": "%%Nope%%",
        }),
        json!({"webhookPassword": BAD_PASSWORD}),
    )
    .await;
    assert_eq!(answer["ok"], json!(false), "{answer}");
    let error = &answer["error"];
    assert_eq!(error["code"], json!("invalid"), "{answer}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    for field in [
        "serviceHostname",
        "projectKey",
        "customFieldId",
        "summaryTemplate",
        "webhookPassword",
    ] {
        assert!(
            error["fields"][field].as_str().is_some_and(|p| !p.is_empty()),
            "{field} not named: {answer}"
        );
    }
    assert!(
        !answer.to_string().contains(BAD_PASSWORD),
        "the typed password is not echoed"
    );
    assert_eq!(stored_config(&dir.0), before);
    assert_eq!(stored_secret(&dir.0, "epm.webhook.password").as_deref(), Some(PASSWORD));
    let config = current_view(&host).await["config"].clone();
    assert_eq!(config["projectKey"], json!("PMCJIT"));
    assert_eq!(config["serviceHostname"], json!(EPM_HOST));
    assert_contract_kept(&host).await;
}

/// Validates: someone who is not a Jira administrator gets `forbidden` from all three
/// resolvers, learns nothing of the configuration, and changes nothing.
#[tokio::test]
async fn only_jira_administrators_get_in() {
    let dir = TempDir::new("admin-forbidden");
    let host = Host::start(&dir.0);
    let before = stored_config(&dir.0);
    let mut config = before.clone();
    config["projectKey"] = json!("OPS");
    for (name, payload) in [
        ("admin.config", json!({})),
        (
            "admin.save",
            json!({"config": config, "secrets": {"webhookPassword": NEW_PASSWORD}}),
        ),
        ("admin.validate", json!({})),
    ] {
        let answer = admin(&host, ALICE, name, payload).await;
        assert_eq!(
            (&answer["ok"], &answer["error"]["code"]),
            (&json!(false), &json!("forbidden")),
            "{name}: {answer}"
        );
        let text = answer.to_string();
        for hidden in ["PMCJIT", EPM_HOST, EPM_CLIENT_ID, USER] {
            assert!(!text.contains(hidden), "{name} told Alice {hidden}: {text}");
        }
    }
    assert_eq!(stored_config(&dir.0), before);
    assert_eq!(stored_secret(&dir.0, "epm.webhook.password").as_deref(), Some(PASSWORD));
    let asked_as_alice = jira_requests(&host)
        .await
        .into_iter()
        .filter(|r| r["caller"] == json!(ALICE))
        .count();
    assert!(asked_as_alice >= 3, "each call asked Jira about Alice");
    assert_contract_kept(&host).await;
}

/// Validates: the sandbox's own configuration passes every check; the only warning is that
/// Forge's egress does not cover the sandbox EPM host.
#[tokio::test]
async fn the_sandbox_configuration_validates() {
    let dir = TempDir::new("admin-validate");
    let host = Host::start(&dir.0);
    let checks = validate(&host).await;
    for (id, check) in &checks {
        let status = check["status"].as_str().unwrap_or_default();
        match id.as_str() {
            "epmHost" => assert!(status == "pass" || status == "warn", "{check}"),
            _ => assert_eq!(status, "pass", "{check}"),
        }
        if status == "pass" {
            assert_eq!(check["fix"], json!(""), "{check}");
        }
    }
    if checks["epmHost"]["status"] == json!("warn") {
        assert!(
            checks["epmHost"]["fix"]
                .as_str()
                .is_some_and(|f| f.contains("manifest.yml"))
        );
    }
    assert_contract_kept(&host).await;
}

/// Validates: each deliberately broken Jira setting the seed allows fails its check with a fix.
#[tokio::test]
async fn broken_jira_settings_fail_with_a_fix() {
    let dir = TempDir::new("admin-broken-jira");
    let host = Host::start(&dir.0);
    let good = current_view(&host).await["config"].clone();
    let cases = [
        (json!({"projectKey": "NOPE"}), vec!["project"]),
        (json!({"issueTypeName": "Bug"}), vec!["issueType"]),
        (
            json!({"projectKey": "OPS", "issueTypeName": "Task", "customFieldId": "customfield_10001"}),
            vec!["customField"],
        ),
        (json!({"customFieldId": "customfield_10002"}), vec!["customField"]),
        (json!({"customFieldId": "customfield_19999"}), vec!["customField"]),
        (json!({"assigneeName": "Sam Smith"}), vec!["assignee"]),
        (json!({"assigneeName": "Inactive Ivan"}), vec!["assignee"]),
        (
            json!({"approvedStatus": "Granted", "deniedStatus": "Refused"}),
            vec!["approvedStatus", "deniedStatus"],
        ),
    ];
    for (changes, failing) in cases {
        let mut config = good.clone();
        for (key, value) in changes.as_object().into_iter().flatten() {
            config[key] = value.clone();
        }
        let saved = admin(&host, CAROL, "admin.save", json!({"config": config})).await;
        assert_eq!(saved["ok"], json!(true), "{changes}: {saved}");
        let checks = validate(&host).await;
        for id in &failing {
            assert_fails(&checks, id);
        }
        for id in ["enabled", "webhookCredentials", "epmToken"] {
            assert_eq!(checks[id]["status"], json!("pass"), "{changes}: {}", checks[id]);
        }
    }
    assert_contract_kept(&host).await;
}

/// Validates: EPM failing or refusing the client secret fails `epmToken`, EPM out of reach
/// fails `epmHost` (and skips the token); the right secret passes again.
#[tokio::test]
async fn epm_trouble_fails_the_token_check() {
    let dir = TempDir::new("admin-broken-epm");
    let host = Host::start(&dir.0);
    assert_eq!(validate(&host).await["epmToken"]["status"], json!("pass"));

    let (status, _) = epm_control(&host, "fail", Some(json!({"times": 10, "status": 503}))).await;
    assert_eq!(status, 200);
    assert_fails(&validate(&host).await, "epmToken");
    let (status, _) = epm_control(&host, "fail", Some(json!({"times": 10, "unreachable": true}))).await;
    assert_eq!(status, 200);
    let checks = validate(&host).await;
    assert_fails(&checks, "epmHost");
    assert_eq!(checks["epmToken"]["status"], json!("skip"), "{}", checks["epmToken"]);
    let (status, _) = epm_control(&host, "reset", None).await;
    assert_eq!(status, 204);

    let saved = save(&host, json!({}), json!({"clientSecret": "not-the-sandbox-secret"})).await;
    assert_eq!(saved["ok"], json!(true), "{saved}");
    assert_fails(&validate(&host).await, "epmToken");

    let secret = epm_client_secret(&dir.0);
    let saved = save(&host, json!({}), json!({"clientSecret": secret})).await;
    assert_eq!(saved["ok"], json!(true), "{saved}");
    assert_eq!(validate(&host).await["epmToken"]["status"], json!("pass"));
    assert_contract_kept(&host).await;
}

/// Validates: a webhook password changed on the configuration page survives a restart (the
/// sandbox's first-start credentials do not overwrite it); the host prints the pair in effect,
/// and `send-sample --data-dir` uses it.
#[tokio::test]
async fn a_password_changed_on_the_page_survives_a_restart() {
    let dir = TempDir::new("admin-restart");
    let host = Host::start_without_credentials(&dir.0);
    let user = host.printed("webhook user:");
    let answer = save(&host, json!({}), json!({"webhookPassword": NEW_PASSWORD})).await;
    assert_eq!(answer["ok"], json!(true), "{answer}");
    drop(host);

    let host = Host::start_without_credentials(&dir.0);
    assert_eq!(host.printed("webhook password:"), NEW_PASSWORD);
    let (status, body) = post(&host, Some((&user, NEW_PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{body}");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
        .args(["send-sample", "--url", &host.webhook_url(), "--data-dir"])
        .arg(&dir.0)
        .env_remove("PAM_WEBHOOK_USER")
        .env_remove("PAM_WEBHOOK_PASSWORD")
        .output()
        .await
        .expect("send-sample");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && text.contains("201"), "{text}");
}
