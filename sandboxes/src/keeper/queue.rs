//! Commander's request queue (`service/core/request_queue.py`) and its one worker, evaluated
//! lazily: [`Queue::settle`] runs at every call against the sandbox clock and does, in order,
//! what the worker would have done by then. An entry starts when the worker is free (and not
//! paused), is `processing` for the configured time, then runs (against the state at that
//! moment) and is `completed`; one still queued 300 s after it was submitted is `expired` and
//! never runs; a finished one is forgotten 3,600 s after it finished.

use serde_json::{Value, json};

use super::response::py_iso;
use super::store::Settings;

/// Commander's `DEFAULT_REQUEST_TIMEOUT`: a queued entry expires after this long.
pub(super) const REQUEST_TIMEOUT_MS: i64 = 300_000;
/// Commander's `DEFAULT_RESULT_RETENTION`: a finished entry is kept this long.
pub(super) const RESULT_RETENTION_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Queued,
    Processing,
    Completed,
    Failed,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Expired => "expired",
        }
    }

    fn finished(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Expired)
    }
}

/// One submitted command (Commander's `QueuedRequest`).
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub id: String,
    /// SHA-256 (hex) of the submitting key: only it reads the entry back.
    pub owner: String,
    /// As Commander keeps it: HTML-escaped.
    pub escaped: String,
    /// As it runs (unescaped).
    pub command: String,
    pub status: Status,
    pub created_ms: i64,
    pub started_ms: Option<i64>,
    pub completed_ms: Option<i64>,
    pub result: Option<Value>,
    pub status_code: Option<u16>,
    pub error_message: Option<String>,
}

impl Entry {
    /// `to_dict()`: what `GET status` spreads into its answer.
    pub fn to_dict(&self) -> Value {
        json!({
            "request_id": self.id,
            "command": self.escaped,
            "status": self.status.as_str(),
            "created_at": py_iso(self.created_ms),
            "started_at": self.started_ms.map(py_iso),
            "completed_at": self.completed_ms.map(py_iso),
            "result": self.result,
            "status_code": self.status_code,
            "error_message": self.error_message,
            "temp_files": [],
        })
    }

    /// The control's view (`GET /_sandbox/state`): the owner as a short digest.
    pub fn to_control(&self) -> Value {
        let mut dict = self.to_dict();
        dict["owner"] = json!(format!("sha256:{}", &self.owner[..12.min(self.owner.len())]));
        dict["raw_command"] = json!(self.command);
        dict
    }
}

/// What `GET result` answers for an entry.
pub(super) enum ResultOf {
    Done(Value, u16),
    NotYet(Status),
}

#[derive(Debug, Default)]
pub(super) struct Queue {
    /// Oldest first: the worker takes them in this order.
    entries: Vec<Entry>,
    /// When the worker is free again.
    busy_until: i64,
    /// The next n commands fail (`failNext`).
    pub fail_next: u64,
}

impl Queue {
    /// Does what the worker would have done by `now`; `run(command, at)` executes a command at
    /// the moment it finishes.
    pub fn settle(&mut self, now: i64, settings: &Settings, mut run: impl FnMut(&str, i64) -> (Value, u16)) {
        loop {
            if let Some(entry) = self.entries.iter_mut().find(|e| e.status == Status::Processing) {
                let end = entry.completed_ms.unwrap_or(now);
                if end > now {
                    break;
                }
                if self.fail_next > 0 {
                    self.fail_next -= 1;
                    entry.status = Status::Failed;
                    entry.error_message =
                        Some("The Keeper Commander sandbox failed this command on purpose (failNext).".into());
                } else {
                    let (result, code) = run(&entry.command, end);
                    entry.status = Status::Completed;
                    entry.result = Some(result);
                    entry.status_code = Some(code);
                }
                continue;
            }
            if settings.worker_paused {
                break;
            }
            let Some(entry) = self.entries.iter_mut().find(|e| e.status == Status::Queued) else {
                break;
            };
            let start = entry.created_ms.max(self.busy_until);
            if start - entry.created_ms > REQUEST_TIMEOUT_MS {
                expire(entry);
                continue;
            }
            if start > now {
                break;
            }
            let processing = i64::try_from(settings.processing_ms).unwrap_or(i64::MAX);
            entry.status = Status::Processing;
            entry.started_ms = Some(start);
            entry.completed_ms = Some(start.saturating_add(processing));
            self.busy_until = start.saturating_add(processing);
        }
        for entry in &mut self.entries {
            if entry.status == Status::Queued && now - entry.created_ms > REQUEST_TIMEOUT_MS {
                expire(entry);
            }
        }
        self.entries.retain(|entry| {
            !(entry.status.finished() && entry.completed_ms.is_some_and(|done| done < now - RESULT_RETENTION_MS))
        });
    }

    /// The worker was resumed at `now`: it starts nothing before.
    pub fn resumed(&mut self, now: i64) {
        self.busy_until = self.busy_until.max(now);
    }

    /// How many entries wait for the worker.
    pub fn queued(&self) -> usize {
        self.entries.iter().filter(|e| e.status == Status::Queued).count()
    }

    /// Adds an entry (the caller checked the queue's size); answers its id.
    pub fn submit(&mut self, owner: &str, escaped: String, command: String, now: i64) -> String {
        let id = uuid4();
        self.entries.push(Entry {
            id: id.clone(),
            owner: owner.to_string(),
            escaped,
            command,
            status: Status::Queued,
            created_ms: now,
            started_ms: None,
            completed_ms: None,
            result: None,
            status_code: None,
            error_message: None,
        });
        id
    }

    /// The entry with `id` if `owner` submitted it.
    pub fn get(&self, id: &str, owner: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id && e.owner == owner)
    }

    /// `get_request_result`, or where the entry stands.
    pub fn result(&self, id: &str, owner: &str) -> Option<ResultOf> {
        let entry = self.get(id, owner)?;
        Some(match entry.status {
            Status::Completed => ResultOf::Done(
                entry.result.clone().unwrap_or(Value::Null),
                entry.status_code.unwrap_or(200),
            ),
            Status::Failed => ResultOf::Done(json!({"error": entry.error_message}), 500),
            Status::Expired => ResultOf::Done(
                json!({"error": entry
                    .error_message
                    .clone()
                    .unwrap_or_else(|| "Error: Request expired before execution".into())}),
                504,
            ),
            status => ResultOf::NotYet(status),
        })
    }

    /// `get_queue_status` for `owner`.
    pub fn status_for(&self, owner: &str, worker_running: bool) -> Value {
        let mine = self.entries.iter().filter(|e| e.owner == owner);
        let active = mine.clone().filter(|e| !e.status.finished()).count();
        let completed = mine.clone().filter(|e| e.status.finished()).count();
        let current = mine
            .clone()
            .find(|e| e.status == Status::Processing)
            .map(|e| e.id.clone());
        json!({
            "success": true,
            "queue_size": self.queued(),
            "active_requests": active,
            "completed_requests": completed,
            "currently_processing": current,
            "worker_running": worker_running,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Forgets every entry (a reset).
    pub fn clear(&mut self) {
        *self = Queue::default();
    }
}

/// Expires a queued entry at the moment its wait ran out.
fn expire(entry: &mut Entry) {
    entry.status = Status::Expired;
    entry.completed_ms = Some(entry.created_ms + REQUEST_TIMEOUT_MS);
    entry.error_message = Some(format!(
        "Error: Request expired after waiting more than {}s in queue",
        REQUEST_TIMEOUT_MS / 1000
    ));
}

/// A random UUID (version 4), as Python's `str(uuid.uuid4())`.
fn uuid4() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
