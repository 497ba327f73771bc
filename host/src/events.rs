//! Jira product events, the local mirror of Forge's `trigger` module on
//! `avi:jira:updated:issue`: each event the Jira target emits (the sandbox Jira's issue updates)
//! runs as `Invocation::Event` with the same runtime and capabilities as web triggers, acting as
//! the app. As on Forge, delivery is asynchronous, unordered (each event in its own task) and at
//! least once: a run that fails (the host failed, or the core answered an error) is delivered
//! again with backoff, a few times. The manifest's `filter.ignoreSelf` is mirrored: a change the
//! app itself made is not delivered.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::capabilities::Capabilities;
use crate::runtime::{Invocation, Outcome, RunContext, Runtime};
use crate::wit::EventCall;

/// Deliveries of one event at most.
const ATTEMPTS: u32 = 4;
/// The first redelivery waits this long; each next one twice as long.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// Where events come from: the receiver, and the app's own account on that Jira (its changes
/// are not delivered, as with Forge's `ignoreSelf`).
pub struct Feed {
    pub events: UnboundedReceiver<Value>,
    pub app_account: String,
}

/// Delivers every event from the feed to the app until the sender is gone.
pub fn spawn(runtime: Arc<Runtime>, caps: Arc<Capabilities>, feed: Feed) {
    let Feed {
        mut events,
        app_account,
    } = feed;
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if event["atlassianId"].as_str() == Some(app_account.as_str()) {
                tracing::debug!("the app's own change is not delivered (ignoreSelf)");
                continue;
            }
            tokio::spawn(deliver(Arc::clone(&runtime), Arc::clone(&caps), event));
        }
    });
}

/// One event's deliveries: the run's answer when it ends well, else the last failure.
pub async fn deliver(runtime: Arc<Runtime>, caps: Arc<Capabilities>, event: Value) -> Result<String, String> {
    let event_type = event["eventType"].as_str().unwrap_or_default().to_string();
    let payload = event.to_string();
    let mut wait = FIRST_RETRY;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let invocation = Invocation::Event(EventCall {
            event_type: event_type.clone(),
            payload: payload.clone(),
        });
        match runtime.run(invocation, &*caps, &RunContext::default()).await {
            Ok((Outcome::Value(answer), _)) => {
                tracing::info!(event = %event_type, "event handled: {answer}");
                return Ok(answer);
            }
            Ok((Outcome::Error(message), _)) => last = message,
            Ok((other, _)) => last = format!("the run ended without a value ({})", outcome_kind(&other)),
            Err(e) => last = format!("{e:#}"),
        }
        tracing::warn!(event = %event_type, attempt, "event not handled: {last}");
        if attempt < ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    Err(last)
}

fn outcome_kind(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Http(_) => "http",
        Outcome::Value(_) => "value",
        Outcome::Error(_) => "error",
        Outcome::Retry(_) => "retry",
    }
}
