//! The session attributes table: a row per attribute (code name; value from a select of the
//! core's sources or "Custom field…" with its id; Remove), rebuilt only when the number of rows
//! changes, and "Add attribute". One listener on the table body serves every row; each control
//! names its row in `data-row` and its part in `data-part`.

use std::cell::Cell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::form::edit;
use super::{Dispatch, target};
use crate::admin::pra::fields::{CUSTOM, CUSTOM_LABEL, source_choices};
use crate::admin::pra::form::Edit;
use crate::admin::pra::screen::AttributeRow;
use crate::dom::{append, by_id, clear, create, on, option, show};

pub struct Attributes {
    table: HtmlElement,
    rows: HtmlElement,
    none: HtmlElement,
    add: HtmlButtonElement,
    /// How many rows are drawn.
    drawn: Cell<Option<usize>>,
}

/// `pra-attribute-<row>-<part>`: each control's id.
fn control_id(row: usize, part: &str) -> String {
    format!("pra-attribute-{row}-{part}")
}

impl Attributes {
    pub fn find(d: &Document) -> Result<Attributes, JsValue> {
        Ok(Attributes {
            table: by_id(d, "pra-sessionAttributes")?,
            rows: by_id(d, "pra-attribute-rows")?,
            none: by_id(d, "pra-attributes-none")?,
            add: by_id(d, "pra-add-attribute")?,
            drawn: Cell::new(None),
        })
    }

    pub fn bind(&self, d: &Dispatch) -> Result<(), JsValue> {
        on(d, &self.add, "click", |_| Some(edit(Edit::AddAttribute)))?;
        // A select fires `input` too, so one event serves every control.
        on(d, &self.rows, "input", |e| {
            let control = target(e)?;
            let row: usize = control.get_attribute("data-row")?.parse().ok()?;
            let value = value_of(&control)?;
            Some(edit(match control.get_attribute("data-part")?.as_str() {
                "code" => Edit::AttributeCode(row, value),
                "source" => Edit::AttributeSource(row, value),
                _ => Edit::AttributeCustom(row, value),
            }))
        })?;
        on(d, &self.rows, "click", |e| {
            let button = target(e)?.closest("[data-remove]").ok()??;
            let row = button.get_attribute("data-remove")?.parse().ok()?;
            Some(edit(Edit::RemoveAttribute(row)))
        })
    }

    pub fn render(&self, d: &Document, rows: &[AttributeRow], can_add: bool) -> Result<(), JsValue> {
        if self.drawn.get() != Some(rows.len()) {
            clear(&self.rows);
            for index in 0..rows.len() {
                append(&self.rows, &row(d, index)?)?;
            }
            self.drawn.set(Some(rows.len()));
        }
        for (index, shown) in rows.iter().enumerate() {
            let code: HtmlInputElement = by_id(d, &control_id(index, "code"))?;
            let source: HtmlSelectElement = by_id(d, &control_id(index, "source"))?;
            let custom: HtmlInputElement = by_id(d, &control_id(index, "custom"))?;
            // Only when it differs: rewriting the value would move the caret to the end.
            if code.value() != shown.code_name {
                code.set_value(shown.code_name);
            }
            if source.value() != shown.source {
                source.set_value(shown.source);
            }
            if custom.value() != shown.custom {
                custom.set_value(shown.custom);
            }
            show(&custom, shown.show_custom);
        }
        show(&self.table, !rows.is_empty());
        show(&self.none, rows.is_empty());
        self.add.set_disabled(!can_add);
        Ok(())
    }

    /// A row's code name, or "Add attribute" (`None`, or a row no longer there).
    pub fn focus(&self, d: &Document, row: Option<usize>) -> Result<(), JsValue> {
        match row.and_then(|row| by_id::<HtmlElement>(d, &control_id(row, "code")).ok()) {
            Some(code) => code.focus(),
            None => self.add.focus(),
        }
    }
}

fn value_of(control: &Element) -> Option<String> {
    if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
        return Some(input.value());
    }
    control.dyn_ref::<HtmlSelectElement>().map(HtmlSelectElement::value)
}

/// The controls of row `index` (values are set by `render`).
fn row(d: &Document, index: usize) -> Result<Element, JsValue> {
    let n = index + 1;
    let tr = create(d, "tr", "", "")?;
    let control = |tag: &str, class: &str, part: &str, label: String| -> Result<Element, JsValue> {
        let element = create(d, tag, class, "")?;
        element.set_id(&control_id(index, part));
        element.set_attribute("data-row", &index.to_string())?;
        element.set_attribute("data-part", part)?;
        element.set_attribute("aria-label", &label)?;
        if tag == "input" {
            element.set_attribute("type", "text")?;
            element.set_attribute("autocomplete", "off")?;
            element.set_attribute("spellcheck", "false")?;
        }
        Ok(element)
    };
    let cell = create(d, "td", "", "")?;
    append(
        &cell,
        &control(
            "input",
            "input input-code",
            "code",
            format!("Code name of attribute {n}"),
        )?,
    )?;
    append(&tr, &cell)?;

    let cell = create(d, "td", "attribute-source", "")?;
    let source = control("select", "select", "source", format!("Value of attribute {n}"))?;
    for (value, label) in source_choices().into_iter().chain([(CUSTOM, CUSTOM_LABEL)]) {
        append(&source, &option(d, value, label)?)?;
    }
    append(&cell, &source)?;
    let custom = control(
        "input",
        "input input-code",
        "custom",
        format!("Custom field ID of attribute {n}"),
    )?;
    custom.set_attribute("placeholder", "customfield_10060")?;
    append(&cell, &custom)?;
    append(&tr, &cell)?;

    let cell = create(d, "td", "", "")?;
    let remove = create(d, "button", "button button-subtle", "Remove")?;
    remove.set_attribute("type", "button")?;
    remove.set_attribute("data-remove", &index.to_string())?;
    remove.set_attribute("aria-label", &format!("Remove attribute {n}"))?;
    append(&cell, &remove)?;
    append(&tr, &cell)?;
    Ok(tr)
}
