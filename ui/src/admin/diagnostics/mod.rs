//! The configuration page's "Diagnostics" section: the last deliveries per web trigger, the
//! last queue jobs and the dead letters (the core's `admin.diagnostics`, whose view type
//! `pam_approvals::diagnostics::view` the page reads as is), with "Retry now" for a dead letter
//! (`admin.retry`). Loaded when the admin asks (each load is a resolver call). `state` is its
//! state machine, `screen` what it shows; the DOM side is `crate::dom::admin::diagnostics`.

pub mod screen;
pub mod state;

#[cfg(test)]
mod tests;
