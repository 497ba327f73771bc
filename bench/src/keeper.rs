//! Keeper through a real host: what an alert's issue and one Keeper decision cost (Jira calls,
//! KV operations, Commander round trips) and how long a decision takes from the approver's click
//! to the answer (the action through Commander's queue and the read-back of Keeper's state).
//! Each run: a pending KEPM request added to the sandbox Commander, its alert posted to the
//! `keeper-alert` web trigger with the token the sandbox generated (201, the issue), the panel's
//! `keeper.request`, then `keeper.decide` approve through the host's bridge as Carol Admin (a
//! Jira administrator).

use std::time::Instant;

use anyhow::{Result, bail};
use pam_approvals_host::credentials;
use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::calls::{OpCalls, Operation, mark, since};
use crate::host::process::HostProcess;
use crate::summary::Figure;

pub const KEEPER_LOG: &str = "/sandbox/keeper/_sandbox/log";

pub struct Measured {
    pub latency: Figure,
    pub operations: Vec<Operation>,
}

pub async fn measure(reps: usize) -> Result<Measured> {
    let host = HostProcess::start("keeper").await?;
    let token = credentials::keeper_alert_token(host.data_dir())
        .ok_or_else(|| anyhow::anyhow!("the sandbox made no Keeper alert token"))?;
    let mut latency = Figure::new(
        "Keeper decision: approve click → answer (action through Commander's queue, Keeper read back, recorded)",
        " ms",
    );
    let mut alerts = Operation {
        name: "Keeper alert → issue (KEPM request)",
        runs: Vec::new(),
    };
    let mut views = Operation {
        name: "Keeper panel view (`keeper.request`: Keeper read live)",
        runs: Vec::new(),
    };
    let mut decisions = Operation {
        name: "Keeper decision (`keeper.decide` approve: action, read-back, note, status, property)",
        runs: Vec::new(),
    };
    for i in 0..=reps {
        let uid = kepm_request(&host).await?;
        let before = mark(&host).await?;
        let key = alert(&host, &token, &uid).await?;
        let alert_calls = since(&host, &before, KEEPER_LOG).await?;
        let before = mark(&host).await?;
        invoke(&host, "keeper.request", &key, json!({})).await?;
        let view_calls = since(&host, &before, KEEPER_LOG).await?;
        let before = mark(&host).await?;
        let started = Instant::now();
        let answer = invoke(&host, "keeper.decide", &key, json!({"decision": "approve"})).await?;
        let took = started.elapsed();
        if answer["view"]["outcome"]["result"] != "approved" {
            bail!("keeper.decide on {key}: {answer}");
        }
        let decision_calls: OpCalls = since(&host, &before, KEEPER_LOG).await?;
        // The first of each is a fresh host's (empty caches): kept out of the steady state.
        if i > 0 {
            alerts.runs.push(alert_calls);
            views.runs.push(view_calls);
            decisions.runs.push(decision_calls);
            latency.values.push(took.as_secs_f64() * 1000.0);
        }
    }
    host.stop().await;
    Ok(Measured {
        latency,
        operations: vec![alerts, views, decisions],
    })
}

/// A pending KEPM request of Alice Approver's, made now at the sandbox Commander: its UID.
async fn kepm_request(host: &HostProcess) -> Result<String> {
    let sent = host
        .client
        .post(host.url("/sandbox/keeper/_sandbox/kepm"))
        .json(&json!({"accountInfo": {"username": "alice@example.com", "domain": "CORP"}, "createdSecondsAgo": 5}))
        .send()
        .await?;
    if !sent.status().is_success() {
        bail!("sandbox Commander: HTTP {}", sent.status());
    }
    let made: Value = sent.json().await?;
    made["uid"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| anyhow::anyhow!("the sandbox Commander answered no uid: {made}"))
}

/// Posts the request's alert: the issue key.
async fn alert(host: &HostProcess, token: &str, uid: &str) -> Result<String> {
    let body = json!({
        "alert_name": "Agent created approval request",
        "timestamp": "2026-11-29T12:00:00Z",
        "username": "alice@example.com",
        "json": {"audit_event": "approval_request_created", "username": "alice@example.com", "request_uid": uid},
    });
    let sent = host
        .client
        .post(host.url("/x/keeper-alert"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = sent.status().as_u16();
    let answer: Value = sent.json().await.unwrap_or(Value::Null);
    if status != 201 {
        bail!("Keeper alert {uid}: HTTP {status} {answer}");
    }
    Ok(answer["issueKey"].as_str().unwrap_or_default().to_string())
}

/// A panel resolver through the host's bridge, signed in as Carol Admin.
async fn invoke(host: &HostProcess, name: &str, key: &str, payload: Value) -> Result<Value> {
    let sent = host
        .client
        .post(host.url("/bridge/invoke"))
        .header(
            "Cookie",
            format!("pam_sandbox_user={}", seed::CAROL_ADMIN.replace(':', "%3A")),
        )
        .json(&json!({"functionKey": name, "payload": payload, "context": {"extension": {"issue": {"key": key}}}}))
        .send()
        .await?;
    let status = sent.status().as_u16();
    let answer: Value = sent.json().await.unwrap_or(Value::Null);
    if status != 200 || answer["ok"] != json!(true) {
        bail!("{name} on {key}: HTTP {status} {answer}");
    }
    Ok(answer)
}
