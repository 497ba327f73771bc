//! The PRA section's inputs, in page order, each named as the core names it (`PraSettings`'s
//! JSON keys, which are also the `field` of its `ConfigError`). In
//! `static/admin/src/index.html` an input's id is `pra-<name>` (EPM's section has an `enabled`
//! too) and its error line `pra-<name>-error`. Also the choices of the page's selects and their
//! wording.

use pam_approvals::providers::pra::settings::{ASSET_MATCHES, ATTRIBUTE_SOURCES};

use crate::admin::problems::form_field;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Enabled,
    ApplianceHost,
    SensitiveTicketId,
    Rules,
    AllowedProjects,
    AllowedStatuses,
    RequesterField,
    AssetField,
    AssetMatch,
    WindowStartField,
    WindowEndField,
    SessionAttributes,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Enabled,
        Field::ApplianceHost,
        Field::SensitiveTicketId,
        Field::Rules,
        Field::AllowedProjects,
        Field::AllowedStatuses,
        Field::RequesterField,
        Field::AssetField,
        Field::AssetMatch,
        Field::WindowStartField,
        Field::WindowEndField,
        Field::SessionAttributes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Enabled => "enabled",
            Field::ApplianceHost => "applianceHost",
            Field::SensitiveTicketId => "sensitiveTicketId",
            Field::Rules => "rules",
            Field::AllowedProjects => "allowedProjects",
            Field::AllowedStatuses => "allowedStatuses",
            Field::RequesterField => "requesterField",
            Field::AssetField => "assetField",
            Field::AssetMatch => "assetMatch",
            Field::WindowStartField => "windowStartField",
            Field::WindowEndField => "windowEndField",
            Field::SessionAttributes => "sessionAttributes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Enabled => "Enable PRA",
            Field::ApplianceHost => "Appliance host",
            Field::SensitiveTicketId => "Treat the ticket ID as sensitive",
            Field::Rules => "Rules",
            Field::AllowedProjects => "Allowed projects",
            Field::AllowedStatuses => "Allowed statuses",
            Field::RequesterField => "Requester field",
            Field::AssetField => "Jump Item field",
            Field::AssetMatch => "Jump Item values that may match",
            Field::WindowStartField => "Change window start field",
            Field::WindowEndField => "Change window end field",
            Field::SessionAttributes => "Session attributes",
        }
    }

    /// The id of its control (and, with `-error`, of its error line).
    pub fn id(self) -> String {
        format!("pra-{}", self.name())
    }
}

form_field!(Field);

/// The select value that means "a custom field id, typed next to it".
pub const CUSTOM: &str = "custom";

/// A select's fixed choices: (value, label); `CUSTOM` is always added last.
pub type Choices = &'static [(&'static str, &'static str)];

/// Where the requester must be (the core's `is_user_field`), besides a user custom field.
pub const REQUESTER_CHOICES: Choices = &[("assignee", "Assignee"), ("reporter", "Reporter")];
/// The field listing Jump Items: none (the rule is off), labels, or a custom field.
pub const ASSET_CHOICES: Choices = &[("", "None"), ("labels", "Labels")];
pub const CUSTOM_LABEL: &str = "Custom field…";

/// The wording of a session attribute's source (one of the core's `ATTRIBUTE_SOURCES`).
pub fn source_label(source: &str) -> &str {
    match source {
        "issueKey" => "Issue key",
        "issueUrl" => "Issue URL",
        "summary" => "Summary",
        "status" => "Status",
        "assignee" => "Assignee",
        "windowStart" => "Change window start",
        "windowEnd" => "Change window end",
        other => other,
    }
}

/// The session attribute sources as select choices, in the core's order.
pub fn source_choices() -> Vec<(&'static str, &'static str)> {
    ATTRIBUTE_SOURCES.iter().map(|s| (*s, source_label(s))).collect()
}

/// The wording of what of a Jump Item may match (one of the core's `ASSET_MATCHES`).
pub fn match_label(value: &str) -> &str {
    match value {
        "computer_name" => "Computer name (or its first label)",
        "public_ip" => "Public IP address",
        "private_ip" => "Private IP address",
        "group" => "Jump Group",
        other => other,
    }
}

/// The Jump Item values, in the core's order.
pub fn match_choices() -> Vec<(&'static str, &'static str)> {
    ASSET_MATCHES.iter().map(|m| (*m, match_label(m))).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use pam_approvals::providers::pra::settings::{PraSettings, is_user_field};

    use super::*;

    /// A setting added to the core without an input here would be kept but never editable.
    #[test]
    fn every_setting_has_an_input() {
        let settings = serde_json::to_value(PraSettings::default()).unwrap();
        let wanted: BTreeSet<&str> = settings.as_object().unwrap().keys().map(String::as_str).collect();
        let ours: BTreeSet<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(ours, wanted);
    }

    #[test]
    fn the_fixed_choices_are_ones_the_core_accepts() {
        for (value, _) in REQUESTER_CHOICES {
            assert!(is_user_field(value), "{value}");
        }
        for (value, _) in ASSET_CHOICES {
            let settings = PraSettings {
                asset_field: value.to_string(),
                ..PraSettings::default()
            };
            assert_eq!(settings.validate(), Ok(()), "{value}");
        }
        // Every source and match has words of its own, not its code name.
        for (value, label) in source_choices().into_iter().chain(match_choices()) {
            assert_ne!(value, label);
        }
    }

    const PAGE: &str = include_str!("../../../../static/admin/src/index.html");

    /// `dom::admin::pra` finds each control by id and shows its error in `<id>-error`.
    #[test]
    fn the_page_has_a_control_and_an_error_line_for_every_field() {
        for field in Field::ALL {
            let id = field.id();
            assert!(PAGE.contains(&format!("id=\"{id}\"")), "no #{id}");
            assert!(PAGE.contains(&format!("id=\"{id}-error\"")), "no #{id}-error");
            assert!(
                PAGE.contains(&format!("aria-describedby=\"{id}-error")) || PAGE.contains(&format!(" {id}-error\"")),
                "#{id} is not described by its error"
            );
        }
    }
}
