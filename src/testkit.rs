//! A deterministic in-memory world for workflow tests: KV, secrets, a small fake Jira and a
//! clock, and `drive` / `drive_interleaved` loops that feed the step machine its replies.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use crate::protocol::{Call, HttpRequest, HttpResponse, Invocation, Outcome, Reply, Step};
use crate::runner::Run;

#[derive(Default)]
pub struct World {
    pub kv: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub issues: Vec<Value>,
    pub users: Vec<Value>,
    /// Responses the fake Jira gives instead of handling, for the next Jira calls.
    pub jira_faults: VecDeque<Option<HttpResponse>>,
    pub now: u64,
    pub calls: Vec<Call>,
    pub logs: Vec<String>,
    /// Makes every storage call fail (an outage).
    pub storage_down: bool,
}

impl World {
    /// A configured world: the sandbox's settings, webhook credentials `hook` / `pw-123456`.
    pub fn configured() -> World {
        let mut world = World {
            now: 1_700_000_000_000,
            ..World::default()
        };
        let config = crate::config::Config {
            enabled: true,
            assignee_name: "John Doe".into(),
            ..Default::default()
        };
        world.kv.insert(crate::config::CONFIG_KEY.into(), config.encode());
        world
            .secrets
            .insert(crate::config::SECRET_WEBHOOK_USER.into(), "hook".into());
        world
            .secrets
            .insert(crate::config::SECRET_WEBHOOK_PASSWORD.into(), "pw-123456".into());
        world.users = vec![
            json!({"accountId": "acc-john", "accountType": "atlassian", "displayName": "John Doe", "emailAddress": "john.doe@example.com", "active": true}),
            json!({"accountId": "acc-bob", "accountType": "atlassian", "displayName": "Bob Requester", "emailAddress": "bob@example.com", "active": true}),
        ];
        world
    }

    pub fn jira_calls(&self, method: &str, path_prefix: &str) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Jira { method: m, path, .. } if m == method && path.starts_with(path_prefix)))
            .count()
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
            Call::Jira { method, path, body, .. } => {
                if let Some(fault) = self.jira_faults.pop_front() {
                    return match fault {
                        Some(response) => Reply::Http(response),
                        None => Reply::Failed("connection reset".into()),
                    };
                }
                Reply::Http(self.jira(&method, &path, body.as_deref()))
            }
            Call::Fetch(_) => Reply::Failed("no network in tests".into()),
            Call::KvGet(k) => Reply::Value(self.kv.get(&k).cloned()),
            Call::KvSet(k, v) => {
                self.kv.insert(k, v);
                Reply::Done
            }
            Call::KvSetIfAbsent(k, v) => match self.kv.entry(k) {
                std::collections::btree_map::Entry::Occupied(_) => Reply::Claimed(false),
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
            Call::QueuePush(..) => Reply::Done,
            Call::Now => Reply::Time(self.now),
            Call::Sleep(ms) => {
                self.now += u64::from(ms);
                Reply::Done
            }
            Call::Log(_, message) => {
                self.logs.push(message);
                Reply::Done
            }
        }
    }

    fn jira(&mut self, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        let body: Value = body.and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
        match (method, path.split('?').next().unwrap_or("")) {
            ("POST", "/rest/api/3/issue") => {
                let key = format!("PMCJIT-{}", self.issues.len() + 1);
                let id = format!("{}", 10_000 + self.issues.len());
                let mut issue = body.clone();
                issue["key"] = json!(key);
                issue["id"] = json!(id);
                self.issues.push(issue);
                HttpResponse::json(201, &json!({"id": id, "key": key, "self": "x"}))
            }
            ("GET", "/rest/api/3/user/search") => {
                let query = path
                    .split("query=")
                    .nth(1)
                    .unwrap_or("")
                    .split('&')
                    .next()
                    .unwrap_or("");
                let query = percent_encoding::percent_decode_str(query)
                    .decode_utf8_lossy()
                    .to_lowercase();
                let found: Vec<Value> = self
                    .users
                    .iter()
                    .filter(|u| u.to_string().to_lowercase().contains(&query))
                    .cloned()
                    .collect();
                HttpResponse::json(200, &Value::Array(found))
            }
            ("POST", "/rest/api/3/search/jql") => {
                let jql = body["jql"].as_str().unwrap_or("");
                let wanted = jql.rsplit('"').nth(1).unwrap_or("");
                let issues: Vec<Value> = self
                    .issues
                    .iter()
                    .filter(|i| {
                        i["fields"]["customfield_10001"]
                            .as_str()
                            .is_some_and(|v| v.contains(wanted))
                    })
                    .map(|i| {
                        json!({"id": i["id"], "key": i["key"], "fields": i["fields"],
                               "properties": {"pam-approvals.epm": i["properties"][0]["value"]}})
                    })
                    .collect();
                HttpResponse::json(200, &json!({"issues": issues, "isLast": true}))
            }
            _ => HttpResponse::json(404, &json!({"errorMessages": [format!("no fake for {method} {path}")]})),
        }
    }
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
