//! Text for people, whatever the provider: bounded lengths.

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
    fn cuts_by_characters_and_marks_the_cut() {
        assert_eq!(cap_chars("héllo", 5), "héllo");
        assert_eq!(cap_chars("héllo!", 5), "héll…");
        assert_eq!(cap_chars("中中中", 2), "中…");
    }
}
