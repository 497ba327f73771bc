//! Tests of the Jira sandbox through its router.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::JiraSandbox;
use super::seed;
use pam_contracts_check::Contracts;

const BASE: &str = "http://sandbox.test/sandbox/jira";

fn contracts() -> Arc<Contracts> {
    static CONTRACTS: OnceLock<Arc<Contracts>> = OnceLock::new();
    Arc::clone(CONTRACTS.get_or_init(|| Arc::new(Contracts::load().expect("contracts load"))))
}

fn open(path: &Path) -> Router {
    JiraSandbox::open(path, BASE, contracts())
        .expect("sandbox opens")
        .router()
}

fn memory() -> Router {
    open(Path::new(":memory:"))
}

fn basic(email: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{email}:sandbox")))
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
    /// An injected cut connection (`crate::Unreachable`): no body to read.
    unreachable: bool,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn call(router: &Router, method: &str, uri: &str, body: Option<Value>, auth: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    if response.extensions().get::<crate::Unreachable>().is_some() {
        return Reply {
            status,
            headers,
            text: String::new(),
            unreachable: true,
        };
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        unreachable: false,
    }
}

fn doc(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    ]})
}

fn create_body(summary: &str, request_id: &str) -> Value {
    json!({
        "fields": {
            "project": {"key": "PMCJIT"},
            "issuetype": {"name": "Access Request"},
            "summary": summary,
            "description": {"type": "doc", "version": 1, "content": [
                {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Request details"}]},
                {"type": "table", "content": [{"type": "tableRow", "content": [
                    {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Application"}]}]},
                    {"type": "tableCell", "content": [{"type": "paragraph", "content": [
                        {"type": "text", "text": "notepad.exe", "marks": [{"type": "code"}]}]}]}
                ]}]}
            ]},
            "assignee": {"accountId": seed::ALICE_APPROVER},
            "labels": ["epm", "jit"],
            "customfield_10001": request_id
        },
        "properties": [{"key": "pamRequest", "value": {"epm": {"requestId": request_id}, "state": "pending"}}]
    })
}

async fn create(router: &Router, summary: &str, request_id: &str) -> String {
    let reply = call(
        router,
        "POST",
        "/rest/api/3/issue",
        Some(create_body(summary, request_id)),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["key"].as_str().expect("key").to_string()
}

#[tokio::test]
async fn create_get_comment_transition_and_search() {
    let router = memory();
    let created = call(
        &router,
        "POST",
        "/rest/api/3/issue",
        Some(create_body("Run notepad as admin", "req-1")),
        None,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let created = created.json();
    assert_eq!(created["key"], "PMCJIT-1");
    assert_eq!(created["id"], "10000");
    assert_eq!(created["self"], format!("{BASE}/rest/api/3/issue/10000"));

    let issue = call(
        &router,
        "GET",
        "/rest/api/3/issue/PMCJIT-1?properties=pamRequest",
        None,
        None,
    )
    .await;
    assert_eq!(issue.status, StatusCode::OK);
    let issue = issue.json();
    let fields = &issue["fields"];
    assert_eq!(fields["summary"], "Run notepad as admin");
    assert_eq!(fields["status"]["name"], "Open");
    assert_eq!(fields["status"]["statusCategory"]["key"], "new");
    assert_eq!(fields["assignee"]["accountId"], seed::ALICE_APPROVER);
    assert_eq!(fields["reporter"]["accountId"], seed::APP_ACCOUNT_ID);
    assert_eq!(fields["labels"], json!(["epm", "jit"]));
    assert_eq!(fields["project"]["key"], "PMCJIT");
    assert_eq!(fields["issuetype"]["name"], "Access Request");
    assert_eq!(fields["customfield_10001"], "req-1");
    assert_eq!(fields["description"]["content"][0]["type"], "heading");
    assert_eq!(issue["properties"]["pamRequest"]["state"], "pending");

    let some = call(
        &router,
        "GET",
        "/rest/api/3/issue/10000?fields=summary,status",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(some["fields"].as_object().map(|f| f.len()), Some(2), "{some}");

    let comment = call(
        &router,
        "POST",
        "/rest/api/3/issue/PMCJIT-1/comment",
        Some(json!({"body": doc("Approved")})),
        Some(&basic("alice@example.com")),
    )
    .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.text);
    let comment = comment.json();
    assert_eq!(comment["author"]["accountId"], seed::ALICE_APPROVER);
    assert_eq!(comment["body"], doc("Approved"));
    let comments = call(&router, "GET", "/rest/api/3/issue/PMCJIT-1/comment", None, None)
        .await
        .json();
    assert_eq!(comments["total"], 1);
    assert_eq!(comments["comments"][0]["id"], comment["id"]);

    let transitions = call(&router, "GET", "/rest/api/3/issue/PMCJIT-1/transitions", None, None)
        .await
        .json();
    let names: Vec<&str> = transitions["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["Approve", "Deny", "Expire", "Start work"]);
    let approve = transitions["transitions"][0]["id"].as_str().expect("id").to_string();
    let moved = call(
        &router,
        "POST",
        "/rest/api/3/issue/PMCJIT-1/transitions",
        Some(json!({"transition": {"id": approve}})),
        None,
    )
    .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.text);
    let again = call(
        &router,
        "POST",
        "/rest/api/3/issue/PMCJIT-1/transitions",
        Some(json!({"transition": {"id": approve}})),
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        again.json()["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("not valid"))
    );
    let status = call(&router, "GET", "/rest/api/3/issue/PMCJIT-1?fields=status", None, None)
        .await
        .json();
    assert_eq!(status["fields"]["status"]["name"], "Approved");
    let from_approved = call(&router, "GET", "/rest/api/3/issue/PMCJIT-1/transitions", None, None)
        .await
        .json();
    let names: Vec<&str> = from_approved["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["Expire", "Reopen", "Start work"]);

    create(&router, "Second request", "req-2").await;

    // A search by key (the expiry search uses key clauses), answering the fields asked for.
    let by_field = call(
        &router,
        "GET",
        "/rest/api/3/search/jql?jql=key%20%3D%20PMCJIT-2&fields=summary,customfield_10001",
        None,
        None,
    )
    .await;
    assert_eq!(by_field.status, StatusCode::OK, "{}", by_field.text);
    let by_field = by_field.json();
    assert_eq!(by_field["issues"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_field["issues"][0]["key"], "PMCJIT-2");
    assert_eq!(by_field["issues"][0]["fields"]["customfield_10001"], "req-2");
    assert_eq!(by_field["isLast"], true);

    let by_property = call(
        &router,
        "POST",
        "/rest/api/3/search/jql",
        Some(json!({
            "jql": "project = PMCJIT AND issue.property[pamRequest].epm.requestId = \"req-1\"",
            "fields": ["summary", "status"],
            "properties": ["pamRequest"]
        })),
        None,
    )
    .await;
    assert_eq!(by_property.status, StatusCode::OK, "{}", by_property.text);
    let by_property = by_property.json();
    assert_eq!(by_property["issues"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_property["issues"][0]["key"], "PMCJIT-1");
    assert_eq!(by_property["issues"][0]["fields"]["status"]["name"], "Approved");
    assert_eq!(
        by_property["issues"][0]["properties"]["pamRequest"]["epm"]["requestId"],
        "req-1"
    );

    let by_name = call(
        &router,
        "POST",
        "/rest/api/3/search/jql",
        Some(json!({"jql": "project = PMCJIT ORDER BY created ASC"})),
        None,
    )
    .await
    .json();
    let ids: Vec<&str> = by_name["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, ["10000", "10001"]);
    assert!(
        by_name["issues"][0].get("fields").is_none(),
        "default fields are id only"
    );
}

#[tokio::test]
async fn search_pages_with_tokens() {
    let router = memory();
    for n in 0..5 {
        create(&router, &format!("Request {n}"), &format!("r{n}")).await;
    }
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..5 {
        let mut body = json!({"jql": "project = PMCJIT ORDER BY key ASC", "maxResults": 2, "fields": ["summary"]});
        if let Some(token) = &token {
            body["nextPageToken"] = json!(token);
        }
        let page = call(&router, "POST", "/rest/api/3/search/jql", Some(body), None)
            .await
            .json();
        keys.extend(
            page["issues"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["key"].as_str().map(str::to_string)),
        );
        match page["nextPageToken"].as_str() {
            Some(next) => {
                assert_eq!(page["isLast"], false);
                token = Some(next.to_string());
            }
            None => {
                assert_eq!(page["isLast"], true);
                break;
            }
        }
    }
    assert_eq!(keys, ["PMCJIT-1", "PMCJIT-2", "PMCJIT-3", "PMCJIT-4", "PMCJIT-5"]);
    let bad = call(
        &router,
        "GET",
        "/rest/api/3/search/jql?jql=project%3DPMCJIT&nextPageToken=garbage!",
        None,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_creates_get_distinct_keys() {
    let router = memory();
    let mut tasks = Vec::new();
    for n in 0..24 {
        let router = router.clone();
        tasks.push(tokio::spawn(async move {
            create(&router, &format!("Concurrent {n}"), &format!("c{n}")).await
        }));
    }
    let mut keys = Vec::new();
    for task in tasks {
        keys.push(task.await.expect("task"));
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 24);
    let all = call(&router, "GET", "/_sandbox/issues", None, None).await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(24));
}

#[tokio::test]
async fn invalid_adf_is_rejected_and_nothing_is_written() {
    let router = memory();
    let mut body = create_body("Bad description", "bad-1");
    body["fields"]["description"]["content"][1] = json!({"type": "marquee", "content": []});
    let reply = call(&router, "POST", "/rest/api/3/issue", Some(body), None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = reply.json();
    assert_eq!(error["errors"], json!({}));
    let first = error["errorMessages"][0].as_str().unwrap_or_default();
    assert!(
        first.starts_with("/fields/description/content/1") && first.contains("marquee"),
        "{error}"
    );

    let text_body = call(
        &router,
        "POST",
        "/rest/api/3/issue",
        Some(json!({"fields": "nope"})),
        None,
    )
    .await;
    assert_eq!(text_body.status, StatusCode::BAD_REQUEST);

    let comment = call(
        &router,
        "POST",
        "/rest/api/3/issue/PMCJIT-1/comment",
        Some(json!({"body": "plain text"})),
        None,
    )
    .await;
    assert_eq!(comment.status, StatusCode::BAD_REQUEST);

    let all = call(&router, "GET", "/_sandbox/issues", None, None).await.json();
    assert_eq!(all, json!([]));
    let log = call(&router, "GET", "/_sandbox/requests", None, None).await.json();
    let entries = log.as_array().expect("log");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["status"], 400);
    assert_eq!(entries[0]["operation"], "/rest/api/3/issue");
    assert!(entries[0]["rejected"].as_str().is_some_and(|r| r.contains("marquee")));
    assert!(entries[0]["caller"].is_null());
    assert_eq!(entries[0]["body"]["fields"]["summary"], "Bad description");

    let reset = call(&router, "POST", "/_sandbox/requests/reset", None, None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let log = call(&router, "GET", "/_sandbox/requests", None, None).await.json();
    assert_eq!(log, json!([]));
}

#[tokio::test]
async fn unknown_and_unimplemented_operations() {
    let router = memory();
    let unknown = call(&router, "GET", "/rest/api/3/definitely/not/jira", None, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.json()["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("No Jira REST operation"))
    );
    let old_search = call(&router, "GET", "/rest/api/3/search?jql=project%3DPMCJIT", None, None).await;
    assert_eq!(old_search.status, StatusCode::GONE, "{}", old_search.text);
    let unimplemented = call(&router, "GET", "/rest/api/3/issuetype", None, None).await;
    assert_eq!(unimplemented.status, StatusCode::NOT_IMPLEMENTED);
    let wrong_method = call(&router, "DELETE", "/rest/api/3/issue/PMCJIT-1", None, None).await;
    assert_eq!(wrong_method.status, StatusCode::NOT_IMPLEMENTED);
    let missing = call(&router, "GET", "/rest/api/3/issue/PMCJIT-404", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json(),
        json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}})
    );
}

#[tokio::test]
async fn create_errors_look_like_jira() {
    let router = memory();
    let cases = [
        (
            json!({"fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}, "summary": "x"}}),
            "project",
            "valid project is required",
        ),
        (
            json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Access Request"}, "summary": "x"}}),
            "issuetype",
            "Specify a valid issue type",
        ),
        (
            json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "x", "customfield_10001": "r"}}),
            "customfield_10001",
            "cannot be set",
        ),
        (
            json!({"fields": {"project": {"id": "10000"}, "issuetype": {"id": "10100"}, "summary": "x", "customfield_99999": "r"}}),
            "customfield_99999",
            "cannot be set",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x".repeat(256)}}),
            "summary",
            "less than 255",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}}}),
            "summary",
            "You must specify a summary",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x", "assignee": {"accountId": seed::INACTIVE_IVAN}}}),
            "assignee",
            "cannot be assigned",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x", "assignee": {"accountId": "712020:nobody"}}}),
            "assignee",
            "cannot be assigned",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x", "reporter": {"accountId": "712020:nobody"}}}),
            "reporter",
            "not a user",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x", "labels": ["has space"]}}),
            "labels",
            "contains spaces",
        ),
        (
            json!({"fields": {"project": {"key": "PMCJIT"}, "issuetype": {"name": "Access Request"}, "summary": "x", "customfield_10001": 5}}),
            "customfield_10001",
            "must be a string",
        ),
    ];
    for (body, field, message) in cases {
        let reply = call(&router, "POST", "/rest/api/3/issue", Some(body.clone()), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let error = reply.json();
        assert!(
            error["errors"][field].as_str().is_some_and(|m| m.contains(message)),
            "{body} -> {error}"
        );
        assert!(error["errorMessages"].is_array());
    }
    let ops = call(
        &router,
        "POST",
        "/rest/api/3/issue",
        Some(json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "ops task"}})),
        Some(&basic("bob@example.com")),
    )
    .await;
    assert_eq!(ops.status, StatusCode::CREATED, "{}", ops.text);
    assert_eq!(ops.json()["key"], "OPS-1");
    let ops = call(
        &router,
        "GET",
        "/rest/api/3/issue/ops-1?fields=reporter,customfield_10001",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(ops["fields"]["reporter"]["accountId"], seed::BOB_REQUESTER);
    assert_eq!(ops["fields"]["customfield_10001"], Value::Null);
    let all = call(&router, "GET", "/_sandbox/issues", None, None).await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn edit_and_properties() {
    let router = memory();
    let key = create(&router, "Edit me", "e-1").await;
    let edit = call(
        &router,
        "PUT",
        &format!("/rest/api/3/issue/{key}"),
        Some(json!({
            "fields": {"summary": "Edited", "assignee": null, "description": doc("new text")},
            "update": {"labels": [{"add": "decided"}, {"remove": "jit"}]},
            "properties": [{"key": "decision", "value": {"by": "alice"}}]
        })),
        None,
    )
    .await;
    assert_eq!(edit.status, StatusCode::NO_CONTENT, "{}", edit.text);
    let issue = call(
        &router,
        "GET",
        &format!("/rest/api/3/issue/{key}?properties=*all"),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(issue["fields"]["summary"], "Edited");
    assert_eq!(issue["fields"]["assignee"], Value::Null);
    assert_eq!(issue["fields"]["labels"], json!(["epm", "decided"]));
    assert_eq!(issue["fields"]["description"], doc("new text"));
    assert_eq!(issue["properties"]["decision"]["by"], "alice");
    let bad = call(
        &router,
        "PUT",
        &format!("/rest/api/3/issue/{key}"),
        Some(json!({"fields": {"status": {"name": "Approved"}}})),
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let path = format!("/rest/api/3/issue/{key}/properties/pam.state");
    let put = call(&router, "PUT", &path, Some(json!({"step": 1})), None).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);
    let put = call(&router, "PUT", &path, Some(json!({"step": 2})), None).await;
    assert_eq!(put.status, StatusCode::OK);
    let got = call(&router, "GET", &path, None, None).await.json();
    assert_eq!(got, json!({"key": "pam.state", "value": {"step": 2}}));
    let keys = call(
        &router,
        "GET",
        &format!("/rest/api/3/issue/{key}/properties"),
        None,
        None,
    )
    .await
    .json();
    let listed: Vec<&str> = keys["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["key"].as_str())
        .collect();
    assert_eq!(listed, ["decision", "pam.state", "pamRequest"]);
    let deleted = call(&router, "DELETE", &path, None, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = call(&router, "GET", &path, None, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let empty = call(&router, "PUT", &path, None, None).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn restart_keeps_everything() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let path: PathBuf = std::env::temp_dir().join(format!("jira-sandbox-{}-{nanos}.sqlite", std::process::id()));
    {
        let router = open(&path);
        create(&router, "Survives restarts", "keep-1").await;
        let comment = call(
            &router,
            "POST",
            "/rest/api/3/issue/PMCJIT-1/comment",
            Some(json!({"body": doc("kept")})),
            None,
        )
        .await;
        assert_eq!(comment.status, StatusCode::CREATED);
    }
    {
        let router = open(&path);
        let issue = call(
            &router,
            "GET",
            "/rest/api/3/issue/PMCJIT-1?properties=pamRequest",
            None,
            None,
        )
        .await
        .json();
        assert_eq!(issue["fields"]["summary"], "Survives restarts");
        assert_eq!(issue["properties"]["pamRequest"]["epm"]["requestId"], "keep-1");
        let comments = call(&router, "GET", "/rest/api/3/issue/PMCJIT-1/comment", None, None)
            .await
            .json();
        assert_eq!(comments["total"], 1);
        assert_eq!(create(&router, "Next", "keep-2").await, "PMCJIT-2");
        let comment = call(
            &router,
            "POST",
            "/rest/api/3/issue/PMCJIT-2/comment",
            Some(json!({"body": doc("next")})),
            None,
        )
        .await
        .json();
        assert_eq!(comment["id"], "10001");
        let users = call(&router, "GET", "/rest/api/3/user/search?query=sam", None, None)
            .await
            .json();
        assert_eq!(users.as_array().map(Vec::len), Some(2), "seeding twice adds nothing");
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

#[tokio::test]
async fn users_and_auth() {
    let router = memory();
    let sams = call(&router, "GET", "/rest/api/3/user/search?query=Sam%20Smith", None, None)
        .await
        .json();
    let ids: Vec<&str> = sams
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["accountId"].as_str())
        .collect();
    assert_eq!(ids, [seed::SAM_SMITH_1, seed::SAM_SMITH_2]);
    assert_eq!(sams[0]["displayName"], "Sam Smith");
    assert_eq!(sams[0]["emailAddress"], "sam.smith@example.com");
    assert_eq!(sams[0]["accountType"], "atlassian");
    assert!(sams[0]["self"].as_str().is_some_and(|s| s.starts_with(BASE)));
    for (query, expected) in [
        ("smi", 2),
        ("SMITH", 2),
        ("sam.smith2", 1),
        ("alice@example.com", 1),
        ("ivan", 1),
        ("nobody", 0),
        ("approver", 1),
    ] {
        let found = call(
            &router,
            "GET",
            &format!("/rest/api/3/user/search?query={query}"),
            None,
            None,
        )
        .await
        .json();
        assert_eq!(found.as_array().map(Vec::len), Some(expected), "{query}: {found}");
    }
    let ivan = call(&router, "GET", "/rest/api/3/user/search?query=ivan", None, None)
        .await
        .json();
    assert_eq!(ivan[0]["active"], false);
    let by_id = call(
        &router,
        "GET",
        &format!("/rest/api/3/user/search?accountId={}", seed::JOHN_DOE),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(by_id[0]["displayName"], "John Doe");
    let neither = call(&router, "GET", "/rest/api/3/user/search", None, None).await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST);

    let me = call(&router, "GET", "/rest/api/3/myself", None, None).await.json();
    assert_eq!(me["accountId"], seed::APP_ACCOUNT_ID);
    assert_eq!(me["accountType"], "app");
    let me = call(
        &router,
        "GET",
        "/rest/api/3/myself",
        None,
        Some(&basic("carol@example.com")),
    )
    .await
    .json();
    assert_eq!(me["displayName"], "Carol Admin");
    for bad in [
        basic("ivan@example.com"),
        "Basic bm9ib2R5Ondyb25n".to_string(),
        "Bearer token".to_string(),
    ] {
        let refused = call(&router, "GET", "/rest/api/3/myself", None, Some(&bad)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert!(refused.json()["errorMessages"].is_array());
    }

    let perms = "/rest/api/3/mypermissions?permissions=BROWSE_PROJECTS,EDIT_ISSUES,ADMINISTER&projectKey=PMCJIT";
    let carol = call(&router, "GET", perms, None, Some(&basic("carol@example.com")))
        .await
        .json();
    assert_eq!(carol["permissions"]["EDIT_ISSUES"]["havePermission"], true);
    assert_eq!(carol["permissions"]["ADMINISTER"]["havePermission"], true);
    let bob = call(&router, "GET", perms, None, Some(&basic("bob@example.com")))
        .await
        .json();
    assert_eq!(bob["permissions"]["BROWSE_PROJECTS"]["havePermission"], true);
    assert_eq!(bob["permissions"]["EDIT_ISSUES"]["havePermission"], false);
    assert_eq!(bob["permissions"]["EDIT_ISSUES"]["key"], "EDIT_ISSUES");
    assert_eq!(bob["permissions"]["EDIT_ISSUES"]["type"], "PROJECT");
    let bob_ops = call(
        &router,
        "GET",
        "/rest/api/3/mypermissions?permissions=BROWSE_PROJECTS&projectKey=OPS",
        None,
        Some(&basic("bob@example.com")),
    )
    .await
    .json();
    assert_eq!(bob_ops["permissions"]["BROWSE_PROJECTS"]["havePermission"], false);
    let app = call(
        &router,
        "GET",
        "/rest/api/3/mypermissions?permissions=TRANSITION_ISSUES",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(app["permissions"]["TRANSITION_ISSUES"]["havePermission"], true);
}

#[tokio::test]
async fn metadata() {
    let router = memory();
    let fields = call(&router, "GET", "/rest/api/3/field", None, None).await.json();
    let custom = fields
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["id"] == "customfield_10001")
        .cloned()
        .unwrap_or_default();
    assert_eq!(custom["name"], "beyondTrustEpmJitRequestSystemId");
    assert_eq!(custom["custom"], true);
    assert_eq!(custom["schema"]["customId"], 10001);
    assert_eq!(custom["clauseNames"][0], "cf[10001]");
    for id in [
        "summary",
        "description",
        "assignee",
        "reporter",
        "labels",
        "status",
        "project",
        "issuetype",
        "created",
        "updated",
    ] {
        assert!(fields.as_array().into_iter().flatten().any(|f| f["id"] == id), "{id}");
    }

    let types = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/PMCJIT/issuetypes",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(types["issueTypes"][0]["id"], seed::ACCESS_REQUEST_TYPE_ID);
    assert_eq!(types["total"], 1);
    let meta = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/PMCJIT/issuetypes/10100",
        None,
        None,
    )
    .await
    .json();
    let ids: Vec<&str> = meta["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["fieldId"].as_str())
        .collect();
    assert!(
        ids.contains(&"customfield_10001") && ids.contains(&"summary"),
        "{ids:?}"
    );
    let ops_meta = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/OPS/issuetypes/10002",
        None,
        None,
    )
    .await
    .json();
    assert!(
        !ops_meta["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["fieldId"] == "customfield_10001")
    );
    let wrong_type = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/OPS/issuetypes/10100",
        None,
        None,
    )
    .await;
    assert_eq!(wrong_type.status, StatusCode::NOT_FOUND);

    let project = call(&router, "GET", "/rest/api/3/project/PMCJIT", None, None)
        .await
        .json();
    assert_eq!(project["id"], seed::PMCJIT_PROJECT_ID);
    assert_eq!(project["name"], "PAM JIT Requests");
    assert_eq!(project["issueTypes"][0]["name"], "Access Request");
    let by_id = call(&router, "GET", "/rest/api/3/project/10001", None, None)
        .await
        .json();
    assert_eq!(by_id["key"], "OPS");
    let none = call(&router, "GET", "/rest/api/3/project/NOPE", None, None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn jql_errors_are_400s() {
    let router = memory();
    create(&router, "One", "j-1").await;
    for (jql, expected) in [
        ("", "Unbounded JQL queries are not allowed"),
        ("project = PMCJIT OR project = OPS", "'OR' is not supported"),
        ("cf[10001] ~ \"j-1\"", "cannot search on the field 'cf[10001]'"),
        (
            "project = NOPE",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        ("priority = High", "Field 'priority' does not exist"),
        ("project = PMCJIT AND", "Expecting a field name"),
    ] {
        let reply = call(
            &router,
            "POST",
            "/rest/api/3/search/jql",
            Some(json!({"jql": jql})),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{jql}");
        let error = reply.json();
        assert!(
            error["errorMessages"][0].as_str().is_some_and(|m| m.contains(expected)),
            "{jql}: {error}"
        );
        assert_eq!(error["errors"], json!({}));
    }
}

/// The expiry tick's search: a numeric comparison on the app's property, keys ascending.
#[tokio::test]
async fn jql_compares_property_numbers() {
    let router = memory();
    let mut keys = Vec::new();
    for (request_id, expiry) in [
        ("x-1", json!(2000)),
        ("x-2", json!(1000)),
        ("x-3", json!(3000)),
        ("x-4", Value::Null),
    ] {
        let key = create(&router, "Expiring", request_id).await;
        let mut value = json!({"requestId": request_id});
        if !expiry.is_null() {
            value["openExpiry"] = expiry;
        }
        let path = format!("/rest/api/3/issue/{key}/properties/pam-approvals.epm");
        let put = call(&router, "PUT", &path, Some(value), None).await;
        assert!(put.status.is_success(), "{}", put.text);
        keys.push(key);
    }
    let search = |jql: String| {
        let router = router.clone();
        async move {
            let body = json!({
                "jql": jql,
                "properties": ["pam-approvals.epm"],
                "fields": ["summary", "status", "project"],
                "maxResults": 50,
            });
            call(&router, "POST", "/rest/api/3/search/jql", Some(body), None).await
        }
    };
    let reply = search("issue.property[pam-approvals.epm].openExpiry <= 2000 ORDER BY key ASC".into()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let found = reply.json();
    let found_keys: Vec<&str> = found["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|issue| issue["key"].as_str())
        .collect();
    assert_eq!(found_keys, [keys[0].as_str(), keys[1].as_str()]);
    assert_eq!(
        found["issues"][1]["properties"]["pam-approvals.epm"]["openExpiry"],
        1000
    );

    let reply = search("issue.property[pam-approvals.epm].openExpiry <= later".into()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["errorMessages"][0],
        "The value 'later' for field 'issue.property[pam-approvals.epm].openExpiry' is invalid - please specify a number."
    );
}

#[tokio::test]
async fn servicedesk_internal_notes() {
    let router = memory();
    let key = create(&router, "JSM", "s-1").await;
    let note = call(
        &router,
        "POST",
        &format!("/rest/servicedeskapi/request/{key}/comment"),
        Some(json!({"body": "Approved by Alice.\nDuration: 1 hour", "public": false})),
        None,
    )
    .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    let note = note.json();
    assert_eq!(note["public"], false);
    assert_eq!(note["body"], "Approved by Alice.\nDuration: 1 hour");
    assert!(note["created"]["epochMillis"].is_i64());
    let extra = call(
        &router,
        "POST",
        &format!("/rest/servicedeskapi/request/{key}/comment"),
        Some(json!({"body": "x", "public": false, "internal": true})),
        None,
    )
    .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);

    let comments = call(
        &router,
        "GET",
        &format!("/rest/api/3/issue/{key}/comment?expand=properties"),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(comments["comments"][0]["jsdPublic"], false);
    assert_eq!(
        comments["comments"][0]["body"]["content"][0]["content"][1]["type"],
        "hardBreak"
    );
    assert_eq!(comments["comments"][0]["properties"][0]["key"], "sd.public.comment");

    let ops = call(
        &router,
        "POST",
        "/rest/api/3/issue",
        Some(json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "ops"}})),
        None,
    )
    .await;
    assert_eq!(ops.status, StatusCode::CREATED);
    let refused = call(
        &router,
        "POST",
        "/rest/servicedeskapi/request/OPS-1/comment",
        Some(json!({"body": "x", "public": false})),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(refused.json()["errorMessage"].is_string());

    let dump = call(&router, "GET", "/_sandbox/issues", None, None).await.json();
    let first = &dump[0];
    assert_eq!(first["key"], key.as_str());
    assert_eq!(first["comments"][0]["internal"], true);
    assert_eq!(first["comments"][0]["source"], "servicedesk");
    assert_eq!(first["properties"]["pamRequest"]["epm"]["requestId"], "s-1");
    assert!(first["fields"].get("comment").is_none());

    let page = call(&router, "GET", &format!("/browse/{key}"), None, None).await;
    assert!(page.text.contains("Internal note"), "{}", page.text);
}

#[tokio::test]
async fn pages_show_escaped_summary_and_rendered_description() {
    let router = memory();
    let key = create(&router, "Run <script>alert(1)</script> & more", "<req-9>").await;
    let index = call(&router, "GET", "/", None, None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(
        index
            .text
            .contains("Run &lt;script&gt;alert(1)&lt;/script&gt; &amp; more")
    );
    assert!(!index.text.contains("<script>"));
    assert!(index.text.contains(&format!("href=\"/sandbox/jira/browse/{key}\"")));

    let page = call(&router, "GET", &format!("/browse/{key}"), None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("<script>"));
    assert!(page.text.contains("<h3>Request details</h3>"), "{}", page.text);
    assert!(page.text.contains("<code>notepad.exe</code>"));
    assert!(
        page.text
            .contains("beyondTrustEpmJitRequestSystemId (customfield_10001)")
    );
    assert!(page.text.contains("&lt;req-9&gt;"));
    assert!(
        page.text.contains("<div id=\"issue-actions\"></div>"),
        "no app action without the app's issue property"
    );
    assert!(
        !page.text.contains("keeper-panel"),
        "no Keeper panel without an ITSM label"
    );
    assert!(page.text.contains("pamRequest"));
    let missing = call(&router, "GET", "/browse/PMCJIT-999", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// The manifest's panel condition: an issue labelled like Keeper ITSM's tickets frames the app's
/// "Keeper approval" page for that issue.
#[tokio::test]
async fn issues_with_an_itsm_label_show_the_keeper_panel() {
    let router = memory();
    let mut body = create_body("Keeper request", "req-keeper");
    body["fields"]["labels"] = json!(["ITSM_device_admin_approval_requested"]);
    let reply = call(&router, "POST", "/rest/api/3/issue", Some(body), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let key = reply.json()["key"].as_str().expect("key").to_string();
    let page = call(&router, "GET", &format!("/browse/{key}"), None, None).await;
    assert!(page.text.contains("<section id=\"keeper-panel\""), "{}", page.text);
    assert!(
        page.text
            .contains(&format!("src=\"/ui/keeper/index.html?issueKey={key}\""))
    );
}

#[tokio::test]
async fn works_when_nested_under_the_host_prefix() {
    let sandbox = JiraSandbox::open(Path::new(":memory:"), BASE, contracts()).expect("opens");
    let app = Router::new().nest("/sandbox/jira", sandbox.router());
    let me = call(&app, "GET", "/sandbox/jira/rest/api/3/myself", None, None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let created = call(
        &app,
        "POST",
        "/sandbox/jira/rest/api/3/issue",
        Some(create_body("Nested", "n-1")),
        None,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let page = call(&app, "GET", "/sandbox/jira/browse/PMCJIT-1", None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let log = call(&app, "GET", "/sandbox/jira/_sandbox/requests", None, None)
        .await
        .json();
    assert_eq!(log[0]["path"], "/rest/api/3/myself");
}

#[tokio::test]
async fn groups_and_a_viewer_without_the_approval_right() {
    let router = memory();
    let key = create(&router, "Groups", "g-1").await;
    let alice = call(
        &router,
        "GET",
        "/rest/api/3/myself?expand=groups",
        None,
        Some(&basic("alice@example.com")),
    )
    .await
    .json();
    assert_eq!(alice["groups"]["size"], 1);
    assert_eq!(alice["groups"]["items"][0]["name"], seed::PAM_APPROVERS_GROUP);
    assert!(alice["groups"]["items"][0]["groupId"].is_string());
    let plain = call(
        &router,
        "GET",
        "/rest/api/3/myself",
        None,
        Some(&basic("carol@example.com")),
    )
    .await
    .json();
    assert_eq!(
        plain["groups"],
        json!({"size": 2, "items": []}),
        "listed only when expanded"
    );
    let vera = call(
        &router,
        "GET",
        "/rest/api/3/myself?expand=groups",
        None,
        Some(&basic("vera@example.com")),
    )
    .await
    .json();
    assert_eq!(
        (vera["displayName"].clone(), vera["groups"]["size"].clone()),
        (json!("Vera Viewer"), json!(0))
    );
    let by_id = call(
        &router,
        "GET",
        &format!("/rest/api/3/user?accountId={}&expand=groups", seed::CAROL_ADMIN),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(by_id["groups"]["items"][1]["name"], "jira-administrators");

    let perms = format!("/rest/api/3/mypermissions?issueKey={key}&permissions=BROWSE_PROJECTS,TRANSITION_ISSUES");
    let vera = call(&router, "GET", &perms, None, Some(&basic("vera@example.com")))
        .await
        .json();
    assert_eq!(vera["permissions"]["BROWSE_PROJECTS"]["havePermission"], true);
    assert_eq!(vera["permissions"]["TRANSITION_ISSUES"]["havePermission"], false);
    let alice = call(&router, "GET", &perms, None, Some(&basic("alice@example.com")))
        .await
        .json();
    assert_eq!(alice["permissions"]["TRANSITION_ISSUES"]["havePermission"], true);
}

#[tokio::test]
async fn the_issue_page_offers_the_app_action_and_a_user_switcher() {
    let router = memory();
    let mut body = create_body("Action", "a-1");
    body["properties"] = json!([{"key": "pam-approvals.epm", "value": {"requestId": "a-1"}}]);
    let created = call(&router, "POST", "/rest/api/3/issue", Some(body), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let key = created.json()["key"].as_str().expect("key").to_string();
    let request = |cookie: Option<&str>| {
        let mut builder = Request::builder().uri(format!("/browse/{key}"));
        if let Some(cookie) = cookie {
            builder = builder.header("cookie", cookie);
        }
        builder.body(Body::empty()).expect("request")
    };
    let response = router.clone().oneshot(request(None)).await.expect("infallible");
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let page = String::from_utf8_lossy(&bytes);
    assert!(page.contains("Manage JIT Access Request</button>"), "{page}");
    assert!(page.contains(&format!("data-issue-action=\"/ui/request/index.html?issueKey={key}\"")));
    assert!(page.contains("<dialog id=\"issue-action-dialog\""));
    assert!(page.contains("<script src=\"/sandbox/jira/static/pages.js\" defer></script>"));
    assert!(!page.contains("<script>"), "no inline script");
    assert!(
        page.contains(&format!(
            "<option value=\"{}\" selected>Alice Approver",
            seed::ALICE_APPROVER
        )),
        "Alice by default"
    );
    assert!(!page.contains("Inactive Ivan"), "only people who can sign in");

    let bob = format!("pam_sandbox_user={}", seed::BOB_REQUESTER.replace(':', "%3A"));
    let response = router.clone().oneshot(request(Some(&bob))).await.expect("infallible");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let page = String::from_utf8_lossy(&bytes);
    assert!(page.contains(&format!(
        "<option value=\"{}\" selected>Bob Requester",
        seed::BOB_REQUESTER
    )));
    let response = router
        .clone()
        .oneshot(request(Some("pam_sandbox_user=nobody")))
        .await
        .expect("infallible");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(String::from_utf8_lossy(&bytes).contains("Nobody (unknown person)"));

    let script = router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/static/pages.js")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(
        script.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/javascript; charset=utf-8")
    );
    let bytes = axum::body::to_bytes(script.into_body(), usize::MAX)
        .await
        .expect("body");
    let script = String::from_utf8_lossy(&bytes);
    for needed in [
        "pam-approvals:close",
        "data-cookie",
        "showModal",
        "location.reload",
        "event.origin",
    ] {
        assert!(script.contains(needed), "{needed}");
    }
    let css = call(&router, "GET", "/static/pages.css", None, None).await;
    assert!(css.text.contains(".issue-action"));
}

#[test]
fn sign_in_follows_the_session_cookie() {
    let sandbox = JiraSandbox::open(Path::new(":memory:"), BASE, contracts()).expect("opens");
    let headers = |cookie: &str| {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("cookie", cookie.parse().expect("header"));
        headers
    };
    let nobody = axum::http::HeaderMap::new();
    assert_eq!(
        sandbox.signed_in(&nobody).map(|p| p.account_id).as_deref(),
        Some(seed::ALICE_APPROVER)
    );
    let vera = headers(&format!("pam_sandbox_user={}", seed::VERA_VIEWER));
    assert_eq!(
        sandbox.signed_in(&vera).map(|p| p.display_name).as_deref(),
        Some("Vera Viewer")
    );
    for refused in [
        format!("pam_sandbox_user={}", seed::INACTIVE_IVAN),
        format!("pam_sandbox_user={}", seed::APP_ACCOUNT_ID),
        "pam_sandbox_user=unknown".to_string(),
    ] {
        assert!(sandbox.signed_in(&headers(&refused)).is_none(), "{refused}");
    }
    let people = sandbox.people();
    assert!(
        people
            .iter()
            .all(|p| p.account_id != seed::INACTIVE_IVAN && p.account_id != seed::APP_ACCOUNT_ID)
    );
    assert!(people.iter().any(|p| p.account_id == seed::VERA_VIEWER));
    let auth = sandbox.authorization_for(seed::ALICE_APPROVER).expect("alice");
    assert_eq!(auth, basic("alice@example.com"));
    assert!(sandbox.authorization_for(seed::INACTIVE_IVAN).is_none());
}

mod configuration;
mod decide;
mod faults;
