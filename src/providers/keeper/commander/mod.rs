//! The Commander Service Mode client (API v2, request queue) over the fetch capability
//! (docs/keeper.md, "Commander Service Mode API v2"). A command is submitted
//! (`executecommand-async` → 202 and a request id), then its result is asked for until it is
//! there: `GET result/{id}` answers 202 while the command is queued or running, so one call per
//! look suffices (`status/{id}` would only add a call). Waiting is bounded by the caller's
//! budget (a Forge resolver ends at 25 s): what is not finished by then is `Running`, and the
//! caller keeps the request id to look again later (`flows/live.rs`, the `keeper.settle` job).
//! Every failure is a `CommanderError` whose message tells an admin what to do; the API key is
//! never in one.

pub mod command;
pub mod result;

use serde_json::{Value, json};

use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse};
use crate::text::printable;
pub use command::Command;

/// Where Commander is and the key to use.
#[derive(Clone)]
pub struct Endpoint {
    /// The configured URL, ending in `/api/v2`.
    pub api_url: String,
    pub api_key: String,
}

/// Pauses between looks at a result: quick first (most commands take well under a second),
/// then at most a second apart, which keeps a look within Commander's default limit of 60 calls
/// a minute per endpoint.
const POLL_STEPS_MS: [u32; 5] = [150, 250, 400, 700, 1_000];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommanderError {
    #[error(
        "Commander refused the API key (401): it is wrong or expired; copy the key from Commander Service Mode's output into the Keeper settings"
    )]
    Unauthorized,
    #[error(
        "Commander does not allow \"{0}\" for this API key (403); add it to the service's command list (service-create -c / service-config)"
    )]
    Forbidden(String),
    #[error(
        "Commander answered 404 at the API URL; it must be the full API v2 URL ending in /api/v2, with the request queue enabled (-q=y)"
    )]
    NotFound,
    #[error("Commander's rate limit was reached (429); trying again in {} s", .retry_after_ms / 1000)]
    RateLimited { retry_after_ms: u64 },
    #[error("Commander's request queue is full (503); trying again shortly")]
    QueueFull,
    #[error("Commander could not be reached ({0}); check that Service Mode and its tunnel are running")]
    Unreachable(String),
    #[error("Commander answered {0}: {1}")]
    Server(u16, String),
    #[error("the command waited in Commander's queue for more than 300 s and expired")]
    Expired,
    #[error("the command failed in Commander: {0}")]
    Failed(String),
    #[error("Commander no longer has the command's result (kept 3,600 s)")]
    Lost,
    #[error("Commander's answer could not be read: {0}")]
    Unexpected(String),
}

impl CommanderError {
    /// Worth trying again later without anyone changing anything.
    pub fn transient(&self) -> bool {
        matches!(
            self,
            CommanderError::RateLimited { .. }
                | CommanderError::QueueFull
                | CommanderError::Unreachable(_)
                | CommanderError::Server(..)
                | CommanderError::Expired
                | CommanderError::Lost
        )
    }

    /// How long to wait first, when Commander said.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            CommanderError::RateLimited { retry_after_ms } => Some(*retry_after_ms),
            CommanderError::QueueFull => Some(5_000),
            _ => None,
        }
    }
}

/// A finished command: Commander's status code (200 success, 400 when the command reported an
/// error or a warning) and its result body.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub status: u16,
    pub body: Value,
}

impl Finished {
    /// The `error` or `message` Commander gave (for a 400).
    pub fn message(&self) -> String {
        let text = self.body["error"]
            .as_str()
            .or_else(|| self.body["message"].as_str())
            .unwrap_or("no message");
        printable(text, 300)
    }
}

/// How far a command got.
#[derive(Debug, Clone, PartialEq)]
pub enum Polled {
    Done(Finished),
    /// Still queued or running in Commander: look again with this request id.
    Running(String),
}

fn url(endpoint: &Endpoint, path: &str) -> String {
    format!("{}/{path}", endpoint.api_url.trim_end_matches('/'))
}

async fn send(
    caps: &Caps,
    endpoint: &Endpoint,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<HttpResponse, CommanderError> {
    let mut headers = vec![
        ("api-key".to_string(), endpoint.api_key.clone()),
        ("Accept".to_string(), "application/json".to_string()),
    ];
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    caps.fetch(HttpRequest {
        method: method.into(),
        url: url(endpoint, path),
        headers,
        body: body.map(|b| b.to_string()).unwrap_or_default(),
    })
    .await
    .map_err(|e| CommanderError::Unreachable(printable(&e.to_string(), 200)))
}

fn error_text(response: &HttpResponse) -> String {
    let parsed: Option<Value> = serde_json::from_str(&response.body).ok();
    let text = parsed
        .as_ref()
        .and_then(|v| v["error"].as_str().or_else(|| v["message"].as_str()).map(String::from))
        .unwrap_or_else(|| response.body.clone());
    printable(&text, 200)
}

/// The errors every call shares (`None`: the caller reads the answer).
fn common_error(response: &HttpResponse, command: Option<&Command>) -> Option<CommanderError> {
    Some(match response.status {
        401 => CommanderError::Unauthorized,
        403 => CommanderError::Forbidden(command.map_or("this command", Command::allow_list_entry).to_string()),
        429 => CommanderError::RateLimited {
            retry_after_ms: response
                .header("Retry-After")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map_or(60_000, |s| s.clamp(1, 3_600) * 1_000),
        },
        503 => CommanderError::QueueFull,
        502 | 504 if command.is_some() => {
            CommanderError::Unreachable(format!("the tunnel answered {}", response.status))
        }
        status if status >= 500 && command.is_some() => CommanderError::Server(status, error_text(response)),
        _ => return None,
    })
}

/// Submits a command to Commander's queue: its request id.
pub async fn submit(caps: &Caps, endpoint: &Endpoint, command: &Command) -> Result<String, CommanderError> {
    let answer = send(
        caps,
        endpoint,
        "POST",
        "executecommand-async",
        Some(json!({ "command": command.line() })),
    )
    .await?;
    if let Some(e) = common_error(&answer, Some(command)) {
        return Err(e);
    }
    match answer.status {
        202 | 200 => {
            let body: Value = serde_json::from_str(&answer.body)
                .map_err(|_| CommanderError::Unexpected("the submit answer is not JSON".into()))?;
            body["request_id"]
                .as_str()
                .filter(|id| {
                    !id.is_empty()
                        && id.len() <= 100
                        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
                .map(String::from)
                .ok_or_else(|| CommanderError::Unexpected("the submit answer has no request_id".into()))
        }
        404 => Err(CommanderError::NotFound),
        status => Err(CommanderError::Server(status, error_text(&answer))),
    }
}

/// One look at a submitted command's result.
pub async fn poll(caps: &Caps, endpoint: &Endpoint, request_id: &str) -> Result<Polled, CommanderError> {
    let answer = send(caps, endpoint, "GET", &format!("result/{request_id}"), None).await?;
    if let Some(e) = common_error(&answer, None) {
        return Err(e);
    }
    let body = || serde_json::from_str::<Value>(&answer.body).unwrap_or_else(|_| json!({ "data": answer.body }));
    match answer.status {
        200..=299 if answer.status != 202 => Ok(Polled::Done(Finished {
            status: answer.status,
            body: body(),
        })),
        202 => Ok(Polled::Running(request_id.to_string())),
        400..=499 if answer.status != 404 => Ok(Polled::Done(Finished {
            status: answer.status,
            body: body(),
        })),
        404 => Err(CommanderError::Lost),
        504 => Err(CommanderError::Expired),
        // A command that raised is a finished result too (`{"status": "error", ...}`, 500 by
        // Commander's rules); a 500 without a status is the worker's own failure.
        500 if body()["status"] == "error" => Ok(Polled::Done(Finished {
            status: 500,
            body: body(),
        })),
        500 => Err(CommanderError::Failed(error_text(&answer))),
        status => Err(CommanderError::Server(status, error_text(&answer))),
    }
}

/// Looks at a result until it is there or `budget_ms` (on the app's clock) is spent.
pub async fn wait(
    caps: &Caps,
    endpoint: &Endpoint,
    request_id: &str,
    budget_ms: u64,
) -> Result<Polled, CommanderError> {
    let started = caps
        .now()
        .await
        .map_err(|e| CommanderError::Unexpected(e.to_string()))?;
    let mut step = 0;
    loop {
        let (polled, pause) = match poll(caps, endpoint, request_id).await {
            Ok(Polled::Done(finished)) => return Ok(Polled::Done(finished)),
            Ok(running) => {
                let pause = POLL_STEPS_MS[step.min(POLL_STEPS_MS.len() - 1)];
                step += 1;
                (running, pause)
            }
            // Commander's limit counts every look: wait as long as it says before the next.
            Err(CommanderError::RateLimited { retry_after_ms }) => (
                Polled::Running(request_id.to_string()),
                u32::try_from(retry_after_ms).unwrap_or(u32::MAX),
            ),
            Err(e) => return Err(e),
        };
        let now = caps
            .now()
            .await
            .map_err(|e| CommanderError::Unexpected(e.to_string()))?;
        if now.saturating_sub(started) + u64::from(pause) > budget_ms {
            return Ok(polled);
        }
        caps.sleep(pause)
            .await
            .map_err(|e| CommanderError::Unexpected(e.to_string()))?;
    }
}

/// Submits a command and waits for it within `budget_ms`.
pub async fn run(
    caps: &Caps,
    endpoint: &Endpoint,
    command: &Command,
    budget_ms: u64,
) -> Result<Polled, CommanderError> {
    let id = submit(caps, endpoint, command).await?;
    wait(caps, endpoint, &id, budget_ms).await
}
