//! Jira Cloud: ADF documents, the REST calls the app makes, and user lookup.

pub mod adf;
pub mod client;
pub mod users;
