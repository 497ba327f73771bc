//! The approver's form: one set of rules for the page (which checks before sending) and the
//! `epm.decide` resolver (which checks again, because a page can be bypassed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::providers::epm::wire::duration::AccessDuration;

/// Longest message kept with a decision; it travels to EPM and into the note.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// A decision as the approver chose it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionForm {
    pub approve: bool,
    /// `None` for a denial.
    pub duration: Option<AccessDuration>,
    pub message: String,
}

/// Problems per form field (`decision`, `duration`, `message`), for display next to each.
pub type FieldErrors = BTreeMap<String, String>;

/// One entry of the duration pickers: a unit and its allowed counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DurationUnit {
    pub unit: &'static str,
    pub label: &'static str,
    pub min: u8,
    pub max: u8,
}

/// The units EPM's own UI offers, in its order.
pub const DURATION_UNITS: [DurationUnit; 4] = [
    DurationUnit {
        unit: "once",
        label: "Once",
        min: 1,
        max: 1,
    },
    DurationUnit {
        unit: "hours",
        label: "Hours",
        min: 1,
        max: 24,
    },
    DurationUnit {
        unit: "days",
        label: "Days",
        min: 1,
        max: 31,
    },
    DurationUnit {
        unit: "months",
        label: "Months",
        min: 1,
        max: 12,
    },
];

/// Checks a form payload `{"decision", "duration": {"unit", "count"}, "message"}`.
pub fn validate(payload: &Value) -> Result<DecisionForm, FieldErrors> {
    let mut errors = FieldErrors::new();
    let approve = match payload.get("decision").and_then(Value::as_str) {
        Some("approve") => Some(true),
        Some("deny") => Some(false),
        Some(_) => {
            errors.insert("decision".into(), "choose Approve or Deny".into());
            None
        }
        None => {
            errors.insert("decision".into(), "choose Approve or Deny".into());
            None
        }
    };
    let duration = if approve == Some(true) {
        match read_duration(payload.get("duration")) {
            Ok(d) => Some(d),
            Err(problem) => {
                errors.insert("duration".into(), problem);
                None
            }
        }
    } else {
        None
    };
    let message = match payload.get("message") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => {
            errors.insert("message".into(), "the message must be text".into());
            String::new()
        }
    };
    if let Some(problem) = message_problem(&message) {
        errors.insert("message".into(), problem);
    }
    match approve {
        Some(approve) if errors.is_empty() => Ok(DecisionForm {
            approve,
            duration,
            message,
        }),
        _ => Err(errors),
    }
}

fn read_duration(value: Option<&Value>) -> Result<AccessDuration, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Err("choose how long the access lasts".into());
    };
    let unit = value.get("unit").and_then(Value::as_str).unwrap_or("");
    if unit == "once" {
        return Ok(AccessDuration::Once);
    }
    let Some(count) = value.get("count").and_then(Value::as_u64) else {
        return Err("give a whole number for the duration".into());
    };
    AccessDuration::new(unit, count)
}

fn message_problem(message: &str) -> Option<String> {
    let length = message.chars().count();
    if length > MAX_MESSAGE_CHARS {
        return Some(format!(
            "the message has {length} characters; at most {MAX_MESSAGE_CHARS} are allowed"
        ));
    }
    if message.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Some("the message contains control characters".into());
    }
    None
}

/// The payload the page sends for a form (the inverse of `validate`).
pub fn payload(form: &DecisionForm) -> Value {
    serde_json::json!({
        "decision": if form.approve { "approve" } else { "deny" },
        "duration": form.duration,
        "message": form.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_what_epm_offers() {
        let form =
            validate(&json!({"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": " ok "}))
                .unwrap();
        assert_eq!(
            form,
            DecisionForm {
                approve: true,
                duration: Some(AccessDuration::Hours(4)),
                message: "ok".into()
            }
        );
        assert_eq!(validate(&payload(&form)).unwrap(), form);
        let once = validate(&json!({"decision": "approve", "duration": {"unit": "once"}})).unwrap();
        assert_eq!(once.duration, Some(AccessDuration::Once));
        let deny = validate(&json!({"decision": "deny", "duration": {"unit": "weeks"}})).unwrap();
        assert_eq!((deny.approve, deny.duration, deny.message.as_str()), (false, None, ""));
    }

    #[test]
    fn names_each_bad_field() {
        let cases = [
            (json!({}), "decision", "choose Approve or Deny"),
            (json!({"decision": "maybe"}), "decision", "choose Approve or Deny"),
            (json!({"decision": "approve"}), "duration", "choose how long"),
            (
                json!({"decision": "approve", "duration": {"unit": "hours", "count": 25}}),
                "duration",
                "hours must be 1 to 24",
            ),
            (
                json!({"decision": "approve", "duration": {"unit": "days", "count": "3"}}),
                "duration",
                "whole number",
            ),
            (
                json!({"decision": "approve", "duration": {"unit": "weeks", "count": 1}}),
                "duration",
                "unknown duration unit",
            ),
            (json!({"decision": "deny", "message": 5}), "message", "must be text"),
            (
                json!({"decision": "deny", "message": "x".repeat(1001)}),
                "message",
                "1001 characters",
            ),
            (json!({"decision": "deny", "message": "a\u{7}b"}), "message", "control"),
        ];
        for (payload, field, expected) in cases {
            let errors = validate(&payload).expect_err(&payload.to_string());
            let problem = errors.get(field).unwrap_or_else(|| panic!("{payload}: {errors:?}"));
            assert!(problem.contains(expected), "{payload}: {problem}");
        }
    }

    #[test]
    fn units_match_duration_rules() {
        for unit in DURATION_UNITS.iter().filter(|u| u.unit != "once") {
            assert!(AccessDuration::new(unit.unit, unit.max.into()).is_ok());
            assert!(AccessDuration::new(unit.unit, u64::from(unit.max) + 1).is_err());
            assert!(AccessDuration::new(unit.unit, u64::from(unit.min) - 1).is_err());
        }
    }
}
