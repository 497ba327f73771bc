//! One folder per PAM system. Each has its wire types (named as upstream), parsing, mapping to
//! Jira, and its workflows.

pub mod epm;
