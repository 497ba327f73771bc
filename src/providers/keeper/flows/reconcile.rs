//! What Keeper's live answer means for the app's records, in one place for the panel, a
//! decision, the settle and sync jobs: a decision of the app's confirmed (or refused), a
//! request processed outside Jira, a KEPM request past its 30 minutes. Each outcome is kept
//! once (`records::keep_outcome`) and then recorded on the issue (`record::on_issue`).

use super::super::commander::result::KepmStatus;
use super::super::records::{self, Claim, Decision, Outcome, Request, keys};
use super::super::settings::KeeperSettings;
use super::live::Live;
use super::record::{self, KEPM_LIFETIME_MS};
use crate::caps::{CapError, Caps};
use crate::lifecycle::claim;
use crate::lifecycle::lease::State;
use crate::protocol::LogLevel;

/// When a KEPM request ends: 30 minutes after Keeper created it (Keeper's time when it says,
/// else when the alert was raised or the app first saw the ticket).
pub fn expires_at(request: &Request, live: &Live) -> Option<u64> {
    match (&request.subject, live) {
        (super::super::subject::Subject::Device { .. }, _) => None,
        (_, Live::Kepm(k)) => Some(k.created.unwrap_or(request.raised_at) + KEPM_LIFETIME_MS),
        _ => Some(request.raised_at + KEPM_LIFETIME_MS),
    }
}

/// What the live state says of a decision `claimed` by the app (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// The request is closed: how.
    Closed(Outcome),
    /// Still open (pending) in Keeper.
    Open,
    /// Keeper could not be asked, or its answer read.
    Unknown,
}

/// Reads the live state against the app's claim: a closed request whose status is the claimed
/// decision was decided in Jira (by the claimant); any other closed one was processed outside.
pub fn said(request: &Request, live: &Live, claimed: Option<&Claim>, now: u64) -> Said {
    let ours = |decision: Decision| claimed.filter(|c| c.decision == decision);
    let outcome = |result: &str, source: &str, by: Option<String>| Outcome {
        result: result.into(),
        source: source.into(),
        by,
        at: now,
    };
    match live {
        Live::Kepm(k) => {
            let decision = match k.status {
                KepmStatus::Approved => Some(Decision::Approve),
                KepmStatus::Denied => Some(Decision::Deny),
                _ => None,
            };
            if let Some(claim) = decision.and_then(ours) {
                return Said::Closed(outcome(claim.decision.past(), "jira", Some(claim.by_name.clone())));
            }
            if !k.status.open() {
                return Said::Closed(outcome(&k.status.name().to_ascii_lowercase(), "keeper", None));
            }
            match expires_at(request, live) {
                Some(end) if now >= end => Said::Closed(outcome("expired", "expiry", None)),
                _ => Said::Open,
            }
        }
        Live::Devices(devices) if devices.is_empty() => match claimed {
            // The device left the pending list after the app's action: the app's decision.
            Some(claim) if claim.command_id.is_some() => {
                Said::Closed(outcome(claim.decision.past(), "jira", Some(claim.by_name.clone())))
            }
            _ => Said::Closed(outcome("decided", "keeper", None)),
        },
        Live::Devices(_) => Said::Open,
        Live::UnknownKepm | Live::Running | Live::Failed(_) | Live::Unreadable(_) => Said::Unknown,
    }
}

/// The app's live decision claim, if one is held (not released).
pub async fn current_claim(caps: &Caps, request: &Request) -> Result<Option<(u32, Claim)>, CapError> {
    let held = claim::current::<Claim>(caps, &keys::decision(&request.sid)).await?;
    Ok(held.filter(|(_, c)| c.state != State::Released))
}

/// Keeps `outcome` (once), settles the claim it answers, and records it on the issue. Answers
/// the outcome in force. A Jira failure is logged and left to the next look (the recording's
/// steps are each done once).
pub async fn conclude(
    caps: &Caps,
    settings: &KeeperSettings,
    request: &Request,
    claimed: Option<(u32, Claim)>,
    outcome: Outcome,
) -> Result<Outcome, CapError> {
    let kept = records::keep_outcome(caps, &request.sid, &outcome).await?;
    if let Some((generation, mut claim)) = claimed {
        claim.state = if kept.source == "jira" {
            State::Decided
        } else {
            State::Released
        };
        claim.at = outcome.at;
        claim::settle(caps, &keys::decision(&request.sid), generation, &claim).await?;
    }
    if let Err(e) = record::on_issue(caps, settings, request, &kept).await {
        caps.log(
            LogLevel::Warn,
            format!(
                "{}: the Keeper outcome is kept but not yet on the issue ({e})",
                request.issue_key
            ),
        )
        .await;
    }
    Ok(kept)
}
