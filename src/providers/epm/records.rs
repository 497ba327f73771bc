//! Every record the EPM provider keeps in KV storage, in one place: its key (`keys`), its shape
//! and its version. The flows that read and write them import them from here (and re-export
//! them where they used to live). Each is encoded with `store::encode(version, …)` and read with
//! `store::decode`, which treats another version as absent.
//!
//! | record | key (`keys::…`) | shape | version | written by |
//! |---|---|---|---|---|
//! | request record | `issue` | `RequestRecord` (v1: `LegacyRecord`) | `REQUEST_VERSION` | `trusted.rs` |
//! | reverse index | `by_issue` | `IndexEntry` | `INDEX_VERSION` | `trusted.rs` |
//! | creation lease | `claim` (`Slots`) | `lifecycle::lease::Lease` | `LEASE_VERSION` | `intake.rs` |
//! | update lock | `update_lock` (`Slots`: generations and hint) | `Lease` | `LEASE_VERSION` | `update.rs` |
//! | decision claim (outbox entry) | `decision_claims` (`Slots`) | `Claim` carrying `Intent` | `LEASE_VERSION` | `claim.rs`, `deliver.rs` |
//! | resend slot | `resend` | the time, as text | none | `deliver.rs` |
//! | decision record | `decision` | `DecisionRecord` (`property.rs`) | `DECISION_VERSION` | `deliver.rs` |
//! | recording done-flags | `recording` | `lifecycle::recording::Recording` | `RECORDING_VERSION` | `record.rs` |
//! | pending update | `pending_update` | `PendingUpdate` | `UPDATE_VERSION` | `update.rs` |
//! | expiry retry marker | `expiry_retry` | `Retry` | `RETRY_VERSION` | `expiry.rs` |
//! | inbox head, parts | `INBOX` (`jobs::inbox`) | `jobs::inbox::Head`, raw text | `jobs::inbox::VERSION` | `inbox.rs` |

use serde::{Deserialize, Serialize};

use crate::lifecycle::lease::State as ClaimState;
use crate::providers::epm::mapping::property::{DecisionRecord, EpmProperty};

pub use crate::lifecycle::lease::{Lease, VERSION as LEASE_VERSION};
pub use crate::lifecycle::recording::{Recording, VERSION as RECORDING_VERSION};

pub const REQUEST_VERSION: u32 = 2;
/// Request records written before version 2 hold only the issue; who asked is unknown.
pub const LEGACY_REQUEST_VERSION: u32 = 1;
pub const INDEX_VERSION: u32 = 1;
pub const DECISION_VERSION: u32 = 1;
pub const UPDATE_VERSION: u32 = 1;
pub const RETRY_VERSION: u32 = 1;

/// KV keys of the EPM provider's records, all derived from the request identity (or, for the
/// reverse index and the expiry marker, from the Jira issue id the app created; for the inbox,
/// from the body's digest).
pub mod keys {
    use crate::lifecycle::lease::Slots;
    use crate::providers::epm::wire::RequestRef;
    use crate::store::key_part;

    fn id(request: &RequestRef) -> String {
        format!("{}:{}", key_part(&request.tenant_id), key_part(&request.request_id))
    }

    /// The app's record of the request and its issue: a `trusted::RequestRecord`.
    pub fn issue(request: &RequestRef) -> String {
        format!("epm:issue:{}", id(request))
    }

    /// The reverse index: which request the issue with this Jira id belongs to.
    pub fn by_issue(issue_id: &str) -> String {
        format!("epm:by-issue:{}", key_part(issue_id))
    }

    /// The creation lease: `epm:claim:<id>:<generation>` and its hint `…:next` (see
    /// `lifecycle/create.rs` for the protocol).
    pub fn claim(request: &RequestRef) -> Slots {
        Slots(format!("epm:claim:{}", id(request)))
    }

    /// A decision update that arrived for the request, kept until it is applied.
    pub fn pending_update(request: &RequestRef) -> String {
        format!("epm:update:{}", id(request))
    }

    /// The lock that makes keeping and applying one decision update atomic:
    /// `epm:update-lock:<id>:<generation>` and its hint `…:next`.
    pub fn update_lock(request: &RequestRef) -> Slots {
        Slots(format!("epm:update-lock:{}", id(request)))
    }

    /// The decision claims (`claim.rs`): `epm:decide:<id>:<generation>` and the hint `…:next`
    /// (it only saves reads).
    pub fn decision_claims(request: &RequestRef) -> Slots {
        Slots(format!("epm:decide:{}", id(request)))
    }

    /// One resend of an undelivered decision per time slot, so that viewers do not all resend.
    pub fn resend(request: &RequestRef, generation: u32, slot: u64) -> String {
        format!("epm:resend:{}:{generation}:{slot}", id(request))
    }

    /// The decision of the request once EPM has it: a `DecisionRecord`.
    pub fn decision(request: &RequestRef) -> String {
        format!("epm:decided:{}", id(request))
    }

    /// Which steps of recording an event on the issue are done (`record.rs`).
    pub fn recording(request: &RequestRef) -> String {
        format!("epm:recording:{}", id(request))
    }

    /// The expiry tick's failure budget for one issue (`expiry.rs`).
    pub fn expiry_retry(issue_id: &str) -> String {
        format!("epm:expiry-retry:{}", key_part(issue_id))
    }

    /// The prefix of kept webhook bodies (`jobs::inbox`): the head (`jobs::inbox::Head`) at
    /// `epm:inbox:<sha-256 of the body>`, part n (from 1) at `epm:inbox:<digest>:<n>`.
    pub const INBOX: &str = "epm";
}

/// The app's record of a request whose issue exists (`keys::issue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub issue_key: String,
    pub issue_id: String,
    pub created_at: u64,
    /// The request's facts as the app wrote them into the issue property at create time
    /// (without a decision): what the approver's page shows.
    pub request: EpmProperty,
    /// EPM's `user` of the request: who asked, as EPM names them.
    #[serde(default)]
    pub epm_user: Option<String>,
    /// A record from before version 2: who asked is not known to the app.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy: bool,
}

/// A request record of version 1 (`LEGACY_REQUEST_VERSION`): only the issue.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyRecord {
    pub issue_key: String,
    pub issue_id: String,
    pub created_at: u64,
}

/// The reverse index (`keys::by_issue`): which request an issue id belongs to.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub tenant_id: String,
    pub request_id: String,
}

/// A decision update as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingUpdate {
    pub decision: String,
    pub decision_time: Option<String>,
    pub performed_by: Option<String>,
    pub duration: Option<String>,
    pub timestamp: Option<String>,
    pub received_at: u64,
}

/// What is sent to EPM, kept so that a resend sends exactly the same decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub decision: DecisionRecord,
    pub ticket_id: String,
    pub ticket_url: String,
}

/// A decision claim (`keys::decision_claims`, in `LEASE_VERSION`'s envelope: `intent` and
/// the `unknown` state are additions older claims read without).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub at: u64,
    /// Display name of who decides.
    pub by: String,
    pub approved: bool,
    pub state: ClaimState,
    /// The decision being sent; `None` for EPM's own updates (nothing to send).
    #[serde(default)]
    pub intent: Option<Intent>,
    /// The host process of the run that claimed it (`instance.rs`), when the host says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

crate::lifecycle::lease::envelope!(Claim);

/// The expiry tick's failure budget of one issue (`keys::expiry_retry`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Retry {
    pub failures: u32,
    pub next_at: u64,
}
