//! The last deliveries of each web trigger: when, which event and request, how the app answered
//! and how often the same body came. Recorded after the provider answered, for a caller that
//! authenticated: a stranger's request (401, 403) and one refused before the provider saw it
//! (unknown trigger, method, size) write nothing, not even here; the host's log has them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse};
use crate::providers::Provider;
use crate::store::{self, ring};
use crate::text::printable;

/// One delivery (or several of the same body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// When the last of them arrived (ms since the epoch).
    pub at: u64,
    /// The event, as its provider names it; "" when the body did not say one.
    pub event: String,
    /// The PAM system's id of the request ("" when the body did not say one). Never a PRA ticket
    /// ID: providers name the request, not what its user typed.
    pub request: String,
    /// The app's answer: its status, and what it said (the error, or what was done).
    pub status: u16,
    pub outcome: String,
    /// How many times this body was delivered while it stayed in the list.
    pub attempts: u32,
    /// The start of the body's SHA-256: which deliveries are the same, and which queue job is
    /// this delivery's (a job names the full digest). Not shown.
    pub body: String,
}

/// How many hex digits of the body's digest a delivery keeps.
pub const BODY_DIGITS: usize = 16;

pub fn key(trigger: &str) -> String {
    format!("diag:deliveries:{}", store::key_part(trigger))
}

/// Records the answer to an authenticated delivery; a failure to record is logged, never the
/// delivery's problem.
pub async fn record(caps: &Caps, provider: &Provider, trigger: &str, request: &HttpRequest, response: &HttpResponse) {
    if matches!(response.status, 401 | 403) {
        return;
    }
    let described = provider.describe.and_then(|describe| describe(request));
    let at = caps.now().await.unwrap_or(0);
    let digest = store::digest(&request.body);
    let entry = Delivery {
        at,
        event: described.as_ref().map(|d| d.event.clone()).unwrap_or_default(),
        request: described.map(|d| d.request).unwrap_or_default(),
        status: response.status,
        outcome: outcome(response),
        attempts: 1,
        body: digest[..BODY_DIGITS].to_string(),
    };
    ring::note(
        caps,
        &key(trigger),
        entry,
        |old: &Delivery, new: &Delivery| old.body == new.body,
        |old, new| Delivery {
            attempts: old.attempts.saturating_add(1),
            ..new
        },
        "the delivery",
    )
    .await;
}

/// What the answer said, in a line: the error it named, or what was done.
fn outcome(response: &HttpResponse) -> String {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let said = if let Some(error) = text("error") {
        error
    } else if let Some(issue) = text("issueKey") {
        match body.get("created").and_then(Value::as_bool) {
            Some(true) => format!("issue {issue} created"),
            Some(false) => format!("issue {issue} exists already"),
            None => format!("issue {issue}"),
        }
    } else if let Some(reason) = text("reason") {
        reason
    } else if let Some(result) = text("result") {
        result
    } else if body.get("accepted").and_then(Value::as_bool) == Some(true) {
        "accepted: the request is kept and the app finishes it".into()
    } else {
        String::new()
    };
    printable(&said, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_is_what_the_answer_said() {
        let cases = [
            (
                HttpResponse::error(400, "field `requestId` is missing"),
                "field `requestId` is missing",
            ),
            (
                HttpResponse::json(201, &serde_json::json!({"issueKey": "PMCJIT-1", "created": true})),
                "issue PMCJIT-1 created",
            ),
            (
                HttpResponse::json(200, &serde_json::json!({"issueKey": "PMCJIT-1", "created": false})),
                "issue PMCJIT-1 exists already",
            ),
            (
                HttpResponse::json(
                    202,
                    &serde_json::json!({"accepted": true, "reason": "Jira is busy; the request is kept"}),
                ),
                "Jira is busy; the request is kept",
            ),
            (
                HttpResponse {
                    status: 200,
                    headers: vec![],
                    body: "not json\n".into(),
                },
                "",
            ),
        ];
        for (response, expected) in cases {
            assert_eq!(outcome(&response), expected);
        }
    }

    #[test]
    fn keys_are_per_trigger() {
        assert_eq!(key("epm-webhook"), "diag:deliveries:epm-webhook");
        assert_ne!(key("a b"), key("a_b"));
    }
}
