//! Reading a request's live state from Keeper through Commander, within a time budget. A read
//! that is still queued when the budget ends is remembered (`keeper:read:<sid>`), and the next
//! look (the page asking again, a job) collects that one instead of queueing another, so a
//! slow Commander is not flooded with the same question.

use super::super::commander::result::{self, KepmRequest, PendingDevice};
use super::super::commander::{self, Command, CommanderError, Endpoint, Polled};
use super::super::records::{PendingRead, Request, VERSION, keys};
use super::super::subject::Subject;
use crate::caps::Caps;
use crate::store;

/// A remembered read older than this is not collected (Commander may have dropped it).
const REUSE_MS: u64 = 60_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    Kepm(KepmRequest),
    /// Keeper does not know the UID.
    UnknownKepm,
    /// The user's pending devices that match the request (none: no longer pending).
    Devices(Vec<PendingDevice>),
    /// Commander has not answered within the budget.
    Running,
    Failed(CommanderError),
    /// Commander answered something the app cannot read.
    Unreadable(String),
}

fn command(subject: &Subject) -> Command {
    match subject {
        Subject::Kepm { uid } => Command::ViewKepm(uid.clone()),
        Subject::Device { .. } => Command::ListDevices,
    }
}

/// The devices of `subject` among Keeper's pending ones: by id when known, else the user's,
/// narrowed to the device's name when the alert gave one.
pub fn matching(subject: &Subject, devices: Vec<PendingDevice>) -> Vec<PendingDevice> {
    let Subject::Device {
        email,
        device_id,
        device_name,
    } = subject
    else {
        return Vec::new();
    };
    devices
        .into_iter()
        .filter(|d| match device_id {
            Some(id) => d.device_id == *id,
            None => {
                d.email == email.as_str()
                    && device_name
                        .as_deref()
                        .is_none_or(|n| d.device_name.eq_ignore_ascii_case(n))
            }
        })
        .collect()
}

pub async fn read(caps: &Caps, endpoint: &Endpoint, request: &Request, budget_ms: u64) -> Live {
    let key = keys::read(&request.sid);
    let now = caps.now().await.unwrap_or(0);
    let remembered = caps
        .kv_get(&key)
        .await
        .ok()
        .flatten()
        .and_then(|t| store::decode::<PendingRead>(VERSION, &t))
        .filter(|r| now.saturating_sub(r.submitted_at) < REUSE_MS);
    let command = command(&request.subject);
    let id = match remembered {
        Some(read) => read.command_id,
        None => match commander::submit(caps, endpoint, &command).await {
            Ok(id) => id,
            Err(e) => return Live::Failed(e),
        },
    };
    let polled = commander::wait(caps, endpoint, &id, budget_ms).await;
    match polled {
        Ok(Polled::Running(_)) => {
            let read = PendingRead {
                command_id: id,
                submitted_at: now,
            };
            let _ = caps.kv_set(&key, &store::encode(VERSION, &read)).await;
            Live::Running
        }
        Ok(Polled::Done(finished)) => {
            let _ = caps.kv_delete(&key).await;
            match &request.subject {
                Subject::Kepm { .. } if result::unknown_request(&finished) => Live::UnknownKepm,
                Subject::Kepm { uid } => match result::kepm_request(&finished, uid) {
                    Ok(request) => Live::Kepm(request),
                    Err(e) => Live::Unreadable(e),
                },
                Subject::Device { .. } => match result::pending_devices(&finished) {
                    Ok(devices) => Live::Devices(matching(&request.subject, devices)),
                    Err(e) => Live::Unreadable(e),
                },
            }
        }
        Err(e) => {
            // A lost or expired read is asked again next time.
            let _ = caps.kv_delete(&key).await;
            Live::Failed(e)
        }
    }
}
