//! Query strings: the contracts' `parse_query` (the sandboxes' and the request checker's) and
//! the sandbox Jira's `QueryParams` (a value, a list, a number); and the approval decision.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = pam_approvals_fuzz::text(data);
    let pairs = pam_contracts_check::parse_query(&text);
    let name = pairs.first().map(|(k, _)| k.clone()).unwrap_or_default();
    let _ = pam_sandboxes::jira::fuzzing::query(&text, &name);
    let _ = pam_sandboxes::jira::fuzzing::decision(&text);
});
