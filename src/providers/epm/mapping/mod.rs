//! How an EPM request becomes a Jira issue: the create body (`map`), its ADF description
//! (`describe`), the summary template (`placeholders`), the issue property (`property`), and
//! reading an issue back (`issue`).

pub mod describe;
pub mod issue;
pub mod map;
pub mod placeholders;
pub mod property;
