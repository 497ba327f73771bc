//! The local Forge-style host: runs the PAM Approvals component with wasmtime, performs its
//! capability calls, and serves web triggers plus the sandboxes that stand in for Jira and EPM.

pub mod bridge;
pub mod capabilities;
pub mod contracts;
pub mod credentials;
pub mod data_dir;
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
pub mod sandbox;
pub mod scheduled;
pub mod server;
pub mod sign_in;
pub mod static_ui;
pub mod targets;
