//! Calls per operation, counted by the host (`Capabilities::counters`: Jira REST calls, KV and
//! secret operations, outbound fetches, which in sandbox mode all go to the sandbox EPM), with
//! the sandboxes' request logs naming each Jira and EPM call.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::host::process::{HostProcess, get_json};
use crate::inputs;

/// One operation's calls.
pub struct OpCalls {
    pub jira: u64,
    pub kv: u64,
    /// Outbound fetches: to the PAM system (EPM, PRA or Keeper's Commander) the operation talks to.
    pub system: u64,
    /// "METHOD /path/template" of each Jira call, in order.
    pub jira_calls: Vec<String>,
    pub system_calls: Vec<String>,
}

/// An operation measured one or more times.
pub struct Operation {
    pub name: &'static str,
    pub runs: Vec<OpCalls>,
}

/// Where the logs and counters stood before an operation.
pub struct Mark {
    stats: Value,
    jira_seq: i64,
    /// The last entry of each PAM system's request log, by log path.
    system_seqs: Vec<(&'static str, i64)>,
}

/// The sandboxes' request logs of the PAM systems.
const EPM_LOG: &str = "/sandbox/epm/_sandbox/requests";
pub const PRA_LOG: &str = "/sandbox/pra/_sandbox/log";

/// Runs the operations on a fresh host: a first webhook (empty caches), `reps` more creates,
/// `reps` redeliveries, a first decision (no EPM token yet), `reps` more decisions.
pub async fn measure(reps: usize) -> Result<Vec<Operation>> {
    let host = HostProcess::start("calls").await?;
    let mut first = Operation {
        name: "first webhook of a fresh host (empty user cache)",
        runs: Vec::new(),
    };
    let mut created = Operation {
        name: "created issue (webhook, steady state)",
        runs: Vec::new(),
    };
    let mut duplicate = Operation {
        name: "duplicate delivery (webhook for an existing issue)",
        runs: Vec::new(),
    };
    let mut first_decision = Operation {
        name: "first decision of a fresh host (no cached EPM token)",
        runs: Vec::new(),
    };
    let mut decision = Operation {
        name: "decision (`epm.decide`: approve for 4 hours, token cached)",
        runs: Vec::new(),
    };
    let mut keys = Vec::new();
    for i in 0..=reps {
        let mark = mark(&host).await?;
        keys.push(webhook(&host, &format!("calls-{i}"), 201).await?);
        let target = if i == 0 { &mut first } else { &mut created };
        target.runs.push(since(&host, &mark, EPM_LOG).await?);
    }
    for i in 1..=reps {
        let mark = mark(&host).await?;
        webhook(&host, &format!("calls-{i}"), 200).await?;
        duplicate.runs.push(since(&host, &mark, EPM_LOG).await?);
    }
    for (i, key) in keys.iter().enumerate() {
        let mark = mark(&host).await?;
        decide(&host, key).await?;
        let target = if i == 0 { &mut first_decision } else { &mut decision };
        target.runs.push(since(&host, &mark, EPM_LOG).await?);
    }
    host.stop().await;
    Ok(vec![first, created, duplicate, first_decision, decision])
}

/// Posts the sample with this request id; returns the issue key.
async fn webhook(host: &HostProcess, request_id: &str, want: u16) -> Result<String> {
    let body = inputs::with_request_id(inputs::REALISTIC, inputs::REALISTIC_REQUEST_ID, request_id);
    let response = host
        .client
        .post(host.url("/x/epm-webhook"))
        .header("Content-Type", "application/json")
        .header("Authorization", inputs::authorization())
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status != want {
        bail!("webhook {request_id}: HTTP {status} {answer}, expected {want}");
    }
    Ok(answer["issueKey"].as_str().unwrap_or_default().to_string())
}

/// Approves the issue for 4 hours through the host's UI bridge, as the sandbox's default
/// signed-in approver.
async fn decide(host: &HostProcess, issue_key: &str) -> Result<()> {
    let invoke = json!({
        "functionKey": "epm.decide",
        "payload": {"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": "Approved for the maintenance window"},
        "context": {"extension": {"issue": {"key": issue_key}}},
    });
    let response = host
        .client
        .post(host.url("/bridge/invoke"))
        .json(&invoke)
        .send()
        .await?;
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status != 200 || answer["ok"] != json!(true) {
        bail!("epm.decide on {issue_key}: HTTP {status} {answer}");
    }
    Ok(())
}

/// Where the counters and logs stand now.
pub async fn mark(host: &HostProcess) -> Result<Mark> {
    let mut system_seqs = Vec::new();
    for path in [EPM_LOG, PRA_LOG, crate::keeper::KEEPER_LOG] {
        system_seqs.push((path, last_seq(&log(host, path).await?)));
    }
    Ok(Mark {
        stats: host.stats().await?,
        jira_seq: last_seq(&jira_log(host).await?),
        system_seqs,
    })
}

/// The calls since `mark`; the PAM system's are named from its log at `system_log`.
pub async fn since(host: &HostProcess, mark: &Mark, system_log: &str) -> Result<OpCalls> {
    let stats = host.stats().await?;
    let grown = |field: &str| stats[field].as_u64().unwrap_or(0) - mark.stats[field].as_u64().unwrap_or(0);
    let system_seq = mark
        .system_seqs
        .iter()
        .find(|(path, _)| *path == system_log)
        .map_or(-1, |(_, seq)| *seq);
    Ok(OpCalls {
        jira: grown("jira"),
        kv: grown("kv"),
        system: grown("fetch"),
        jira_calls: named_since(&jira_log(host).await?, mark.jira_seq),
        system_calls: named_since(&log(host, system_log).await?, system_seq),
    })
}

async fn jira_log(host: &HostProcess) -> Result<Vec<Value>> {
    log(host, "/sandbox/jira/_sandbox/requests").await
}

async fn log(host: &HostProcess, path: &str) -> Result<Vec<Value>> {
    let all = get_json(&host.client, &host.url(path)).await?;
    Ok(all.as_array().cloned().unwrap_or_default())
}

fn last_seq(log: &[Value]) -> i64 {
    log.iter().filter_map(|e| e["seq"].as_i64()).max().unwrap_or(-1)
}

/// A path with its ids (a segment of 16 characters or more with a digit, like Commander's
/// request ids) as `{id}`, so the same call on two requests reads the same.
fn templated(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.len() >= 16 && segment.bytes().any(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// "METHOD /path" of each logged call after `seq`; the spec's path template when known, so the
/// same call on two issues reads the same.
fn named_since(log: &[Value], seq: i64) -> Vec<String> {
    log.iter()
        .filter(|e| e["seq"].as_i64().unwrap_or(-1) > seq)
        .map(|e| {
            let path = match e["operation"].as_str() {
                Some(template) => template.to_string(),
                None => templated(e["path"].as_str().unwrap_or("?")),
            };
            format!("{} {path}", e["method"].as_str().unwrap_or("?"))
        })
        .collect()
}
