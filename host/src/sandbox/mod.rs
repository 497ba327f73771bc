//! Fakes of the external systems, served by the host under `/sandbox/<system>`.

pub mod jira;
