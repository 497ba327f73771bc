//! The two webhook templates an admin pastes into EPM (verbatim from BeyondTrust's guide, seed
//! 000), shown on the configuration page ready to copy.

/// Template of the "JIT Application Access Ticket Created" webhook.
pub const TICKET_CREATED: &str = include_str!("templates/ticket-created.json");
/// Template of the "JIT Application Access Decision Updated" webhook.
pub const DECISION_UPDATE: &str = include_str!("templates/decision-update.json");

/// One template as the configuration page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub key: String,
    /// The EPM event the webhook is for, as EPM's "Event" list names it.
    pub event: String,
    pub body: String,
}

pub fn all() -> Vec<Template> {
    vec![
        Template {
            key: "ticketCreated".into(),
            event: "JIT Application Access Ticket Created".into(),
            body: TICKET_CREATED.into(),
        },
        Template {
            key: "decisionUpdate".into(),
            event: "JIT Application Access Decision Updated".into(),
            body: DECISION_UPDATE.into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::epm::wire::fields;

    /// Every `%%Name%%` of both templates is a placeholder the app reads (or a decision field).
    #[test]
    fn the_templates_use_known_placeholders_and_parse_once_filled() {
        let decision_only = ["Decision", "DecisionTime", "DecisionPerformedByUser", "Duration"];
        for template in all() {
            let mut rest = template.body.as_str();
            while let Some(start) = rest.find("%%") {
                let after = &rest[start + 2..];
                let end = after.find("%%").expect("closed placeholder");
                let name = &after[..end];
                assert!(
                    fields::by_placeholder(name).is_some() || decision_only.contains(&name),
                    "{} uses unknown %%{name}%%",
                    template.key
                );
                rest = &after[end + 2..];
            }
        }
        // Pasted into EPM as they are: each must be JSON already (placeholders sit in strings).
        for template in all() {
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(&template.body);
            assert!(parsed.is_ok(), "{} is not JSON", template.key);
        }
    }
}
