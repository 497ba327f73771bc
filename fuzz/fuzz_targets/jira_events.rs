//! Jira's issue-updated event (`jira::events::parse`) and JSM's approvals answer
//! (`jira::approvals::newest_completed`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::jira::{approvals, events};

fuzz_target!(|data: &[u8]| {
    let text = pam_approvals_fuzz::text(data);
    let _ = events::parse(events::ISSUE_UPDATED, &text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = approvals::newest_completed(&value);
    }
});
