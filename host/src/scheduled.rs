//! Scheduled triggers, the local mirror of Forge's `scheduledTrigger` module: each known trigger
//! runs as `Invocation::Tick(key)` with the same runtime and capabilities as web triggers, on a
//! timer (`serve --expiry-interval`) or on demand (`POST /_sandbox/scheduled/{key}`). A trigger
//! never overlaps itself: a timer beat that finds it running is skipped, an on-demand run waits.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use anyhow::Result;
use tokio::sync::Mutex;

use crate::capabilities::Capabilities;
use crate::runtime::{Invocation, Outcome, RunContext, Runtime};

struct Trigger {
    key: &'static str,
    /// Held while the trigger runs. Process-wide because one host process runs one app.
    running: Mutex<()>,
}

/// The manifest's `scheduledTrigger` modules.
static TRIGGERS: LazyLock<Vec<Trigger>> = LazyLock::new(|| {
    pam_manifest::app()
        .scheduled_triggers
        .iter()
        .map(|trigger| Trigger {
            key: trigger.key.as_str(),
            running: Mutex::const_new(()),
        })
        .collect()
});

/// The keys of the known scheduled triggers.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TRIGGERS.iter().map(|trigger| trigger.key)
}

fn trigger(key: &str) -> Option<&'static Trigger> {
    TRIGGERS.iter().find(|trigger| trigger.key == key)
}

/// Runs trigger `key` now, after any run of it still going; None for an unknown key.
pub async fn run_now(runtime: &Runtime, caps: &Arc<Capabilities>, key: &str) -> Option<Result<Outcome>> {
    let trigger = trigger(key)?;
    let _running = trigger.running.lock().await;
    let result = tick(runtime, caps, key).await;
    log(key, &result);
    Some(result)
}

/// Runs trigger `key` every `every`, the first time one interval after start. Does nothing for
/// an unknown key.
pub fn spawn(runtime: Arc<Runtime>, caps: Arc<Capabilities>, key: &str, every: Duration) {
    let Some(trigger) = trigger(key) else {
        tracing::error!(trigger = key, "no such scheduled trigger");
        return;
    };
    let key = trigger.key;
    tokio::spawn(async move {
        let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        // A slow run delays the next beat rather than bunching beats up behind it.
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            let Ok(_running) = trigger.running.try_lock() else {
                tracing::debug!(trigger = key, "still running; this beat is skipped");
                continue;
            };
            let result = tick(&runtime, &caps, key).await;
            log(key, &result);
        }
    });
}

async fn tick(runtime: &Runtime, caps: &Arc<Capabilities>, key: &str) -> Result<Outcome> {
    // Scheduled triggers have no user: their Jira calls act as the app, as on Forge.
    runtime
        .run(Invocation::Tick(key.to_string()), caps, &RunContext::default())
        .await
        .map(|(outcome, _)| outcome)
}

/// Info when the run did something (a non-empty `expired` or `failed` list), warn for failures,
/// debug when there was nothing to do.
fn log(key: &str, result: &Result<Outcome>) {
    match result {
        Ok(Outcome::Value(value)) => {
            let parsed: serde_json::Value = serde_json::from_str(value).unwrap_or_default();
            let non_empty = |name: &str| parsed[name].as_array().is_some_and(|items| !items.is_empty());
            if non_empty("failed") {
                tracing::warn!(trigger = key, "scheduled trigger ran with failures: {value}");
            } else if non_empty("expired") {
                tracing::info!(trigger = key, "scheduled trigger ran: {value}");
            } else {
                tracing::debug!(trigger = key, "scheduled trigger ran: {value}");
            }
        }
        Ok(Outcome::Error(message)) => tracing::warn!(trigger = key, "scheduled trigger failed: {message}"),
        Ok(Outcome::Http(response)) => tracing::warn!(
            trigger = key,
            status = response.status,
            "scheduled trigger answered with an HTTP response, which ticks do not have"
        ),
        Ok(Outcome::Retry(retry)) => tracing::warn!(
            trigger = key,
            "scheduled trigger asked to be retried, which only jobs may (the next beat runs it again): {}",
            retry.reason
        ),
        Err(e) => tracing::error!(trigger = key, "scheduled trigger run failed: {e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifests_triggers_exist_and_no_others() {
        assert_eq!(keys().collect::<Vec<_>>(), ["epm-expiry", "keeper-expiry"]);
        assert!(trigger("epm-expiry").is_some() && trigger("keeper-expiry").is_some());
        assert!(trigger("nope").is_none() && trigger("").is_none());
    }
}
