//! PAM Approvals for Jira: the sans-IO core.
//!
//! Workflows are async functions over capabilities (`caps::Caps`); `runner::Run` turns one into
//! a step machine that any host drives with `next(reply)`. Nothing here performs I/O or reads
//! the clock: time, storage and HTTP are capability calls.

pub mod access;
pub mod admin;
pub mod approver;
pub mod auth;
pub mod caps;
pub mod config;
pub mod diagnostics;
pub mod dispatch;
pub mod instance;
pub mod jira;
pub mod jobs;
pub mod lifecycle;
pub mod protocol;
pub mod providers;
pub mod resolver;
pub mod runner;
pub mod store;
pub mod text;
pub mod time;
pub mod webtrigger;

#[cfg(all(target_arch = "wasm32", feature = "component"))]
mod component;

pub use protocol::{Call, HttpRequest, HttpResponse, Invocation, Outcome, Reply, Step};
pub use runner::Run;

// The in-memory world of the workflow tests, also used by the benchmarks to record scripts.
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit_epm;
#[cfg(all(any(test, feature = "testkit"), feature = "keeper"))]
pub mod testkit_keeper;
#[cfg(all(any(test, feature = "testkit"), feature = "pra"))]
pub mod testkit_pra;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit_site;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod layering_tests;
#[cfg(test)]
mod manifest_tests;
