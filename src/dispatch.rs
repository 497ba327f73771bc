//! Routes an invocation to its workflow.

use crate::caps::Caps;
use crate::protocol::{Invocation, Outcome};
use crate::resolver::Context;
use crate::{admin, jira, jobs, providers, webtrigger};

pub async fn run(caps: Caps, invocation: Invocation) -> Outcome {
    match invocation {
        Invocation::WebTrigger { trigger, request } => {
            Outcome::Http(webtrigger::handle(&caps, &trigger, &request).await)
        }
        Invocation::Configure(document) => {
            // `"provider": "pra"` names the section; documents without it are the first's (EPM).
            let named = serde_json::from_str::<serde_json::Value>(&document)
                .ok()
                .and_then(|d| d.get("provider").and_then(|p| p.as_str()).map(String::from));
            match providers::settings_page(named.as_deref()) {
                Some(page) => (page.provision)(&caps, &document).await,
                None => Outcome::Error(match named {
                    Some(name) => format!("this build of the app has no settings for \"{}\"", printable(&name)),
                    None => "this build of the app has no settings to configure".into(),
                }),
            }
        }
        Invocation::Resolver { name, payload, context } => resolve(&caps, &name, &payload, &context).await,
        Invocation::Job {
            queue,
            payload,
            attempt,
        } => job(&caps, &queue, &payload, attempt).await,
        Invocation::Event { event_type, payload } => event(&caps, &event_type, &payload).await,
        Invocation::Tick(name) => match providers::by_tick(&name) {
            Some(provider) => (provider.tick)(&caps, &name).await,
            None => Outcome::Error(format!("unknown scheduled trigger \"{}\"", printable(&name))),
        },
    }
}

/// Runs a queued job and decides, from how far it got, whether it runs again.
async fn job(caps: &Caps, queue: &str, payload: &str, attempt: u32) -> Outcome {
    let job = match jobs::parse(queue, payload) {
        Ok(job) => job,
        Err(outcome) => return outcome,
    };
    let progress = match providers::by_job_kind(&job.kind) {
        Some(provider) => (provider.job)(caps, &job).await,
        None => jobs::Progress::Failed(format!("unknown job kind \"{}\"", printable(&job.kind))),
    };
    jobs::conclude(caps, &job, attempt, progress).await
}

/// A Jira product event: the provider whose request the issue is handles it; an event about
/// any other issue is answered as ignored (the app subscribes to every issue's updates).
async fn event(caps: &Caps, event_type: &str, payload: &str) -> Outcome {
    let event = match jira::events::parse(event_type, payload) {
        Ok(event) => event,
        Err(e) => return Outcome::Error(e),
    };
    for provider in providers::with_issue_events() {
        if let Some(handle) = provider.issue_event
            && let Some(outcome) = handle(caps, &event).await
        {
            return outcome;
        }
    }
    let reason = if event.status.is_none() {
        "not a status change"
    } else {
        "not an issue of a request the app decides in Jira"
    };
    Outcome::Value(serde_json::json!({"issue": event.issue_key, "changelog": event.changelog_id, "result": "ignored", "reason": reason}).to_string())
}

/// Runs a page's resolver. An invocation that cannot be routed is an error for the host; every
/// answer the page should show is a value (`docs/resolvers.md`).
async fn resolve(caps: &Caps, name: &str, payload: &str, context: &str) -> Outcome {
    let context = match Context::parse(context) {
        Ok(context) => context,
        Err(e) => return Outcome::Error(e),
    };
    let payload: serde_json::Value = match payload.trim() {
        "" => serde_json::Value::Null,
        text => match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => return Outcome::Error(format!("the resolver payload is not JSON: {e}")),
        },
    };
    if let Some(provider) = providers::by_resolver(name) {
        return (provider.resolve)(caps, name, &payload, &context).await;
    }
    match admin::resolvers::run(caps, name, &payload, &context).await {
        Some(outcome) => outcome,
        None => Outcome::Error(format!("unknown resolver \"{}\"", printable(name))),
    }
}

/// Every resolver name the core answers: the providers' and the configuration page's.
pub fn resolver_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = providers::ALL
        .iter()
        .flat_map(|p| p.resolvers.iter().copied())
        .collect();
    if providers::settings_page(None).is_some() {
        names.extend(admin::resolvers::NAMES);
    }
    names
}

/// A caller's name as a message quotes it.
fn printable(s: &str) -> String {
    crate::text::printable(s, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration page's names are its own: no provider claims one.
    #[test]
    fn resolver_names_are_routed_to_one_place() {
        for name in admin::resolvers::NAMES {
            assert!(
                providers::by_resolver(name).is_none(),
                "{name} is the configuration page's"
            );
        }
        let names = resolver_names();
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }
}
