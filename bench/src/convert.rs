//! The core's plain protocol types to and from the host's WIT bindings (wasmtime), and to the
//! JSON shapes jco's bindings take in Node. Only converts; the drivers time nothing here.

use anyhow::{Result, bail};
use pam_approvals::protocol as core;
use pam_approvals_host::runtime as wit;
use serde_json::{Value, json};

pub fn invocation_to_wit(invocation: &core::Invocation) -> Result<wit::Invocation> {
    match invocation {
        core::Invocation::WebTrigger { trigger, request } => Ok(wit::Invocation::WebTrigger(wit::WebTriggerCall {
            trigger: trigger.clone(),
            request: wit::HttpRequest {
                method: request.method.clone(),
                url: request.url.clone(),
                headers: request.headers.clone(),
                body: request.body.clone(),
            },
        })),
        other => bail!("the benchmarks replay web triggers only, not {other:?}"),
    }
}

pub fn reply_to_wit(reply: &core::Reply) -> wit::Reply {
    match reply {
        core::Reply::Http(r) => wit::Reply::Http(wit::HttpResponse {
            status: r.status,
            headers: r.headers.clone(),
            body: r.body.clone(),
        }),
        core::Reply::Value(v) => wit::Reply::Value(v.clone()),
        core::Reply::Claimed(c) => wit::Reply::Claimed(*c),
        core::Reply::Done => wit::Reply::Done,
        core::Reply::Time(t) => wit::Reply::Time(*t),
        core::Reply::Failed(f) => wit::Reply::Failed(f.clone()),
    }
}

/// A step the component returned, as the core's type (to check where a replay ended).
pub fn step_from_wit(step: wit::Step) -> core::Step {
    match step {
        wit::Step::Done(outcome) => core::Step::Done(match outcome {
            wit::Outcome::Http(r) => core::Outcome::Http(core::HttpResponse {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            wit::Outcome::Value(v) => core::Outcome::Value(v),
            wit::Outcome::Error(e) => core::Outcome::Error(e),
            wit::Outcome::Retry(r) => core::Outcome::Retry {
                after_ms: r.after_ms,
                reason: r.reason,
            },
        }),
        wit::Step::Call(call) => core::Step::Call(call_from_wit(call)),
    }
}

fn call_from_wit(call: wit::Call) -> core::Call {
    match call {
        wit::Call::Jira(r) => core::Call::Jira {
            actor: match r.actor {
                wit::Actor::App => core::Actor::App,
                wit::Actor::User => core::Actor::User,
            },
            method: r.method,
            path: r.path,
            body: r.body,
        },
        wit::Call::Fetch(r) => core::Call::Fetch(core::HttpRequest {
            method: r.method,
            url: r.url,
            headers: r.headers,
            body: r.body,
        }),
        wit::Call::KvGet(k) => core::Call::KvGet(k),
        wit::Call::KvSet((k, v)) => core::Call::KvSet(k, v),
        wit::Call::KvSetIfAbsent((k, v)) => core::Call::KvSetIfAbsent(k, v),
        wit::Call::KvDelete(k) => core::Call::KvDelete(k),
        wit::Call::SecretGet(k) => core::Call::SecretGet(k),
        wit::Call::SecretSet((k, v)) => core::Call::SecretSet(k, v),
        wit::Call::QueuePush(p) => core::Call::QueuePush {
            queue: p.queue,
            payload: p.payload,
            delay_ms: p.delay_ms,
        },
        wit::Call::Now => core::Call::Now,
        wit::Call::Sleep(ms) => core::Call::Sleep(ms),
        wit::Call::Random(n) => core::Call::Random(n),
        wit::Call::Log((level, message)) => core::Call::Log(
            match level {
                wit::LogLevel::Debug => core::LogLevel::Debug,
                wit::LogLevel::Info => core::LogLevel::Info,
                wit::LogLevel::Warn => core::LogLevel::Warn,
                wit::LogLevel::Error => core::LogLevel::Error,
            },
            message,
        ),
    }
}

/// The invocation as jco's bindings take it (`{tag, val}` variants, camelCase records, tuples as
/// arrays). `bench/node/replay.mjs` only turns `null` into `undefined` and times into BigInt.
pub fn invocation_to_jco(invocation: &core::Invocation) -> Result<Value> {
    match invocation {
        core::Invocation::WebTrigger { trigger, request } => Ok(json!({
            "tag": "web-trigger",
            "val": {"trigger": trigger, "request": http_request_to_jco(request)},
        })),
        other => bail!("the benchmarks replay web triggers only, not {other:?}"),
    }
}

fn http_request_to_jco(r: &core::HttpRequest) -> Value {
    json!({"method": r.method, "url": r.url, "headers": r.headers, "body": r.body})
}

pub fn reply_to_jco(reply: &core::Reply) -> Value {
    match reply {
        core::Reply::Http(r) => {
            json!({"tag": "http", "val": {"status": r.status, "headers": r.headers, "body": r.body}})
        }
        core::Reply::Value(v) => json!({"tag": "value", "val": v}),
        core::Reply::Claimed(c) => json!({"tag": "claimed", "val": c}),
        core::Reply::Done => json!({"tag": "done"}),
        core::Reply::Time(t) => json!({"tag": "time", "val": t}),
        core::Reply::Failed(f) => json!({"tag": "failed", "val": f}),
    }
}
