//! The local Forge-style host: runs the PAM Approvals component with wasmtime, performs its
//! capability calls, and serves its web triggers, UI bridge and pages. With the `sandbox`
//! feature, `sandbox_mode` also wires in the sandboxes that stand in for Jira, EPM, PRA and Keeper.

pub mod bridge;
pub mod capabilities;
pub mod clock;
pub mod compiled;
pub mod credentials;
pub mod data_dir;
pub mod diagnostics;
pub mod events;
pub mod http;
pub mod in_process;
pub mod jira_target;
pub mod kv;
pub mod media_type;
pub mod outbound;
pub mod process_instance;
pub mod provision;
pub mod queue;
pub mod run_totals;
pub mod runtime;
pub mod sample;
pub mod sample_keeper;
pub mod sample_pra;
#[cfg(feature = "sandbox")]
pub mod sandbox_mode;
pub mod scheduled;
pub mod server;
pub mod sign_in;
pub mod state;
pub mod static_ui;
pub mod targets;
pub mod wit;
