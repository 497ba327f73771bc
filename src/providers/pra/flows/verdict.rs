//! The decision on a kept request, made once: the first run to decide stores it with
//! set-if-absent, and every later run (a retry, a duplicate's job) uses the stored one, so the
//! appliance never gets two different answers even if the ticket changes in between.

use super::super::records::{self, Received, Verdict, keys};
use super::super::rules;
use super::super::settings::PraSettings;
use crate::caps::Caps;
use crate::jobs::Progress;
use crate::store;

/// The stored verdict, or a new one decided now.
pub async fn decided(
    caps: &Caps,
    settings: &PraSettings,
    id: &str,
    received: &Received,
    now: u64,
) -> Result<Verdict, Progress> {
    if let Some(verdict) = load(caps, id).await? {
        return Ok(verdict);
    }
    let verdict = if settings.enabled {
        rules::decide(caps, settings, &received.request, now)
            .await
            .map_err(|e| Progress::retry(format!("deciding needs Jira: {e}")))?
    } else {
        // Turned off after the request was accepted: the user hears why instead of waiting.
        let why = "Ticket approval in Jira is turned off; contact your administrator.";
        Verdict::deny("disabled", why.into(), None, now)
    };
    let key = keys::verdict(id);
    if caps
        .kv_set_if_absent(&key, &store::encode(records::VERSION, &verdict))
        .await?
    {
        return Ok(verdict);
    }
    load(caps, id)
        .await?
        .ok_or_else(|| Progress::retry("another run's decision could not be read back yet"))
}

pub async fn load(caps: &Caps, id: &str) -> Result<Option<Verdict>, Progress> {
    Ok(caps
        .kv_get(&keys::verdict(id))
        .await?
        .and_then(|text| store::decode(records::VERSION, &text)))
}
