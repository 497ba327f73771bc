//! The issue description for a ticket-created event: a one-line lead, the reason, then every
//! present field grouped (who and where, application, file and hashes, technical), in ADF.

use serde_json::Value;

use super::fields::{Group, REQUEST_INFO, TOP_LEVEL};
use super::placeholders::cap_chars;
use super::wire::TicketCreated;
use crate::jira::adf;

/// Longest value shown in a table cell; longer ones are cut with a note.
const MAX_VALUE_CHARS: usize = 1_000;
/// Characters of values the whole description may hold (Jira caps a description at 32,767).
const VALUE_BUDGET: usize = 24_000;
/// Extra (unknown) fields shown at most.
const MAX_EXTRA_FIELDS: usize = 40;

pub fn description(request: &TicketCreated) -> Value {
    let mut content = vec![lead(request)];
    if let Some(reason) = request.reason() {
        content.push(adf::panel(
            "info",
            vec![adf::paragraph([
                adf::strong("Reason: "),
                adf::text(&cap_chars(reason, MAX_VALUE_CHARS)),
            ])],
        ));
    }
    let mut budget = VALUE_BUDGET;
    for group in Group::ALL {
        let mut rows: Vec<(String, Value)> = TOP_LEVEL
            .iter()
            .chain(REQUEST_INFO.iter())
            .filter(|f| f.group == group)
            .filter_map(|f| {
                request
                    .get(f.key)
                    .map(|v| (f.label.to_string(), cell(v, f.code, &mut budget)))
            })
            .collect();
        if group == Group::Technical {
            let shown = request.extra.iter().take(MAX_EXTRA_FIELDS);
            rows.extend(shown.map(|(k, v)| (k.clone(), cell(v, false, &mut budget))));
            if request.extra.len() > MAX_EXTRA_FIELDS {
                let more = request.extra.len() - MAX_EXTRA_FIELDS;
                rows.push((
                    "More fields".into(),
                    adf::paragraph([adf::em(&format!("{more} more not shown"))]),
                ));
            }
        }
        if !rows.is_empty() {
            content.push(adf::heading(3, group.title()));
            content.push(adf::key_value_table(rows));
        }
    }
    adf::doc(content)
}

fn lead(request: &TicketCreated) -> Value {
    let user = request.user().unwrap_or("An unknown user");
    let app = request.application().unwrap_or("an application");
    let mut inlines = vec![
        adf::strong(&cap_chars(user, 200)),
        adf::text(" asks to run "),
        adf::strong(&cap_chars(app, 200)),
        adf::text(" with elevated rights"),
    ];
    if let Some(host) = request.host_name() {
        inlines.push(adf::text(" on "));
        inlines.push(adf::strong(&cap_chars(host, 200)));
    }
    inlines.push(adf::text("."));
    adf::paragraph(inlines)
}

/// One value cell, cut to the per-value limit and the remaining budget.
fn cell(value: &str, code: bool, budget: &mut usize) -> Value {
    if *budget == 0 {
        return adf::paragraph([adf::em("(not shown: description size limit reached)")]);
    }
    let limit = MAX_VALUE_CHARS.min(*budget);
    let total = value.chars().count();
    let shown = if total > limit {
        cap_chars(value, limit)
    } else {
        value.to_string()
    };
    *budget = budget.saturating_sub(shown.chars().count());
    let mut inlines = vec![if code { adf::code(&shown) } else { adf::text(&shown) }];
    if total > limit {
        inlines.push(adf::em(&format!(" (cut, {total} characters in all)")));
    }
    adf::paragraph(inlines)
}
