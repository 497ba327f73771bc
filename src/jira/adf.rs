//! Building Atlassian Document Format (ADF) documents. Every builder keeps the schema's rules
//! (no empty text nodes, table cells hold block content), so any document built here is valid.

use serde_json::{Value, json};

/// Inline content: text with optional marks.
pub fn text(s: &str) -> Option<Value> {
    (!s.is_empty()).then(|| json!({ "type": "text", "text": s }))
}

pub fn strong(s: &str) -> Option<Value> {
    (!s.is_empty()).then(|| json!({ "type": "text", "text": s, "marks": [{ "type": "strong" }] }))
}

pub fn code(s: &str) -> Option<Value> {
    (!s.is_empty()).then(|| json!({ "type": "text", "text": s, "marks": [{ "type": "code" }] }))
}

pub fn em(s: &str) -> Option<Value> {
    (!s.is_empty()).then(|| json!({ "type": "text", "text": s, "marks": [{ "type": "em" }] }))
}

/// A paragraph of inline nodes; `None` items (empty text) are dropped.
pub fn paragraph(inlines: impl IntoIterator<Item = Option<Value>>) -> Value {
    let content: Vec<Value> = inlines.into_iter().flatten().collect();
    json!({ "type": "paragraph", "content": content })
}

pub fn heading(level: u8, s: &str) -> Value {
    json!({ "type": "heading", "attrs": { "level": level.clamp(1, 6) }, "content": text(s).into_iter().collect::<Vec<_>>() })
}

/// A two-column table: a header cell with the label, a cell with the value paragraph.
pub fn key_value_table(rows: Vec<(String, Value)>) -> Value {
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(label, value)| {
            json!({
                "type": "tableRow",
                "content": [
                    { "type": "tableHeader", "content": [paragraph([strong(&label)])] },
                    { "type": "tableCell", "content": [value] },
                ]
            })
        })
        .collect();
    json!({ "type": "table", "attrs": { "isNumberColumnEnabled": false, "layout": "default" }, "content": rows })
}

/// A panel (info, note, warning, ...) holding paragraphs.
pub fn panel(kind: &str, paragraphs: Vec<Value>) -> Value {
    json!({ "type": "panel", "attrs": { "panelType": kind }, "content": paragraphs })
}

pub fn doc(content: Vec<Value>) -> Value {
    json!({ "type": "doc", "version": 1, "content": content })
}
