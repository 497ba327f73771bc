//! Jira Cloud: ADF documents, the REST calls the app makes, and user lookup.

pub mod adf;
pub mod approvals;
pub mod client;
pub mod events;
pub mod users;

/// Issue keys as Jira makes them (`PROJ-123`); anything else is not looked up.
pub fn is_issue_key(key: &str) -> bool {
    let Some((project, number)) = key.split_once('-') else {
        return false;
    };
    let mut chars = project.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && project.len() <= 255
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.len() <= 18
        && number.chars().all(|c| c.is_ascii_digit())
}
