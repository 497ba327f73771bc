//! One folder per PAM system, and the table the core routes through. A provider declares here
//! what it answers (web triggers, resolvers, job kinds, scheduled ticks, egress, its settings
//! page); `dispatch`, `webtrigger` and `admin` find it by those names and know nothing else of it.
//! A provider never imports another provider or `admin`; removing one is its folder, its cargo
//! feature and its line in [`ALL`].

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::caps::Caps;
use crate::jira::events::IssueUpdated;
use crate::jobs::{Job, Progress};
use crate::protocol::{HttpRequest, HttpResponse, Outcome};
use crate::resolver::{Context, Refusal};

#[cfg(feature = "epm")]
pub mod epm;
#[cfg(feature = "keeper")]
pub mod keeper;
#[cfg(feature = "pra")]
pub mod pra;

/// Every provider this build has.
pub static ALL: &[&Provider] = &[
    #[cfg(feature = "epm")]
    &epm::PROVIDER,
    #[cfg(feature = "pra")]
    &pra::PROVIDER,
    #[cfg(feature = "keeper")]
    &keeper::PROVIDER,
];

/// A provider's work, boxed so that the table can hold it (the core runs one future at a time,
/// so nothing here needs `Send`).
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A provider's handler of Jira's issue-updated events (`Provider::issue_event`).
pub type IssueEvent = for<'a> fn(&'a Caps, &'a IssueUpdated) -> Boxed<'a, Option<Outcome>>;

pub struct Provider {
    /// Short name: the settings section, key prefixes, the cargo feature (`epm`).
    pub name: &'static str,
    /// How messages name the system ("EPM").
    pub title: &'static str,
    /// Module keys of its `webtrigger` modules in the manifest.
    pub web_triggers: &'static [&'static str],
    /// Names of the resolvers its pages call.
    pub resolvers: &'static [&'static str],
    /// Kinds of the jobs it queues (`jobs::Job::kind`).
    pub job_kinds: &'static [&'static str],
    /// Keys of its `scheduledTrigger` modules.
    pub ticks: &'static [&'static str],
    /// The manifest's `permissions.external.fetch.backend` entries it needs.
    pub egress: &'static [&'static str],
    /// A web trigger request that passed the generic checks (method, size).
    pub web_trigger: for<'a> fn(&'a Caps, &'a str, &'a HttpRequest) -> Boxed<'a, HttpResponse>,
    /// One of its resolvers, with the parsed payload.
    pub resolve: for<'a> fn(&'a Caps, &'a str, &'a Value, &'a Context) -> Boxed<'a, Outcome>,
    /// One of its jobs; the queue decides from the progress whether it runs again.
    pub job: for<'a> fn(&'a Caps, &'a Job) -> Boxed<'a, Progress>,
    /// One of its scheduled ticks.
    pub tick: for<'a> fn(&'a Caps, &'a str) -> Boxed<'a, Outcome>,
    /// Its part of the configuration page, if it has settings.
    pub settings: Option<&'static SettingsPage>,
    /// A Jira issue-updated event; `None` (from the function) when the issue is not one of its
    /// requests. Providers without decisions in Jira have none.
    pub issue_event: Option<IssueEvent>,
    /// The event and request a web trigger's body names, for the diagnostics' list of
    /// deliveries (`None` when the body does not say). Never a secret or a PRA ticket ID.
    pub describe: Option<fn(&HttpRequest) -> Option<Described>>,
}

/// What a provider reads from a web trigger's body for the diagnostics' list of deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The event, as the provider names it ("ticket created").
    pub event: String,
    /// The PAM system's id of the request ("" when the body names none).
    pub request: String,
}

/// A provider's settings on the configuration page (`admin.*` resolvers, after the caller was
/// found to be a Jira administrator) and in host provisioning.
pub struct SettingsPage {
    /// `admin.config`: the page's view model.
    pub view: for<'a> fn(&'a Caps, &'a Context) -> Boxed<'a, Result<Value, Refusal>>,
    /// `admin.save`: validates and stores what the page sent; answers the new view model.
    pub save: for<'a> fn(&'a Caps, &'a Value, &'a Context) -> Boxed<'a, Result<Value, Refusal>>,
    /// `admin.validate`: the configuration checks against the live systems.
    pub checks: for<'a> fn(&'a Caps) -> Boxed<'a, Result<Value, Refusal>>,
    /// `invocation::configure`: a provisioning document from the host.
    pub provision: for<'a> fn(&'a Caps, &'a str) -> Boxed<'a, Outcome>,
}

/// `resolve` of a provider without resolvers (its `resolvers` list is empty, so nothing is
/// routed to it; an error if something were).
pub fn no_resolver<'a>(_: &'a Caps, name: &'a str, _: &'a Value, _: &'a Context) -> Boxed<'a, Outcome> {
    Box::pin(async move { Outcome::Error(format!("no resolver \"{}\" here", crate::text::printable(name, 60))) })
}

/// `tick` of a provider without scheduled triggers (likewise never routed to).
pub fn no_tick<'a>(_: &'a Caps, key: &'a str) -> Boxed<'a, Outcome> {
    Box::pin(async move {
        Outcome::Error(format!(
            "no scheduled trigger \"{}\" here",
            crate::text::printable(key, 60)
        ))
    })
}

fn find(matches: impl Fn(&Provider) -> bool) -> Option<&'static Provider> {
    ALL.iter().copied().find(|provider| matches(provider))
}

pub fn by_web_trigger(key: &str) -> Option<&'static Provider> {
    find(|p| p.web_triggers.contains(&key))
}

pub fn by_resolver(name: &str) -> Option<&'static Provider> {
    find(|p| p.resolvers.contains(&name))
}

pub fn by_job_kind(kind: &str) -> Option<&'static Provider> {
    find(|p| p.job_kinds.contains(&kind))
}

pub fn by_tick(key: &str) -> Option<&'static Provider> {
    find(|p| p.ticks.contains(&key))
}

/// The providers that take issue-updated events, in table order.
pub fn with_issue_events() -> impl Iterator<Item = &'static Provider> {
    ALL.iter().copied().filter(|p| p.issue_event.is_some())
}

/// The settings the configuration page and provisioning work on: the section of the provider
/// named, or the first provider's with settings when none is named (the page and documents
/// from before there were sections are EPM's).
pub fn settings_page(section: Option<&str>) -> Option<&'static SettingsPage> {
    match section {
        Some(name) => find(|p| p.name == name).and_then(|p| p.settings),
        None => ALL.iter().find_map(|provider| provider.settings),
    }
}

/// The names of the providers with a settings section, in table order.
pub fn settings_sections() -> Vec<&'static str> {
    ALL.iter().filter(|p| p.settings.is_some()).map(|p| p.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No name is claimed twice, so routing by name is unambiguous.
    #[test]
    fn names_are_unique_across_providers() {
        let mut seen = std::collections::BTreeSet::new();
        for provider in ALL {
            assert!(seen.insert(format!("provider {}", provider.name)));
            let lists = [
                ("web trigger", provider.web_triggers),
                ("resolver", provider.resolvers),
                ("job kind", provider.job_kinds),
                ("tick", provider.ticks),
            ];
            for (what, names) in lists {
                for name in names {
                    assert!(seen.insert(format!("{what} {name}")), "{what} {name} is declared twice");
                }
            }
        }
    }
}
