//! The app's configuration page (`jira:adminPage`, `useAsConfig`): reading and saving the
//! settings with write-only secrets, and "Validate configuration" against the live Jira and EPM.
//! Only Jira administrators get past `access::require_admin`, checked here on every call.

pub mod access;
pub mod checks;
pub mod checks_jira;
pub mod egress;
pub mod form;
pub mod resolvers;
pub mod save;
pub mod view;

#[cfg(test)]
mod tests;
