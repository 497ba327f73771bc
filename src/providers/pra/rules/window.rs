//! Rule 6: now is inside the change window, two date-time fields of the issue.

use serde_json::Value;

use super::super::settings::PraSettings;
use super::ticket::Ticket;
use crate::time;

/// Why now is outside the window; `None` inside it.
pub fn outside(settings: &PraSettings, issue: &Value, ticket: &Ticket, now: u64) -> Option<String> {
    let start = instant(&issue["fields"][settings.window_start_field.as_str()]);
    let end = instant(&issue["fields"][settings.window_end_field.as_str()]);
    let (Some(start), Some(end)) = (start, end) else {
        return Some(format!("{} has no change window set.", ticket.subject()));
    };
    if now < start {
        return Some(format!(
            "The change window of {} opens at {} UTC.",
            ticket.object(),
            time::display(start)
        ));
    }
    if now > end {
        return Some(format!(
            "The change window of {} closed at {} UTC.",
            ticket.object(),
            time::display(end)
        ));
    }
    None
}

/// A Jira date-time (`2026-11-29T10:00:00.000+0000`) or date (`2026-11-29`, the whole day
/// from midnight UTC) as an instant.
pub fn instant(value: &Value) -> Option<u64> {
    let text = value.as_str()?.trim();
    if text.len() == 10 {
        return time::parse(&format!("{text}T00:00:00Z"));
    }
    // Jira writes offsets without a colon (`+0530`); `time::parse` reads `+05:30`.
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n > 5 && matches!(bytes[n - 5], b'+' | b'-') && bytes[n - 4..].iter().all(u8::is_ascii_digit) {
        return time::parse(&format!("{}:{}", &text[..n - 2], &text[n - 2..]));
    }
    time::parse(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn jira_date_times_are_read_with_their_offsets() {
        let utc = instant(&json!("2026-11-29T10:00:00.000+0000")).unwrap();
        assert_eq!(instant(&json!("2026-11-29T15:30:00.000+0530")), Some(utc));
        assert_eq!(instant(&json!("2026-11-29T10:00:00Z")), Some(utc));
        assert_eq!(instant(&json!("2026-11-29")), Some(utc - 10 * 3_600_000));
        assert_eq!(instant(&json!("soon")), None);
        assert_eq!(instant(&Value::Null), None);
    }
}
