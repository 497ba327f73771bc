//! A small in-memory world that answers the core's calls while a script is recorded: KV and
//! secrets in maps, a user search over three seeded people, and issue creation. It is never
//! timed; it only produces the replies that every driver then replays.

use std::collections::BTreeMap;

use pam_approvals::config::{CONFIG_KEY, Config, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use pam_approvals::protocol::{Call, HttpResponse, Reply};
use serde_json::{Value, json};

use crate::inputs::{WEBHOOK_PASSWORD, WEBHOOK_USER};

pub struct World {
    kv: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    users: Vec<Value>,
    issues: u32,
    now: u64,
}

impl World {
    /// Configured as the sandbox host is: enabled, assignee John Doe, the bench credentials.
    pub fn configured() -> World {
        let config = Config {
            enabled: true,
            assignee_name: "John Doe".into(),
            ..Config::default()
        };
        let mut world = World {
            kv: BTreeMap::new(),
            secrets: BTreeMap::new(),
            users: vec![
                json!({"accountId": "acc-john", "accountType": "atlassian", "displayName": "John Doe", "emailAddress": "john.doe@example.com", "active": true}),
                json!({"accountId": "acc-bob", "accountType": "atlassian", "displayName": "Bob Requester", "emailAddress": "bob@example.com", "active": true}),
                json!({"accountId": "acc-alice", "accountType": "atlassian", "displayName": "Alice Approver", "emailAddress": "alice@example.com", "active": true}),
            ],
            issues: 0,
            now: 1_795_000_000_000,
        };
        world.kv.insert(CONFIG_KEY.into(), config.encode());
        world.secrets.insert(SECRET_WEBHOOK_USER.into(), WEBHOOK_USER.into());
        world
            .secrets
            .insert(SECRET_WEBHOOK_PASSWORD.into(), WEBHOOK_PASSWORD.into());
        world
    }

    pub fn perform(&mut self, call: &Call) -> Reply {
        match call {
            Call::Jira { method, path, .. } => Reply::Http(self.jira(method, path)),
            Call::Fetch(_) => Reply::Failed("the bench world has no network".into()),
            Call::KvGet(key) => Reply::Value(self.kv.get(key).cloned()),
            Call::KvSet(key, value) => {
                self.kv.insert(key.clone(), value.clone());
                Reply::Done
            }
            Call::KvSetIfAbsent(key, value) => {
                let absent = !self.kv.contains_key(key);
                if absent {
                    self.kv.insert(key.clone(), value.clone());
                }
                Reply::Claimed(absent)
            }
            Call::KvDelete(key) => {
                self.kv.remove(key);
                Reply::Done
            }
            Call::SecretGet(key) => Reply::Value(self.secrets.get(key).cloned()),
            Call::SecretSet(key, value) => {
                self.secrets.insert(key.clone(), value.clone());
                Reply::Done
            }
            Call::Now => Reply::Time(self.now),
            Call::Sleep(ms) => {
                self.now += u64::from(*ms);
                Reply::Done
            }
            Call::QueuePush(..) | Call::Log(..) => Reply::Done,
        }
    }

    fn jira(&mut self, method: &str, path: &str) -> HttpResponse {
        let route = path.split('?').next().unwrap_or_default();
        match (method, route) {
            ("GET", "/rest/api/3/user/search") => {
                let query = path.split("query=").nth(1).unwrap_or_default();
                let query = query.split('&').next().unwrap_or_default();
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
            ("POST", "/rest/api/3/issue") => {
                self.issues += 1;
                let id = 10_000 + self.issues;
                HttpResponse::json(
                    201,
                    &json!({"id": id.to_string(), "key": format!("PMCJIT-{}", self.issues), "self": "x"}),
                )
            }
            _ => HttpResponse::json(404, &json!({"errorMessages": ["not in the bench world"]})),
        }
    }
}
