//! A deterministic in-memory world for workflow tests: KV, secrets, the sandbox Jira in memory
//! (`pam_sandboxes::jira::InMemoryJira`: its store, JQL and routes; every request held to
//! Atlassian's contract first), a fake EPM and a clock, and `drive` / `drive_interleaved` loops
//! that feed the step machine its replies.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use crate::protocol::{Call, HttpRequest, HttpResponse, Invocation, Outcome, Reply, Step};
use crate::runner::Run;

#[derive(Default)]
pub struct World {
    /// The Jira every Jira call reaches: the sandbox Jira in memory (`pam-sandboxes`: its
    /// seeded store, JQL and routes, behind the same contract gate). `None` only in a
    /// `World::default()`, which must make no Jira call.
    pub sandbox: Option<pam_sandboxes::jira::InMemoryJira>,
    pub kv: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    /// Responses given instead of Jira's, for the next Jira calls (`None`: no answer at all).
    pub jira_faults: VecDeque<Option<HttpResponse>>,
    pub now: u64,
    pub calls: Vec<Call>,
    pub logs: Vec<String>,
    /// Makes every storage call fail (an outage).
    pub storage_down: bool,
    /// The account "as user" Jira calls act for (a resolver's signed-in user).
    pub user: Option<String>,
    /// Answers for the next `POST /rest/api/3/issue` calls instead of creating.
    pub create_faults: VecDeque<HttpResponse>,
    /// Keys whose read right after a conflicting set-if-absent misses them (a store that is not
    /// read-your-writes consistent).
    pub hidden_after_conflict: Vec<String>,
    hide_next_get: Option<String>,
    pub epm: crate::testkit_epm::FakeEpm,
    #[cfg(feature = "pra")]
    pub pra: crate::testkit_pra::FakePra,
    #[cfg(feature = "keeper")]
    pub keeper: crate::testkit_keeper::FakeCommander,
    /// The durable queue: jobs pushed and not yet finished.
    pub queue: Vec<QueuedJob>,
    /// Fails this share of `POST /issue` calls (percent) from a seeded sequence: `(state,
    /// percent)`. Failures cycle through 429 with Retry-After, 500, 503, 504, and a create that
    /// happened but whose answer is lost (503).
    pub create_chaos: Option<(u64, u32)>,
    /// Creates failed by `create_chaos`.
    pub chaos_failures: usize,
    /// Makes every `queue-push` fail.
    pub queue_down: bool,
    /// What each job run ended with, in order: (kind, outcome).
    pub job_runs: Vec<(String, Outcome)>,
}

/// A job in the test queue, as a host keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedJob {
    pub queue: String,
    pub payload: String,
    pub attempt: u32,
    pub due: u64,
}

impl World {
    /// A configured world: the sandbox's settings, webhook credentials `hook` / `pw-123456`.
    pub fn configured() -> World {
        let mut world = World {
            now: 1_700_000_000_000,
            sandbox: Some(
                pam_sandboxes::jira::JiraSandbox::in_memory(std::sync::Arc::clone(contracts()))
                    .expect("the sandbox Jira opens in memory"),
            ),
            ..World::default()
        };
        let config = crate::providers::epm::settings::EpmSettings {
            enabled: true,
            assignee_name: "John Doe".into(),
            ..Default::default()
        };
        world.kv.insert(crate::config::CONFIG_KEY.into(), config.stored());
        world.secrets.insert(
            crate::providers::epm::settings::SECRET_WEBHOOK_USER.into(),
            "hook".into(),
        );
        world.secrets.insert(
            crate::providers::epm::settings::SECRET_WEBHOOK_PASSWORD.into(),
            "pw-123456".into(),
        );
        world
    }

    /// This world on a fresh sandbox Jira whose site (`seed.rs`'s people, projects, workflow
    /// and fields) `change` alters first: a permission the app lacks, a status no transition
    /// reaches, a field off the create screen.
    pub fn with_site(mut self, change: impl FnOnce(&mut pam_sandboxes::jira::Catalog)) -> World {
        self.sandbox = Some(
            pam_sandboxes::jira::JiraSandbox::in_memory_with(std::sync::Arc::clone(contracts()), change)
                .expect("the sandbox Jira opens in memory"),
        );
        self
    }

    pub fn jira_calls(&self, method: &str, path_prefix: &str) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Jira { method: m, path, .. } if m == method && path.starts_with(path_prefix)))
            .count()
    }

    /// Performs one call as `drive` would (for tests that fault particular calls).
    pub fn perform_for_tests(&mut self, call: Call) -> Reply {
        self.perform(call)
    }

    fn perform(&mut self, call: Call) -> Reply {
        self.calls.push(call.clone());
        let storage = matches!(
            call,
            Call::KvGet(_)
                | Call::KvSet(..)
                | Call::KvSetIfAbsent(..)
                | Call::KvDelete(_)
                | Call::SecretGet(_)
                | Call::SecretSet(..)
        );
        if storage && self.storage_down {
            return Reply::Failed("storage is down".into());
        }
        match call {
            Call::Jira {
                method,
                path,
                body,
                actor,
            } => {
                hold_to_contract(&method, &path, body.as_deref());
                if let Some(fault) = self.jira_faults.pop_front() {
                    return match fault {
                        Some(response) => Reply::Http(response),
                        None => Reply::Failed("connection reset".into()),
                    };
                }
                if actor == crate::protocol::Actor::User && self.user.is_none() {
                    return Reply::Failed("no user in this run".into());
                }
                let caller = match actor {
                    crate::protocol::Actor::User => self.user.clone(),
                    crate::protocol::Actor::App => None,
                };
                Reply::Http(self.answer_jira(caller.as_deref(), &method, &path, body.as_deref()))
            }
            #[cfg(feature = "pra")]
            Call::Fetch(request) if crate::testkit_pra::FakePra::handles(&request) => self.pra.handle(&request),
            #[cfg(feature = "keeper")]
            Call::Fetch(request) if crate::testkit_keeper::FakeCommander::handles(&request) => {
                self.keeper.handle(&request)
            }
            Call::Fetch(request) => self.epm.handle(&request),
            Call::KvGet(k) => {
                if self.hide_next_get.as_ref() == Some(&k) {
                    self.hide_next_get = None;
                    return Reply::Value(None);
                }
                Reply::Value(self.kv.get(&k).cloned())
            }
            Call::KvSet(k, v) => {
                self.kv.insert(k, v);
                Reply::Done
            }
            Call::KvSetIfAbsent(k, v) => match self.kv.entry(k) {
                std::collections::btree_map::Entry::Occupied(slot) => {
                    if self.hidden_after_conflict.contains(slot.key()) {
                        self.hide_next_get = Some(slot.key().clone());
                    }
                    Reply::Claimed(false)
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(v);
                    Reply::Claimed(true)
                }
            },
            Call::KvDelete(k) => {
                self.kv.remove(&k);
                Reply::Done
            }
            Call::SecretGet(k) => Reply::Value(self.secrets.get(&k).cloned()),
            Call::SecretSet(k, v) => {
                self.secrets.insert(k, v);
                Reply::Done
            }
            Call::QueuePush { .. } if self.queue_down => Reply::Failed("the queue is down".into()),
            Call::QueuePush {
                queue,
                payload,
                delay_ms,
            } => {
                self.queue.push(QueuedJob {
                    queue,
                    payload,
                    attempt: 0,
                    due: self.now + u64::from(delay_ms),
                });
                Reply::Done
            }
            Call::Now => Reply::Time(self.now),
            Call::Sleep(ms) => {
                self.now += u64::from(ms);
                Reply::Done
            }
            Call::Random(bytes) => Reply::Value(Some(test_random_hex(bytes))),
            Call::Log(_, message) => {
                self.logs.push(message);
                Reply::Done
            }
        }
    }

    fn answer_jira(&mut self, caller: Option<&str>, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        self.sandbox_jira(caller, method, path, body)
    }
}

impl World {
    /// A Jira call answered by the sandbox Jira, after the world's create knobs
    /// (`create_chaos`, `create_faults`) had their say.
    fn sandbox_jira(&mut self, caller: Option<&str>, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        let create = method == "POST" && path.split('?').next() == Some("/rest/api/3/issue");
        if create
            && self
                .create_chaos
                .as_mut()
                .is_some_and(|(state, percent)| crate::testkit_epm::roll(state, *percent).is_some())
        {
            self.chaos_failures += 1;
            let busy = |status| HttpResponse::json(status, &json!({"errorMessages": ["busy"]}));
            return match self.chaos_failures % 5 {
                0 => busy(429).with_header("Retry-After", "2"),
                1 => busy(500),
                2 => busy(503),
                3 => HttpResponse::json(504, &json!({"errorMessages": ["gateway timeout"]})),
                _ => {
                    // Made, but the answer is lost on the way back.
                    let made = self.sandbox_call(caller, method, path, body);
                    assert_eq!(made.status, 201, "the sandbox refused a create: {}", made.body);
                    busy(503)
                }
            };
        }
        if create && let Some(fault) = self.create_faults.pop_front() {
            return fault;
        }
        self.sandbox_call(caller, method, path, body)
    }

    /// The sandbox Jira of this world.
    fn jira(&self) -> &pam_sandboxes::jira::InMemoryJira {
        self.sandbox
            .as_ref()
            .expect("a world made with `configured` or `with_site` runs on the sandbox Jira")
    }

    /// One request to the sandbox Jira as `caller` (a world user; `None` is the app).
    pub fn sandbox_call(&self, caller: Option<&str>, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        let answer = self.jira().handle(caller.map(seeded_account), method, path, body);
        HttpResponse {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
        }
    }

    /// Every issue in Jira, oldest first: the sandbox Jira's store (`GET /_sandbox/issues`: all
    /// fields, `properties` by key, `comments` with `internal` and `plainText`); on the legacy
    /// fake, its own records.
    pub fn jira_issues(&self) -> Vec<Value> {
        self.jira().issues()
    }

    /// The KV entries but the diagnostics' lists (`diag:`): what "nothing written" compares.
    /// An authenticated sender's refused delivery is listed there for the admin, bounded; no
    /// request, issue or job state is.
    pub fn kv_state(&self) -> BTreeMap<String, String> {
        self.kv
            .iter()
            .filter(|(k, _)| !k.starts_with("diag:"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// How many issues Jira holds.
    pub fn issue_count(&self) -> usize {
        self.jira_issues().len()
    }

    /// The issue with this key or id in the sandbox Jira's store (see `jira_issues`).
    pub fn stored_issue(&self, key: &str) -> Option<Value> {
        self.jira().issue(key)
    }

    /// The issue's status name.
    pub fn status(&self, key: &str) -> String {
        let issue = self.stored_issue(key).unwrap_or_else(|| panic!("no issue {key}"));
        issue["fields"]["status"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The notes on the issue, oldest first: (internal?, the body as JSON text).
    pub fn notes(&self, key: &str) -> Vec<(bool, String)> {
        let Some(issue) = self.stored_issue(key) else {
            return Vec::new();
        };
        issue["comments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["internal"] == json!(true), c["body"].to_string()))
            .collect()
    }

    /// A person (with "Edit issues") sets the app's property on an issue, as anyone can through
    /// Jira's REST API.
    pub fn edit_property(&mut self, person: &str, key: &str, property: &Value) {
        self.edit_property_of(person, key, "pam-approvals.epm", property);
    }

    /// A person writes the issue property `name` (any provider's).
    pub fn edit_property_of(&mut self, person: &str, key: &str, name: &str, property: &Value) {
        let path = format!("/rest/api/3/issue/{key}/properties/{name}");
        let person = seeded_account(person).to_string();
        let put = self.sandbox_call(Some(&person), "PUT", &path, Some(&property.to_string()));
        assert!(
            matches!(put.status, 200 | 201),
            "a person's property edit: {}",
            put.body
        );
    }

    /// The app's property (`pam-approvals.epm`) on an issue; null when absent.
    pub fn app_property(&self, key: &str) -> Value {
        self.property_of(key, "pam-approvals.epm")
    }

    /// The issue property `name` on an issue; null when absent.
    pub fn property_of(&self, key: &str, name: &str) -> Value {
        self.stored_issue(key)
            .map(|i| i["properties"][name].clone())
            .unwrap_or(Value::Null)
    }

    /// A Jira REST call as a seeded person (what anyone with the permissions can do), its
    /// status and JSON body.
    pub fn person_call(&mut self, person: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let person = seeded_account(person).to_string();
        let body = body.map(Value::to_string);
        let answer = self.sandbox_call(Some(&person), method, path, body.as_deref());
        (answer.status, serde_json::from_str(&answer.body).unwrap_or(Value::Null))
    }

    /// The issue-updated events the sandbox Jira made since the last call, in order (what
    /// Forge would deliver to the app's `trigger` module).
    pub fn issue_events(&mut self) -> Vec<Value> {
        self.sandbox.as_mut().expect("a world with Jira").take_events()
    }

    /// `person` moves issue `key` with workflow transition `transition` (asserting Jira took
    /// it); the issue-updated events since the last take.
    pub fn move_issue(&mut self, person: &str, key: &str, transition: &str) -> Vec<Value> {
        let body = json!({"transition": {"id": transition}});
        let path = format!("/rest/api/3/issue/{key}/transitions");
        let (code, answer) = self.person_call(person, "POST", &path, Some(&body));
        assert_eq!(code, 204, "{person} moving {key} with {transition}: {answer}");
        self.issue_events()
    }

    /// Delivers one issue-updated event to the app, as Forge's trigger would; its JSON answer.
    pub fn deliver_event(&mut self, event: &Value) -> Value {
        let invocation = Invocation::Event {
            event_type: crate::jira::events::ISSUE_UPDATED.into(),
            payload: event.to_string(),
        };
        match drive(self, invocation) {
            Outcome::Value(text) => serde_json::from_str(&text).expect("an event's answer is JSON"),
            other => panic!("an event's answer: {other:?}"),
        }
    }

    /// Delivers every event since the last take; their answers.
    pub fn deliver_events(&mut self) -> Vec<Value> {
        let events = self.issue_events();
        events.iter().map(|event| self.deliver_event(event)).collect()
    }

    /// An issue a person created in the project (not the app), with `property` as the app's
    /// property key: what a requester can do with "Create issues" and "Edit issues".
    pub fn user_issue(&mut self, creator: &str, property: Value) -> String {
        use pam_sandboxes::jira::seed::{ACCESS_REQUEST_TYPE_ID, PMCJIT_PROJECT_ID};
        self.user_issue_in(PMCJIT_PROJECT_ID, ACCESS_REQUEST_TYPE_ID, creator, property)
    }

    /// `user_issue` in another project of the sandbox (its id, and an issue type id of it).
    pub fn user_issue_in(&mut self, project_id: &str, issue_type_id: &str, creator: &str, property: Value) -> String {
        let creator = seeded_account(creator).to_string();
        let create = json!({"fields": {
            "project": {"id": project_id},
            "issuetype": {"id": issue_type_id},
            "summary": "Printer broken",
        }});
        let made = self.sandbox_call(Some(&creator), "POST", "/rest/api/3/issue", Some(&create.to_string()));
        assert_eq!(made.status, 201, "a person's create: {}", made.body);
        let made: Value = serde_json::from_str(&made.body).expect("JSON");
        let key = made["key"].as_str().expect("a key").to_string();
        if !property.is_null() {
            self.edit_property(&creator, &key, &property);
        }
        key
    }
}

impl World {
    /// Stores a provider's settings section in the configuration record (the rest stays).
    pub fn set_section<T: crate::config::Section>(&mut self, section: &T) {
        let mut record = self
            .kv
            .get(crate::config::CONFIG_KEY)
            .map(|t| crate::config::Config::decode(t).expect("stored config"))
            .unwrap_or_default();
        record.set(section);
        self.kv.insert(crate::config::CONFIG_KEY.into(), record.encode());
    }

    /// Jobs queued of this kind (`epm.settle`, ...).
    pub fn queued(&self, kind: &str) -> usize {
        self.queue.iter().filter(|j| job_kind(&j.payload) == kind).count()
    }

    /// Runs the queue as a host would, advancing the clock to each next due job, until it is
    /// empty or `limit_ms` of clock time passed; the number of job runs.
    pub fn run_jobs(&mut self, limit_ms: u64) -> usize {
        let end = self.now + limit_ms;
        let mut runs = 0;
        while let Some(next) = (0..self.queue.len()).min_by_key(|&i| self.queue[i].due) {
            if self.queue[next].due > end {
                break;
            }
            let job = self.queue.remove(next);
            self.now = self.now.max(job.due);
            let outcome = drive(
                self,
                Invocation::Job {
                    queue: job.queue.clone(),
                    payload: job.payload.clone(),
                    attempt: job.attempt,
                },
            );
            runs += 1;
            if let Outcome::Retry { after_ms, .. } = &outcome {
                self.queue.push(QueuedJob {
                    attempt: job.attempt + 1,
                    due: self.now + u64::from(*after_ms),
                    ..job.clone()
                });
            }
            self.job_runs.push((job_kind(&job.payload), outcome));
        }
        runs
    }
}

fn job_kind(payload: &str) -> String {
    serde_json::from_str::<Value>(payload)
        .ok()
        .and_then(|v| v["kind"].as_str().map(String::from))
        .unwrap_or_default()
}

/// Runs one invocation to its outcome.
pub fn drive(world: &mut World, invocation: Invocation) -> Outcome {
    drive_interleaved(world, vec![invocation]).remove(0)
}

/// Runs several invocations at once, one step of each in turn, as concurrent deliveries would.
pub fn drive_interleaved(world: &mut World, invocations: Vec<Invocation>) -> Vec<Outcome> {
    let mut runs: Vec<(Run, Option<Reply>)> = invocations.into_iter().map(|i| (Run::start(i), None)).collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; runs.len()];
    while outcomes.iter().any(Option::is_none) {
        for (i, (run, reply)) in runs.iter_mut().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            match run.next(reply.take()) {
                Step::Done(outcome) => outcomes[i] = Some(outcome),
                Step::Call(call) => *reply = Some(world.perform(call)),
            }
        }
    }
    outcomes.into_iter().flatten().collect()
}

/// Runs `n` workflows over capabilities at once, one call of each in turn (as concurrent runs
/// would), without going through an invocation: for tests of one core function.
pub fn run_together<T, F: std::future::Future<Output = T>>(
    world: &mut World,
    n: usize,
    workflow: impl Fn(usize, crate::caps::Caps) -> F,
) -> Vec<T> {
    use std::task::{Context, Poll, Waker};
    let exchanges: Vec<_> = (0..n)
        .map(|_| std::rc::Rc::new(std::cell::RefCell::new(crate::caps::Exchange::default())))
        .collect();
    let mut futures: Vec<_> = (0..n)
        .map(|i| Box::pin(workflow(i, crate::caps::Caps::new(exchanges[i].clone()))))
        .collect();
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while results.iter().any(Option::is_none) {
        for i in 0..n {
            if results[i].is_some() {
                continue;
            }
            if let Poll::Ready(value) = futures[i].as_mut().poll(&mut cx) {
                results[i] = Some(value);
                continue;
            }
            let call = exchanges[i]
                .borrow_mut()
                .outgoing
                .take()
                .expect("a waiting workflow made a call");
            let reply = world.perform(call);
            let mut exchange = exchanges[i].borrow_mut();
            exchange.awaiting_reply = false;
            exchange.incoming = Some(reply);
        }
    }
    results.into_iter().flatten().collect()
}

/// A web trigger POST to the EPM trigger with the given credentials and body.
pub fn webhook(user: &str, password: &str, body: &str) -> Invocation {
    use base64::Engine;
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Invocation::WebTrigger {
        trigger: "epm-webhook".into(),
        request: HttpRequest {
            method: "POST".into(),
            url: String::new(),
            headers: vec![("authorization".into(), format!("Basic {credentials}"))],
            body: body.into(),
        },
    }
}

/// The seed template filled with realistic values.
pub const SAMPLE: &str = include_str!("../tests/fixtures/epm/ticket-created.sample.json");
pub const SAMPLE_REQUEST_ID: &str = "7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13";

/// The HTTP answer of a web trigger outcome, with its JSON body.
pub fn http(outcome: &Outcome) -> (u16, Value) {
    match outcome {
        Outcome::Http(r) => (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null)),
        other => panic!("expected an HTTP outcome, got {other:?}"),
    }
}

/// Atlassian's contracts, compiled once per test process.
fn contracts() -> &'static std::sync::Arc<pam_contracts_check::Contracts> {
    static CONTRACTS: std::sync::OnceLock<std::sync::Arc<pam_contracts_check::Contracts>> = std::sync::OnceLock::new();
    CONTRACTS.get_or_init(|| {
        std::sync::Arc::new(pam_contracts_check::Contracts::load().expect("Atlassian's contracts load"))
    })
}

/// The sandbox Jira's account for a world user: the seeded people by their sandbox ids, and
/// the short names older tests use (`acc-alice` is Alice Approver, ...).
pub fn seeded_account(user: &str) -> &str {
    use pam_sandboxes::jira::seed;
    match user {
        "acc-john" => seed::JOHN_DOE,
        "acc-alice" => seed::ALICE_APPROVER,
        "acc-bob" => seed::BOB_REQUESTER,
        "acc-carol" => seed::CAROL_ADMIN,
        other => other,
    }
}

/// Fails the test when the app sends Jira a request that real Jira would refuse: the check the
/// sandbox Jira's gate makes (`pam_contracts_check::Contracts::check_request`), whatever the
/// fake then answers (faults included).
fn hold_to_contract(method: &str, path: &str, body: Option<&str>) {
    let contracts = contracts();
    if let Err(violation) = contracts.check_request(method, path, body) {
        let operation = contracts.operation_template(method, path).unwrap_or(path);
        panic!(
            "the app's Jira request {method} {operation} breaks Atlassian's contract: {violation}\nrequest: {method} {path}\nbody: {}",
            body.unwrap_or("(none)")
        );
    }
    assert!(
        !contracts.is_deprecated(method, path),
        "the app's Jira request {method} {path} uses an operation Atlassian's spec marks deprecated"
    );
}

/// Distinct "random" bytes for the test world: a digest of a process-wide counter, so every
/// call differs and nothing needs a generator.
fn test_random_hex(bytes: u32) -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut out = String::new();
    while out.len() < 2 * bytes as usize {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for b in Sha256::digest(n.to_le_bytes()) {
            out.push_str(&format!("{b:02x}"));
        }
    }
    out.truncate(2 * bytes as usize);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Actor;

    /// The world holds Jira requests to the contract: a create whose `fields` is not an object
    /// fails the test, naming the operation and the problem.
    #[test]
    #[should_panic(expected = "POST /rest/api/3/issue breaks Atlassian's contract")]
    fn a_request_breaking_the_contract_fails_the_test() {
        let mut world = World::configured();
        world.perform_for_tests(Call::Jira {
            actor: Actor::App,
            method: "POST".into(),
            path: "/rest/api/3/issue".into(),
            body: Some(r#"{"fields": "a summary"}"#.into()),
        });
    }

    /// An operation Jira does not have fails the test too.
    #[test]
    #[should_panic(expected = "unknown operation")]
    fn a_request_to_no_operation_fails_the_test() {
        let mut world = World::configured();
        world.perform_for_tests(Call::Jira {
            actor: Actor::App,
            method: "GET".into(),
            path: "/rest/api/3/issue/PMCJIT-1/decision".into(),
            body: None,
        });
    }

    /// A request that meets the contract passes the check and reaches the fake.
    #[test]
    fn a_request_meeting_the_contract_is_answered() {
        let mut world = World::configured();
        let reply = world.perform_for_tests(Call::Jira {
            actor: Actor::App,
            method: "POST".into(),
            path: "/rest/api/3/issue".into(),
            body: Some(
                r#"{"fields": {"summary": "Access", "project": {"id": "10000"}, "issuetype": {"id": "10100"}}}"#.into(),
            ),
        });
        assert!(matches!(reply, Reply::Http(ref r) if r.status == 201), "{reply:?}");
    }
}
