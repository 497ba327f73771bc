//! Formatting instants (milliseconds since the Unix epoch, from the host's clock) in UTC.

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn parts(ms: u64) -> (i64, u32, u32, u64, u64, u64) {
    let secs = ms / 1000;
    let (y, m, d) = civil((secs / 86_400) as i64);
    let rem = secs % 86_400;
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `YYYY-MM-DD HH:MM:SS` (EPM's decisionTime format).
pub fn epm_datetime(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// ISO 8601 with a Z, for people and records.
pub fn iso(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Civil date to days since 1970-01-01 (the inverse of `civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads `YYYY-MM-DD HH:MM:SS` (EPM) or `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` as an instant
/// (ms; no offset means UTC); `None` otherwise.
pub fn parse(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, clock) = text.split_once([' ', 'T'])?;
    let mut date = date.split('-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    // The offset: `Z`, `+HH:MM`, `-HH:MM` (or none).
    let (clock, offset_ms): (&str, i64) = if let Some(clock) = clock.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = clock.rfind(['+', '-']) {
        let (h, m) = clock[at + 1..].split_once(':').unwrap_or((&clock[at + 1..], "0"));
        let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
        if h > 23 || m > 59 {
            return None;
        }
        let sign = if clock.as_bytes()[at] == b'-' { -1 } else { 1 };
        (&clock[..at], sign * (h * 3600 + m * 60) * 1000)
    } else {
        (clock, 0)
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let millis = if fraction.is_empty() {
        0
    } else if fraction.bytes().all(|b| b.is_ascii_digit()) {
        format!("{fraction:0<3}")[..3].parse::<u64>().ok()?
    } else {
        return None;
    };
    let mut clock = clock.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute) = (clock.next()??, clock.next()??);
    let second = match clock.next() {
        Some(second) => second?,
        None => 0,
    };
    let valid = (1970..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && clock.next().is_none();
    if !valid {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = i64::try_from(u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second).ok()? * 1000
        + i64::try_from(millis).ok()?;
    u64::try_from(local - offset_ms).ok()
}

/// `YYYY-MM-DD HH:MM UTC`, for people.
pub fn display(ms: u64) -> String {
    let (y, mo, d, h, mi, _) = parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_formats() {
        for ms in [0, 1_700_000_000_000, 951_782_400_000, 4_102_444_799_000] {
            assert_eq!(parse(&epm_datetime(ms)), Some(ms), "{ms}");
            assert_eq!(parse(&iso(ms)), Some(ms), "{ms}");
        }
        let base = parse("2026-11-23 10:04:05").unwrap();
        assert_eq!(parse("2026-11-23T10:04:05.123Z"), Some(base + 123));
        assert_eq!(parse("2026-11-23T10:04:05.5"), Some(base + 500));
        // Offsets are instants: 12:04 at +02:00 is 10:04 UTC; compared as numbers, not text.
        assert_eq!(parse("2026-11-23T12:04:05+02:00"), Some(base));
        assert_eq!(parse("2026-11-23T05:04:05-05:00"), Some(base));
        assert!(parse("2026-11-23T09:00:00Z") < parse("2026-11-23T10:00:00+02:00").map(|t| t + 3 * 3_600_000));
        for bad in [
            "",
            "2026-11-23",
            "2026-13-01 00:00:00",
            "2026-11-23 24:00:00",
            "x-y-z 1:2:3",
            "%%DecisionTime%%",
            "2026-11-23T10:04:05.12x",
            "2026-11-23T10:04:05+25:00",
            "2026-11-23T10:04:05:07",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(epm_datetime(0), "1970-01-01 00:00:00");
        assert_eq!(iso(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(epm_datetime(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(iso(4_102_444_799_000), "2099-12-31T23:59:59Z");
    }
}
