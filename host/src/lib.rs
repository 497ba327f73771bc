//! The local Forge-style host: runs the PAM Approvals component with wasmtime, performs its
//! capability calls, and serves web triggers plus the sandboxes that stand in for Jira and EPM.

pub mod contracts;
pub mod sandbox;
