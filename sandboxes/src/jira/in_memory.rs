//! The sandbox Jira run synchronously in memory, for the core's test world: a fresh seeded
//! SQLite database in memory, and [`InMemoryJira::handle`], which sends one request through the
//! same router and gate the host mounts (contract check, caller, faults, log) on a
//! current-thread runtime and waits for its answer.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pam_contracts_check::Contracts;
use serde_json::Value;
use tower::ServiceExt;

use super::seed::SANDBOX_PASSWORD;
use super::{Catalog, JiraSandbox};

/// Where the in-memory sandbox says it lives (its `self` links).
pub const IN_MEMORY_BASE_URL: &str = "https://acme.atlassian.net";

/// One answer of the sandbox: status, headers, body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A seeded sandbox Jira in memory, driven synchronously.
pub struct InMemoryJira {
    sandbox: Arc<JiraSandbox>,
    router: Router,
    /// Always `Some` until dropped (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    /// The sandbox's issue-updated events, subscribed at creation ([`InMemoryJira::take_events`]).
    events: Mutex<tokio::sync::mpsc::UnboundedReceiver<Value>>,
}

impl JiraSandbox {
    /// A fresh sandbox Jira on an in-memory database with the seed (see [`InMemoryJira`]).
    pub fn in_memory(contracts: Arc<Contracts>) -> anyhow::Result<InMemoryJira> {
        JiraSandbox::in_memory_with(contracts, |_| {})
    }

    /// `in_memory` with the seed's site configuration changed first by `change` (a project
    /// permission the app lacks, a status no transition reaches, ...).
    pub fn in_memory_with(
        contracts: Arc<Contracts>,
        change: impl FnOnce(&mut Catalog),
    ) -> anyhow::Result<InMemoryJira> {
        let mut site = super::seed::catalog();
        change(&mut site);
        let sandbox = JiraSandbox::open_seeded(std::path::Path::new(":memory:"), IN_MEMORY_BASE_URL, contracts, &site)?;
        let router = sandbox.router();
        let events = Mutex::new(sandbox.subscribe_events());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
        Ok(InMemoryJira {
            sandbox,
            router,
            runtime: Some(runtime),
            events,
        })
    }
}

impl InMemoryJira {
    /// Sends one request as `caller` (an account id; `None` is the app, as a request without
    /// `Authorization` is) and waits for the answer. A caller the seed does not know, or one
    /// without an e-mail to sign in with, is answered 401 as Jira would.
    pub fn handle(&self, caller: Option<&str>, method: &str, path_and_query: &str, body: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(path_and_query);
        if let Some(account_id) = caller {
            let email = self
                .sandbox
                .catalog
                .user(account_id)
                .and_then(|user| user.email.clone())
                .unwrap_or_else(|| format!("unknown-account:{account_id}"));
            let credentials = STANDARD.encode(format!("{email}:{SANDBOX_PASSWORD}"));
            request = request.header("authorization", format!("Basic {credentials}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Body::from(body.unwrap_or("").to_string()))
            .expect("a request the router can take");
        let answer = async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("the router is infallible");
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
                .collect();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("the sandbox's body reads");
            Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        };
        // A caller inside a runtime (an async benchmark recording a script) cannot block its
        // thread on another runtime: the request then runs on a thread of its own.
        if tokio::runtime::Handle::try_current().is_ok() {
            return std::thread::scope(|scope| {
                scope
                    .spawn(|| self.runtime().block_on(answer))
                    .join()
                    .expect("the sandbox's request thread")
            });
        }
        self.runtime().block_on(answer)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the runtime lives as long as the sandbox")
    }

    /// The issue-updated events (`avi:jira:updated:issue`, Forge's shape) made since the last
    /// take, oldest first.
    pub fn take_events(&self) -> Vec<Value> {
        let mut receiver = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut events = Vec::new();
        while let Ok(event) = receiver.try_recv() {
            events.push(event);
        }
        events
    }

    /// Every issue, oldest first, as `GET /_sandbox/issues` shows it: all fields, all
    /// properties, the comments (each with `internal` and `plainText`).
    pub fn issues(&self) -> Vec<Value> {
        let answer = self.handle(None, "GET", "/_sandbox/issues", None);
        assert_eq!(answer.status, 200, "{}", answer.body);
        serde_json::from_str(&answer.body).expect("the issue dump is JSON")
    }

    /// The issue with this key or id, as [`InMemoryJira::issues`] shows it.
    pub fn issue(&self, key_or_id: &str) -> Option<Value> {
        self.issues()
            .into_iter()
            .find(|issue| issue["key"] == key_or_id || issue["id"] == key_or_id)
    }
}

/// Dropping a runtime blocks until its threads end, which tokio refuses inside another
/// runtime (a benchmark dropping its test world in async code); this one has nothing running
/// between requests, so it is let go without waiting.
impl Drop for InMemoryJira {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::seed;

    fn jira() -> InMemoryJira {
        JiraSandbox::in_memory(Arc::new(Contracts::load().expect("contracts"))).expect("sandbox")
    }

    /// A request goes through the gate: the contract refuses a broken body before any route.
    #[test]
    fn requests_pass_the_gate() {
        let jira = jira();
        let refused = jira.handle(None, "POST", "/rest/api/3/issue", Some(r#"{"fields": 1}"#));
        assert_eq!(refused.status, 400, "{}", refused.body);
        let me = jira.handle(Some(seed::ALICE_APPROVER), "GET", "/rest/api/3/myself", None);
        assert_eq!(me.status, 200, "{}", me.body);
        assert!(me.body.contains("Alice Approver"), "{}", me.body);
        let app = jira.handle(None, "GET", "/rest/api/3/myself", None);
        assert!(app.body.contains(seed::APP_ACCOUNT_ID), "{}", app.body);
        let stranger = jira.handle(Some("acc-nobody"), "GET", "/rest/api/3/myself", None);
        assert_eq!(stranger.status, 401);
    }

    /// An issue created through `handle` is in the store.
    #[test]
    fn creates_land_in_the_store() {
        let jira = jira();
        let body = format!(
            r#"{{"fields": {{"summary": "Access", "project": {{"id": "{}"}}, "issuetype": {{"id": "{}"}}}}}}"#,
            seed::PMCJIT_PROJECT_ID,
            seed::ACCESS_REQUEST_TYPE_ID
        );
        let created = jira.handle(None, "POST", "/rest/api/3/issue", Some(&body));
        assert_eq!(created.status, 201, "{}", created.body);
        let key = serde_json::from_str::<Value>(&created.body).expect("json")["key"].clone();
        let issue = jira.issue(key.as_str().expect("a key")).expect("stored");
        assert_eq!(issue["fields"]["summary"], "Access");
    }

    /// `take_events` returns the issue-updated events since the last take, in order.
    #[test]
    fn takes_the_events_made_since_the_last_take() {
        let jira = jira();
        let body = format!(
            r#"{{"fields": {{"summary": "Access", "project": {{"id": "{}"}}, "issuetype": {{"id": "{}"}}}}}}"#,
            seed::PMCJIT_PROJECT_ID,
            seed::ACCESS_REQUEST_TYPE_ID
        );
        let created = jira.handle(None, "POST", "/rest/api/3/issue", Some(&body));
        let key = serde_json::from_str::<Value>(&created.body).expect("json")["key"]
            .as_str()
            .expect("a key")
            .to_string();
        assert!(jira.take_events().is_empty());
        let path = format!("/rest/api/3/issue/{key}/transitions");
        for transition in ["11", "41"] {
            let body = format!(r#"{{"transition": {{"id": "{transition}"}}}}"#);
            let moved = jira.handle(Some(seed::CAROL_ADMIN), "POST", &path, Some(&body));
            assert_eq!(moved.status, 204, "{}", moved.body);
        }
        let events = jira.take_events();
        let statuses: Vec<&Value> = events.iter().map(|e| &e["issue"]["fields"]["status"]["name"]).collect();
        assert_eq!(statuses, ["Approved", "Open"]);
        assert_eq!(events[0]["atlassianId"], seed::CAROL_ADMIN);
        assert!(jira.take_events().is_empty());
    }

    /// A caller that is itself inside a runtime (the benchmarks record scripts from async code)
    /// gets its answer and may drop the sandbox there, instead of tokio's panics.
    #[test]
    fn works_from_inside_a_runtime() {
        let jira = jira();
        let outer = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let me = outer.block_on(async {
            let me = jira.handle(Some(seed::ALICE_APPROVER), "GET", "/rest/api/3/myself", None);
            drop(jira);
            me
        });
        assert_eq!(me.status, 200, "{}", me.body);
    }
}
