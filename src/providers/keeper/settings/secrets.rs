//! Keeper's two secrets. Commander's API key is write-only: the page sets it and is only ever
//! told whether one is set. The alert token is generated (256 bits from the host's secure
//! generator), shown once in the answer to the save that made it, and checked on every alert
//! (`auth::require_token`). Neither is ever logged or put in an error.

use super::KeeperSettings;
use crate::caps::Caps;
use crate::providers::keeper::commander::Endpoint;

/// Secret-storage key of Commander's API key.
pub const API_KEY: &str = "keeper.api.key";
/// Secret-storage key of the alert webhook's token.
pub const ALERT_TOKEN: &str = "keeper.alert.token";
/// The user name of the token's Basic form (`keeper:<token>`), for webhook senders that take
/// only a user and a password.
pub const BASIC_USER: &str = "keeper";

/// An API key as an admin may paste it: printable ASCII without spaces, 8 to 512 characters.
pub fn acceptable_api_key(key: &str) -> bool {
    (8..=512).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Where Commander is, with its key; an admin-actionable message when either is missing.
pub async fn endpoint(caps: &Caps, settings: &KeeperSettings) -> Result<Endpoint, String> {
    if settings.api_url.is_empty() {
        return Err("the Keeper API URL is not set; set it on the app's configuration page".into());
    }
    let key = caps
        .secret_get(API_KEY)
        .await
        .map_err(|e| format!("secret storage could not be read ({e})"))?
        .filter(|k| !k.is_empty())
        .ok_or("no Commander API key is set; paste it on the app's configuration page")?;
    Ok(Endpoint {
        api_url: settings.api_url.clone(),
        api_key: key,
    })
}
