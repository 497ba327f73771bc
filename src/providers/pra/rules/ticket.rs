//! The ticket ID as the rules read it and as messages name it. With "Treat the Ticket ID as
//! sensitive" on, messages say "the ticket" instead of quoting it.

use crate::config::rules::is_project_key;

pub struct Ticket {
    key: Option<String>,
    sensitive: bool,
}

impl Ticket {
    pub fn read(ticket_id: &str, sensitive: bool) -> Ticket {
        let candidate = ticket_id.trim().to_ascii_uppercase();
        Ticket {
            key: is_issue_key(&candidate).then_some(candidate),
            sensitive,
        }
    }

    /// The Jira issue key the ticket ID is, if it is one.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// "Ticket PMC-12" (or "The ticket"), to start a sentence.
    pub fn subject(&self) -> String {
        match (&self.key, self.sensitive) {
            (Some(key), false) => format!("Ticket {key}"),
            (None, false) => "The ticket ID entered".into(),
            (_, true) => "The ticket".into(),
        }
    }

    /// "ticket PMC-12" (or "the ticket"), inside a sentence.
    pub fn object(&self) -> String {
        match (&self.key, self.sensitive) {
            (Some(key), false) => format!("ticket {key}"),
            (None, false) => "the ticket ID entered".into(),
            (_, true) => "the ticket".into(),
        }
    }
}

/// `PROJECT-123`: a project key, a dash, a number without leading zeros.
pub fn is_issue_key(text: &str) -> bool {
    let Some((project, number)) = text.rsplit_once('-') else {
        return false;
    };
    is_project_key(project)
        && (1..=12).contains(&number.len())
        && !number.starts_with('0')
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_keys_are_read_trimmed_and_in_any_case() {
        assert_eq!(Ticket::read(" pmc-12 ", false).key(), Some("PMC-12"));
        for not_a_key in [
            "PMC12",
            "PMC-",
            "-12",
            "PMC-012",
            "P-1",
            "PMC-1-2",
            "PMC 12",
            "../PMC-1",
            "PMC-1?x=1",
            "",
        ] {
            assert_eq!(Ticket::read(not_a_key, false).key(), None, "{not_a_key}");
        }
    }

    #[test]
    fn a_sensitive_ticket_is_never_named() {
        let ticket = Ticket::read("PMC-12", true);
        assert_eq!(ticket.key(), Some("PMC-12"));
        assert!(!ticket.subject().contains("PMC") && !ticket.object().contains("PMC"));
        assert_eq!(Ticket::read("PMC-12", false).subject(), "Ticket PMC-12");
    }
}
