//! The Keeper section's inputs, in page order, each named as the core names it
//! (`KeeperSettings`'s JSON keys, which are also the `field` of its `ConfigError`, plus the
//! write-only `apiKey`). In `static/admin/src/index.html` an input's id is `keeper-<name>` and its
//! error line `keeper-<name>-error`.

use crate::admin::problems::form_field;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Enabled,
    ApiUrl,
    ApiKey,
    ProjectKey,
    IssueTypeName,
    SubjectField,
    Deciders,
    DeciderGroup,
    ApprovedStatus,
    DeniedStatus,
    ExpiredStatus,
    InternalNote,
    DecideByTransition,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Enabled,
        Field::ApiUrl,
        Field::ApiKey,
        Field::ProjectKey,
        Field::IssueTypeName,
        Field::SubjectField,
        Field::Deciders,
        Field::DeciderGroup,
        Field::ApprovedStatus,
        Field::DeniedStatus,
        Field::ExpiredStatus,
        Field::InternalNote,
        Field::DecideByTransition,
    ];

    /// The text inputs, in page order.
    pub const TEXTS: [Field; 9] = [
        Field::ApiUrl,
        Field::ApiKey,
        Field::ProjectKey,
        Field::IssueTypeName,
        Field::SubjectField,
        Field::DeciderGroup,
        Field::ApprovedStatus,
        Field::DeniedStatus,
        Field::ExpiredStatus,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Enabled => "enabled",
            Field::ApiUrl => "apiUrl",
            Field::ApiKey => "apiKey",
            Field::ProjectKey => "projectKey",
            Field::IssueTypeName => "issueTypeName",
            Field::SubjectField => "subjectField",
            Field::Deciders => "deciders",
            Field::DeciderGroup => "deciderGroup",
            Field::ApprovedStatus => "approvedStatus",
            Field::DeniedStatus => "deniedStatus",
            Field::ExpiredStatus => "expiredStatus",
            Field::InternalNote => "internalNote",
            Field::DecideByTransition => "decideByTransition",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Enabled => "Enable Keeper",
            Field::ApiUrl => "Commander API URL",
            Field::ApiKey => "Commander API key",
            Field::ProjectKey => "Keeper issues' project",
            Field::IssueTypeName => "Keeper issues' type",
            Field::SubjectField => "Subject field",
            Field::Deciders => "Who may decide",
            Field::DeciderGroup => "Deciders' group",
            Field::ApprovedStatus => "Status after approval",
            Field::DeniedStatus => "Status after denial",
            Field::ExpiredStatus => "Status after expiry",
            Field::InternalNote => "Internal notes",
            Field::DecideByTransition => "Decide by moving the issue",
        }
    }

    /// The id of its control (and, with `-error`, of its error line).
    pub fn id(self) -> String {
        format!("keeper-{}", self.name())
    }
}

form_field!(Field);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use pam_approvals::providers::keeper::settings::KeeperSettings;

    use super::*;

    /// A setting added to the core without an input here would be kept but never editable.
    #[test]
    fn every_setting_has_an_input() {
        let settings = serde_json::to_value(KeeperSettings::default()).unwrap();
        let mut wanted: BTreeSet<&str> = settings.as_object().unwrap().keys().map(String::as_str).collect();
        wanted.insert("apiKey");
        let ours: BTreeSet<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(ours, wanted);
    }

    const PAGE: &str = include_str!("../../../../static/admin/src/index.html");

    /// `dom::admin::keeper` finds each control by id and shows its error in `<id>-error`.
    #[test]
    fn the_page_has_a_control_and_an_error_line_for_every_field() {
        for field in Field::ALL {
            let id = field.id();
            assert!(PAGE.contains(&format!("id=\"{id}\"")), "no #{id}");
            assert!(PAGE.contains(&format!("id=\"{id}-error\"")), "no #{id}-error");
            let label = format!("for=\"{id}\">{}", field.label());
            let checkbox = format!("id=\"{id}\" type=\"checkbox\"");
            assert!(
                PAGE.contains(&label) || PAGE.contains(&checkbox),
                "#{id} is not labelled {:?}",
                field.label()
            );
        }
    }
}
