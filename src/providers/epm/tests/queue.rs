//! The queue finishes what the app accepted: Jira and EPM failing at a rate, jobs delivered
//! twice, a lock held by a dead run, the queue itself down. Each scenario runs in the core's
//! in-memory world (`World::run_jobs` is the host's queue); the host's crash and load tests
//! repeat the first two with the real component, SQLite queue and sandboxes.

use std::collections::BTreeMap;

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::jobs::{self, backoff};
use crate::protocol::Outcome;
use crate::providers::epm::tests::decide::{
    approve_4h, approve_while_transitions_fail, as_user, resolver, update, world,
};
use crate::testkit::{SAMPLE, SAMPLE_REQUEST_ID, World, drive, drive_interleaved, http, webhook};

fn ticket(n: usize) -> String {
    SAMPLE.replace(SAMPLE_REQUEST_ID, &format!("req-{n:04}"))
}

/// Request id → issue keys the sandbox Jira holds for it.
fn issues_by_request(world: &World) -> BTreeMap<String, Vec<String>> {
    let mut by = BTreeMap::<String, Vec<String>>::new();
    for issue in &world.jira_issues() {
        let request = issue
            .pointer("/properties/pam-approvals.epm/requestId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        by.entry(request.to_string())
            .or_default()
            .push(issue["key"].as_str().unwrap_or_default().to_string());
    }
    by
}

fn retries(world: &World) -> usize {
    world
        .job_runs
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Retry { .. }))
        .count()
}

#[test]
fn jira_failing_a_fifth_of_creates_loses_and_duplicates_nothing_without_redelivery() {
    let mut world = World::configured();
    world.create_chaos = Some((20261129, 20));
    let mut answers = BTreeMap::<u16, usize>::new();
    // 200 webhooks, 16 at a time, each delivered once.
    for batch in (0..200).collect::<Vec<_>>().chunks(16) {
        let deliveries = batch
            .iter()
            .map(|&n| webhook("hook", "pw-123456", &ticket(n)))
            .collect();
        for outcome in drive_interleaved(&mut world, deliveries) {
            *answers.entry(http(&outcome).0).or_default() += 1;
        }
    }
    assert!(world.chaos_failures >= 20, "faults injected: {}", world.chaos_failures);
    assert!(answers.get(&202).copied().unwrap_or(0) > 0, "{answers:?}");
    assert!(
        answers.keys().all(|s| [201, 202].contains(s)),
        "every delivery accepted: {answers:?}"
    );
    let started = world.now;
    world.run_jobs(30 * 60_000);
    let by = issues_by_request(&world);
    assert_eq!(by.len(), 200, "nothing lost");
    let doubles: Vec<_> = by.iter().filter(|(_, keys)| keys.len() > 1).collect();
    assert!(doubles.is_empty(), "duplicates: {doubles:?}");
    assert!(world.queue.is_empty(), "drained: {:?}", world.queue.first());
    assert!(!world.kv.keys().any(|k| k.starts_with("jobs:dead:")), "no dead letter");
    // Every request has the app's record, so a late redelivery is answered 200.
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &ticket(7))));
    assert_eq!(status, 200);
    assert!(
        world.now - started < 5 * 60_000,
        "drained in {} s of clock time, {} retries",
        (world.now - started) / 1000,
        retries(&world)
    );
}

#[test]
fn a_job_delivered_twice_creates_once() {
    let mut world = World::configured();
    world
        .create_faults
        .push_back(crate::protocol::HttpResponse::json(503, &json!({})));
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 202);
    // At least once: the host delivers the same job twice, the second while the first runs.
    let job = world.queue[0].clone();
    world.queue.push(job);
    world.run_jobs(10 * 60_000);
    assert_eq!(world.issue_count(), 1, "{:?}", world.job_runs);
    assert_eq!(
        world.jira_calls("POST", "/rest/api/3/issue"),
        2,
        "one refused, one made"
    );
    assert!(world.queue.is_empty());
}

#[test]
fn epm_failing_a_fifth_of_notifications_gets_each_decision_once_and_one_note_each() {
    let mut world = world();
    for n in 1..30 {
        let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &ticket(n))));
        assert_eq!(status, 201);
    }
    world.run_jobs(60_000);
    world.epm.decision_chaos = Some((7, 20));
    let mut pending = 0;
    for n in 1..=30 {
        let key = format!("PMCJIT-{n}");
        let mut answer = json!(null);
        // EPM refusing (a 429: it did nothing) is the approver's to retry, as the page says.
        for _ in 0..5 {
            answer = as_user(
                &mut world,
                seed::ALICE_APPROVER,
                resolver("epm.decide", &key, seed::ALICE_APPROVER, approve_4h()),
            );
            if answer["ok"] == json!(true) {
                break;
            }
            assert_eq!(answer["error"]["code"], json!("epm-failed"), "{key}: {answer}");
        }
        assert_eq!(answer["ok"], json!(true), "{key}: {answer}");
        if answer["outcome"]["pending"] == json!(true) {
            pending += 1;
            assert_eq!(answer["view"]["sending"], json!(true), "{answer}");
        }
    }
    assert!(pending > 0 && world.epm.chaos_failures > 0, "faults: {pending}");
    world.run_jobs(30 * 60_000);
    assert!(world.queue.is_empty());
    let mut per_request = BTreeMap::<String, usize>::new();
    for decision in &world.epm.decisions {
        *per_request
            .entry(decision["itsmRequestId"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_request.len(), 30, "every decision reached EPM");
    assert!(per_request.values().all(|&n| n == 1), "exactly once: {per_request:?}");
    for n in 1..=30 {
        let key = format!("PMCJIT-{n}");
        let notes = world.notes(&key).len();
        assert_eq!(notes, 1, "{key} has one note");
        assert_eq!(world.status(&key), "Approved", "{key}");
    }
}

#[test]
fn a_decision_jira_could_not_record_is_recorded_by_the_queue_without_a_page_load() {
    let mut world = world();
    let answer = approve_while_transitions_fail(&mut world);
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(world.queued("epm.settle"), 1, "the recording is queued");
    world.run_jobs(10 * 60_000);
    assert_eq!(world.status("PMCJIT-1"), "Approved");
    assert_eq!(world.notes("PMCJIT-1").len(), 1);
    assert_eq!(world.epm.decisions.len(), 1);
    assert!(world.queue.is_empty());
}

#[test]
fn an_update_whose_lock_a_dead_run_holds_is_accepted_and_applied_by_the_queue() {
    let mut world = world();
    world.run_jobs(60_000);
    // A run took the update lock a moment ago and died without the host restarting.
    let tenant = serde_json::from_str::<Value>(SAMPLE).unwrap()["TenantId"].clone();
    let lock = format!(
        "epm:update-lock:{}:{}:0",
        crate::store::key_part(tenant.as_str().unwrap()),
        crate::store::key_part(SAMPLE_REQUEST_ID)
    );
    world.kv.insert(
        lock,
        crate::store::encode(1, &json!({"at": world.now, "state": "held"})),
    );
    let (status, body) = http(&drive(&mut world, update("Approved", "2026-11-23T09:20:00Z")));
    assert_eq!((status, &body["accepted"]), (202, &json!(true)), "{body}");
    assert!(world.notes("PMCJIT-1").is_empty());
    world.run_jobs(10 * 60_000);
    assert_eq!(world.status("PMCJIT-1"), "Approved", "{:?}", world.job_runs);
    assert_eq!(world.notes("PMCJIT-1").len(), 1);
    assert!(world.queue.is_empty());
    assert!(!world.kv.keys().any(|k| k.starts_with("epm:inbox:")));
}

#[test]
fn when_the_queue_is_down_the_webhook_is_refused_so_the_sender_retries() {
    let mut world = World::configured();
    world.queue_down = true;
    let outcome = drive(&mut world, webhook("hook", "pw-123456", SAMPLE));
    let Outcome::Http(response) = &outcome else { panic!() };
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(response.header("Retry-After"), Some("5"));
    assert!(
        response.body.contains("could not keep the request"),
        "{}",
        response.body
    );
    assert_eq!(world.issue_count(), 0, "no work without a queued job");
}

#[test]
fn a_job_that_never_succeeds_backs_off_then_is_kept_as_a_dead_letter() {
    let mut world = World::configured();
    // Jira answers every create 503, for good.
    world.create_faults = (0..200)
        .map(|_| crate::protocol::HttpResponse::json(503, &json!({"errorMessages": ["down"]})))
        .collect();
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 202);
    let started = world.now;
    world.run_jobs(backoff::MAX_TOTAL_MS + 3_600_000);
    assert!(world.queue.is_empty(), "given up");
    let runs: Vec<_> = world.job_runs.iter().filter(|(k, _)| k == "epm.webhook").collect();
    assert!(
        runs.len() > 5 && runs.len() <= backoff::MAX_ATTEMPTS as usize,
        "{} runs",
        runs.len()
    );
    assert!(matches!(runs.last().unwrap().1, Outcome::Error(_)));
    let dead: Vec<_> = world
        .kv
        .iter()
        .filter(|(k, _)| k.starts_with("jobs:dead:epm.webhook:"))
        .collect();
    assert_eq!(dead.len(), 1);
    let letter: Value = serde_json::from_str(dead[0].1).unwrap();
    assert_eq!(letter["attempts"], json!(runs.len()));
    assert!(letter["reason"].as_str().unwrap().contains("still failing"), "{letter}");
    assert!(world.now - started <= backoff::MAX_TOTAL_MS + jobs_grace());
}

fn jobs_grace() -> u64 {
    crate::providers::epm::flows::inbox::GRACE_MS
}

#[test]
fn malformed_and_unknown_jobs_end_without_retry() {
    let mut world = World::configured();
    let run = |world: &mut World, queue: &str, payload: &str| {
        drive(
            world,
            crate::protocol::Invocation::Job {
                queue: queue.into(),
                payload: payload.into(),
                attempt: 0,
            },
        )
    };
    assert!(matches!(run(&mut world, "other", "{}"), Outcome::Error(e) if e.contains("unknown queue")));
    assert!(
        matches!(run(&mut world, jobs::QUEUE, "not json"), Outcome::Error(e) if e.contains("not one of the app's"))
    );
    let unknown = json!({"kind": "pra.nothing", "ids": ["x"], "since": 0}).to_string();
    assert!(matches!(run(&mut world, jobs::QUEUE, &unknown), Outcome::Error(e) if e.contains("unknown job kind")));
    assert!(
        world.kv.contains_key("jobs:dead:pra.nothing:x"),
        "kept as a dead letter"
    );
    // A settle job for a request without an issue is done at once.
    let settle = json!({"kind": "epm.settle", "ids": ["t", "r"], "since": 0}).to_string();
    assert!(matches!(run(&mut world, jobs::QUEUE, &settle), Outcome::Value(_)));
    let wrong = json!({"kind": "epm.settle", "ids": ["t"], "since": 0}).to_string();
    assert!(matches!(run(&mut world, jobs::QUEUE, &wrong), Outcome::Error(_)));
}

#[test]
fn a_large_webhook_is_kept_in_parts_and_finished_by_the_queue() {
    let mut world = World::configured();
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    body["requestInfo"]["vendorBlob"] = json!("élévation \"requise\" ".repeat(9_000));
    let body = body.to_string();
    assert!(body.len() > 200_000 && body.len() <= crate::webtrigger::MAX_BODY_BYTES);
    world
        .create_faults
        .push_back(crate::protocol::HttpResponse::json(503, &json!({})));
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &body)));
    assert_eq!(status, 202);
    let parts = world.kv.keys().filter(|k| k.starts_with("epm:inbox:")).count();
    assert_eq!(parts, 5, "a head and four more parts");
    assert!(
        world
            .kv
            .iter()
            .filter(|(k, _)| k.starts_with("epm:inbox:"))
            .all(|(_, v)| v.len() < 120_000),
        "every part fits Forge's 240 KiB value limit"
    );
    world.run_jobs(10 * 60_000);
    assert_eq!(world.issue_count(), 1, "{:?}", world.job_runs);
    assert!(
        !world.kv.keys().any(|k| k.starts_with("epm:inbox:")),
        "every part dropped"
    );
}
