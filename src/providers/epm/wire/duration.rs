//! How long an approval lasts, as EPM's own UI offers it: once, 1–24 hours, 1–31 days or
//! 1–12 months. EPM's decision call takes "Once" or a number of seconds.

use serde::{Deserialize, Serialize};

/// Seconds in the units EPM's UI offers. A month is 30 days: EPM takes seconds, so a calendar
/// month has to be fixed to some length, and 30 days never grants more than the approver chose.
const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;
const MONTH: u64 = 30 * DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "count", rename_all = "lowercase")]
pub enum AccessDuration {
    Once,
    Hours(u8),
    Days(u8),
    Months(u8),
}

impl AccessDuration {
    /// Checks the count against the unit's range.
    pub fn new(unit: &str, count: u64) -> Result<AccessDuration, String> {
        let in_range = |max: u64| (1..=max).contains(&count).then_some(count as u8);
        match unit {
            "once" => Ok(AccessDuration::Once),
            "hours" => in_range(24)
                .map(AccessDuration::Hours)
                .ok_or_else(|| "hours must be 1 to 24".into()),
            "days" => in_range(31)
                .map(AccessDuration::Days)
                .ok_or_else(|| "days must be 1 to 31".into()),
            "months" => in_range(12)
                .map(AccessDuration::Months)
                .ok_or_else(|| "months must be 1 to 12".into()),
            other => Err(format!(
                "unknown duration unit \"{}\"; use once, hours, days or months",
                other.chars().take(20).collect::<String>()
            )),
        }
    }

    /// Length in seconds; `None` for a single use.
    pub fn seconds(self) -> Option<u64> {
        match self {
            AccessDuration::Once => None,
            AccessDuration::Hours(n) => Some(u64::from(n) * HOUR),
            AccessDuration::Days(n) => Some(u64::from(n) * DAY),
            AccessDuration::Months(n) => Some(u64::from(n) * MONTH),
        }
    }

    /// The `duration` value of EPM's decision call.
    pub fn to_epm(self) -> String {
        self.seconds().map_or_else(|| "Once".to_string(), |s| s.to_string())
    }

    /// Reads EPM's `duration` ("Once" or seconds) when it is one of the choices.
    pub fn from_epm(text: &str) -> Option<AccessDuration> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("once") {
            return Some(AccessDuration::Once);
        }
        let seconds: u64 = text.parse().ok()?;
        [(MONTH, "months"), (DAY, "days"), (HOUR, "hours")]
            .iter()
            .filter(|(unit, _)| seconds.is_multiple_of(*unit))
            .find_map(|(unit, name)| AccessDuration::new(name, seconds / unit).ok())
    }

    /// For people: "once", "4 hours", "1 day".
    pub fn label(self) -> String {
        let plural = |n: u8, one: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {one}s")
            }
        };
        match self {
            AccessDuration::Once => "once".into(),
            AccessDuration::Hours(n) => plural(n, "hour"),
            AccessDuration::Days(n) => plural(n, "day"),
            AccessDuration::Months(n) => plural(n, "month"),
        }
    }

    /// Reads a label as people write it and [`AccessDuration::label`] makes it ("once",
    /// "4 hours", "1 Day"; case and surrounding space ignored): the value of a Jira select
    /// field, or a default in the settings.
    pub fn from_label(text: &str) -> Result<AccessDuration, String> {
        let text = text.trim().to_lowercase();
        if text == "once" {
            return Ok(AccessDuration::Once);
        }
        let mut words = text.split_whitespace();
        let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err("write a duration as \"once\" or a number and a unit, like \"4 hours\"".into());
        };
        let count: u64 = count
            .parse()
            .map_err(|_| "give a whole number before the unit, like \"4 hours\"".to_string())?;
        let unit = match unit {
            "hour" | "hours" => "hours",
            "day" | "days" => "days",
            "month" | "months" => "months",
            other => other,
        };
        AccessDuration::new(unit, count)
    }

    /// Every choice, in the order EPM's UI lists them (for the form).
    pub fn choices() -> Vec<AccessDuration> {
        let mut all = vec![AccessDuration::Once];
        all.extend((1..=24).map(AccessDuration::Hours));
        all.extend((1..=31).map(AccessDuration::Days));
        all.extend((1..=12).map(AccessDuration::Months));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_back() {
        for choice in AccessDuration::choices() {
            assert_eq!(AccessDuration::from_label(&choice.label()), Ok(choice));
            assert_eq!(AccessDuration::from_label(&choice.label().to_uppercase()), Ok(choice));
        }
        assert_eq!(AccessDuration::from_label(" 1 Hour "), Ok(AccessDuration::Hours(1)));
        for (bad, expected) in [
            ("", "write a duration"),
            ("4", "write a duration"),
            ("4 hours please", "write a duration"),
            ("four hours", "whole number"),
            ("25 hours", "1 to 24"),
            ("2 weeks", "unknown duration unit"),
        ] {
            let problem = AccessDuration::from_label(bad).unwrap_err();
            assert!(problem.contains(expected), "{bad}: {problem}");
        }
    }

    #[test]
    fn encodes_for_epm_and_people() {
        assert_eq!(AccessDuration::Once.to_epm(), "Once");
        assert_eq!(AccessDuration::Hours(4).to_epm(), "14400");
        assert_eq!(AccessDuration::Days(1).to_epm(), "86400");
        assert_eq!(AccessDuration::Months(12).to_epm(), "31104000");
        assert_eq!(AccessDuration::Hours(1).label(), "1 hour");
        assert_eq!(AccessDuration::Days(31).label(), "31 days");
        assert_eq!(AccessDuration::choices().len(), 1 + 24 + 31 + 12);
    }

    #[test]
    fn ranges_are_those_of_epm() {
        assert_eq!(AccessDuration::new("hours", 24), Ok(AccessDuration::Hours(24)));
        for (unit, bad) in [
            ("hours", 0),
            ("hours", 25),
            ("days", 32),
            ("months", 13),
            ("months", 300),
        ] {
            assert!(AccessDuration::new(unit, bad).is_err(), "{unit} {bad}");
        }
        assert!(
            AccessDuration::new("weeks", 1)
                .unwrap_err()
                .contains("unknown duration unit")
        );
    }

    #[test]
    fn reads_epm_durations() {
        for d in AccessDuration::choices() {
            let back = AccessDuration::from_epm(&d.to_epm()).unwrap();
            assert_eq!(back.seconds(), d.seconds(), "{d:?}");
        }
        assert_eq!(AccessDuration::from_epm("ONCE"), Some(AccessDuration::Once));
        assert_eq!(AccessDuration::from_epm("86400"), Some(AccessDuration::Days(1)));
        for odd in ["", "90", "-3600", "4 hours", "%%Duration%%", "2592000000"] {
            assert_eq!(AccessDuration::from_epm(odd), None, "{odd}");
        }
    }

    #[test]
    fn round_trips_as_json() {
        for d in AccessDuration::choices() {
            let text = serde_json::to_string(&d).unwrap();
            assert_eq!(serde_json::from_str::<AccessDuration>(&text).unwrap(), d);
        }
    }
}
