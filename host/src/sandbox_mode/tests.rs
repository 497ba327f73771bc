//! Sandbox mode's wiring, through the capability calls that route by identity, host or time:
//! user-actor Jira calls reach the sandbox as the run's user, fetches to the sandbox EPM's, PRA
//! appliance's and Keeper Commander's hosts go to them in-process, and `Now` (and the
//! appliance's timeout, Commander's KEPM ages) follows the sandbox clock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use pam_sandboxes::jira::seed;
use serde_json::Value;

use super::*;
use crate::capabilities::{Capabilities, Counters};
use crate::clock::{SystemClock, now_ms};
use crate::kv::Kv;
use crate::runtime::{Perform, RunContext};
use crate::wit::{Actor, Call, HttpRequest, JiraRequest, Reply};

const SECRET: &str = "capabilities-test-secret";

/// A data dir removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct World {
    caps: Capabilities,
    /// The routes the server would serve: the sandboxes under `/sandbox/`, the clock's controls.
    routes: Router,
    _dir: TempDir,
}

fn world() -> World {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pam-sandbox-mode-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("data dir");
    let queue = Arc::new(Queue::open(Path::new(":memory:"), "test").expect("queue"));
    let targets = super::targets(&dir, "http://host.test", SECRET, reqwest::Client::new(), &queue).expect("targets");
    let caps = Capabilities {
        kv: Arc::new(Kv::open(Path::new(":memory:")).expect("kv")),
        jira: targets.jira,
        outbound: targets.outbound,
        counters: Counters::default(),
        queue,
        clock: targets.clock,
    };
    World {
        caps,
        routes: targets.sandbox_routes.expect("sandbox routes"),
        _dir: TempDir(dir),
    }
}

fn myself(actor: Actor) -> Call {
    Call::Jira(JiraRequest {
        actor,
        method: "GET".into(),
        path: "/rest/api/3/myself".into(),
        body: None,
    })
}

fn json(reply: &Reply) -> Value {
    match reply {
        Reply::Http(response) => serde_json::from_str(&response.body).expect("JSON"),
        other => panic!("expected an HTTP reply, got {other:?}"),
    }
}

/// Validates: a user-actor call acts as the run's user (the sandbox logs that caller), an
/// app-actor call as the app, and a user call without a user is refused with a clear reason.
#[tokio::test]
async fn user_calls_reach_the_sandbox_as_the_runs_user() {
    let world = world();
    let alice = RunContext::for_user(seed::ALICE_APPROVER);
    let me = json(&world.caps.perform(myself(Actor::User), &alice).await);
    assert_eq!(me["accountId"], seed::ALICE_APPROVER);
    let app = json(&world.caps.perform(myself(Actor::App), &alice).await);
    assert_eq!(app["accountId"], seed::APP_ACCOUNT_ID);

    match world.caps.perform(myself(Actor::User), &RunContext::default()).await {
        Reply::Failed(reason) => assert!(reason.contains("signed-in user"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match world
        .caps
        .perform(myself(Actor::User), &RunContext::for_user(seed::INACTIVE_IVAN))
        .await
    {
        Reply::Failed(reason) => assert!(reason.contains("not an active person"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let log = crate::in_process::send(
        &world.routes,
        "GET",
        "/sandbox/jira/_sandbox/requests",
        &[],
        String::new(),
    )
    .await
    .expect("log");
    let log: Value = serde_json::from_str(&log.body).expect("JSON");
    let callers: Vec<&str> = log
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["caller"].as_str())
        .collect();
    assert_eq!(callers, [seed::ALICE_APPROVER, seed::APP_ACCOUNT_ID]);
}

fn token_fetch(secret: &str) -> Call {
    Call::Fetch(HttpRequest {
        method: "POST".into(),
        url: format!("https://{}/oauth/connect/token", epm::HOST),
        headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
        body: format!(
            "grant_type=client_credentials&client_id={}&client_secret={secret}",
            epm::CLIENT_ID
        ),
    })
}

/// Validates: fetches to the sandbox EPM host are answered in-process; a planned "unreachable"
/// failure becomes a failed reply (not an HTTP answer); a plain-http URL to it is refused.
#[tokio::test]
async fn fetches_to_the_sandbox_epm_host_stay_in_process() {
    let world = world();
    let context = RunContext::default();
    let token = json(&world.caps.perform(token_fetch(SECRET), &context).await);
    assert_eq!(token["token_type"], "Bearer");
    let refused = world.caps.perform(token_fetch("wrong"), &context).await;
    assert!(matches!(&refused, Reply::Http(r) if r.status == 400), "{refused:?}");

    let plan = crate::in_process::send(
        &world.routes,
        "POST",
        "/sandbox/epm/_sandbox/fail",
        &[("Content-Type".into(), "application/json".into())],
        r#"{"times": 1, "unreachable": true}"#.into(),
    )
    .await
    .expect("plan");
    assert_eq!(plan.status, 200);
    match world.caps.perform(token_fetch(SECRET), &context).await {
        Reply::Failed(reason) => assert!(reason.contains("could not connect"), "{reason}"),
        other => panic!("expected a transport failure, got {other:?}"),
    }
    assert!(matches!(world.caps.perform(token_fetch(SECRET), &context).await, Reply::Http(r) if r.status == 200));

    let plain = Call::Fetch(HttpRequest {
        method: "POST".into(),
        url: format!("http://{}/oauth/connect/token", epm::HOST),
        headers: vec![],
        body: String::new(),
    });
    assert!(matches!(world.caps.perform(plain, &context).await, Reply::Failed(_)));
    assert_eq!(world.caps.counters.fetch.load(Ordering::Relaxed), 5);
}

/// A control call to the sandboxes' routes (JSON body), answered as JSON.
async fn control(world: &World, method: &str, path: &str, body: &str) -> Value {
    let reply = crate::in_process::send(
        &world.routes,
        method,
        path,
        &[("Content-Type".into(), "application/json".into())],
        body.into(),
    )
    .await
    .expect("control");
    serde_json::from_str(&reply.body).unwrap_or(Value::Null)
}

fn pra_answer(request_id: &str) -> Call {
    Call::Fetch(HttpRequest {
        method: "POST".into(),
        url: format!("https://{}/api/endpoint_approval", pra::HOST),
        headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
        body: format!("response_id={request_id}&response=allow&session.custom.jira_issue=PMCJIT-1"),
    })
}

fn status(reply: &Reply) -> u16 {
    match reply {
        Reply::Http(response) => response.status,
        other => panic!("expected an HTTP reply, got {other:?}"),
    }
}

/// Validates: the app's answer to `https://pra.sandbox.test/api/endpoint_approval` reaches the
/// sandbox appliance in-process (recorded there, under `/sandbox/pra`), and the appliance's
/// timeout runs on the sandbox clock the app runs on.
#[tokio::test]
async fn fetches_to_the_sandbox_pra_host_stay_in_process() {
    let world = world();
    let context = RunContext::default();
    let created = control(&world, "POST", "/sandbox/pra/_sandbox/requests", "{}").await;
    let id = created["requestId"].as_str().expect("requestId").to_string();
    assert_eq!(
        created["json"]["response_url"],
        "https://pra.sandbox.test/api/endpoint_approval"
    );
    assert_eq!(status(&world.caps.perform(pra_answer(&id), &context).await), 200);
    let responses = control(&world, "GET", "/sandbox/pra/_sandbox/responses", "").await;
    assert_eq!(responses[0]["requestId"], id.as_str());
    assert_eq!(responses[0]["sessionCustom"]["jira_issue"], "PMCJIT-1");
    assert_eq!(status(&world.caps.perform(pra_answer(&id), &context).await), 403);

    let late = control(&world, "POST", "/sandbox/pra/_sandbox/requests", "{}").await;
    let late = late["requestId"].as_str().expect("requestId").to_string();
    control(&world, "POST", "/_sandbox/clock", r#"{"advanceMs": 121000}"#).await;
    assert_eq!(status(&world.caps.perform(pra_answer(&late), &context).await), 403);
    let request = control(&world, "GET", &format!("/sandbox/pra/_sandbox/requests/{late}"), "").await;
    assert_eq!(request["state"], "timedOut");
}

fn keeper_call(method: &str, path: &str, body: &str) -> Call {
    Call::Fetch(HttpRequest {
        method: method.into(),
        url: format!("https://{}{}{path}", keeper::HOST, keeper::API_PREFIX),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("api-key".into(), KEEPER_API_KEY.into()),
        ],
        body: body.into(),
    })
}

fn reply_json(reply: &Reply) -> Value {
    match reply {
        Reply::Http(response) => serde_json::from_str(&response.body).unwrap_or(Value::Null),
        other => panic!("expected an HTTP reply, got {other:?}"),
    }
}

/// Validates: the app's calls to `https://keeper.sandbox.test/api/v2/...` reach the sandbox
/// Commander in-process (its queue answers, under `/sandbox/keeper` too), and KEPM requests age
/// on the sandbox clock the app runs on.
#[tokio::test]
async fn fetches_to_the_sandbox_keeper_host_stay_in_process() {
    let world = world();
    let context = RunContext::default();
    let uid = pam_sandboxes::keeper::seed::KEPM_PENDING_LATE_UID;
    let view = format!(r#"{{"command": "epm approval view {uid} --format json"}}"#);
    let submitted = world
        .caps
        .perform(keeper_call("POST", "/executecommand-async", &view), &context)
        .await;
    assert_eq!(status(&submitted), 202);
    let id = reply_json(&submitted)["request_id"]
        .as_str()
        .expect("request_id")
        .to_string();
    let state = control(&world, "GET", "/sandbox/keeper/_sandbox/state", "").await;
    assert_eq!(state["queue"][0]["request_id"], id.as_str());
    // The default processing time is 100 ms: moving the clock finishes the command.
    control(&world, "POST", "/_sandbox/clock", r#"{"advanceMs": 1000}"#).await;
    let result = world
        .caps
        .perform(keeper_call("GET", &format!("/result/{id}"), ""), &context)
        .await;
    assert_eq!(status(&result), 200);
    assert_eq!(
        reply_json(&result)["data"][0]["status"],
        "Pending",
        "29 minutes and 1 s old"
    );

    control(&world, "POST", "/_sandbox/clock", r#"{"advanceMs": 60000}"#).await;
    let again = world
        .caps
        .perform(keeper_call("POST", "/executecommand-async", &view), &context)
        .await;
    let id = reply_json(&again)["request_id"]
        .as_str()
        .expect("request_id")
        .to_string();
    control(&world, "POST", "/_sandbox/clock", r#"{"advanceMs": 1000}"#).await;
    let result = world
        .caps
        .perform(keeper_call("GET", &format!("/result/{id}"), ""), &context)
        .await;
    assert_eq!(reply_json(&result)["data"][0]["status"], "Expired", "past 30 minutes");
    let unauthenticated = Call::Fetch(HttpRequest {
        method: "GET".into(),
        url: format!("https://{}/api/v2/result/{id}", keeper::HOST),
        headers: vec![],
        body: String::new(),
    });
    assert_eq!(status(&world.caps.perform(unauthenticated, &context).await), 401);
}

fn time(reply: Reply) -> u64 {
    match reply {
        Reply::Time(ms) => ms,
        other => panic!("expected a time, got {other:?}"),
    }
}

/// Validates: in sandbox mode `Now` follows the sandbox clock; against a real site it is real
/// time (there is no clock to move).
#[tokio::test]
async fn now_follows_the_sandbox_clock_only_in_sandbox_mode() {
    let world = world();
    let context = RunContext::default();
    let before = now_ms();
    let advanced = crate::in_process::send(
        &world.routes,
        "POST",
        "/_sandbox/clock",
        &[("Content-Type".into(), "application/json".into())],
        r#"{"advanceMs": 3600000}"#.into(),
    )
    .await
    .expect("advance");
    assert_eq!(advanced.status, 200, "{}", advanced.body);
    let shifted = time(world.caps.perform(Call::Now, &context).await);
    assert!(shifted >= before + 3_600_000, "{shifted} vs {before}");

    let site = Capabilities {
        jira: JiraTarget::site("https://site.test", "a@b.test", "token", reqwest::Client::new()),
        clock: Arc::new(SystemClock),
        ..world.caps
    };
    let real = time(site.perform(Call::Now, &context).await);
    assert!(real >= before && real < before + 3_600_000, "{real} vs {before}");
}
