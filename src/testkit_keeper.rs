//! A Keeper Commander in Service Mode (API v2, request queue) for workflow tests, held to the
//! wire in docs/keeper.md: `api-key`, a per-key allow-list, 202 and a request id on submit,
//! `result/{id}` answering 202 until the command has run, then the command's result. It runs
//! `epm approval view|action` and `device-approve` over requests a test sets up, with faults and
//! a slow queue on demand. The local host serves the fuller sandbox (`pam-sandboxes`).

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use crate::protocol::{HttpRequest, HttpResponse, Reply};

pub const API_URL: &str = "https://keeper-test.ngrok.io/api/v2";
pub const API_KEY: &str = "test-commander-key";

#[derive(Debug, Clone)]
pub struct Kepm {
    pub status: String,
    pub requester: String,
    /// Creation time, ISO-8601 as Commander prints it.
    pub created: String,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub email: String,
    pub id: String,
    pub name: String,
    /// `Some(approved)` once decided: no longer pending.
    pub decided: Option<bool>,
}

struct Entry {
    line: String,
    polls_left: u32,
    result: Option<(u16, Value)>,
}

pub struct FakeCommander {
    pub kepm: BTreeMap<String, Kepm>,
    pub devices: Vec<Device>,
    /// Command first words the key may run.
    pub allowed: Vec<String>,
    /// Result polls answered 202 before a command runs.
    pub slow_polls: u32,
    /// The same, for actions only (reads answer at once).
    pub slow_actions: u32,
    /// The next result polls answered 429 with `Retry-After: 7` (Commander's rate limit).
    pub limited_polls: u32,
    /// Actions only warn and change nothing (Keeper refused them).
    pub actions_fail: bool,
    /// Faults for the next calls: `Some(status)` answers it, `None` is a transport failure.
    pub faults: VecDeque<Option<u16>>,
    /// Every command line submitted, in order.
    pub submitted: Vec<String>,
    pub calls: usize,
    queue: BTreeMap<String, Entry>,
    next: u32,
}

impl Default for FakeCommander {
    fn default() -> Self {
        FakeCommander {
            kepm: BTreeMap::new(),
            devices: Vec::new(),
            allowed: vec!["service-status".into(), "epm".into(), "device-approve".into()],
            slow_polls: 0,
            slow_actions: 0,
            limited_polls: 0,
            actions_fail: false,
            faults: VecDeque::new(),
            submitted: Vec::new(),
            calls: 0,
            queue: BTreeMap::new(),
            next: 0,
        }
    }
}

impl FakeCommander {
    /// The worker catches up: every queued command runs on its next poll.
    pub fn catch_up(&mut self) {
        self.slow_polls = 0;
        self.slow_actions = 0;
        for entry in self.queue.values_mut() {
            entry.polls_left = 0;
        }
    }

    pub fn handles(request: &HttpRequest) -> bool {
        request.url.starts_with(API_URL)
    }

    /// Actions submitted (approve or deny), in order.
    pub fn actions(&self) -> Vec<&str> {
        self.submitted
            .iter()
            .map(String::as_str)
            .filter(|l| l.contains("--approve") || l.contains("--deny"))
            .collect()
    }

    pub fn handle(&mut self, request: &HttpRequest) -> Reply {
        self.calls += 1;
        if let Some(fault) = self.faults.pop_front() {
            return match fault {
                Some(status) => Reply::Http(
                    HttpResponse::json(
                        status,
                        &json!({"status": "error", "error": "Commander is having a bad day"}),
                    )
                    .with_header("Retry-After", "7"),
                ),
                None => Reply::Failed("connection timed out".into()),
            };
        }
        Reply::Http(self.answer(request))
    }

    fn answer(&mut self, request: &HttpRequest) -> HttpResponse {
        let error = |status: u16, text: &str| HttpResponse::json(status, &json!({"status": "error", "error": text}));
        if request.header("api-key") != Some(API_KEY) {
            return error(401, "Invalid or expired API key");
        }
        let path = &request.url[API_URL.len()..];
        match (request.method.as_str(), path) {
            ("POST", "/executecommand-async") => {
                let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
                let Some(line) = body["command"].as_str().filter(|c| !c.trim().is_empty()) else {
                    return error(400, "No command provided.");
                };
                let first = line.split_whitespace().next().unwrap_or_default();
                if !self.allowed.iter().any(|a| a == first) {
                    return error(403, &format!("Command '{first}' is not allowed"));
                }
                self.submitted.push(line.to_string());
                self.next += 1;
                let id = format!("req-{:04}", self.next);
                self.queue.insert(
                    id.clone(),
                    Entry {
                        line: line.to_string(),
                        polls_left: if line.contains("--approve") || line.contains("--deny") {
                            self.slow_polls.max(self.slow_actions)
                        } else {
                            self.slow_polls
                        },
                        result: None,
                    },
                );
                HttpResponse::json(202, &json!({"success": true, "request_id": id, "status": "queued"}))
            }
            ("GET", rest) if rest.starts_with("/result/") && self.limited_polls > 0 => {
                self.limited_polls -= 1;
                HttpResponse::error(429, "Too Many Requests").with_header("Retry-After", "7")
            }
            ("GET", rest) if rest.starts_with("/result/") => {
                let id = &rest["/result/".len()..];
                let Some(entry) = self.queue.get_mut(id) else {
                    return error(404, "Error: Request not found");
                };
                if entry.polls_left > 0 {
                    entry.polls_left -= 1;
                    return HttpResponse::json(
                        202,
                        &json!({"status": "processing", "error": "Error: Request not completed yet"}),
                    );
                }
                if entry.result.is_none() {
                    let line = entry.line.clone();
                    let result = self.run(&line);
                    self.queue.get_mut(id).expect("entry").result = Some(result);
                }
                let (status, body) = self.queue[id].result.clone().expect("result");
                HttpResponse::json(status, &body)
            }
            _ => error(404, "Not Found"),
        }
    }

    /// Runs a command line as Commander would.
    fn run(&mut self, line: &str) -> (u16, Value) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let ok = |data: Value| (200, json!({"status": "success", "command": line, "data": data}));
        match words.as_slice() {
            ["service-status"] => ok(json!("Commander Service Mode is running")),
            ["epm", "approval", "view", "--format", "json", "--", uid] => match self.kepm.get(*uid) {
                Some(k) => ok(json!([{
                    "approval_uid": uid, "approval_type": "Elevation", "status": k.status, "agent_uid": "agent-7",
                    "account_info": {"username": k.requester, "domain": "CORP"},
                    "application_info": {"name": "Windows PowerShell", "publisher": "Microsoft"},
                    "justification": "{\"text\": \"Install the printer driver\"}", "expire_in": 30, "created": k.created,
                }])),
                None => (
                    400,
                    json!({"status": "error", "error": format!("Approval UID \"{uid}\" does not exist")}),
                ),
            },
            ["epm", "approval", "action", option]
                if option.starts_with("--approve=") || option.starts_with("--deny=") =>
            {
                let (verb, uid) = option.split_once('=').expect("an option with a value");
                let applied = !self.actions_fail
                    && self.kepm.get_mut(uid).is_some_and(|k| {
                        let pending = k.status == "Pending";
                        if pending {
                            k.status = if verb == "--approve" { "Approved" } else { "Denied" }.into();
                        }
                        pending
                    });
                if applied {
                    (
                        200,
                        json!({"status": "success", "command": "epm", "message": "Command executed successfully but produced no output"}),
                    )
                } else {
                    let what = if verb == "--approve" { "approved" } else { "deny" };
                    (
                        400,
                        json!({"status": "warning", "command": "epm", "message": format!("Failed to {what} \"{uid}\": not pending")}),
                    )
                }
            }
            ["device-approve", "--reload", "--format", "json"] => {
                let pending: Vec<Value> = self
                    .devices
                    .iter()
                    .filter(|d| d.decided.is_none())
                    .map(|d| json!({"date": "2023-11-14 22:00:00", "email": d.email, "device_id": d.id, "device_name": d.name,
                        "device_type": "Chrome", "ip_address": "203.0.113.9", "client_version": "w17.0.0", "location": "Berlin"}))
                    .collect();
                if pending.is_empty() {
                    ok(json!("There are no pending devices to approve"))
                } else {
                    ok(json!(pending))
                }
            }
            ["device-approve", verb @ ("--approve" | "--deny"), id] => {
                let found = self
                    .devices
                    .iter_mut()
                    .find(|d| d.decided.is_none() && !self.actions_fail && d.id.starts_with(*id));
                match found {
                    Some(device) => {
                        device.decided = Some(*verb == "--approve");
                        (
                            200,
                            json!({"status": "success", "command": "device-approve", "message": ""}),
                        )
                    }
                    None => (
                        200,
                        json!({"status": "success", "command": "device-approve", "message": "No matching devices found"}),
                    ),
                }
            }
            _ => (
                400,
                json!({"status": "error", "error": format!("Unknown command: {line}")}),
            ),
        }
    }
}
