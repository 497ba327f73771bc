//! The resolvers' answers as `docs/resolvers.md` defines them: `{"ok": true, "view", "outcome"?}`
//! or `{"ok": false, "error": {"code", "message", "fields"}}`. The view is the core's own
//! `RequestView`, so the page and the resolver cannot disagree on it.

use pam_approvals::providers::epm::page::form::FieldErrors;
use pam_approvals::providers::epm::page::view::RequestView;
use serde::Deserialize;
use serde_json::Value;

/// What `epm.decide` says it recorded (`src/providers/epm/decide.rs`, `finish`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DecideOutcome {
    pub approved: bool,
    pub internal_note: Option<bool>,
    pub moved_to: Option<String>,
    /// Set when the workflow had no transition to the configured status.
    pub status_note: Option<String>,
    /// Set when EPM took the decision but Jira could not record it yet, or when EPM's answer
    /// is unknown (`pending`).
    pub warning: Option<String>,
    /// EPM did not confirm the decision; the app sends the same one again until it does.
    pub pending: bool,
}

/// A refusal, written for the person at the page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub fields: FieldErrors,
}

impl Refusal {
    /// Whether trying the same thing again may work (the table in `docs/resolvers.md`).
    /// `invalid` is left out: it needs the form changed first, not a retry.
    pub fn can_retry(&self) -> bool {
        matches!(self.code.as_str(), "epm-failed" | "unavailable")
    }
}

/// One resolver answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok {
        view: Box<RequestView>,
        outcome: Option<DecideOutcome>,
    },
    Refused(Refusal),
}

#[derive(Deserialize)]
struct Wire {
    ok: bool,
    view: Option<Box<RequestView>>,
    outcome: Option<DecideOutcome>,
    error: Option<Refusal>,
}

impl Answer {
    /// Reads an answer; an answer of another shape is an error for the person, not a panic.
    pub fn parse(value: Value) -> Result<Answer, String> {
        let wire: Wire =
            serde_json::from_value(value).map_err(|e| format!("the app answered in an unexpected form ({e})"))?;
        match (wire.ok, wire.view, wire.error) {
            (true, Some(view), _) => Ok(Answer::Ok {
                view,
                outcome: wire.outcome,
            }),
            (false, _, Some(refusal)) => Ok(Answer::Refused(refusal)),
            (true, None, _) => Err("the app answered without the request".into()),
            (false, _, None) => Err("the app refused without saying why".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_refusals_with_field_errors() {
        let answer = Answer::parse(
            json!({"ok": false, "error": {"code": "invalid", "message": "Some fields need attention.",
            "fields": {"duration": "hours must be 1 to 24"}}}),
        )
        .unwrap();
        let Answer::Refused(refusal) = answer else {
            panic!("{answer:?}")
        };
        assert_eq!(refusal.fields["duration"], "hours must be 1 to 24");
        assert!(!refusal.can_retry());
        let epm =
            Answer::parse(json!({"ok": false, "error": {"code": "epm-failed", "message": "EPM said 500"}})).unwrap();
        assert!(matches!(epm, Answer::Refused(r) if r.can_retry() && r.fields.is_empty()));
    }

    #[test]
    fn odd_answers_are_errors() {
        assert!(
            Answer::parse(json!({"ok": true}))
                .unwrap_err()
                .contains("without the request")
        );
        assert!(
            Answer::parse(json!({"ok": false}))
                .unwrap_err()
                .contains("without saying why")
        );
        assert!(Answer::parse(json!("nope")).unwrap_err().contains("unexpected form"));
    }
}
