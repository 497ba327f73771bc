//! The Diagnostics section's elements (`#diagnostics…` in `static/admin/src/index.html`): the
//! load button, a live region (progress and notice), and the tables, rebuilt only when what
//! they show changes. Each "Retry now" names its dead letter in `data-retry`; one listener on
//! the section serves every button, present and future.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlButtonElement, HtmlElement};

use crate::admin::diagnostics::screen::{Screen, Table};
use crate::admin::diagnostics::state::Action as DiagnosticsAction;
use crate::admin::state::Action;
use crate::dom::notice::NoticeBox;
use crate::dom::{append, by_id, clear, create, on, show};

pub struct DiagnosticsSection {
    root: HtmlElement,
    load: HtmlButtonElement,
    busy: HtmlElement,
    busy_text: HtmlElement,
    notice: NoticeBox,
    tables: HtmlElement,
    drawn: RefCell<Option<Vec<Table>>>,
}

impl DiagnosticsSection {
    pub fn find(d: &Document) -> Result<DiagnosticsSection, JsValue> {
        Ok(DiagnosticsSection {
            root: by_id(d, "diagnostics")?,
            load: by_id(d, "diagnostics-load")?,
            busy: by_id(d, "diagnostics-busy")?,
            busy_text: by_id(d, "diagnostics-busy-text")?,
            notice: NoticeBox::find_at(d, "diagnostics-notice")?,
            tables: by_id(d, "diagnostics-tables")?,
            drawn: RefCell::default(),
        })
    }

    pub fn bind(&self, dispatch: &Rc<dyn Fn(Action)>) -> Result<(), JsValue> {
        on(dispatch, &self.load, "click", |_| {
            Some(Action::Diagnostics(DiagnosticsAction::Load))
        })?;
        on(dispatch, &self.tables, "click", |e| {
            let target = e.target()?.dyn_into::<Element>().ok()?;
            let button = target.closest("[data-retry]").ok()??;
            let key = button.get_attribute("data-retry")?;
            Some(Action::Diagnostics(DiagnosticsAction::RetryNow(key)))
        })
    }

    pub fn render(&self, d: &Document, screen: Option<&Screen>) -> Result<(), JsValue> {
        show(&self.root, screen.is_some());
        let Some(screen) = screen else {
            return Ok(());
        };
        self.load.set_text_content(Some(screen.load_label));
        self.load.set_disabled(screen.load_disabled);
        if let Some(text) = screen.busy {
            self.busy_text.set_text_content(Some(text));
        }
        show(&self.busy, screen.busy.is_some());
        self.notice.render(d, screen.notice)?;
        let mut drawn = self.drawn.borrow_mut();
        if drawn.as_ref() != screen.tables.as_ref() {
            *drawn = screen.tables.clone();
            clear(&self.tables);
            for table in screen.tables.iter().flatten() {
                append(&self.tables, &draw(d, table)?)?;
            }
        }
        Ok(())
    }
}

/// A list's heading and table (or its empty line), `#diagnostics-<id>`.
fn draw(d: &Document, table: &Table) -> Result<Element, JsValue> {
    let part = create(d, "div", "diagnostics-part", "")?;
    part.set_id(&format!("diagnostics-{}", table.id));
    let title_id = format!("diagnostics-{}-title", table.id);
    let title = create(d, "h3", "diagnostics-title", &table.title)?;
    title.set_id(&title_id);
    append(&part, &title)?;
    if table.rows.is_empty() {
        append(&part, &create(d, "p", "help diagnostics-empty", table.empty)?)?;
        return Ok(part);
    }
    // Wide tables scroll sideways inside the page instead of widening it.
    let scroller = create(d, "div", "diagnostics-scroll", "")?;
    let element = create(d, "table", "diagnostics-table", "")?;
    element.set_attribute("aria-labelledby", &title_id)?;
    let head = create(d, "tr", "", "")?;
    for heading in &table.headings {
        let cell = create(d, "th", "", heading)?;
        cell.set_attribute("scope", "col")?;
        append(&head, &cell)?;
    }
    let thead = create(d, "thead", "", "")?;
    append(&thead, &head)?;
    append(&element, &thead)?;
    let body = create(d, "tbody", "", "")?;
    for row in &table.rows {
        let line = create(d, "tr", if row.failed { "diagnostics-failed" } else { "" }, "")?;
        for cell in &row.cells {
            append(&line, &create(d, "td", "", cell)?)?;
        }
        if let Some(retry) = &row.retry {
            let cell = create(d, "td", "", "")?;
            let button = create(d, "button", "button", retry.label)?;
            button.set_attribute("type", "button")?;
            button.set_attribute("data-retry", &retry.key)?;
            if retry.disabled {
                button.set_attribute("disabled", "")?;
            }
            append(&cell, &button)?;
            append(&line, &cell)?;
        }
        append(&body, &line)?;
    }
    append(&element, &body)?;
    append(&scroller, &element)?;
    append(&part, &scroller)?;
    Ok(part)
}
