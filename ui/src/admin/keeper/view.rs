//! The Keeper section's view, as `admin.config` and `admin.save` with `"section": "keeper"`
//! answer it (`{"ok": true, "view", "sections"}`: `admin::answer::ViewAnswer<KeeperSettingsView>`;
//! `src/providers/keeper/settings/page.rs`, `view`). The core builds it as JSON, so it is written
//! down here; the fixtures test (`tests/keeper_fixtures.rs`) reads real answers with it. The
//! settings are the core's own `KeeperSettings`.

use pam_approvals::providers::keeper::settings::KeeperSettings;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeeperSettingsView {
    pub settings: KeeperSettings,
    /// Whether Commander's API key is stored (it is never shown).
    pub api_key_set: bool,
    /// Whether the alert webhook's token is stored.
    pub token_set: bool,
    /// The `keeper-alert` web trigger's URL (none when the host gave none).
    pub trigger_url: Option<String>,
    /// The token: only in the answer to the save that generated it.
    pub token_to_paste: Option<String>,
    /// `Bearer <token>`, the header value to paste: only with `token_to_paste`.
    pub authorization: Option<String>,
    /// The webhook body to paste into each alert's recipient.
    pub template: String,
    /// The alerts to create in Keeper's Admin Console.
    pub alerts: Vec<String>,
    /// The hosts the app may reach on Forge (tunnels).
    pub egress: Vec<String>,
}
