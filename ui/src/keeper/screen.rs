//! What the panel shows for its model, as plain data: the DOM layer copies it into elements and
//! decides nothing itself, so everything a person sees is tested here natively.

use pam_approvals::providers::keeper::records::{Decision, Outcome};
use pam_approvals::time::epm_datetime;

use super::state::{Model, Phase, may_decide, remaining_ms};
use super::view::{KeeperView, Kind, Live};
use crate::state::Notice;

pub const LOADING: &str = "Loading the Keeper request…";
pub const APPROVING: &str = "Approving in Keeper…";
pub const DENYING: &str = "Denying in Keeper…";
pub const NOT_PROVIDED: &str = "Not provided";
pub const TIME_IS_UP: &str = "Time is up: Keeper ends KEPM requests 30 minutes after they were made.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen<'a> {
    /// The progress line (with a spinner) while a resolver runs.
    pub busy: Option<&'static str>,
    pub notice: Option<&'a Notice>,
    pub request: Option<RequestScreen>,
    /// "Time left to decide", for a KEPM request still open.
    pub countdown: Option<Countdown>,
    /// How it ended (who, when).
    pub outcome: Option<String>,
    /// The server's word on Keeper (slow, unreachable, sending), and that the panel follows it.
    pub live: Vec<String>,
    /// Why the user may not decide, instead of the buttons.
    pub why_not: Option<&'a str>,
    pub buttons: Option<Buttons>,
}

/// The request as the approver reads it. Owned, so that the DOM layer can keep the last one it
/// drew and redraw only when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestScreen {
    pub issue_key: String,
    pub title: &'static str,
    pub label: String,
    /// CSS modifier of the state lozenge: pending, approved, denied, expired, unknown.
    pub state_kind: &'static str,
    pub state_label: String,
    pub facts: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countdown {
    /// "29:59".
    pub text: String,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buttons {
    /// Both disabled while a decision is sent, and once time is up.
    pub disabled: bool,
    /// The decision being sent, whose button shows a spinner.
    pub sending: Option<Decision>,
}

pub fn screen(model: &Model) -> Screen<'_> {
    let busy = match model.phase {
        Phase::Loading => Some(LOADING),
        Phase::Deciding(Decision::Approve) => Some(APPROVING),
        Phase::Deciding(Decision::Deny) => Some(DENYING),
        _ => None,
    };
    let view = model.view.as_ref().filter(|_| model.phase != Phase::Unavailable);
    let deciding = match model.phase {
        Phase::Deciding(decision) => Some(decision),
        _ => None,
    };
    let remaining = remaining_ms(model);
    let offered = view.is_some_and(|v| v.can_decide && v.outcome.is_none() && v.pending.is_none());
    Screen {
        busy,
        notice: model.notice.as_ref(),
        request: view.map(request),
        countdown: view.and(remaining).map(|ms| Countdown {
            text: countdown(ms),
            expired: ms == 0,
        }),
        outcome: view.and_then(|v| v.outcome.as_ref()).map(outcome_title),
        live: view.map(|v| live(v, model.polling.is_some())).unwrap_or_default(),
        why_not: view
            .filter(|v| !v.can_decide && v.outcome.is_none())
            .and_then(|v| v.why_not.as_ref())
            .map(|w| w.message.as_str()),
        buttons: offered.then(|| Buttons {
            disabled: deciding.is_some() || !may_decide(model),
            sending: deciding,
        }),
    }
}

/// "29:59", "0:00": whole seconds left, rounded down.
pub fn countdown(ms: u64) -> String {
    let seconds = ms / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// "2026-11-23 09:14:05 UTC".
pub fn when(ms: u64) -> String {
    format!("{} UTC", epm_datetime(ms))
}

/// How the request ended, in one sentence.
pub fn outcome_title(outcome: &Outcome) -> String {
    let by = outcome.by.as_deref();
    let at = when(outcome.at);
    let result = capitalized(&outcome.result);
    match (outcome.source.as_str(), outcome.result.as_str()) {
        ("expiry", _) => format!("Expired on {at}: KEPM requests end 30 minutes after they were made."),
        ("jira", _) => format!("{result} in Jira by {} on {at}.", by.unwrap_or("someone")),
        (_, "decided") => format!("Processed outside Jira (no longer pending in Keeper), seen on {at}."),
        _ => format!(
            "{result} outside Jira (Keeper shows it {}), seen on {at}.",
            outcome.result
        ),
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn live(view: &KeeperView, polling: bool) -> Vec<String> {
    let mut lines: Vec<String> = view.live_message.iter().cloned().collect();
    if let Some(pending) = view.pending.as_ref().filter(|_| view.outcome.is_none()) {
        lines.push(format!(
            "{} sent by {}.",
            capitalized(pending.decision.past()),
            pending.by
        ));
    }
    if polling {
        lines.push(super::state::UPDATES_BY_ITSELF.into());
    }
    lines
}

fn request(view: &KeeperView) -> RequestScreen {
    let (state_kind, state_label) = state(view);
    RequestScreen {
        issue_key: view.issue_key.clone(),
        title: match view.kind {
            Kind::Kepm => "KEPM elevation request",
            Kind::Device => "SSO device approval request",
        },
        label: view.label.clone(),
        state_kind,
        state_label,
        facts: match view.kind {
            Kind::Kepm => kepm_facts(view),
            Kind::Device => device_facts(view),
        },
    }
}

/// The lozenge: the outcome, else Keeper's status, else what is known.
fn state(view: &KeeperView) -> (&'static str, String) {
    if let Some(outcome) = &view.outcome {
        let kind = match outcome.result.as_str() {
            "approved" => "approved",
            "denied" => "denied",
            "expired" => "expired",
            _ => "decided",
        };
        return (kind, capitalized(&outcome.result));
    }
    if view.pending.is_some() {
        return ("pending", "Sending decision".into());
    }
    if let Some(kepm) = &view.kepm {
        let kind = match kepm.status.name() {
            "Approved" => "approved",
            "Denied" => "denied",
            "Expired" => "expired",
            _ => "pending",
        };
        return (kind, kepm.status.name().into());
    }
    match (&view.devices, view.live) {
        (Some(devices), _) if !devices.is_empty() => ("pending", "Pending".into()),
        (_, Live::UnknownRequest) => ("unknown", "Unknown to Keeper".into()),
        _ => ("unknown", "Not known yet".into()),
    }
}

fn shown(text: &str) -> String {
    if text.trim().is_empty() {
        NOT_PROVIDED.into()
    } else {
        text.into()
    }
}

fn kepm_facts(view: &KeeperView) -> Vec<(&'static str, String)> {
    let Some(kepm) = &view.kepm else {
        return Vec::new();
    };
    let app = &kepm.application;
    let application = match (app.get("name"), app.get("publisher")) {
        (Some(name), Some(publisher)) if !publisher.is_empty() => format!("{name} ({publisher})"),
        (Some(name), _) => name.clone(),
        _ => app.values().cloned().collect::<Vec<_>>().join(", "),
    };
    let mut facts = vec![
        ("Requester", shown(kepm.requester.as_deref().unwrap_or_default())),
        ("Application", shown(&application)),
        ("Justification", shown(&kepm.justification)),
        ("Endpoint (agent)", shown(&kepm.agent_uid)),
        ("Created", kepm.created.map_or_else(|| NOT_PROVIDED.into(), when)),
    ];
    // Once decided, Keeper's status read before is out of date: the outcome says what it is.
    if view.outcome.is_none() {
        facts.push(("Status in Keeper", kepm.status.name().into()));
    }
    facts
}

fn device_facts(view: &KeeperView) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    for device in view.devices.iter().flatten() {
        facts.extend([
            ("Email", shown(&device.email)),
            ("Device name", shown(&device.device_name)),
            ("Device type", shown(&device.device_type)),
            ("IP address", shown(&device.ip_address)),
            ("Client version", shown(&device.client_version)),
            ("Location", shown(&device.location)),
            ("Requested", shown(&device.date)),
        ]);
    }
    facts
}
