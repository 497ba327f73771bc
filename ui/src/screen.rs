//! What the page shows for a model, as plain data: the DOM layer copies it into elements and
//! decides nothing itself, so everything a person sees is tested here natively.

use pam_approvals::providers::epm::mapping::property::RequestFacts;
use pam_approvals::providers::epm::page::form::{DURATION_UNITS, MAX_MESSAGE_CHARS};
use pam_approvals::providers::epm::page::view::{RequestView, StateKind};

use crate::form_state::Decision;
use crate::state::{Model, Notice, Phase};

pub const LOADING: &str = "Loading the request…";
pub const SENDING: &str = "Sending decision to EPM…";
pub const SUBMIT: &str = "Submit decision";
pub const NOT_PROVIDED: &str = "Not provided";

/// Everything on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen<'a> {
    /// The progress line (with a spinner) while a resolver runs.
    pub busy: Option<&'static str>,
    pub request: Option<RequestScreen>,
    pub notice: Option<&'a Notice>,
    pub form: Option<FormScreen<'a>>,
    /// The "Close" button; before a decision the form's "Cancel" does the same.
    pub close: bool,
}

/// The request as the approver reads it. Owned, so that the DOM layer can keep the last one it
/// drew and redraw only when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestScreen {
    pub issue_key: String,
    pub summary: String,
    /// CSS modifier of the state lozenge: pending, approved, denied, expired.
    pub state_kind: &'static str,
    pub state_label: String,
    pub state_lines: Vec<String>,
    pub facts: Vec<(&'static str, String)>,
    pub details: Vec<DetailGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailGroup {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormScreen<'a> {
    /// Every control is disabled while the decision is being sent.
    pub disabled: bool,
    pub decision: Option<Decision>,
    pub show_duration: bool,
    /// (value, label) of each unit, from the core's `DURATION_UNITS`.
    pub units: Vec<(&'static str, &'static str)>,
    pub unit: &'static str,
    /// The count picker; `None` for a unit without a count (Once).
    pub count: Option<CountPicker>,
    pub message: &'a str,
    pub max_message_chars: usize,
    pub counter: String,
    pub counter_over: bool,
    pub decision_error: Option<&'a str>,
    pub duration_error: Option<&'a str>,
    pub message_error: Option<&'a str>,
    pub submitting: bool,
    pub submit_label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountPicker {
    /// "Number of hours".
    pub label: String,
    pub min: u8,
    pub max: u8,
    pub selected: u8,
}

pub fn screen(model: &Model) -> Screen<'_> {
    let busy = match model.phase {
        Phase::Loading => Some(LOADING),
        Phase::Submitting => Some(SENDING),
        _ => None,
    };
    let form = matches!(model.phase, Phase::Ready | Phase::Submitting).then(|| form(model));
    Screen {
        busy,
        request: model.view.as_ref().map(request),
        notice: model.notice.as_ref(),
        form,
        // While a decision is in flight the page may be closed: the app keeps sending it.
        close: matches!(
            model.phase,
            Phase::Unavailable | Phase::Blocked | Phase::Decided | Phase::Sending
        ),
    }
}

fn state_kind(kind: StateKind) -> &'static str {
    match kind {
        StateKind::Pending => "pending",
        StateKind::Approved => "approved",
        StateKind::Denied => "denied",
        StateKind::Expired => "expired",
    }
}

/// The headline facts, in the order an approver reads them.
pub fn facts(facts: &RequestFacts) -> Vec<(&'static str, &str)> {
    fn shown(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or(NOT_PROVIDED)
    }
    vec![
        ("Requested by", shown(&facts.user)),
        ("Application", shown(&facts.application)),
        ("File path", shown(&facts.file_path)),
        ("Publisher", shown(&facts.publisher)),
        ("Host name", shown(&facts.host_name)),
        ("Reason", shown(&facts.reason)),
        ("Requested at", shown(&facts.requested_at)),
    ]
}

/// The technical details, grouped in the order the core listed them.
pub fn detail_groups(facts: &RequestFacts) -> Vec<DetailGroup> {
    let mut groups: Vec<DetailGroup> = Vec::new();
    for detail in &facts.details {
        let row = (detail.label.clone(), detail.value.clone());
        match groups.iter_mut().find(|g| g.title == detail.group) {
            Some(group) => group.rows.push(row),
            None => groups.push(DetailGroup {
                title: detail.group.clone(),
                rows: vec![row],
            }),
        }
    }
    groups
}

fn request(view: &RequestView) -> RequestScreen {
    RequestScreen {
        issue_key: view.issue_key.clone(),
        summary: view.summary.clone(),
        state_kind: state_kind(view.state.kind),
        state_label: view.state.label.clone(),
        state_lines: view.state.lines.clone(),
        facts: facts(&view.request)
            .into_iter()
            .map(|(label, value)| (label, value.to_string()))
            .collect(),
        details: detail_groups(&view.request),
    }
}

fn form(model: &Model) -> FormScreen<'_> {
    let state = &model.form;
    let unit = state.unit();
    let (counter, counter_over) = state.counter();
    let error = |field: &str| model.field_errors.get(field).map(String::as_str);
    let submitting = model.phase == Phase::Submitting;
    FormScreen {
        disabled: submitting,
        decision: state.decision,
        show_duration: state.decision == Some(Decision::Approve),
        units: DURATION_UNITS.iter().map(|u| (u.unit, u.label)).collect(),
        unit: unit.unit,
        count: state.unit_has_count().then(|| CountPicker {
            label: format!("Number of {}", unit.label.to_lowercase()),
            min: unit.min,
            max: unit.max,
            selected: state.count,
        }),
        message: &state.message,
        max_message_chars: MAX_MESSAGE_CHARS,
        counter,
        counter_over,
        decision_error: error("decision"),
        duration_error: error("duration"),
        message_error: error("message"),
        submitting,
        submit_label: if submitting { SENDING } else { SUBMIT },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::state::{Action, reduce};

    fn loaded(fixture: &str) -> Model {
        let answer: Value = serde_json::from_str(fixture).unwrap();
        let mut model = Model::default();
        reduce(&mut model, Action::Start);
        reduce(&mut model, Action::RequestAnswered(Ok(answer)));
        model
    }

    fn pending() -> Model {
        loaded(include_str!("../../tests/browser/fixtures/request-pending.json"))
    }

    #[test]
    fn loading_shows_progress_only() {
        let model = Model::default();
        let screen = screen(&model);
        assert_eq!(screen.busy, Some(LOADING));
        assert!(screen.request.is_none() && screen.form.is_none() && !screen.close);
    }

    #[test]
    fn shows_the_request_facts() {
        let model = pending();
        let request = screen(&model).request.unwrap();
        assert_eq!(request.issue_key, "PMCJIT-1");
        assert_eq!(
            (request.state_kind, request.state_label.as_str()),
            ("pending", "Pending decision")
        );
        assert_eq!(
            facts(&model.view.as_ref().unwrap().request),
            [
                ("Requested by", "CORP\\bob"),
                ("Application", "Tax Reporting Suite"),
                ("File path", "C:\\Users\\bob\\Downloads\\TaxSuiteSetup-4.2.1.exe"),
                ("Publisher", "Example Tax Software Ltd"),
                ("Host name", "FIN-LT-0042"),
                (
                    "Reason",
                    "Need to install the quarterly tax reporting update for the finance team"
                ),
                ("Requested at", "2026-11-23T09:14:05.123Z"),
            ]
        );
        assert_eq!(request.facts.len(), 7);
        let titles: Vec<_> = request.details.iter().map(|g| g.title.as_str()).collect();
        let mut unique = titles.clone();
        unique.dedup();
        assert_eq!(titles, unique, "each group once: {titles:?}");
        assert!(request.details.iter().flat_map(|g| &g.rows).any(|(_, v)| v == "4.2.1"));
    }

    #[test]
    fn absent_facts_say_so() {
        let empty = RequestFacts::default();
        let facts = facts(&empty);
        assert!(facts.iter().all(|(_, value)| *value == NOT_PROVIDED));
    }

    #[test]
    fn duration_pickers_follow_the_core() {
        let mut model = pending();
        let form = screen(&model).form.unwrap();
        assert!(!form.show_duration, "nothing to pick before Approve");
        assert_eq!(
            form.units,
            [
                ("once", "Once"),
                ("hours", "Hours"),
                ("days", "Days"),
                ("months", "Months")
            ]
        );
        assert_eq!((form.submit_label, form.counter.as_str()), (SUBMIT, "0 / 1000"));
        reduce(&mut model, Action::ChooseDecision(Decision::Approve));
        let form = screen(&model).form.unwrap();
        assert!(form.show_duration && form.count.is_none(), "Once has no count");
        reduce(&mut model, Action::ChooseUnit("days".into()));
        let count = screen(&model).form.unwrap().count.unwrap();
        assert_eq!(
            count,
            CountPicker {
                label: "Number of days".into(),
                min: 1,
                max: 31,
                selected: 1
            }
        );
    }

    #[test]
    fn submitting_freezes_the_form_and_says_so() {
        let mut model = pending();
        reduce(&mut model, Action::ChooseDecision(Decision::Deny));
        reduce(&mut model, Action::Submit);
        let screen = screen(&model);
        let form = screen.form.unwrap();
        assert_eq!(
            (screen.busy, form.disabled, form.submit_label),
            (Some(SENDING), true, SENDING)
        );
        assert!(!screen.close);
    }

    #[test]
    fn a_decision_in_flight_has_no_form_and_can_be_closed() {
        let model = loaded(include_str!("../../tests/browser/fixtures/request-sending.json"));
        let screen = screen(&model);
        assert!(screen.form.is_none() && screen.close && screen.busy.is_none());
        assert_eq!(screen.notice.unwrap().title, crate::state::SENDING_TO_EPM);
        assert_eq!(screen.request.unwrap().state_kind, "pending");
    }

    #[test]
    fn blocked_requests_have_no_form() {
        let model = loaded(include_str!("../../tests/browser/fixtures/request-self-approval.json"));
        let screen = screen(&model);
        assert!(screen.form.is_none() && screen.close && screen.request.is_some());
        assert!(screen.notice.unwrap().title.contains("someone else"));
    }
}
