//! The work on EPM requests and decisions: the web trigger (`webhook`), keeping each webhook
//! (`inbox`), creating the issue once (`intake`), EPM's decision updates (`update`, `apply`), a
//! decision from Jira (`decide`, `approver`), sending it to EPM (`claim`, `deliver`), recording
//! it on the issue (`record`), the app's request records (`trusted`), the retry job (`settle`)
//! and server-side expiry (`expiry`).

pub mod apply;
pub mod approver;
pub mod claim;
pub mod decide;
pub mod deliver;
pub mod expiry;
pub mod inbox;
pub mod intake;
pub mod jira_way;
pub mod record;
pub mod settle;
pub mod trusted;
pub mod update;
pub mod webhook;
