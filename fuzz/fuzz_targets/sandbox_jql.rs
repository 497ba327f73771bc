//! The sandbox Jira's JQL (`jql::compile` against the seed site, as `search/jql` runs it).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pam_sandboxes::jira::Catalog;
use pam_sandboxes::jira::fuzzing::{jql, seed_catalog};

static SITE: OnceLock<Catalog> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = pam_approvals_fuzz::text(data);
    let _ = jql(&text, SITE.get_or_init(seed_catalog));
});
