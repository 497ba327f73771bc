//! The app's issue property (`pam-approvals.epm`): the request's facts, written with the issue,
//! and the decision once there is one. The issue action reads only this and the status.

use serde::{Deserialize, Serialize};

use super::placeholders::cap_chars;
use crate::providers::epm::wire::TicketCreated;
use crate::providers::epm::wire::duration::AccessDuration;
use crate::providers::epm::wire::fields::{Group, REQUEST_INFO, TOP_LEVEL};

/// Jira keeps at most 32 KiB per property; the details stay well below.
const DETAIL_BUDGET_CHARS: usize = 12_000;
const MAX_DETAIL_CHARS: usize = 500;
const MAX_SHOWN_CHARS: usize = 1_000;

/// What the approver sees of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestFacts {
    pub user: Option<String>,
    pub application: Option<String>,
    pub file_path: Option<String>,
    pub publisher: Option<String>,
    pub host_name: Option<String>,
    pub reason: Option<String>,
    /// EPM's timestamp of the request, as EPM wrote it.
    pub requested_at: Option<String>,
    /// Every other present field, grouped, for "technical details".
    pub details: Vec<Detail>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Detail {
    pub group: String,
    pub label: String,
    pub value: String,
}

/// Who made a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Person {
    /// A Jira account; `None` when the decision came from EPM.
    pub account_id: Option<String>,
    pub display_name: String,
}

/// Where a decision was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    Jira,
    Epm,
    /// A person moved the issue to the approved or denied status.
    Transition,
    /// A Jira Service Management approval on the request completed.
    Approval,
}

/// A decision, as recorded on the issue and in storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DecisionRecord {
    pub approved: bool,
    pub duration: Option<AccessDuration>,
    /// For people: "4 hours", "once", or EPM's own words for a decision made there.
    pub duration_label: String,
    /// When an approval for a duration ends (ms); `None` for once, a denial, or unknown.
    pub expires_at: Option<u64>,
    pub decided_by: Person,
    pub decided_at: u64,
    pub message: String,
    pub source: Source,
    /// When the expiry tick found the approval ended (ms); set in the app's record first, then
    /// recorded on the issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<u64>,
    /// When the app kept this decision (ms, the app's clock; EPM's `decided_at` may be far off):
    /// unfinished recordings are repaired only once their own run had time to finish.
    #[serde(skip_serializing_if = "is_zero")]
    pub kept_at: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl DecisionRecord {
    pub fn word(&self) -> &'static str {
        if self.approved { "Approved" } else { "Denied" }
    }
}

/// The property value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EpmProperty {
    pub version: u32,
    pub provider: String,
    pub tenant_id: String,
    pub request_id: String,
    pub ticket_number: Option<String>,
    pub received_at: u64,
    /// The Jira account of the person who asked (the reporter found at intake), so that they
    /// cannot approve their own request.
    pub requester_account_id: Option<String>,
    pub request: RequestFacts,
    pub decision: Option<DecisionRecord>,
    /// When an approval's end is due and not yet recorded (ms): indexed for the expiry search
    /// (`openExpiry` in the manifest's entity property index), removed once recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_expiry: Option<u64>,
    /// When the app recorded the end of the approval on the issue (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<u64>,
}

pub const PROPERTY_VERSION: u32 = 2;

impl EpmProperty {
    pub fn new(request: &TicketCreated, requester_account_id: Option<String>, received_at: u64) -> EpmProperty {
        EpmProperty {
            version: PROPERTY_VERSION,
            provider: "epm".into(),
            tenant_id: request.request.tenant_id.clone(),
            request_id: request.request.request_id.clone(),
            ticket_number: request.ticket_number.clone(),
            received_at,
            requester_account_id,
            request: facts(request),
            decision: None,
            open_expiry: None,
            expired_at: None,
        }
    }

    /// Reads a property value; `None` when it is not the app's EPM property.
    pub fn from_value(value: &serde_json::Value) -> Option<EpmProperty> {
        let property: EpmProperty = serde_json::from_value(value.clone()).ok()?;
        (property.provider == "epm" && !property.request_id.is_empty()).then_some(property)
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn shown(value: Option<&str>) -> Option<String> {
    value.map(|v| cap_chars(v, MAX_SHOWN_CHARS))
}

/// The facts of a request, the details cut to the property's budget.
pub fn facts(request: &TicketCreated) -> RequestFacts {
    let headline = ["user", "hostName", "reason", "publisher", "Timestamp"];
    let mut budget = DETAIL_BUDGET_CHARS;
    let mut details = Vec::new();
    for group in Group::ALL {
        let fields = TOP_LEVEL.iter().chain(REQUEST_INFO.iter()).filter(|f| f.group == group);
        for field in fields.filter(|f| !headline.contains(&f.key)) {
            if let Some(value) = request.get(field.key) {
                push_detail(&mut details, &mut budget, group.title(), field.label, value);
            }
        }
        if group == Group::Technical {
            for (key, value) in &request.extra {
                push_detail(&mut details, &mut budget, group.title(), key, value);
            }
        }
    }
    RequestFacts {
        user: shown(request.user()),
        application: shown(request.application()),
        file_path: shown(request.file_path()),
        publisher: shown(request.publisher()),
        host_name: shown(request.host_name()),
        reason: shown(request.reason()),
        requested_at: shown(request.timestamp.as_deref()),
        details,
    }
}

fn push_detail(details: &mut Vec<Detail>, budget: &mut usize, group: &str, label: &str, value: &str) {
    if *budget == 0 {
        return;
    }
    let value = cap_chars(value, MAX_DETAIL_CHARS.min(*budget));
    *budget = budget.saturating_sub(value.chars().count() + label.chars().count());
    details.push(Detail {
        group: group.into(),
        label: cap_chars(label, 100),
        value,
    });
}
