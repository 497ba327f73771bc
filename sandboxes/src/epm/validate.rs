//! The decision notification body, held strictly to the contract: every field present as a
//! string, nothing extra, decision and status agreeing, duration, time and URL well formed.
//! Each problem names the field.

use serde_json::{Map, Value};

/// The fields of `AuthorizationRequest/notification`, in the contract's order.
const FIELDS: [&str; 10] = [
    "itsmRequestId",
    "systemId",
    "ticketId",
    "ticketUrl",
    "decision",
    "status",
    "duration",
    "decisionTime",
    "decisionPerformedByUser",
    "message",
];

/// Fields that identify something and so cannot be empty (`message` may be).
const NON_EMPTY: [&str; 4] = ["itsmRequestId", "systemId", "ticketId", "decisionPerformedByUser"];

/// A refused body: the field at fault (if one is) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub field: Option<&'static str>,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: Some(field),
        message: message.into(),
    }
}

/// Checks a notification body; `Ok` holds the parsed object.
pub(super) fn notification(body: &[u8]) -> Result<Map<String, Value>, Problem> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Problem {
        field: None,
        message: format!("The body is not valid JSON: {e}"),
    })?;
    let Value::Object(object) = value else {
        return Err(Problem {
            field: None,
            message: "The body must be a JSON object.".into(),
        });
    };
    if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(Problem {
            field: None,
            message: format!(
                "Unknown field '{unknown}': the notification takes only {}.",
                FIELDS.join(", ")
            ),
        });
    }
    let text = |field: &'static str| -> Result<&str, Problem> {
        match object.get(field) {
            None | Some(Value::Null) => Err(problem(field, format!("The field '{field}' is required."))),
            Some(Value::String(value)) if value.trim().is_empty() && NON_EMPTY.contains(&field) => {
                Err(problem(field, format!("The field '{field}' must not be empty.")))
            }
            Some(Value::String(value)) => Ok(value.as_str()),
            Some(_) => Err(problem(field, format!("The field '{field}' must be a string."))),
        }
    };
    for field in FIELDS {
        text(field)?;
    }
    let decision = text("decision")?;
    let expected_status = match decision {
        "Approved" => "2000",
        "Denied" => "2001",
        "Pending" => "1000",
        other => {
            return Err(problem(
                "decision",
                format!("The field 'decision' must be Approved, Denied or Pending, not '{other}'."),
            ));
        }
    };
    let status = text("status")?;
    if status != expected_status {
        return Err(problem(
            "status",
            format!("The field 'status' must be \"{expected_status}\" for decision {decision}, not \"{status}\"."),
        ));
    }
    let duration = text("duration")?;
    if !is_duration(duration) {
        return Err(problem(
            "duration",
            format!("The field 'duration' must be \"Once\" or a positive whole number of seconds, not \"{duration}\"."),
        ));
    }
    let time = text("decisionTime")?;
    if !is_decision_time(time) {
        return Err(problem(
            "decisionTime",
            format!("The field 'decisionTime' must be a time as YYYY-MM-DD HH:MM:SS, not \"{time}\"."),
        ));
    }
    let url = text("ticketUrl")?;
    if !is_web_url(url) {
        return Err(problem(
            "ticketUrl",
            format!("The field 'ticketUrl' must be an absolute http(s) URL, not \"{url}\"."),
        ));
    }
    Ok(object)
}

fn is_duration(text: &str) -> bool {
    text == "Once"
        || (!text.is_empty()
            && text.len() <= 10
            && text.bytes().all(|b| b.is_ascii_digit())
            && !text.starts_with('0')
            && text.parse::<u64>().is_ok_and(|seconds| seconds > 0))
}

fn is_decision_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b' ',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return false;
    }
    let number = |from: usize, to: usize| text[from..to].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day) = (number(0, 4), number(5, 7), number(8, 10));
    let (hour, minute, second) = (number(11, 13), number(14, 16), number(17, 19));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1970 && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "itsmRequestId": "PMCJIT-1",
            "systemId": "7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13",
            "ticketId": "PMCJIT-1",
            "ticketUrl": "https://example.atlassian.net/browse/PMCJIT-1",
            "decision": "Approved",
            "status": "2000",
            "duration": "3600",
            "decisionTime": "2026-11-23 10:04:00",
            "decisionPerformedByUser": "Alice Approver",
            "message": "",
        })
    }

    fn check(body: &Value) -> Result<Map<String, Value>, Problem> {
        notification(body.to_string().as_bytes())
    }

    #[test]
    fn a_valid_notification_passes() {
        assert!(check(&valid()).is_ok());
        let mut denied = valid();
        denied["decision"] = json!("Denied");
        denied["status"] = json!("2001");
        denied["duration"] = json!("Once");
        assert!(check(&denied).is_ok());
        let mut pending = valid();
        pending["decision"] = json!("Pending");
        pending["status"] = json!("1000");
        pending["decisionTime"] = json!("2024-02-29 23:59:59");
        assert!(check(&pending).is_ok());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, Value)> = vec![
            ("itsmRequestId", json!(null)),
            ("systemId", json!("")),
            ("ticketId", json!(12)),
            ("ticketUrl", json!("/browse/PMCJIT-1")),
            ("ticketUrl", json!("ftp://example.com/x")),
            ("decision", json!("approved")),
            ("status", json!("2001")),
            ("status", json!(2000)),
            ("duration", json!("0")),
            ("duration", json!("-5")),
            ("duration", json!("1h")),
            ("duration", json!("once")),
            ("duration", json!("0600")),
            ("decisionTime", json!("2026-11-23T10:04:00")),
            ("decisionTime", json!("2026-02-30 10:04:00")),
            ("decisionTime", json!("2026-11-23 24:00:00")),
            ("decisionPerformedByUser", json!(["Alice"])),
            ("message", json!(null)),
        ];
        for (field, value) in cases {
            let mut body = valid();
            body[field] = value.clone();
            let problem = check(&body).expect_err(&format!("{field} = {value}"));
            assert_eq!(problem.field, Some(field), "{field} = {value}: {problem:?}");
            assert!(problem.message.contains(field), "{problem:?}");
        }
        let mut missing = valid();
        missing.as_object_mut().map(|o| o.remove("message"));
        assert_eq!(check(&missing).map_err(|p| p.field), Err(Some("message")));
    }

    #[test]
    fn unknown_fields_and_non_objects_are_refused() {
        let mut extra = valid();
        extra["comment"] = json!("x");
        let problem = check(&extra).expect_err("extra field");
        assert!(problem.message.contains("'comment'"), "{problem:?}");
        assert!(notification(b"[]").is_err());
        assert!(notification(b"{").is_err());
    }
}
