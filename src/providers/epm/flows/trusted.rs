//! The app's own records of EPM requests: the only source of truth for which issue is which
//! request (both ways), who asked, and what the app wrote about the request. Only the app writes
//! KV storage; Jira users can write issue properties, fields and labels, so those are copies for
//! display and JQL, and whatever is read from them is checked against these records before
//! anything is acted on (see ARCHITECTURE.md, "What is trusted").

use crate::caps::{CapError, Caps};
use crate::protocol::LogLevel;
use crate::providers::epm::keys;
use crate::providers::epm::mapping::property::{DecisionRecord, EpmProperty, PROPERTY_VERSION};
use crate::providers::epm::records::{
    INDEX_VERSION, IndexEntry, LEGACY_REQUEST_VERSION as LEGACY_VERSION, LegacyRecord,
};
pub use crate::providers::epm::records::{REQUEST_VERSION as RECORD_VERSION, RequestRecord};
use crate::providers::epm::wire::RequestRef;
use crate::store;

/// Who asked for a request, as far as the app knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requester {
    /// The Jira account found for EPM's user at intake.
    pub account_id: Option<String>,
    /// EPM's own name of the user (`DOMAIN\user`, `user@domain`, a name).
    pub epm_user: Option<String>,
    /// False for a request the app cannot tell the requester of (a legacy record).
    pub known: bool,
}

impl RequestRecord {
    pub fn request_ref(&self) -> RequestRef {
        RequestRef {
            tenant_id: self.request.tenant_id.clone(),
            request_id: self.request.request_id.clone(),
        }
    }

    /// The issue property as the app writes it: the record's facts and the given decision.
    pub fn property(&self, decision: Option<&DecisionRecord>) -> EpmProperty {
        let mut property = self.request.clone();
        property.decision = decision.cloned();
        // An approval with an end waits for the expiry tick (`expiry.rs`); anything else does not.
        property.open_expiry = decision
            .filter(|d| d.approved && d.expired_at.is_none())
            .and_then(|d| d.expires_at);
        property.expired_at = decision.and_then(|d| d.expired_at);
        property
    }

    pub fn requester(&self) -> Requester {
        Requester {
            account_id: self.request.requester_account_id.clone(),
            epm_user: self.epm_user.clone().filter(|u| !u.trim().is_empty()),
            known: !self.legacy,
        }
    }
}

/// The record of a request, if its issue exists.
pub async fn read(caps: &Caps, request: &RequestRef) -> Result<Option<RequestRecord>, CapError> {
    let Some(text) = caps.kv_get(&keys::issue(request)).await? else {
        return Ok(None);
    };
    if let Some(record) = store::decode::<RequestRecord>(RECORD_VERSION, &text) {
        return Ok(Some(record));
    }
    Ok(
        store::decode::<LegacyRecord>(LEGACY_VERSION, &text).map(|old| RequestRecord {
            issue_key: old.issue_key,
            issue_id: old.issue_id,
            created_at: old.created_at,
            request: EpmProperty {
                version: PROPERTY_VERSION,
                provider: "epm".into(),
                tenant_id: request.tenant_id.clone(),
                request_id: request.request_id.clone(),
                ..EpmProperty::default()
            },
            epm_user: None,
            legacy: true,
        }),
    )
}

/// Keeps the record, then the reverse index. The record comes first: it is what makes a
/// redelivery answer "exists"; a missing index entry is rebuilt by `for_issue`.
pub async fn write(caps: &Caps, record: &RequestRecord) -> Result<(), CapError> {
    let request = record.request_ref();
    caps.kv_set(&keys::issue(&request), &store::encode(RECORD_VERSION, record))
        .await?;
    write_index(caps, &record.issue_id, &request).await
}

async fn write_index(caps: &Caps, issue_id: &str, request: &RequestRef) -> Result<(), CapError> {
    let entry = IndexEntry {
        tenant_id: request.tenant_id.clone(),
        request_id: request.request_id.clone(),
    };
    caps.kv_set(&keys::by_issue(issue_id), &store::encode(INDEX_VERSION, &entry))
        .await
}

/// The request whose issue has this Jira id, from the app's records only. `hint` is what an
/// issue property claims (it may be forged): it is used only to find a record written before
/// the reverse index existed, and only when that record names this very issue id.
pub async fn for_issue(
    caps: &Caps,
    issue_id: &str,
    hint: Option<&EpmProperty>,
) -> Result<Option<RequestRecord>, CapError> {
    if issue_id.is_empty() {
        return Ok(None);
    }
    let indexed = caps
        .kv_get(&keys::by_issue(issue_id))
        .await?
        .and_then(|t| store::decode::<IndexEntry>(INDEX_VERSION, &t))
        .map(|e| RequestRef {
            tenant_id: e.tenant_id,
            request_id: e.request_id,
        });
    if let Some(request) = indexed {
        return Ok(read(caps, &request).await?.filter(|r| r.issue_id == issue_id));
    }
    let Some(hint) = hint else {
        return Ok(None);
    };
    let claimed = RequestRef {
        tenant_id: hint.tenant_id.clone(),
        request_id: hint.request_id.clone(),
    };
    let Some(mut record) = read(caps, &claimed).await?.filter(|r| r.issue_id == issue_id) else {
        return Ok(None);
    };
    if let Err(e) = write_index(caps, issue_id, &claimed).await {
        caps.log(LogLevel::Warn, format!("could not index {}: {e}", record.issue_key))
            .await;
    }
    if record.legacy {
        // Before version 2 the facts lived only on the issue: shown, never acted on.
        record.request.request = hint.request.clone();
        record.request.ticket_number = hint.ticket_number.clone();
    }
    Ok(Some(record))
}
