//! What the approver has entered so far, and the payload it makes. The rules (which units,
//! which counts, how long a message) are the core's (`form.rs`); this only holds choices.

use pam_approvals::providers::epm::page::form::{self, DURATION_UNITS, DurationUnit, FieldErrors, MAX_MESSAGE_CHARS};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    /// The value the form sends (and the radio buttons carry).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }

    pub fn parse(text: &str) -> Option<Decision> {
        match text {
            "approve" => Some(Decision::Approve),
            "deny" => Some(Decision::Deny),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    /// Nothing is chosen at first: approving must be a deliberate choice.
    pub decision: Option<Decision>,
    /// An index into `DURATION_UNITS`.
    unit: usize,
    pub count: u8,
    pub message: String,
}

impl Default for FormState {
    fn default() -> FormState {
        // EPM's own form starts on its first unit (Once).
        FormState {
            decision: None,
            unit: 0,
            count: DURATION_UNITS[0].min,
            message: String::new(),
        }
    }
}

/// The unit named `name`, if the core offers it.
pub fn unit_index(name: &str) -> Option<usize> {
    DURATION_UNITS.iter().position(|u| u.unit == name)
}

impl FormState {
    pub fn unit(&self) -> &'static DurationUnit {
        &DURATION_UNITS[self.unit]
    }

    /// Whether the unit takes a count ("Once" does not).
    pub fn unit_has_count(&self) -> bool {
        let unit = self.unit();
        unit.min != unit.max
    }

    /// Switches the unit, keeping the count when the new unit allows it (4 hours → 4 days) and
    /// clamping it otherwise (24 hours → 12 months). Unknown units are ignored.
    pub fn choose_unit(&mut self, name: &str) {
        if let Some(index) = unit_index(name) {
            self.unit = index;
            let unit = self.unit();
            self.count = self.count.clamp(unit.min, unit.max);
        }
    }

    /// Takes a count as the select sends it; anything outside the unit's range is ignored.
    pub fn choose_count(&mut self, text: &str) {
        let unit = self.unit();
        if let Ok(count) = text.trim().parse::<u8>()
            && (unit.min..=unit.max).contains(&count)
        {
            self.count = count;
        }
    }

    /// The payload as entered, in the shape of `docs/resolvers.md`, before any check.
    pub fn raw_payload(&self) -> Value {
        json!({
            "decision": self.decision.map(Decision::as_str),
            "duration": {"unit": self.unit().unit, "count": self.count},
            "message": self.message,
        })
    }

    /// The payload to send, checked by the core's `form::validate` (the same function the
    /// resolver runs) and written by its `form::payload`.
    pub fn checked_payload(&self) -> Result<Value, FieldErrors> {
        form::validate(&self.raw_payload()).map(|checked| form::payload(&checked))
    }

    /// "12 / 1000": characters as the core counts them (Unicode scalar values).
    pub fn counter(&self) -> (String, bool) {
        let used = self.message.chars().count();
        (format!("{used} / {MAX_MESSAGE_CHARS}"), used > MAX_MESSAGE_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payload_is_checked_by_the_core() {
        let mut form = FormState::default();
        let errors = form.checked_payload().unwrap_err();
        assert_eq!(errors["decision"], "choose Approve or Deny");
        form.decision = Some(Decision::Approve);
        form.choose_unit("hours");
        form.choose_count("4");
        form.message = "  patch window  ".into();
        assert_eq!(
            form.checked_payload().unwrap(),
            json!({"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": "patch window"})
        );
        form.decision = Some(Decision::Deny);
        assert_eq!(form.checked_payload().unwrap()["duration"], Value::Null);
        form.message = "x".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(form.checked_payload().unwrap_err()["message"].contains("at most 1000"));
        assert!(form.counter().1);
    }

    #[test]
    fn once_takes_no_count() {
        let mut form = FormState {
            decision: Some(Decision::Approve),
            ..FormState::default()
        };
        assert_eq!(form.unit().unit, "once");
        assert!(!form.unit_has_count());
        assert_eq!(form.checked_payload().unwrap()["duration"], json!({"unit": "once"}));
        form.choose_unit("days");
        assert!(form.unit_has_count());
    }

    #[test]
    fn counts_stay_in_the_units_range() {
        let mut form = FormState::default();
        form.choose_unit("hours");
        form.choose_count("24");
        form.choose_unit("months");
        assert_eq!(form.count, 12, "clamped to the months' maximum");
        form.choose_count("13");
        form.choose_count("zero");
        assert_eq!(form.count, 12, "out-of-range counts are ignored");
        form.choose_unit("weeks");
        assert_eq!(form.unit().unit, "months", "unknown units are ignored");
        form.choose_unit("days");
        assert_eq!(
            (form.unit().unit, form.count),
            ("days", 12),
            "a count that fits is kept"
        );
    }

    #[test]
    fn counter_counts_characters_not_bytes() {
        let form = FormState {
            message: "Grüße".into(),
            ..FormState::default()
        };
        assert_eq!(form.counter(), ("5 / 1000".to_string(), false));
    }
}
