//! The PRA section's view, as `admin.config` and `admin.save` with `"section": "pra"` answer it
//! (`{"ok": true, "view", "sections"}`: `admin::answer::ViewAnswer<PraView>`;
//! `src/providers/pra/settings/page.rs`). The core builds it as JSON with no type of its own, so
//! it is written down here; the fixtures test (`tests/admin_fixtures.rs`) reads real answers with
//! it, so the two cannot drift apart unnoticed. The settings are the core's own `PraSettings`.

use pam_approvals::providers::pra::settings::PraSettings;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PraView {
    pub settings: PraSettings,
    /// Whether the web trigger URL has its secret (PRA refuses nothing without one: the app
    /// does).
    pub secret_set: bool,
    /// The web trigger's URL without the secret (none when the host gave none).
    pub trigger_url: Option<String>,
    /// The URL with the secret: only in the answer to the save that generated the secret.
    pub url_to_paste: Option<String>,
    /// The rules in the order they are checked, with their titles.
    pub rules: Vec<RuleTitle>,
    /// The hosts the app may reach on Forge (`*.beyondtrustcloud.com`).
    pub egress: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RuleTitle {
    /// The rule's key in `PraSettings::rules`.
    pub key: String,
    pub title: String,
}
