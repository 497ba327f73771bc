//! Fakes of the external systems the app talks to, one folder each (`jira/`, `epm/`, `pra/`,
//! `keeper/`), on their real REST paths: each is an axum router over its own SQLite store, checks
//! what it receives against the publisher's contract, and has `/_sandbox/...` controls to inspect
//! what it got and to play the other side (a user asking for access, an admin deciding, a failure).
//! Shared by them: the fault syntax (`faults`), timestamps (`time`) and the controllable clock
//! (`clock`); by EPM, PRA and Keeper also the gate that serves faults and logs calls (`gate`, with
//! its controls and `request_log`), their `{"message"}` answers (`answer`) and `sqlite`.
//!
//! Nothing here knows the host: the host's `sandbox` feature (`host/src/sandbox_mode.rs`) mounts
//! these routers and hands their clock to the app. A deployment never links this crate.

pub(crate) mod answer;
pub mod clock;
pub mod epm;
pub(crate) mod faults;
pub(crate) mod gate;
pub mod jira;
pub mod keeper;
pub(crate) mod media_type;
pub mod pra;
pub(crate) mod request_log;
pub(crate) mod sqlite;
#[cfg(test)]
pub(crate) mod test_support;
pub(crate) mod time;

/// Marks a sandbox response that stands for *no* response: the host was unreachable. Callers
/// that route requests to a sandbox in-process turn it into a transport failure; over real
/// HTTP the connection is cut instead (the response body fails).
#[derive(Debug, Clone, Copy)]
pub struct Unreachable;
