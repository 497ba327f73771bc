//! Fakes of the external systems, served by the host under `/sandbox/<system>`.

pub mod clock;
pub mod epm;
pub(crate) mod faults;
pub mod jira;
pub(crate) mod time;

/// Marks a sandbox response that stands for *no* response: the host was unreachable. Callers
/// that route requests to a sandbox in-process turn it into a transport failure; over real
/// HTTP the connection is cut instead (the response body fails).
#[derive(Debug, Clone, Copy)]
pub struct Unreachable;
