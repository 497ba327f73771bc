//! The issue description for a ticket-created event: a one-line lead, the reason, then every
//! present field grouped (who and where, application, file and hashes, technical), in ADF.

use serde_json::Value;

use super::placeholders::cap_chars;
use crate::jira::adf;
use crate::providers::epm::wire::TicketCreated;
use crate::providers::epm::wire::fields::{Group, REQUEST_INFO, TOP_LEVEL};

/// Longest value shown in a table cell; longer ones are cut with a note.
const MAX_VALUE_CHARS: usize = 1_000;
/// Characters of values the whole description may hold (Jira caps a description at 32,767).
const VALUE_BUDGET: usize = 24_000;
/// Extra (unknown) fields shown at most.
const MAX_EXTRA_FIELDS: usize = 40;
/// Longest extra field name shown (names are EPM's or a sender's keys, of any length).
const MAX_EXTRA_NAME_CHARS: usize = 100;
/// Longest extra field value shown.
const MAX_EXTRA_VALUE_CHARS: usize = 500;
/// Characters of names and values all extra fields may take together; they also draw on
/// `VALUE_BUDGET`, so with every known field at its limit the text stays under Jira's cap.
const EXTRA_BUDGET: usize = 8_000;
/// An extra field is listed only when at least this much of its value fits.
const MIN_EXTRA_VALUE_CHARS: usize = 20;

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
            rows.extend(extra_rows(request, &mut budget));
        }
        if !rows.is_empty() {
            content.push(adf::heading(3, group.title()));
            content.push(adf::key_value_table(rows));
        }
    }
    adf::doc(content)
}

/// The fields EPM sent that the app does not know, names and values cut, within their own
/// budget and the description's; a last row says how many were left out.
fn extra_rows(request: &TicketCreated, budget: &mut usize) -> Vec<(String, Value)> {
    let mut rows = Vec::new();
    let mut extra_budget = EXTRA_BUDGET;
    for (key, value) in &request.extra {
        let name = cap_chars(key, MAX_EXTRA_NAME_CHARS);
        let name_chars = name.chars().count();
        let room = extra_budget.min(*budget);
        if rows.len() == MAX_EXTRA_FIELDS || room < name_chars + MIN_EXTRA_VALUE_CHARS {
            break;
        }
        let value_room = (room - name_chars).min(MAX_EXTRA_VALUE_CHARS);
        let mut left = value_room;
        let cell = cell(value, false, &mut left);
        let used = name_chars + (value_room - left);
        *budget -= used;
        extra_budget -= used;
        rows.push((name, cell));
    }
    let left_out = request.extra.len() - rows.len();
    if left_out > 0 {
        let fields = if left_out == 1 { "field" } else { "fields" };
        rows.push((
            "More fields".into(),
            adf::paragraph([adf::em(&format!(
                "{left_out} more {fields} not shown (the description's size limit)"
            ))]),
        ));
    }
    rows
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

/// One value cell, cut to the per-value limit and the remaining budget (which it reduces by the
/// characters shown).
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::providers::epm::wire::{Event, parse};
    use crate::testkit::{SAMPLE, World, drive, http, webhook};

    /// Jira's limit on a description's text, and the margin the app keeps below it.
    const JIRA_LIMIT: usize = 32_767;
    const MARGIN: usize = 2_000;

    use crate::providers::epm::tests::{adf_validator, collect_text as text_of};

    /// The sample with `count` unknown `requestInfo` fields, each name and value `chars` long.
    fn with_unknown_fields(count: usize, chars: usize, known_too: bool) -> Value {
        let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
        if known_too {
            for field in crate::providers::epm::wire::fields::REQUEST_INFO {
                body["requestInfo"][field.key] = json!("k".repeat(3_000));
            }
        }
        for i in 0..count {
            let name = format!("{i:04}{}", "n".repeat(chars - 4));
            body["requestInfo"][name] = json!("v".repeat(chars));
        }
        body
    }

    fn header_texts(doc: &Value) -> Vec<String> {
        let mut headers = Vec::new();
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) if o.get("type") == Some(&json!("tableHeader")) => out.push(text_of(v)),
                Value::Object(o) => o.values().for_each(|v| walk(v, out)),
                Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        walk(doc, &mut headers);
        headers
    }

    /// 500 unknown fields with 1,000-character names and values (a sender may put anything in
    /// the body): names are cut, the unknown fields stay within their budget, the last row says
    /// how many were left out, and the whole stays valid ADF under Jira's limit.
    #[test]
    fn unknown_fields_are_cut_and_counted_within_the_limit() {
        let validator = adf_validator();
        for known_too in [false, true] {
            let body = with_unknown_fields(500, 1_000, known_too);
            let Event::TicketCreated(request) = parse(&body.to_string()).unwrap() else {
                panic!()
            };
            assert_eq!(request.extra.len(), 500);
            let doc = description(&request);
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:#?}");
            let text = text_of(&doc).chars().count();
            assert!(text <= JIRA_LIMIT - MARGIN, "description text is {text} characters");

            let headers = header_texts(&doc);
            let unknown: Vec<&String> = headers.iter().filter(|h| h.starts_with("requestInfo.")).collect();
            assert!(!unknown.is_empty() || known_too, "some unknown fields are shown");
            assert!(unknown.len() <= MAX_EXTRA_FIELDS);
            assert!(
                unknown.iter().all(|h| h.chars().count() <= MAX_EXTRA_NAME_CHARS),
                "names are cut"
            );
            let left_out = 500 - unknown.len();
            let all = text_of(&doc);
            assert!(
                all.contains(&format!("{left_out} more fields not shown")),
                "the last row counts the {left_out} left out"
            );
            assert_eq!(headers.last().map(String::as_str), Some("More fields"));
        }
    }

    /// The unknown fields' own budget: names and values of those shown stay within it.
    #[test]
    fn unknown_fields_take_at_most_their_budget() {
        let body = with_unknown_fields(500, 1_000, false);
        let Event::TicketCreated(request) = parse(&body.to_string()).unwrap() else {
            panic!()
        };
        let mut budget = VALUE_BUDGET;
        let rows = extra_rows(&request, &mut budget);
        let used = VALUE_BUDGET - budget;
        assert!(used <= EXTRA_BUDGET, "{used}");
        let (last, fields) = rows.split_last().unwrap();
        assert_eq!(last.0, "More fields");
        let shown: usize = fields
            .iter()
            .map(|(name, cell)| name.chars().count() + text_of(cell).chars().count())
            .sum();
        // Each cut value adds its note ("(cut, N characters in all)"), outside the budget.
        assert!(shown <= EXTRA_BUDGET + fields.len() * 40, "{shown}");
        assert!(fields.len() >= 10, "a useful number is still shown: {}", fields.len());
    }

    /// Through the web trigger (the body under its 256 KiB cap): the issue is created with a
    /// valid, bounded description.
    #[test]
    fn a_webhook_full_of_unknown_fields_creates_a_bounded_issue() {
        let body = with_unknown_fields(120, 1_000, false).to_string();
        assert!(body.len() < crate::webtrigger::MAX_BODY_BYTES);
        let mut world = World::configured();
        let (status, answer) = http(&drive(&mut world, webhook("hook", "pw-123456", &body)));
        assert_eq!(status, 201, "{answer}");
        let issues = world.jira_issues();
        let doc = &issues[0]["fields"]["description"];
        assert!(adf_validator().is_valid(doc));
        let text = text_of(doc).chars().count();
        assert!(text <= JIRA_LIMIT - MARGIN, "description text is {text} characters");
        assert!(text_of(doc).contains("more fields not shown"));
    }
}
