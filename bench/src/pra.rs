//! BeyondTrust PRA through a real host: the time from the appliance's request to the app's
//! answer arriving at the (sandbox) appliance, and the calls one PRA decision costs. Each run:
//! a pending request made at the sandbox appliance, its form posted to the `pra-ticket` web
//! trigger with the URL secret the sandbox generated, then the appliance polled until it has the
//! answer (the queued `pra.decide` job decides, answers and audits the issue).

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use pam_approvals_host::credentials;
use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::calls::{OpCalls, Operation, mark, since};
use crate::host::process::HostProcess;
use crate::summary::Figure;

/// How often the appliance is asked whether the answer arrived (the latency's resolution).
const POLL: Duration = Duration::from_millis(2);

pub struct Measured {
    pub latency: Figure,
    pub operations: Vec<Operation>,
}

/// `reps` allowed requests on one change ticket (after a first one, which also fills the user
/// cache), and `reps` denied ones (a ticket in another project: no Jira call).
pub async fn measure(reps: usize) -> Result<Measured> {
    let host = HostProcess::start("pra").await?;
    let secret = credentials::pra_url_secret(host.data_dir())
        .ok_or_else(|| anyhow::anyhow!("the sandbox made no PRA URL secret"))?;
    let ticket = change_ticket(&host).await?;
    let mut latency = Figure::new(
        "PRA request → answer at the appliance (allowed, through the queue)",
        " ms",
    );
    let mut first = Operation {
        name: "first PRA request of a fresh host (allowed; empty user cache)",
        runs: Vec::new(),
    };
    let mut allowed = Operation {
        name: "PRA request allowed (web trigger, job: decide, answer, audit)",
        runs: Vec::new(),
    };
    let mut denied = Operation {
        name: "PRA request denied by the project rule",
        runs: Vec::new(),
    };
    for i in 0..=reps {
        let (calls, took) = one(&host, &secret, &format!("bench-allow-{i}"), &ticket, "allow").await?;
        if i == 0 {
            first.runs.push(calls);
        } else {
            allowed.runs.push(calls);
            latency.values.push(took.as_secs_f64() * 1000.0);
        }
    }
    for i in 0..reps {
        let (calls, _) = one(&host, &secret, &format!("bench-deny-{i}"), "PMCJIT-1", "deny").await?;
        denied.runs.push(calls);
    }
    host.stop().await;
    Ok(Measured {
        latency,
        operations: vec![first, allowed, denied],
    })
}

/// One request from the appliance to its answer: the calls it cost and how long it took.
async fn one(
    host: &HostProcess,
    secret: &str,
    request_id: &str,
    ticket: &str,
    want: &str,
) -> Result<(OpCalls, Duration)> {
    let made = post_json(
        host,
        "/sandbox/pra/_sandbox/requests",
        &json!({"requestId": request_id, "ticketId": ticket}),
    )
    .await?;
    let form = made["form"].as_str().unwrap_or_default().to_string();
    let before = mark(host).await?;
    let started = Instant::now();
    let sent = host
        .client
        .post(host.url(&format!("/x/pra-ticket?secret={secret}")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await?;
    if sent.status().as_u16() != 202 {
        bail!("PRA request {request_id}: HTTP {}", sent.status());
    }
    let answer = loop {
        let state = crate::host::process::get_json(
            &host.client,
            &host.url(&format!("/sandbox/pra/_sandbox/requests/{request_id}")),
        )
        .await?;
        if state["state"] != "pending" {
            break state;
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("PRA request {request_id}: no answer within 30 s");
        }
        tokio::time::sleep(POLL).await;
    };
    let took = started.elapsed();
    if answer["response"]["response"] != want {
        bail!("PRA request {request_id}: {answer}, expected {want}");
    }
    // The audit follows the answer in the same job: wait for the queue to be idle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok((since(host, &before, "/sandbox/pra/_sandbox/log").await?, took))
}

/// An OPS change ticket assigned to Bob Requester (the appliance's default user), listing the
/// appliance's default Jump Item, moved to In Progress; made as Carol Admin.
async fn change_ticket(host: &HostProcess) -> Result<String> {
    let made = as_carol(
        host,
        "/rest/api/3/issue",
        &json!({"fields": {
            "project": {"id": seed::OPS_PROJECT_ID},
            "issuetype": {"id": seed::TASK_TYPE_ID},
            "summary": "Patch the web tier",
            "assignee": {"accountId": seed::BOB_REQUESTER},
            (seed::AFFECTED_ASSETS_FIELD): ["web-01"],
        }}),
    )
    .await?;
    let key = made["key"].as_str().unwrap_or_default().to_string();
    as_carol(
        host,
        &format!("/rest/api/3/issue/{key}/transitions"),
        &json!({"transition": {"id": "51"}}),
    )
    .await?;
    Ok(key)
}

async fn as_carol(host: &HostProcess, path: &str, body: &Value) -> Result<Value> {
    let sent = host
        .client
        .post(host.url(&format!("/sandbox/jira{path}")))
        .basic_auth("carol@example.com", Some(seed::SANDBOX_PASSWORD))
        .json(body)
        .send()
        .await?;
    if !sent.status().is_success() {
        bail!("sandbox Jira {path}: HTTP {}", sent.status());
    }
    Ok(sent.json().await.unwrap_or(Value::Null))
}

async fn post_json(host: &HostProcess, path: &str, body: &Value) -> Result<Value> {
    let sent = host.client.post(host.url(path)).json(body).send().await?;
    if !sent.status().is_success() {
        bail!("POST {path}: HTTP {}", sent.status());
    }
    Ok(sent.json().await?)
}
