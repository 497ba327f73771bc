//! Timestamps in the formats the sandboxes answer with (Jira's, and plain UTC ISO 8601).

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The instant `ms` milliseconds after the Unix epoch (clamped to what a calendar date can be).
fn instant(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// Jira's REST format: `2024-05-01T10:20:30.123+0000`.
pub(crate) fn jira_time(ms: i64) -> String {
    instant(ms).strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// ISO 8601 without milliseconds, as JSM's `DateDTO.iso8601`: `2024-05-01T10:20:30+0000`.
pub(crate) fn iso8601(ms: i64) -> String {
    instant(ms).strftime("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// ISO 8601 in UTC with milliseconds: `2024-05-01T10:20:30.123Z`.
pub(crate) fn utc_iso(ms: i64) -> String {
    instant(ms).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A human-friendly form for pages: `01 May 2024, 10:20 UTC`.
pub(crate) fn friendly(ms: i64) -> String {
    instant(ms).strftime("%d %b %Y, %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2024-02-29T23:59:58.007Z
        let ms = 1_709_251_198_007;
        assert_eq!(jira_time(ms), "2024-02-29T23:59:58.007+0000");
        assert_eq!(iso8601(ms), "2024-02-29T23:59:58+0000");
        assert_eq!(friendly(ms), "29 Feb 2024, 23:59 UTC");
        assert_eq!(utc_iso(ms), "2024-02-29T23:59:58.007Z");
        assert_eq!(jira_time(0), "1970-01-01T00:00:00.000+0000");
        assert_eq!(
            utc_iso(1_000),
            "1970-01-01T00:00:01.000Z",
            "whole seconds keep their zeros"
        );
    }
}
