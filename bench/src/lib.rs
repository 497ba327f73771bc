//! Benchmarks of PAM Approvals for Jira (issue 6). `scripts/bench.sh` runs them all and writes
//! `bench/RESULTS.md`:
//!
//! 1. core cost per webhook, native vs wasmtime vs Node (jco): `benches/core.rs` (criterion),
//!    replaying [`script::Script`]s recorded against the core's in-memory `testkit::World`;
//! 2. cold start and sizes: [`cold`], [`sizes`];
//! 3. the burst through a real host: [`burst`] against the [`host`] process;
//! 4. calls per operation: [`calls`]; PRA's request-to-answer time and calls: [`pra`]; a Keeper decision's: [`keeper`];
//! 5. memory: host RSS ([`host::rss`]) and the component's linear memory ([`memory`]).
//!
//! Timings are measured and reported, never asserted; the only checks that fail the command
//! are the burst's correctness checks (one issue per request, no error answer).

pub mod burst;
pub mod calls;
pub mod cold;
pub mod convert;
pub mod criterion_data;
pub mod environment;
pub mod host;
pub mod inputs;
pub mod keeper;
pub mod memory;
pub mod node;
pub mod paths;
pub mod plot;
pub mod pra;
pub mod report;
pub mod run;
pub mod script;
pub mod sizes;
pub mod summary;
pub mod wasmtime_driver;
