//! Text for people, whatever the provider: bounded lengths, and what of a caller's text a
//! message may quote.

/// Text from a caller, safe to quote in a message: no control characters, at most `max` chars.
pub fn printable(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// At most `max` characters, marking a cut with an ellipsis.
pub fn cap_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_drops_control_characters_and_bounds_the_length() {
        assert_eq!(printable("a\u{7}b\nc", 10), "abc");
        assert_eq!(printable("héllo", 2), "hé");
    }

    #[test]
    fn cuts_by_characters_and_marks_the_cut() {
        assert_eq!(cap_chars("héllo", 5), "héllo");
        assert_eq!(cap_chars("héllo!", 5), "héll…");
        assert_eq!(cap_chars("中中中", 2), "中…");
    }
}
