//! Faults on demand, shared by the sandbox Jira, EPM and PRA (`POST /_sandbox/fail`):
//! rules that make matching requests fail, wait, or lose their answer, so tests can show what
//! the app does when a system is down, slow or cut off, and that nothing is lost.
//!
//! A rule (the JSON body of `POST /_sandbox/fail`; every field but `fault` is optional):
//!
//! ```json
//! {"method": "POST", "path": "/rest/api/3/issue/*/transitions",
//!  "fault": {"status": 503},
//!  "times": 2}
//! ```
//!
//! - `method`: an HTTP method in capitals (`GET`, `POST`, `PUT`, `DELETE`, `PATCH`); absent: any.
//! - `path`: the request path below the sandbox root, without the query. Segments are literal,
//!   except a whole segment `*` (exactly one segment) and a last segment `**` (one or more
//!   segments): `/rest/api/3/issue` (only that path), `/rest/api/3/issue/*/comment`,
//!   `/rest/api/3/issue/**` (everything below an issue, not the create). Absent: any path.
//! - `fault`, exactly one of:
//!   - `{"status": 400-599}`: answered with that status in the system's error shape;
//!     `"retryAfter": secs` (429 and 503 only) adds a `Retry-After` header;
//!     `"afterHandling": true` performs the request first and then answers the fault instead
//!     (the change is made, the caller never learns it: the lost answer);
//!   - `{"delayMs": 1-120000}`: the request waits that long, then is handled normally;
//!   - `{"unreachable": true}`: no answer at all (a transport failure for in-process callers,
//!     a cut connection over HTTP); `"afterHandling": true` cuts it after performing it.
//! - how often: `"times": 1-1000` (the next n matching requests; the default is 1), or
//!   `"rate": 0 < r <= 1` with `"seed": u64` (default 0) — each matching request fails with
//!   that probability, drawn from a PRNG seeded with `seed`, so a run repeats exactly — and
//!   optionally `"limit": n`, the most failures the rule serves.
//!
//! Several rules may be active: each request is matched against them in the order they were
//! added; every matching rule counts it (`matched`), and the first one that fires serves its
//! fault (`failed`); later rules do not draw for that request.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use super::Unreachable;

/// Most requests a `times` rule, or failures a `limit`, may cover (a typo like 1e9 should not
/// wedge a sandbox for good).
pub(crate) const MAX_TIMES: u64 = 1000;
/// Longest delay: beyond the host's 20 s client timeout, short of forever.
const MAX_DELAY_MS: u64 = 120_000;
/// Largest `retryAfter`, in seconds.
const MAX_RETRY_AFTER: u64 = 3600;
/// Most rules held at once.
const MAX_RULES: usize = 100;
/// Most failures a `rate` rule's `limit` may allow.
const MAX_LIMIT: u64 = 1_000_000;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
const FIELDS: &str = "method, path, fault, times, rate, seed, limit";
const FAULT_FIELDS: &str = "status, retryAfter, afterHandling, delayMs, unreachable";

/// What a request gets instead of (or besides) its normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer this status in the system's error shape (after performing the request when
    /// `after_handling`), with `Retry-After: retry_after` when given.
    Status {
        status: u16,
        retry_after: Option<u64>,
        after_handling: bool,
    },
    /// Wait, then handle the request normally.
    Delay { ms: u64 },
    /// No answer at all (after performing the request when `after_handling`).
    Unreachable { after_handling: bool },
}

impl Fault {
    /// The request is performed before the fault is served (or, for a delay, after it).
    pub(crate) fn performs_request(&self) -> bool {
        match self {
            Fault::Status { after_handling, .. } | Fault::Unreachable { after_handling } => *after_handling,
            Fault::Delay { .. } => true,
        }
    }

    pub(crate) fn to_json(self) -> Value {
        match self {
            Fault::Status {
                status,
                retry_after,
                after_handling,
            } => {
                let mut fault = json!({ "status": status });
                if let Some(secs) = retry_after {
                    fault["retryAfter"] = json!(secs);
                }
                if after_handling {
                    fault["afterHandling"] = json!(true);
                }
                fault
            }
            Fault::Delay { ms } => json!({ "delayMs": ms }),
            Fault::Unreachable { after_handling } => {
                let mut fault = json!({ "unreachable": true });
                if after_handling {
                    fault["afterHandling"] = json!(true);
                }
                fault
            }
        }
    }

    /// A short description for a request log.
    pub(crate) fn describe(self) -> String {
        match self {
            Fault::Status {
                status, after_handling, ..
            } => {
                if after_handling {
                    format!("HTTP {status} after handling")
                } else {
                    format!("HTTP {status}")
                }
            }
            Fault::Delay { ms } => format!("delayed {ms} ms"),
            Fault::Unreachable { after_handling: true } => "unreachable after handling".into(),
            Fault::Unreachable { after_handling: false } => "unreachable".into(),
        }
    }
}

/// A rule body that does not hold: which field is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleError {
    /// The field (`fault.status`, `times`, ...), or none when the body as a whole is wrong.
    pub field: Option<String>,
    pub message: String,
}

impl RuleError {
    fn field(field: &str, message: impl Into<String>) -> RuleError {
        RuleError {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    fn body(message: impl Into<String>) -> RuleError {
        RuleError {
            field: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One segment of a path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `*`: exactly one segment.
    One,
    /// `**` (last only): one or more segments.
    Rest,
}

/// A path pattern (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathPattern {
    text: String,
    segments: Vec<Segment>,
}

impl PathPattern {
    pub(crate) fn parse(text: &str) -> Result<PathPattern, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!("'{text}' must start with /"));
        };
        if text.contains(['?', '#']) {
            return Err(format!("'{text}' must be a path without a query or fragment"));
        }
        let parts: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let segment = match *part {
                "" => return Err(format!("'{text}' has an empty segment (no // and no trailing /)")),
                "*" => Segment::One,
                "**" if index + 1 == parts.len() => Segment::Rest,
                "**" => return Err(format!("'{text}': ** may only be the last segment")),
                literal if literal.contains('*') => {
                    return Err(format!(
                        "'{text}': * and ** must be whole segments (\"{literal}\" is not)"
                    ));
                }
                literal => Segment::Literal(literal.to_string()),
            };
            segments.push(segment);
        }
        Ok(PathPattern {
            text: text.to_string(),
            segments,
        })
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix('/') else {
            return false;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        for (index, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Rest => return parts.len() > index,
                Segment::One => match parts.get(index) {
                    Some(part) if !part.is_empty() => {}
                    _ => return false,
                },
                Segment::Literal(literal) => {
                    if parts.get(index) != Some(&literal.as_str()) {
                        return false;
                    }
                }
            }
        }
        parts.len() == self.segments.len()
    }
}

/// How often a rule fires.
#[derive(Debug, Clone, PartialEq)]
enum Schedule {
    /// The next n matching requests.
    Times(u64),
    /// Each matching request with probability `rate`, at most `limit` times.
    Rate { rate: f64, seed: u64, limit: Option<u64> },
}

/// A parsed rule, not yet added.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    method: Option<String>,
    path: Option<PathPattern>,
    fault: Fault,
    schedule: Schedule,
}

impl Rule {
    /// Parses a `POST /_sandbox/fail` body, or says which field is wrong.
    pub(crate) fn parse(body: &[u8]) -> Result<Rule, RuleError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| RuleError::body(format!("the body is not JSON: {e}")))?;
        let Value::Object(object) = value else {
            return Err(RuleError::body(format!("the body must be a JSON object with {FIELDS}")));
        };
        Rule::from_object(&object)
    }

    /// A rule for `times` requests, any method and path (the EPM sandbox's older body).
    pub(crate) fn every_request(fault: Fault, times: u64) -> Rule {
        Rule {
            method: None,
            path: None,
            fault,
            schedule: Schedule::Times(times),
        }
    }

    fn from_object(object: &Map<String, Value>) -> Result<Rule, RuleError> {
        if let Some(unknown) = object.keys().find(|key| !FIELDS.split(", ").any(|known| known == *key)) {
            return Err(RuleError::field(
                unknown,
                format!("unknown field (a rule has {FIELDS})"),
            ));
        }
        let method = match object.get("method") {
            None | Some(Value::Null) => None,
            Some(Value::String(method)) if METHODS.contains(&method.as_str()) => Some(method.clone()),
            Some(other) => {
                return Err(RuleError::field(
                    "method",
                    format!("{other} is not one of {}", METHODS.join(", ")),
                ));
            }
        };
        let path = match object.get("path") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(PathPattern::parse(text).map_err(|e| RuleError::field("path", e))?),
            Some(other) => return Err(RuleError::field("path", format!("{other} is not a string"))),
        };
        let fault = match object.get("fault") {
            Some(Value::Object(fault)) => parse_fault(fault)?,
            None => {
                return Err(RuleError::field(
                    "fault",
                    "missing: give {\"status\": 400-599}, {\"delayMs\": n} or {\"unreachable\": true}",
                ));
            }
            Some(other) => return Err(RuleError::field("fault", format!("{other} is not an object"))),
        };
        let times = optional_integer(object, "times", 1, MAX_TIMES)?;
        let rate = match object.get("rate") {
            None => None,
            Some(value) => match value.as_f64() {
                Some(rate) if rate > 0.0 && rate <= 1.0 => Some(rate),
                _ => {
                    return Err(RuleError::field(
                        "rate",
                        format!("{value} is not a probability (0 < rate <= 1)"),
                    ));
                }
            },
        };
        let seed = optional_integer(object, "seed", 0, u64::MAX)?;
        let limit = optional_integer(object, "limit", 1, MAX_LIMIT)?;
        let schedule = match (times, rate) {
            (Some(_), Some(_)) => return Err(RuleError::field("rate", "give either times or rate, not both")),
            (_, None) if seed.is_some() => return Err(RuleError::field("seed", "only goes with rate")),
            (_, None) if limit.is_some() => {
                return Err(RuleError::field(
                    "limit",
                    "only goes with rate (times is its own limit)",
                ));
            }
            (times, None) => Schedule::Times(times.unwrap_or(1)),
            (None, Some(rate)) => Schedule::Rate {
                rate,
                seed: seed.unwrap_or(0),
                limit,
            },
        };
        Ok(Rule {
            method,
            path,
            fault,
            schedule,
        })
    }
}

fn parse_fault(fault: &Map<String, Value>) -> Result<Fault, RuleError> {
    if let Some(unknown) = fault
        .keys()
        .find(|key| !FAULT_FIELDS.split(", ").any(|known| known == *key))
    {
        return Err(RuleError::field(
            &format!("fault.{unknown}"),
            format!("unknown field (a fault has {FAULT_FIELDS})"),
        ));
    }
    let status = optional_integer(fault, "status", 0, u64::from(u16::MAX)).map_err(in_fault)?;
    let delay = optional_integer(fault, "delayMs", 1, MAX_DELAY_MS).map_err(in_fault)?;
    let retry_after = optional_integer(fault, "retryAfter", 0, MAX_RETRY_AFTER).map_err(in_fault)?;
    let after_handling = match fault.get("afterHandling") {
        None => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(other) => {
            return Err(RuleError::field(
                "fault.afterHandling",
                format!("{other} is not true or false"),
            ));
        }
    };
    let unreachable = match fault.get("unreachable") {
        None => false,
        Some(Value::Bool(true)) => true,
        Some(other) => {
            return Err(RuleError::field(
                "fault.unreachable",
                format!("{other}: only true is meaningful"),
            ));
        }
    };
    let fault = match (status, delay, unreachable) {
        (Some(status), None, false) => {
            if !(400..=599).contains(&status) {
                return Err(RuleError::field(
                    "fault.status",
                    format!("{status} is not a failure (give 400-599)"),
                ));
            }
            if retry_after.is_some() && status != 429 && status != 503 {
                return Err(RuleError::field("fault.retryAfter", "only goes with status 429 or 503"));
            }
            Fault::Status {
                status: u16::try_from(status).unwrap_or(503),
                retry_after,
                after_handling: after_handling.unwrap_or(false),
            }
        }
        (None, Some(ms), false) => {
            if retry_after.is_some() {
                return Err(RuleError::field("fault.retryAfter", "only goes with a status"));
            }
            if after_handling.is_some() {
                return Err(RuleError::field(
                    "fault.afterHandling",
                    "does not go with delayMs (a delayed request is always handled)",
                ));
            }
            Fault::Delay { ms }
        }
        (None, None, true) => {
            if retry_after.is_some() {
                return Err(RuleError::field("fault.retryAfter", "only goes with a status"));
            }
            Fault::Unreachable {
                after_handling: after_handling.unwrap_or(false),
            }
        }
        (None, None, false) => {
            return Err(RuleError::field(
                "fault",
                "give one of status (400-599), delayMs or unreachable",
            ));
        }
        _ => {
            return Err(RuleError::field(
                "fault",
                "give only one of status, delayMs and unreachable",
            ));
        }
    };
    Ok(fault)
}

fn in_fault(error: RuleError) -> RuleError {
    RuleError {
        field: error.field.map(|field| format!("fault.{field}")),
        message: error.message,
    }
}

/// An optional whole number in `min..=max`.
fn optional_integer(object: &Map<String, Value>, name: &str, min: u64, max: u64) -> Result<Option<u64>, RuleError> {
    match object.get(name) {
        None => Ok(None),
        Some(value) => match value.as_u64() {
            Some(number) if (min..=max).contains(&number) => Ok(Some(number)),
            _ => Err(RuleError::field(
                name,
                format!("{value} is not a whole number from {min} to {max}"),
            )),
        },
    }
}

/// A rule in force, with its counters and its PRNG.
#[derive(Debug)]
struct ActiveRule {
    id: u64,
    rule: Rule,
    rng: StdRng,
    matched: u64,
    failed: u64,
}

impl ActiveRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.rule
            .method
            .as_deref()
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method))
            && self.rule.path.as_ref().is_none_or(|pattern| pattern.matches(path))
    }

    fn active(&self) -> bool {
        match self.rule.schedule {
            Schedule::Times(times) => self.failed < times,
            Schedule::Rate { limit, .. } => limit.is_none_or(|limit| self.failed < limit),
        }
    }

    /// Whether this matching request fails (draws from the PRNG in rate mode).
    fn fires(&mut self) -> bool {
        if !self.active() {
            return false;
        }
        match self.rule.schedule {
            Schedule::Times(_) => true,
            Schedule::Rate { rate, .. } => self.rng.random::<f64>() < rate,
        }
    }

    fn to_json(&self) -> Value {
        let mut rule = json!({
            "id": self.id,
            "method": self.rule.method,
            "path": self.rule.path.as_ref().map(|pattern| pattern.text.clone()),
            "fault": self.rule.fault.to_json(),
        });
        match self.rule.schedule {
            Schedule::Times(times) => rule["times"] = json!(times),
            Schedule::Rate { rate, seed, limit } => {
                rule["rate"] = json!(rate);
                rule["seed"] = json!(seed);
                rule["limit"] = json!(limit);
            }
        }
        rule["matched"] = json!(self.matched);
        rule["failed"] = json!(self.failed);
        rule["active"] = json!(self.active());
        rule
    }
}

/// The rules of one sandbox.
#[derive(Debug, Default)]
pub(crate) struct FaultRules {
    next_id: u64,
    rules: Vec<ActiveRule>,
}

impl FaultRules {
    /// Adds a rule; answers its description (with its `id`), or why it cannot be added.
    pub(crate) fn add(&mut self, rule: Rule) -> Result<Value, RuleError> {
        if self.rules.len() >= MAX_RULES {
            return Err(RuleError::body(format!(
                "at most {MAX_RULES} rules at once; DELETE /_sandbox/fail clears them"
            )));
        }
        self.next_id += 1;
        let seed = match rule.schedule {
            Schedule::Rate { seed, .. } => seed,
            Schedule::Times(_) => 0,
        };
        let active = ActiveRule {
            id: self.next_id,
            rule,
            rng: StdRng::seed_from_u64(seed),
            matched: 0,
            failed: 0,
        };
        let description = active.to_json();
        self.rules.push(active);
        Ok(description)
    }

    /// Forgets every rule; answers how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let count = self.rules.len();
        self.rules.clear();
        count
    }

    /// Every rule, oldest first, with how many requests it matched and failed.
    pub(crate) fn list(&self) -> Value {
        Value::Array(self.rules.iter().map(ActiveRule::to_json).collect())
    }

    /// The fault for this request, if a rule fires (counts it on every matching rule).
    pub(crate) fn decide(&mut self, method: &str, path: &str) -> Option<Fault> {
        let mut chosen = None;
        for rule in &mut self.rules {
            if !rule.matches(method, path) {
                continue;
            }
            rule.matched += 1;
            if chosen.is_none() && rule.fires() {
                rule.failed += 1;
                chosen = Some(rule.rule.fault);
            }
        }
        chosen
    }
}

/// Serves one request under the fault the rules decided for it: a delay holds it, then handles
/// it; any other fault answers `injected(fault)` instead, after handling the request when the
/// fault says so (its answer lost), noting what it got in the log's `description`.
pub(crate) async fn serve(
    fault: Option<Fault>,
    handle: impl std::future::Future<Output = Response>,
    description: &mut Option<String>,
    injected: fn(Fault) -> Response,
) -> Response {
    match fault {
        None => handle.await,
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            handle.await
        }
        Some(fault) => {
            if fault.performs_request() {
                let handled = handle.await.status().as_u16();
                if let Some(description) = description.as_mut() {
                    description.push_str(&format!(" (handled: HTTP {handled})"));
                }
            }
            injected(fault)
        }
    }
}

/// Sets `Retry-After` on an injected answer when its fault asks for one.
pub(crate) fn add_retry_after(response: &mut Response, fault: Fault) {
    if let Fault::Status {
        retry_after: Some(secs),
        ..
    } = fault
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// A response that is no response: in-process callers see the [`Unreachable`] mark; over real
/// HTTP the body fails, so the connection is cut before a complete answer.
pub(crate) fn cut_connection(who: &str) -> Response {
    let who = who.to_string();
    let cut = futures_util::stream::once(async move {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            format!("{who} plays an unreachable host"),
        ))
    });
    let mut response = Response::new(Body::from_stream(cut));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.extensions_mut().insert(Unreachable);
    response
}

/// A request log entry's (status, injected, fault), as tests of both sandboxes compare them.
#[cfg(test)]
pub(crate) fn logged_fault(entry: &Value) -> (Value, Value, Value) {
    (
        entry["status"].clone(),
        entry["injected"].clone(),
        entry["fault"].clone(),
    )
}

#[cfg(test)]
mod tests;
