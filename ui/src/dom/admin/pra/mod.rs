//! The PRA section's elements (`#pra…` in `static/admin/src/index.html`): its live region, the
//! form (`form`: the settings' inputs; `url`: the web trigger URL, the URL to paste and "Generate
//! a new URL"; `attributes`: the session attributes table) and its validation results.

mod attributes;
mod form;
mod url;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, HtmlElement};

use self::form::FormView;
use super::lists::Checks;
use super::live::Live;
use crate::admin::pra::screen::Section;
use crate::admin::pra::state::{Action as PraAction, Focus};
use crate::admin::state::Action;
use crate::dom::{by_id, on, show};

/// Hands the page an action of the PRA section.
type Dispatch = Rc<dyn Fn(Action)>;

pub struct PraSection {
    root: HtmlElement,
    live: Live,
    form: FormView,
    checks: Checks,
}

impl PraSection {
    pub fn find(d: &Document) -> Result<PraSection, JsValue> {
        Ok(PraSection {
            root: by_id(d, "pra")?,
            live: Live::find(d, "pra-")?,
            form: FormView::find(d)?,
            checks: Checks::find(d, "pra-")?,
        })
    }

    pub fn bind(&self, d: &Dispatch) -> Result<(), JsValue> {
        on(d, self.live.retry(), "click", |_| Some(Action::Pra(PraAction::Retry)))?;
        self.form.bind(d)
    }

    pub fn render(&self, d: &Document, section: Option<&Section>) -> Result<(), JsValue> {
        let Some(section) = section else {
            show(&self.root, false);
            return Ok(());
        };
        self.live.render(d, section.busy, section.notice)?;
        self.form.render(d, section.form.as_ref())?;
        self.checks.render(d, section.report.as_ref())?;
        show(&self.root, true);
        Ok(())
    }

    pub fn focus(&self, d: &Document, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Notice => self.live.focus(),
            Focus::Checks => self.checks.focus(),
            other => self.form.focus(d, other),
        }
    }
}

/// The element an event happened on, for the lists whose rows are built from answers (one
/// listener on the list serves every row, present and future).
fn target(event: &Event) -> Option<Element> {
    event.target()?.dyn_into::<Element>().ok()
}
