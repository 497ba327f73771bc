//! The sandbox Jira's request handling, whole (`InMemoryJira::handle`): the contract gate's
//! request validation, routing, query parameters, JSON bodies, JQL searches, approvals. One
//! sandbox serves every input (a fresh one per input would spend the run opening databases).
//!
//! Input: byte 0 the caller (the app, Alice, Carol, an unknown account), byte 1 the method,
//! then NUL-separated: path and query, body (none when empty).
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use pam_sandboxes::jira::{InMemoryJira, JiraSandbox};

fn jira() -> &'static Mutex<InMemoryJira> {
    static JIRA: OnceLock<Mutex<InMemoryJira>> = OnceLock::new();
    JIRA.get_or_init(|| {
        let contracts = Arc::new(pam_contracts_check::Contracts::load().expect("the contracts load"));
        Mutex::new(JiraSandbox::in_memory(contracts).expect("the sandbox opens"))
    })
}

fuzz_target!(|data: &[u8]| {
    let ([caller, method], fields) = pam_approvals_fuzz::split::<2>(data, 2);
    let [target, body] = <[String; 2]>::try_from(fields).expect("two fields");
    let caller = [None, Some("acc-alice"), Some("acc-carol"), Some("acc-nobody")][usize::from(caller % 4)];
    let method = ["GET", "POST", "PUT", "DELETE", "PATCH", "get"][usize::from(method % 6)];
    // A request line the HTTP layer refuses never reaches the sandbox.
    if target.parse::<axum::http::Uri>().is_err() {
        return;
    }
    let body = (!body.is_empty()).then_some(body.as_str());
    let jira = jira().lock().unwrap_or_else(|e| e.into_inner());
    let answer = jira.handle(caller, method, &target, body);
    assert!((200..600).contains(&answer.status), "{}", answer.status);
});
