//! What the Diagnostics section shows, as plain data (tables of text), tested natively.

use pam_approvals::diagnostics::view::{DeadView, DeliveryView, DiagnosticsView, JobView};

use super::state::{Model, Phase};
use crate::state::Notice;

pub const SHOW: &str = "Show diagnostics";
pub const REFRESH: &str = "Refresh";
pub const LOADING: &str = "Loading the diagnostics…";
pub const RETRYING: &str = "Queueing the job again…";
pub const RETRY_NOW: &str = "Retry now";
pub const NO_DELIVERIES: &str = "No delivery is listed: nothing called this web trigger with valid \
    credentials since the list began. A call that failed authentication is not listed (the app \
    writes nothing for it); the host's log has it.";
pub const NO_JOBS: &str = "No queue job has run yet.";
pub const NO_DEAD: &str = "No dead letters: the app has given up on no job.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen<'a> {
    pub busy: Option<&'static str>,
    pub notice: Option<&'a Notice>,
    pub load_label: &'static str,
    pub load_disabled: bool,
    /// The lists, once loaded.
    pub tables: Option<Vec<Table>>,
}

/// One list: a heading, its columns and rows, and what it says when empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Element ids: `diagnostics-<id>`.
    pub id: String,
    pub title: String,
    pub headings: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub empty: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
    /// Drawn as a failure (a refused delivery, a job retrying or given up).
    pub failed: bool,
    /// A dead letter's "Retry now".
    pub retry: Option<RetryButton>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryButton {
    /// The dead letter's key (`data-retry`).
    pub key: String,
    pub label: &'static str,
    pub disabled: bool,
}

pub fn screen(model: &Model) -> Screen<'_> {
    let busy = match model.phase {
        Phase::Loading => Some(LOADING),
        Phase::Retrying => Some(RETRYING),
        _ => None,
    };
    Screen {
        busy,
        notice: model.notice.as_ref(),
        load_label: if model.view.is_some() { REFRESH } else { SHOW },
        load_disabled: busy.is_some(),
        tables: model.view.as_ref().map(|view| tables(view, model)),
    }
}

fn tables(view: &DiagnosticsView, model: &Model) -> Vec<Table> {
    let mut tables: Vec<Table> = view
        .triggers
        .iter()
        .map(|trigger| Table {
            id: trigger.trigger.clone(),
            title: format!(
                "{} web trigger ({}): the last {} deliveries",
                trigger.title, trigger.trigger, view.limit
            ),
            headings: vec!["Time (UTC)", "Event", "Request", "Answer", "Deliveries"],
            rows: trigger.deliveries.iter().map(delivery).collect(),
            empty: NO_DELIVERIES,
        })
        .collect();
    tables.push(Table {
        id: "jobs".into(),
        title: format!("Queue: the last {} jobs", view.limit),
        headings: vec![
            "Time (UTC)",
            "Job",
            "Request",
            "Outcome",
            "Attempts",
            "Last result or error",
        ],
        rows: view.jobs.iter().map(job).collect(),
        empty: NO_JOBS,
    });
    let retrying = model.retrying.as_deref();
    tables.push(Table {
        id: "dead".into(),
        title: "Dead letters: jobs the app gave up on".into(),
        headings: vec!["Time (UTC)", "Job", "Request", "Attempts", "Why", "Action"],
        rows: view.dead.iter().map(|letter| dead(letter, retrying)).collect(),
        empty: NO_DEAD,
    });
    tables
}

/// `2026-11-29T10:00:00.123Z` as `2026-11-29 10:00:00`.
fn time(iso: &str) -> String {
    iso.get(..19).unwrap_or(iso).replace('T', " ")
}

fn or_dash(text: &str) -> String {
    if text.is_empty() { "—".into() } else { text.into() }
}

fn delivery(d: &DeliveryView) -> Row {
    let answer = if d.outcome.is_empty() {
        d.status.to_string()
    } else {
        format!("{} {}", d.status, d.outcome)
    };
    Row {
        cells: vec![
            time(&d.at),
            or_dash(&d.event),
            or_dash(&d.request),
            answer,
            d.attempts.to_string(),
        ],
        failed: !d.taken(),
        retry: None,
    }
}

fn job(j: &JobView) -> Row {
    Row {
        cells: vec![
            time(&j.at),
            j.kind.clone(),
            or_dash(&j.request),
            j.outcome.clone(),
            j.attempts.to_string(),
            or_dash(&j.last),
        ],
        failed: j.outcome != "done",
        retry: None,
    }
}

fn dead(letter: &DeadView, retrying: Option<&str>) -> Row {
    Row {
        cells: vec![
            time(&letter.at),
            letter.kind.clone(),
            or_dash(&letter.request),
            letter.attempts.to_string(),
            letter.reason.clone(),
        ],
        failed: true,
        retry: Some(RetryButton {
            key: letter.key.clone(),
            label: if retrying == Some(letter.key.as_str()) {
                RETRYING
            } else {
                RETRY_NOW
            },
            disabled: retrying.is_some(),
        }),
    }
}
