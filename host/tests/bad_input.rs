//! The bad-input matrix (issue 17), end to end on one host: every entry the outside world can
//! reach (the EPM, PRA and Keeper web triggers, the UI bridge, the issue pages' resolvers, the
//! configuration page's `admin.*` resolvers) given malformed, oversized, unauthenticated,
//! forged or forbidden input. Each row names its input, the status (and for resolvers the
//! answer's `error.code`), and text the answer's message must contain; after each row the KV
//! store, the secrets, the job queue, the sandbox Jira's issues, EPM's decisions and Commander's
//! state are as they were before it, and no answer holds a configured secret.
//!
//! The same table is `docs/bad-input.md`: this test renders it and fails when the committed
//! page differs; `UPDATE_DOCS=1 cargo nextest run -p pam-approvals-host --test bad_input`
//! rewrites it.

mod support;

use std::time::{Duration, Instant};

use base64::Engine;
use pam_sandboxes::keeper::seed::{KEPM_PENDING_EMAIL, KEPM_PENDING_UID};
use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const BOB: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003";
const CAROL: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";
const INACTIVE_IVAN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000005";
const VERA: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000008";
/// The secret-storage key of Keeper's alert token (the core's `settings::secrets::ALERT_TOKEN`).
const KEEPER_TOKEN_KEY: &str = "keeper.alert.token";
/// A webhook password an admin types that is too short: refused, never echoed.
const SHORT_PASSWORD: &str = "short-pw";
/// An EPM client secret typed with a bad host name: refused, never echoed.
const TYPED_CLIENT_SECRET: &str = "typed-client-secret-never-echoed";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Entry {
    Epm,
    Pra,
    Keeper,
    Bridge,
    Resolver,
    Admin,
}

impl Entry {
    fn label(self) -> &'static str {
        match self {
            Entry::Epm => "EPM web trigger `/x/epm-webhook`",
            Entry::Pra => "PRA web trigger `/x/pra-ticket`",
            Entry::Keeper => "Keeper web trigger `/x/keeper-alert`",
            Entry::Bridge => "UI bridge `/bridge/invoke`",
            Entry::Resolver => "issue page resolvers",
            Entry::Admin => "configuration page `admin.*`",
        }
    }
}

/// An HTTP request as sent.
#[derive(Clone)]
struct Request {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// One row of the matrix.
struct Row {
    entry: Entry,
    /// The input, as the page names it.
    input: &'static str,
    request: Request,
    status: u16,
    /// For resolvers (answered 200): the answer's `error.code`.
    code: Option<&'static str>,
    /// Text the answer's message (or, for an accepted-and-ignored alert, its body) contains.
    says: &'static str,
}

impl Row {
    fn method(mut self, method: &'static str) -> Row {
        self.request.method = method;
        self
    }

    fn path(mut self, path: impl Into<String>) -> Row {
        self.request.path = path.into();
        self
    }

    /// Replaces (or with `None` removes) a header.
    fn header(mut self, name: &'static str, value: Option<&str>) -> Row {
        self.request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            self.request.headers.push((name, value.to_string()));
        }
        self
    }
}

fn basic(user: &str, password: &str) -> String {
    let pair = format!("{user}:{password}");
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// What the rows need from the running host (secrets are only ever sent, never rendered).
struct Setup {
    pra_secret: String,
    keeper_token: String,
    /// Every value in the app's secret storage (webhook password, EPM client secret, PRA URL
    /// secret, Keeper token, Commander API key, ...).
    stored_secrets: Vec<String>,
    /// The EPM settings as `admin.config` shows them to Carol.
    epm_config: Value,
    /// The issue of Alice's KEPM request.
    keeper_issue: String,
}

impl Setup {
    /// What no answer may hold: every stored secret, and what the rows type as one.
    fn secrets(&self) -> Vec<&str> {
        let mut secrets: Vec<&str> = self.stored_secrets.iter().map(String::as_str).collect();
        secrets.extend([PASSWORD, SHORT_PASSWORD, TYPED_CLIENT_SECRET]);
        secrets
    }
}

fn row(entry: Entry, input: &'static str, request: Request, status: u16, says: &'static str) -> Row {
    Row {
        entry,
        input,
        request,
        status,
        code: None,
        says,
    }
}

fn epm(input: &'static str, status: u16, says: &'static str, body: impl Into<Vec<u8>>) -> Row {
    let request = Request {
        method: "POST",
        path: "/x/epm-webhook".into(),
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("Authorization", basic(USER, PASSWORD)),
        ],
        body: body.into(),
    };
    row(Entry::Epm, input, request, status, says)
}

fn edit(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    f(&mut body);
    body.to_string().into_bytes()
}

/// A PRA request as the appliance sends it (form-urlencoded), for PMCJIT-1.
const PRA_FORM: &str = "request_id=pra-req-1&ticket_id=PMCJIT-1&response_url=https%3A%2F%2Fpra.sandbox.test%2Fapi%2Fendpoint_approval&jump_item.computer_name=web-01&user.email_address=bob%40example.com";

fn pra_json(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body = json!({
        "request_id": "pra-req-1",
        "ticket_id": "PMCJIT-1",
        "response_url": "https://pra.sandbox.test/api/endpoint_approval",
        "jump_item": {"computer_name": "web-01"},
        "user": {"email_address": "bob@example.com"},
    });
    f(&mut body);
    body.to_string().into_bytes()
}

fn pra(setup: &Setup, input: &'static str, status: u16, says: &'static str, body: impl Into<Vec<u8>>) -> Row {
    let request = Request {
        method: "POST",
        path: format!("/x/pra-ticket?secret={}", setup.pra_secret),
        headers: vec![("Content-Type", "application/x-www-form-urlencoded".into())],
        body: body.into(),
    };
    row(Entry::Pra, input, request, status, says)
}

fn pra_as_json(setup: &Setup, input: &'static str, status: u16, says: &'static str, body: Vec<u8>) -> Row {
    pra(setup, input, status, says, body).header("Content-Type", Some("application/json"))
}

fn kepm_alert(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body = json!({
        "alert_name": "Agent created approval request",
        "username": KEPM_PENDING_EMAIL,
        "json": {"audit_event": "approval_request_created", "request_uid": "x0x0x0x0x0x0x0x0x0x0xA"},
    });
    f(&mut body);
    body.to_string().into_bytes()
}

fn keeper(setup: &Setup, input: &'static str, status: u16, says: &'static str, body: impl Into<Vec<u8>>) -> Row {
    let request = Request {
        method: "POST",
        path: "/x/keeper-alert".into(),
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("Authorization", format!("Bearer {}", setup.keeper_token)),
        ],
        body: body.into(),
    };
    row(Entry::Keeper, input, request, status, says)
}

fn bridge(input: &'static str, status: u16, says: &'static str, user: &str, body: impl Into<Vec<u8>>) -> Row {
    let request = Request {
        method: "POST",
        path: "/bridge/invoke".into(),
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("Cookie", sandbox_user_cookie(user)),
        ],
        body: body.into(),
    };
    row(Entry::Bridge, input, request, status, says)
}

/// A resolver call through the bridge; the answer is 200 `{"ok": false, "error": {code}}`.
fn call(entry: Entry, input: &'static str, user: &str, name: &str, payload: Value, extension: Value) -> Row {
    let body = json!({"functionKey": name, "payload": payload, "context": {"extension": extension}});
    Row {
        entry,
        ..bridge(input, 200, "", user, body.to_string())
    }
}

fn on_issue(key: &str) -> Value {
    json!({"type": "jira:issueAction", "issue": {"key": key}})
}

fn resolver(
    input: &'static str,
    user: &str,
    name: &str,
    key: &str,
    payload: Value,
    code: &'static str,
    says: &'static str,
) -> Row {
    Row {
        code: Some(code),
        says,
        ..call(Entry::Resolver, input, user, name, payload, on_issue(key))
    }
}

fn admin(input: &'static str, user: &str, name: &str, payload: Value, code: &'static str, says: &'static str) -> Row {
    let page = json!({"type": "jira:adminPage"});
    Row {
        code: Some(code),
        says,
        ..call(Entry::Admin, input, user, name, payload, page)
    }
}

/// An approval for an hour.
fn approve() -> Value {
    json!({"decision": "approve", "duration": {"unit": "hours", "count": 1}, "message": "ok"})
}

/// Nesting `depth` lists deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn rows(setup: &Setup) -> Vec<Row> {
    let epm_config = |changes: Value| {
        let mut config = setup.epm_config.clone();
        for (key, value) in changes.as_object().into_iter().flatten() {
            config[key] = value.clone();
        }
        config
    };
    let keeper_issue = setup.keeper_issue.as_str();
    let bom = |body: &[u8]| [&b"\xEF\xBB\xBF"[..], body].concat();
    let duplicate_request_id = SAMPLE.replacen("\"RequestId\"", "\"RequestId\": \"another-request\", \"RequestId\"", 1);
    let deep_epm = format!(
        "{{\"EventType\": \"URM_NATIVE_TICKET_CREATED\", \"requestInfo\": {{\"user\": {}}}}}",
        nested(200)
    );
    vec![
        // ---- EPM web trigger ----
        epm("wrong method GET", 405, "method GET is not allowed", "").method("GET"),
        epm("wrong method PUT", 405, "method PUT is not allowed", SAMPLE).method("PUT"),
        epm("no credentials", 401, "authentication required", SAMPLE).header("Authorization", None),
        epm("wrong password", 401, "authentication required", SAMPLE)
            .header("Authorization", Some(&basic(USER, "wrong-password"))),
        epm("wrong user", 401, "authentication required", SAMPLE)
            .header("Authorization", Some(&basic("someone-else", PASSWORD))),
        epm("Bearer instead of Basic", 401, "authentication required", SAMPLE)
            .header("Authorization", Some("Bearer abc.def")),
        epm("Basic, not base64", 401, "authentication required", SAMPLE)
            .header("Authorization", Some("Basic %%%")),
        epm("malformed JSON", 400, "request body is not valid JSON", "{\"EventType\": "),
        epm("empty body", 400, "request body is not valid JSON", ""),
        epm("a JSON array", 400, "must be a JSON object, got an array", "[]"),
        epm(
            "no `RequestId`",
            400,
            "missing field `RequestId`",
            edit(|b| {
                b.as_object_mut().unwrap().remove("RequestId");
            }),
        ),
        epm(
            "`RequestId` left as `%%RequestId%%`",
            400,
            "`RequestId` is still the unsubstituted placeholder",
            edit(|b| b["RequestId"] = json!("%%RequestId%%")),
        ),
        epm(
            "`RequestId` a list",
            400,
            "field `RequestId` must be a string, got an array",
            edit(|b| b["RequestId"] = json!(["r-1"])),
        ),
        epm(
            "`RequestId` sent twice, different values",
            400,
            "field `RequestId` is sent twice with different values",
            duplicate_request_id,
        ),
        epm(
            "unknown `EventType`",
            400,
            "unknown EventType \"URM_NATIVE_SOMETHING\"",
            edit(|b| b["EventType"] = json!("URM_NATIVE_SOMETHING")),
        ),
        epm(
            "`requestInfo` a list",
            400,
            "field `requestInfo` must be an object",
            edit(|b| b["requestInfo"] = json!([1])),
        ),
        epm(
            "`requestInfo.user` an object",
            400,
            "field `requestInfo.user` must be a string",
            edit(|b| b["requestInfo"]["user"] = json!({"x": 1})),
        ),
        epm(
            "`RequestId` of 200 characters",
            400,
            "`RequestId` is longer than 128 characters",
            edit(|b| b["RequestId"] = json!("r".repeat(200))),
        ),
        epm("nested 200 lists deep", 400, "recursion limit exceeded", deep_epm),
        epm(
            "a byte order mark before the JSON",
            400,
            "byte order mark",
            bom(SAMPLE.as_bytes()),
        ),
        epm(
            "300 KiB body",
            413,
            "the limit is 262144 bytes",
            edit(|b| b["requestInfo"]["cmdArgs"] = json!("a".repeat(300 * 1024))),
        ),
        epm("2 MiB body", 413, "request body exceeds", vec![b' '; 2 * 1024 * 1024]),
        epm("not UTF-8", 400, "request body is not UTF-8 text", vec![0xff, 0xfe, 0x7b]),
        epm("unknown web trigger", 404, "unknown web trigger \"no-such-trigger\"", SAMPLE)
            .path("/x/no-such-trigger"),
        // ---- PRA web trigger ----
        pra(setup, "no `secret` in the URL", 401, "\"secret\" parameter is missing or wrong", PRA_FORM)
            .path("/x/pra-ticket"),
        pra(setup, "wrong `secret`", 401, "\"secret\" parameter is missing or wrong", PRA_FORM)
            .path("/x/pra-ticket?secret=not-the-secret"),
        pra(setup, "`secret` given twice", 401, "\"secret\" parameter is missing or wrong", PRA_FORM)
            .path(format!(
                "/x/pra-ticket?secret={0}&secret={0}",
                setup.pra_secret
            )),
        pra(setup, "wrong method GET", 405, "method GET is not allowed", "").method("GET"),
        pra(setup, "not UTF-8", 400, "request body is not UTF-8 text", b"req\xff\xfe=1".to_vec()),
        pra(setup, "content type `text/xml`", 400, "content type \"text/xml\" is not accepted", PRA_FORM)
            .header("Content-Type", Some("text/xml")),
        pra(
            setup,
            "no `ticket_id`",
            400,
            "\"ticket_id\" is required",
            PRA_FORM.replace("&ticket_id=PMCJIT-1", ""),
        ),
        pra(
            setup,
            "`request_id` sent twice (form)",
            400,
            "\"request_id\" is sent more than once",
            format!("{PRA_FORM}&request_id=pra-req-2"),
        ),
        pra_as_json(
            setup,
            "`ticket_id` sent twice, different values (JSON)",
            400,
            "\"ticket_id\" is sent twice with different values",
            String::from_utf8(pra_json(|_| {}))
                .unwrap()
                .replacen("{", "{\"ticket_id\": \"OPS-1\", ", 1)
                .into_bytes(),
        ),
        pra_as_json(
            setup,
            "`ticket_id` a list (JSON)",
            400,
            "\"ticket_id\" is a list; send one value",
            pra_json(|b| b["ticket_id"] = json!(["PMCJIT-1"])),
        ),
        pra_as_json(
            setup,
            "nested five objects deep (JSON)",
            400,
            "is nested too deeply",
            pra_json(|b| b["jump_item"]["custom"] = json!({"a": {"b": {"c": "d"}}})),
        ),
        pra_as_json(setup, "malformed JSON", 400, "the body is not valid JSON", b"{\"request_id\": ".to_vec()),
        pra(
            setup,
            "`response_url` on another host",
            400,
            "response_url is not on the configured PRA appliance host",
            PRA_FORM.replace("pra.sandbox.test", "evil.example"),
        ),
        pra(setup, "a byte order mark before the form", 400, "byte order mark", bom(PRA_FORM.as_bytes())),
        pra(
            setup,
            "`request_id` of 300 characters",
            400,
            "\"request_id\" is longer than 255 characters",
            PRA_FORM.replace("pra-req-1", &"r".repeat(300)),
        ),
        pra(setup, "300 KiB body", 413, "the limit is 262144 bytes", vec![b'a'; 300 * 1024]),
        // ---- Keeper web trigger ----
        keeper(setup, "no token", 401, "authentication required", kepm_alert(|_| {}))
            .header("Authorization", None),
        keeper(setup, "wrong token", 401, "authentication required", kepm_alert(|_| {}))
            .header("Authorization", Some("Bearer not-the-token")),
        keeper(setup, "Basic with another user", 401, "authentication required", kepm_alert(|_| {}))
            .header("Authorization", Some(&basic("admin", &setup.keeper_token))),
        keeper(setup, "wrong method PUT", 405, "method PUT is not allowed", kepm_alert(|_| {})).method("PUT"),
        keeper(setup, "malformed JSON", 400, "the alert is not JSON", "{\"alert_name\": "),
        keeper(setup, "a JSON array", 400, "the alert must be a JSON object", "[]"),
        keeper(
            setup,
            "`json` a number",
            400,
            "\"json\" must be Keeper's #json event",
            kepm_alert(|b| b["json"] = json!(5)),
        ),
        keeper(
            setup,
            "KEPM alert without `request_uid`",
            400,
            "json.request_uid is required",
            kepm_alert(|b| {
                b["json"].as_object_mut().unwrap().remove("request_uid");
            }),
        ),
        keeper(
            setup,
            "`request_uid` a shell command",
            400,
            "json.request_uid: a KEPM request UID is 22 characters of base64url",
            kepm_alert(|b| b["json"]["request_uid"] = json!("x; rm -rf /")),
        ),
        keeper(
            setup,
            "`request_uid` a number",
            400,
            "json.request_uid: a KEPM request UID is 22 characters of base64url",
            kepm_alert(|b| b["json"]["request_uid"] = json!(12345)),
        ),
        keeper(
            setup,
            "device alert without the user's e-mail",
            400,
            "json.username (the user's e-mail) is required",
            json!({"alert_name": "Device admin approval requested", "json": {"audit_event": "device_admin_approval_requested"}})
                .to_string(),
        ),
        keeper(
            setup,
            "`alert_name` sent twice, different values",
            400,
            "\"alert_name\" is sent twice with different values",
            String::from_utf8(kepm_alert(|_| {}))
                .unwrap()
                .replacen("{", "{\"alert_name\": \"Record shared\", ", 1),
        ),
        keeper(
            setup,
            "an unknown event (accepted, ignored)",
            202,
            "the app acts on approval request and device approval alerts only",
            json!({"alert_name": "Record shared", "json": {"audit_event": "record_share"}}).to_string(),
        ),
        keeper(
            setup,
            "nested 200 lists deep",
            400,
            "recursion limit exceeded",
            format!("{{\"json\": {}}}", nested(200)),
        ),
        keeper(setup, "a byte order mark before the JSON", 400, "byte order mark", bom(&kepm_alert(|_| {}))),
        // ---- UI bridge ----
        bridge("wrong method GET", 405, "method GET is not allowed", ALICE, "").method("GET"),
        bridge("`text/plain`", 415, "invoke takes JSON", ALICE, r#"{"functionKey": "epm.request"}"#)
            .header("Content-Type", Some("text/plain")),
        bridge("a form", 415, "invoke takes JSON", ALICE, "functionKey=epm.request")
            .header("Content-Type", Some("application/x-www-form-urlencoded")),
        bridge("no content type", 415, "invoke takes JSON", ALICE, r#"{"functionKey": "epm.request"}"#)
            .header("Content-Type", None),
        bridge("malformed JSON", 400, "not valid JSON", ALICE, "{\"functionKey\":"),
        bridge("a JSON array", 400, "must be a JSON object", ALICE, "[]"),
        bridge("no `functionKey`", 400, "functionKey is missing", ALICE, r#"{"payload": {}}"#),
        bridge(
            "`functionKey` a number",
            400,
            "functionKey must be a non-empty string",
            ALICE,
            r#"{"functionKey": 3}"#,
        ),
        bridge(
            "`payload` a number",
            400,
            "payload must be a JSON object",
            ALICE,
            r#"{"functionKey": "epm.request", "payload": 3}"#,
        ),
        bridge(
            "`context.extension` a string",
            400,
            "context.extension must be a JSON object",
            ALICE,
            r#"{"functionKey": "epm.request", "context": {"extension": "x"}}"#,
        ),
        bridge(
            "`functionKey` sent twice, different values",
            400,
            "names \"functionKey\" twice with different values",
            CAROL,
            r#"{"functionKey": "admin.config", "functionKey": "admin.save", "payload": {}}"#,
        ),
        bridge(
            "a byte order mark before the JSON",
            400,
            "byte order mark",
            ALICE,
            bom(br#"{"functionKey": "epm.request"}"#),
        ),
        bridge("not UTF-8", 400, "not UTF-8", ALICE, b"{\"functionKey\": \"\xff\"}".to_vec()),
        bridge(
            "payload nested 200 lists deep",
            400,
            "recursion limit exceeded",
            ALICE,
            format!("{{\"functionKey\": \"epm.request\", \"payload\": {{\"a\": {}}}}}", nested(200)),
        ),
        bridge(
            "70 KiB body",
            413,
            "exceeds 65536 bytes",
            ALICE,
            json!({"functionKey": "epm.request", "payload": {"note": "a".repeat(70 * 1024)}}).to_string(),
        ),
        bridge(
            "signed in as an unknown account",
            401,
            "not signed in",
            "712020:nobody",
            r#"{"functionKey": "epm.request"}"#,
        ),
        bridge(
            "signed in as an inactive person; the body claims an active one",
            401,
            "not signed in",
            INACTIVE_IVAN,
            json!({"functionKey": "admin.save", "accountId": CAROL, "context": {"accountId": CAROL}}).to_string(),
        ),
        bridge(
            "from another site's page (`Origin`)",
            403,
            "Origin http://evil.example is not this host",
            CAROL,
            r#"{"functionKey": "admin.config"}"#,
        )
        .header("Origin", Some("http://evil.example")),
        bridge(
            "unknown resolver name",
            400,
            "unknown resolver \"no.such.resolver\"",
            ALICE,
            r#"{"functionKey": "no.such.resolver", "payload": {}}"#,
        ),
        // ---- issue page resolvers ----
        resolver(
            "`epm.decide`: decision \"maybe\"",
            ALICE,
            "epm.decide",
            "PMCJIT-1",
            json!({"decision": "maybe"}),
            "invalid",
            "decision: choose Approve or Deny",
        ),
        resolver(
            "`epm.decide`: decision a number",
            ALICE,
            "epm.decide",
            "PMCJIT-1",
            json!({"decision": 1}),
            "invalid",
            "decision: choose Approve or Deny",
        ),
        resolver(
            "`epm.decide`: approve without a duration",
            ALICE,
            "epm.decide",
            "PMCJIT-1",
            json!({"decision": "approve"}),
            "invalid",
            "duration: choose how long the access lasts",
        ),
        resolver(
            "`epm.decide`: message an object",
            ALICE,
            "epm.decide",
            "PMCJIT-1",
            json!({"decision": "deny", "message": {"text": "no"}}),
            "invalid",
            "message: the message must be text",
        ),
        resolver(
            "`epm.decide` by the requester",
            BOB,
            "epm.decide",
            "PMCJIT-1",
            approve(),
            "self-approval",
            "You asked for this access, so someone else has to decide it",
        ),
        Row {
            request: Request {
                body: json!({
                    "functionKey": "epm.decide",
                    "payload": approve(),
                    "accountId": ALICE,
                    "context": {"accountId": ALICE, "extension": on_issue("PMCJIT-1")},
                })
                .to_string()
                .into_bytes(),
                ..resolver("", BOB, "epm.decide", "PMCJIT-1", json!({}), "", "").request
            },
            ..resolver(
                "`epm.decide` by the requester, the body claiming an approver's `accountId`",
                BOB,
                "epm.decide",
                "PMCJIT-1",
                json!({}),
                "self-approval",
                "You asked for this access, so someone else has to decide it",
            )
        },
        resolver(
            "`epm.decide` by a viewer",
            VERA,
            "epm.decide",
            "PMCJIT-1",
            approve(),
            "forbidden",
            "You need the \"Transition issues\" permission on PMCJIT-1 to decide this request",
        ),
        resolver(
            "`epm.decide` on an issue that does not exist",
            ALICE,
            "epm.decide",
            "PMCJIT-999",
            approve(),
            "no-issue",
            "PMCJIT-999 does not exist or you do not have permission to see it",
        ),
        resolver(
            "`epm.decide` on an issue that is not an EPM request",
            ALICE,
            "epm.decide",
            keeper_issue,
            approve(),
            "not-epm",
            "OPS-1 is not an EPM access request the app created",
        ),
        Row {
            code: Some("no-issue"),
            says: "This page was opened without an issue",
            ..call(
                Entry::Resolver,
                "`epm.decide` without an issue in the context",
                ALICE,
                "epm.decide",
                approve(),
                json!({"type": "jira:issueAction"}),
            )
        },
        resolver(
            "`keeper.decide`: decision \"maybe\"",
            CAROL,
            "keeper.decide",
            keeper_issue,
            json!({"decision": "maybe"}),
            "invalid",
            "decision: must be approve or deny",
        ),
        resolver(
            "`keeper.decide` by the requester",
            ALICE,
            "keeper.decide",
            keeper_issue,
            json!({"decision": "approve"}),
            "self-approval",
            "You asked for this in Keeper, so someone else has to decide it",
        ),
        resolver(
            "`keeper.decide` by someone who may not decide",
            VERA,
            "keeper.decide",
            keeper_issue,
            json!({"decision": "approve"}),
            "not-approver",
            "Only Jira administrators and this project's administrators may decide Keeper requests",
        ),
        resolver(
            "`keeper.decide` on an issue that is not a Keeper request",
            CAROL,
            "keeper.decide",
            "PMCJIT-1",
            json!({"decision": "approve"}),
            "not-keeper",
            "This issue has no Keeper approval label",
        ),
        resolver(
            "`keeper.decide` on an issue that does not exist",
            CAROL,
            "keeper.decide",
            "OPS-999",
            json!({"decision": "deny"}),
            "no-issue",
            "Issue OPS-999 does not exist or you do not have permission to see it",
        ),
        // ---- configuration page ----
        admin("`admin.config` by a non-admin", ALICE, "admin.config", json!({}), "forbidden", "Only Jira administrators can view or change the configuration"),
        admin(
            "`admin.save` by a non-admin",
            ALICE,
            "admin.save",
            json!({"config": epm_config(json!({"projectKey": "OPS"}))}),
            "forbidden",
            "Only Jira administrators can view or change the configuration",
        ),
        admin("`admin.validate` by a non-admin", BOB, "admin.validate", json!({}), "forbidden", "Only Jira administrators can view or change the configuration"),
        admin(
            "`admin.save`: `enabled` a string",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({"enabled": "yes"}))}),
            "invalid",
            "`config.enabled` must be a boolean",
        ),
        admin(
            "`admin.save`: an unknown setting",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({"colour": "blue"}))}),
            "invalid",
            "`config.colour` is not a known setting",
        ),
        admin(
            "`admin.save`: no `config`",
            CAROL,
            "admin.save",
            json!({"secrets": {}}),
            "invalid",
            "missing field `config`",
        ),
        admin(
            "`admin.save`: an unknown section",
            CAROL,
            "admin.save",
            json!({"section": "nope", "settings": {}}),
            "invalid",
            "no settings section \"nope\"",
        ),
        admin(
            "`admin.save`: `section` a number",
            CAROL,
            "admin.save",
            json!({"section": 5}),
            "invalid",
            "The settings section must be a provider's name",
        ),
        admin(
            "`admin.save`: a summary template of 10,000 characters",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({"summaryTemplate": "x".repeat(10_000)}))}),
            "invalid",
            "summaryTemplate: is longer than 1000 characters",
        ),
        admin(
            "`admin.save`: EPM host a URL with a path",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({"serviceHostname": "https://x.com:443/p"})), "secrets": {"clientSecret": TYPED_CLIENT_SECRET}}),
            "invalid",
            "serviceHostname: must be a bare host name",
        ),
        admin(
            "`admin.save`: an unknown template placeholder",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({"summaryTemplate": "%%Nope%%"}))}),
            "invalid",
            "summaryTemplate: unknown placeholder %%Nope%%",
        ),
        admin(
            "`admin.save`: a webhook password of 8 characters",
            CAROL,
            "admin.save",
            json!({"config": epm_config(json!({})), "secrets": {"webhookPassword": SHORT_PASSWORD}}),
            "invalid",
            "webhookPassword: must be at least 12 characters",
        ),
        admin(
            "`admin.save` PRA: `enabled` a string",
            CAROL,
            "admin.save",
            json!({"section": "pra", "settings": {"enabled": "yes"}}),
            "invalid",
            "`settings.enabled` must be a boolean",
        ),
        admin(
            "`admin.save` Keeper: `rotateToken` a string",
            CAROL,
            "admin.save",
            json!({"section": "keeper", "settings": {}, "rotateToken": "yes"}),
            "invalid",
            "`rotateToken` must be a boolean",
        ),
    ]
}

/// Everything a refusal must leave as it was.
#[derive(Debug, PartialEq)]
struct Written {
    /// KV entries, except `diag:` ones.
    kv: Vec<(String, String)>,
    secrets: Vec<(String, String)>,
    /// Queued jobs (queue and payload).
    jobs: Vec<(String, String)>,
    issues: Vec<Value>,
    epm_decisions: usize,
    commander: Value,
}

fn table(conn: &rusqlite::Connection, sql: &str) -> Vec<(String, String)> {
    let mut statement = conn.prepare(sql).expect("query");
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("rows");
    rows.collect::<Result<_, _>>().expect("read")
}

async fn written(host: &Host, dir: &std::path::Path) -> Written {
    let conn = rusqlite::Connection::open_with_flags(dir.join("kv.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("kv");
    conn.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
    Written {
        // `diag:` keys are the admin diagnostics log: every web trigger delivery (refused ones
        // too) and every job run is recorded there, bounded, for the configuration page's
        // diagnostics view. A refusal may add to that log and nothing else.
        kv: table(
            &conn,
            "SELECT key, value FROM kv WHERE key NOT LIKE 'diag:%' ORDER BY key",
        ),
        secrets: table(&conn, "SELECT key, value FROM secrets ORDER BY key"),
        jobs: table(&conn, "SELECT queue, payload FROM jobs ORDER BY id"),
        issues: issues(host).await,
        epm_decisions: epm_decisions(host).await.len(),
        // Keeper's requests and devices (not `now`, nor the log of Commander commands, which
        // has the reads a refusal may make).
        commander: {
            let state = get_json(&format!("{}/sandbox/keeper/_sandbox/state", host.base)).await;
            json!({"kepm": state["kepm"], "devices": state["devices"]})
        },
    }
}

/// What changed between two snapshots, briefly: keys, counts, issue keys.
fn changes(before: &Written, after: &Written) -> Vec<String> {
    fn pairs(name: &str, before: &[(String, String)], after: &[(String, String)], out: &mut Vec<String>) {
        let find = |list: &[(String, String)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        for (key, value) in after {
            match find(before, key) {
                None => out.push(format!("{name} {key} added")),
                Some(old) if &old != value => out.push(format!("{name} {key} changed")),
                Some(_) => {}
            }
        }
        for (key, _) in before {
            if find(after, key).is_none() {
                out.push(format!("{name} {key} removed"));
            }
        }
    }
    let mut out = Vec::new();
    pairs("KV", &before.kv, &after.kv, &mut out);
    pairs("secret", &before.secrets, &after.secrets, &mut out);
    if before.jobs != after.jobs {
        out.push(format!("jobs: {:?} -> {:?}", before.jobs, after.jobs));
    }
    let keys = |issues: &[Value]| {
        issues
            .iter()
            .map(|i| i["key"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    if keys(&before.issues) != keys(&after.issues) {
        out.push(format!(
            "Jira issues {:?} -> {:?}",
            keys(&before.issues),
            keys(&after.issues)
        ));
    } else {
        for (old, new) in before.issues.iter().zip(&after.issues) {
            if old != new {
                out.push(format!("Jira issue {} changed", new["key"]));
            }
        }
    }
    if before.epm_decisions != after.epm_decisions {
        out.push("EPM received a decision".into());
    }
    if before.commander != after.commander {
        out.push("Keeper's state changed".into());
    }
    out
}

/// Waits until no job is queued or running (moving the app's clock past any job's grace).
async fn settle(host: &Host) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stats = get_json(&format!("{}/_sandbox/queue", host.base)).await;
        if stats["pending"] == json!(0) && stats["taken"] == json!(0) {
            return;
        }
        assert!(Instant::now() < deadline, "the queue did not settle: {stats}");
        let moved = client()
            .post(format!("{}/_sandbox/clock", host.base))
            .json(&json!({"advanceMs": 30_000}))
            .send()
            .await
            .expect("clock");
        assert_eq!(moved.status().as_u16(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn send(host: &Host, request: &Request) -> (u16, String) {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut builder = client()
        .request(method, format!("{}{}", host.base, request.path))
        .body(request.body.clone());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let response = builder.send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The answer's message: `error` (web triggers, the bridge), `error.message` and its fields
/// (resolvers), or the whole body when there is no error (an alert accepted and ignored).
fn message_of(answer: &Value, text: &str) -> String {
    match &answer["error"] {
        Value::String(message) => message.clone(),
        Value::Object(error) => {
            let mut message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            for (field, problem) in error.get("fields").and_then(Value::as_object).into_iter().flatten() {
                message.push_str(&format!("\n{field}: {}", problem.as_str().unwrap_or_default()));
            }
            message
        }
        _ => text.to_string(),
    }
}

/// Checks one row against its answer; the problems found.
fn check(row: &Row, status: u16, text: &str, secrets: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    if status != row.status {
        problems.push(format!("status {status}, expected {}", row.status));
    }
    let answer: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if answer.is_null() {
        problems.push("the answer is not JSON".into());
    }
    let message = message_of(&answer, text);
    if let Some(code) = row.code {
        let got = (&answer["ok"], &answer["error"]["code"]);
        if got != (&json!(false), &json!(code)) {
            problems.push(format!("expected ok false and code {code:?}"));
        }
    }
    if message.trim().is_empty() || row.says.trim().is_empty() {
        problems.push("the answer names no problem, or the row says nothing it must".into());
    }
    if !message.contains(row.says) {
        problems.push(format!("the message lacks {:?}", row.says));
    }
    for secret in secrets {
        if text.contains(secret) {
            problems.push("a secret is in the answer".into());
        }
    }
    problems
}

/// Markdown table cell text: `|` escaped, newlines as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn render(rows: &[Row]) -> String {
    let mut page = String::from(
        "# What bad input gets\n\n\
         Every entry the app offers to the outside world, given input it cannot take, and what it \
         answers. Every answer names the problem, never holds a configured secret, and nothing is \
         written: the app's storage, the job queue, the Jira issues, EPM and Keeper are as before \
         (the admin diagnostics log, `diag:` keys, records refused web trigger deliveries).\n\n\
         Web triggers and the bridge answer JSON `{\"error\": \"…\"}` with the status shown. \
         Resolvers answer 200 `{\"ok\": false, \"error\": {\"code\", \"message\", \"fields\"}}` \
         (codes: [resolvers.md](resolvers.md)); for them the page shows the code. The last column \
         is text the message contains (for `invalid` answers, `field: problem`). Where a webhook \
         expects text, a number or a boolean is read as its text (EPM's and PRA's templates may \
         leave values unquoted); a list or an object is refused.\n\n\
         Generated by `host/tests/bad_input.rs`, which sends each row to a running host and checks \
         the answer; do not edit by hand (`UPDATE_DOCS=1 cargo nextest run -p pam-approvals-host \
         --test bad_input` rewrites it).\n\n\
         | Entry | Input | Status | What the answer says |\n|---|---|---|---|\n",
    );
    for row in rows {
        let status = match row.code {
            Some(code) => format!("{} `{code}`", row.status),
            None => row.status.to_string(),
        };
        // A code span; one with backticks inside is delimited by two.
        let says = if row.says.contains('`') {
            format!("`` {} ``", row.says)
        } else {
            format!("`{}`", row.says)
        };
        page.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(row.entry.label()),
            cell(row.input),
            cell(&status),
            cell(&says)
        ));
    }
    page
}

/// Validates: every row's status (and code), that its message names the problem, that no
/// answer holds a secret, and that nothing was written; and that docs/bad-input.md is the
/// table.
#[tokio::test]
async fn every_bad_input_is_refused_by_name_and_writes_nothing() {
    let started = Instant::now();
    let dir = TempDir::new("bad-input");
    let host = Host::start_with(&dir.0, &["--expiry-interval", "0"]);

    // What the rows act on: Bob's EPM request (PMCJIT-1) and Alice's KEPM request.
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{body}");
    let keeper_token = stored_secret(&dir.0, KEEPER_TOKEN_KEY).expect("the sandbox made a Keeper token");
    let made = client()
        .post(format!("{}/x/keeper-alert", host.base))
        .bearer_auth(&keeper_token)
        .json(
            &json!({"alert_name": "Agent created approval request", "username": KEPM_PENDING_EMAIL,
            "json": {"audit_event": "approval_request_created", "request_uid": KEPM_PENDING_UID}}),
        )
        .send()
        .await
        .expect("alert");
    assert_eq!(made.status().as_u16(), 201);
    let made: Value = made.json().await.expect("JSON");
    let (status, view) = invoke(
        &host,
        Some(&sandbox_user_cookie(CAROL)),
        &json!({"functionKey": "admin.config", "context": {"extension": {"type": "jira:adminPage"}}}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    let setup = Setup {
        pra_secret: pam_approvals_host::credentials::pra_url_secret(&dir.0).expect("the sandbox made a PRA secret"),
        keeper_token,
        stored_secrets: written(&host, &dir.0)
            .await
            .secrets
            .into_iter()
            .map(|(_, value)| value)
            .filter(|value| value.len() >= 8)
            .collect(),
        epm_config: view["view"]["config"].clone(),
        keeper_issue: made["issueKey"].as_str().expect("issueKey").to_string(),
    };
    settle(&host).await;

    let rows = rows(&setup);
    let count = |entry: Entry| rows.iter().filter(|r| r.entry == entry).count();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    for entry in [
        Entry::Epm,
        Entry::Pra,
        Entry::Keeper,
        Entry::Bridge,
        Entry::Resolver,
        Entry::Admin,
    ] {
        assert!(count(entry) >= 5, "{entry:?} has {} rows", count(entry));
    }

    let secrets = setup.secrets();
    for expected in [
        PASSWORD,
        &setup.pra_secret,
        &setup.keeper_token,
        &epm_client_secret(&dir.0),
    ] {
        assert!(
            secrets.contains(&expected),
            "the secrets checked include each configured one"
        );
    }
    let mut failures = Vec::new();
    for row in &rows {
        let before = written(&host, &dir.0).await;
        let (status, text) = send(&host, &row.request).await;
        let mut problems = check(row, status, &text, &secrets);
        let after = written(&host, &dir.0).await;
        if after != before {
            problems.push(format!("written: {}", changes(&before, &after).join(", ")));
        }
        if !problems.is_empty() {
            let shown: String = text.chars().take(600).collect();
            failures.push(format!(
                "{:?} {}: {}\n  answer {status}: {shown}",
                row.entry,
                row.input,
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );

    let page = render(&rows);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/bad-input.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).expect("writing docs/bad-input.md");
    } else {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == page,
            "docs/bad-input.md differs from the table in host/tests/bad_input.rs; run \
             `UPDATE_DOCS=1 cargo nextest run -p pam-approvals-host --test bad_input` and commit it"
        );
    }
    eprintln!("{} rows in {:?}", rows.len(), started.elapsed());
}

/// Validates: with the integration switched off, an authenticated webhook gets 503 and a
/// message, an unauthenticated one still 401, and nothing is created.
#[tokio::test]
async fn a_disabled_integration_answers_503() {
    let dir = TempDir::new("disabled");
    let config = dir.0.join("config.json");
    std::fs::write(&config, r#"{"config": {"enabled": false}}"#).unwrap();
    let host = Host::start_with(&dir.0, &["--config", config.to_str().unwrap()]);
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body),
        (
            503,
            json!({"error": "the EPM integration is disabled in the app's configuration"})
        )
    );
    let (status, _) = post(&host, Some((USER, "nope")), SAMPLE).await;
    assert_eq!(status, 401);
    assert!(issues(&host).await.is_empty());
}
