//! The commands the app sends, over the seeds, with the answers Commander gives (statuses,
//! bodies, warnings), and command lines that look like injections handled as Commander does.

use super::*;

/// Validates: `list --format json` gives the seeded requests newest first with Commander's
/// `list` shapes (`key=value` strings) and the computed statuses (5 and 29 minutes: Pending; 31:
/// Expired); `--type` filters on that status; a bad `--type` is argparse's error (400).
#[tokio::test]
async fn list_with_computed_statuses() {
    let (router, _) = open().await;
    let listed = run(&router, "epm approval list --format json").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["status"], "success");
    assert_eq!(listed.json["command"], "epm approval list");
    let data = listed.json["data"].as_array().expect("array").clone();
    let uids: Vec<&str> = data.iter().filter_map(|r| r["approval_uid"].as_str()).collect();
    assert_eq!(uids, [KEPM_PENDING_UID, KEPM_PENDING_LATE_UID, KEPM_EXPIRED_UID]);
    let statuses: Vec<&str> = data.iter().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, ["Pending", "Pending", "Expired"]);
    assert_eq!(
        data[0]["account_info"],
        json!(["domain=CORP", format!("username={KEPM_PENDING_EMAIL}")])
    );
    assert_eq!(data[0]["application_info"][0], "name=Windows PowerShell");
    assert_eq!(data[0]["approval_type"], "PrivilegeElevation");
    assert_eq!(data[0]["agent_uid"], AGENT_UID);
    assert_eq!(data[0]["expire_in"], 30);

    let pending = run(&router, "epm approval list --type pending --format json").await;
    assert_eq!(pending.json["command"], "epm approval list --type pending");
    assert_eq!(pending.json["data"].as_array().map(Vec::len), Some(2));
    let expired = run(&router, "epm approval list --type expired --format json").await;
    assert_eq!(expired.json["data"][0]["approval_uid"], KEPM_EXPIRED_UID);
    let none = run(&router, "epm approval list --type approved --format json").await;
    assert_eq!(none.json["data"], json!([]));

    let bad = run(&router, "epm approval list --type later --format json").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.json["error"],
        "argument --type: invalid choice: 'later' (choose from 'approved', 'denied', 'pending', 'expired', 'escalated')"
    );
}

/// Validates: `view --format json` is the one-element array of docs/keeper.md (objects for
/// account and application, the justification as stored, `created` naive ISO); the 29-minute
/// request turns Expired when the clock passes 30 minutes; an unknown UID raises in Commander
/// (500 `Unexpected error: Approval UID "..." does not exist`).
#[tokio::test]
async fn view_and_expiry_at_30_minutes() {
    let (router, clock) = open().await;
    let view = run(&router, &format!("epm approval view {KEPM_PENDING_UID} --format json")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.json["command"], format!("epm approval view {KEPM_PENDING_UID}"));
    let row = &view.json["data"][0];
    assert_eq!(view.json["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(row["approval_uid"], KEPM_PENDING_UID);
    assert_eq!(row["status"], "Pending");
    assert_eq!(
        row["account_info"],
        json!({"username": KEPM_PENDING_EMAIL, "domain": "CORP"})
    );
    assert_eq!(row["application_info"]["publisher"], "Microsoft Windows");
    assert_eq!(
        row["justification"],
        r#"{"text":"Install the quarterly VPN client update (CHG-1042)"}"#
    );
    let created = row["created"].as_str().expect("created");
    assert!(
        created.len() >= 19 && !created.ends_with('Z') && !created.contains('+'),
        "{created}"
    );
    let keys: Vec<&String> = row.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 9, "{keys:?}");

    let late = format!("epm approval view {KEPM_PENDING_LATE_UID} --format json");
    assert_eq!(run(&router, &late).await.json["data"][0]["status"], "Pending");
    advance(&clock, 61);
    assert_eq!(run(&router, &late).await.json["data"][0]["status"], "Expired");

    let unknown = run(&router, "epm approval view AAAAAAAAAAAAAAAAAAAAAA --format json").await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        unknown.json,
        json!({"status": "error", "error": "Unexpected error: Approval UID \"AAAAAAAAAAAAAAAAAAAAAA\" does not exist"})
    );
    let missing = run(&router, "epm approval view --format json").await;
    assert_eq!(
        missing.json["message"],
        "the following arguments are required: approval"
    );
}

/// Validates: `action --approve` decides a pending request with no output (200); a second
/// action, an expired or unknown request, is the backend's refusal logged as a warning (500 by
/// Commander's words rules); a UID that is not 16 bytes is `Invalid UID` (400), one argparse
/// takes for an option needs `--approve=<UID>`.
#[tokio::test]
async fn actions_and_their_warnings() {
    let (router, _) = open().await;
    let approved = run(&router, &format!("epm approval action --approve {KEPM_PENDING_UID}")).await;
    assert_eq!(approved.status, StatusCode::OK);
    assert_eq!(
        approved.json,
        json!({"status": "success", "command": "epm", "data": null,
               "message": "Command executed successfully but produced no output"})
    );
    let view = run(&router, &format!("epm approval view {KEPM_PENDING_UID} --format json")).await;
    assert_eq!(view.json["data"][0]["status"], "Approved");

    let again = run(&router, &format!("epm approval action --approve {KEPM_PENDING_UID}")).await;
    assert_eq!(again.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        again.json,
        json!({"status": "error", "command": "epm",
               "error": format!("Failed to approved \"{KEPM_PENDING_UID}\": approval request is already Approved")})
    );
    let expired = run(&router, &format!("epm approval action --deny {KEPM_EXPIRED_UID}")).await;
    assert_eq!(
        expired.json["error"],
        format!("Failed to deny \"{KEPM_EXPIRED_UID}\": approval request has expired")
    );
    let unknown = run(&router, "epm approval action --deny AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        unknown.json["error"]
            .as_str()
            .is_some_and(|e| e.ends_with("approval request does not exist"))
    );
    let invalid = run(&router, "epm approval action --approve abc").await;
    assert_eq!(
        (invalid.status, invalid.json.clone()),
        (
            StatusCode::BAD_REQUEST,
            json!({"status": "error", "command": "epm", "error": "Invalid UID: abc"})
        )
    );

    // A UID beginning with '-' is an option to argparse: the action does not run (its error is
    // logged; no words mark it, so Commander calls it a success); `--deny=<UID>` works.
    let dash = post_json(&router, "/_sandbox/kepm", &json!({"uid": "-AbCdEfGhIjKlMnOpQrStA"})).await;
    assert_eq!(dash.status, StatusCode::CREATED, "{}", dash.text);
    let refused = run(&router, "epm approval action --deny -AbCdEfGhIjKlMnOpQrStA").await;
    assert_eq!(refused.json["message"], "argument --deny: expected one argument");
    let denied = run(&router, "epm approval action --deny=-AbCdEfGhIjKlMnOpQrStA").await;
    assert_eq!(denied.status, StatusCode::OK);
    let view = run(&router, "epm approval view --format json -- -AbCdEfGhIjKlMnOpQrStA").await;
    assert_eq!(view.json["data"][0]["status"], "Denied");
}

/// Validates: `device-approve --reload --format json` lists the pending devices by date with
/// the Commander fields; `--approve <email>` takes that user's devices, `--deny <id prefix>`
/// matches the id's start; no match is a message; none pending is Commander's message.
#[tokio::test]
async fn device_approvals() {
    let (router, _) = open().await;
    let listed = run(&router, "device-approve --reload --format json").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json["command"], "device-approve --reload");
    let data = listed.json["data"].as_array().expect("array").clone();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["email"], DEVICE_EMAIL, "the older first");
    assert_eq!(data[0]["device_id"], DEVICE_ID);
    for field in [
        "date",
        "email",
        "device_id",
        "device_name",
        "device_type",
        "ip_address",
        "client_version",
        "location",
    ] {
        assert!(data[1][field].is_string(), "{field}: {}", data[1]);
    }
    assert_eq!(data[0]["date"].as_str().map(str::len), Some(19));

    let none = run(&router, "device-approve --approve nobody@example.com").await;
    assert_eq!(none.json["message"], "No matching devices found");
    let approved = run(&router, &format!("device-approve --approve {DEVICE_EMAIL}")).await;
    assert_eq!(approved.status, StatusCode::OK);
    assert_eq!(
        approved.json["message"],
        "Command executed successfully but produced no output"
    );
    let left = run(&router, "device-approve --reload --format json").await;
    assert_eq!(left.json["data"].as_array().map(Vec::len), Some(1));
    let both = run(&router, "device-approve --approve --deny x").await;
    assert_eq!(both.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        both.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("mutually exclusive"))
    );

    let denied = run(&router, &format!("device-approve --deny {}", &DEVICE_2_ID[..8])).await;
    assert_eq!(denied.status, StatusCode::OK);
    let empty = run(&router, "device-approve --reload --format json").await;
    assert_eq!(
        (empty.status, empty.json.clone()),
        (
            StatusCode::OK,
            json!({"status": "success", "command": "device-approve", "data": null,
                                "message": "There are no pending devices to approve"})
        )
    );
    let state = get(&router, "/_sandbox/state").await;
    let decided: Vec<(Value, Value)> = state["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["state"].clone(), d["decidedBy"].clone()))
        .collect();
    assert_eq!(
        decided,
        [
            (json!("approved"), json!("commander")),
            (json!("denied"), json!("commander"))
        ]
    );
}

/// Validates: command lines that look like injections are only words to Commander (shlex and
/// argparse): shell operators are arguments argparse refuses, control characters are refused
/// before anything runs, HTML is escaped in the kept command and unescaped to run, quotes are
/// removed, an unclosed quote raises; nothing changes state.
#[tokio::test]
async fn injection_looking_commands() {
    let (router, _) = open().await;
    let chained = run(
        &router,
        &format!("epm approval view {KEPM_PENDING_UID}; device-approve --approve --format json"),
    )
    .await;
    assert_eq!(chained.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        chained.json["error"],
        "unrecognized arguments: device-approve --approve"
    );
    let piped = run(
        &router,
        &format!("epm approval action --approve {KEPM_PENDING_UID} && rm -rf /"),
    )
    .await;
    assert_eq!(piped.status, StatusCode::BAD_REQUEST);
    assert_eq!(piped.json["error"], "unrecognized arguments: && rm -rf /");

    let newline = run(
        &router,
        &format!("epm approval action --approve {KEPM_PENDING_UID}\ndevice-approve --approve"),
    )
    .await;
    assert_eq!(newline.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        newline.json["error"],
        "Invalid command: control characters are not allowed in command input."
    );

    let id = submit(&router, "epm approval view <script>\"x\" --format json").await;
    assert_eq!(
        status(&router, &id).await["command"],
        "epm approval view &lt;script&gt;&quot;x&quot; --format json"
    );
    let html = result(&router, &id).await;
    assert_eq!(html.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        html.json["error"],
        "Unexpected error: Approval UID \"<script>x\" does not exist"
    );

    let quoted = run(
        &router,
        &format!("epm approval view '{KEPM_PENDING_UID}' --format json"),
    )
    .await;
    assert_eq!(quoted.json["data"][0]["approval_uid"], KEPM_PENDING_UID);
    let unclosed = run(&router, "epm approval view 'abc --format json").await;
    assert_eq!(unclosed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(unclosed.json["error"], "Unexpected error: No closing quotation");
    let substituted = run(&router, "epm approval view $(whoami) --format json").await;
    assert!(
        substituted.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("\"$(whoami)\" does not exist"))
    );

    let state = get(&router, "/_sandbox/state").await;
    assert!(
        state["kepm"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["decidedBy"].is_null())
    );
    assert!(
        state["devices"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|d| d["state"] == "pending")
    );
}

/// Validates: a command the sandbox does not play is a 400 error naming it; `epm` with an
/// unknown verb warns and prints the help, as Commander's group commands do.
#[tokio::test]
async fn other_commands() {
    let (router, _) = open().await;
    post_json(
        &router,
        "/_sandbox/keys",
        &json!({"key": "wide", "commands": "ls,epm,whoami"}),
    )
    .await;
    let ls = submit_as(&router, "wide", "ls -l").await;
    let id = ls.json["request_id"].as_str().expect("id").to_string();
    let answer = result_as(&router, "wide", &id).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["command"], "ls");
    assert!(
        answer.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("does not implement the command 'ls'"))
    );
    let policy = run(&router, "epm policy list --format json").await;
    assert_eq!(policy.status, StatusCode::BAD_REQUEST);
    let verb = run(&router, "epm bogus").await;
    assert_eq!(verb.status, StatusCode::OK);
    assert!(verb.json["message"].to_string().contains("approval"), "{}", verb.json);
}
