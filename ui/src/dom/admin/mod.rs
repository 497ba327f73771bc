//! The configuration page's elements (found by id in `static/admin/src/index.html`), how a
//! `Screen` is copied into them, and which user events become which `Action`s. EPM's form inputs
//! are in `form`, the lists built from answers (warnings, webhook texts, checks) in `lists`, a
//! section's progress and notice in `live`, the PRA section in `pra`, Keeper's in `keeper` and
//! the Diagnostics in `diagnostics`.

mod diagnostics;
mod form;
mod keeper;
mod lists;
pub(super) mod live;
mod pra;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

use self::diagnostics::DiagnosticsSection;
use self::form::FormView;
use self::keeper::KeeperSection;
use self::lists::{Checks, Warnings, Webhook};
use self::live::Live;
use self::pra::PraSection;
use super::{by_id, on, show};
use crate::admin::fields::Field;
use crate::admin::screen::Screen;
use crate::admin::state::{Action, Focus};

pub struct AdminPage {
    document: Document,
    live: Live,
    forbidden: HtmlElement,
    forbidden_message: HtmlElement,
    warnings: Warnings,
    webhook: Webhook,
    form: FormView,
    checks: Checks,
    pra: PraSection,
    keeper: KeeperSection,
    diagnostics: DiagnosticsSection,
}

impl AdminPage {
    pub fn find(document: Document) -> Result<AdminPage, JsValue> {
        let d = &document;
        Ok(AdminPage {
            live: Live::find(d, "")?,
            forbidden: by_id(d, "forbidden")?,
            forbidden_message: by_id(d, "forbidden-message")?,
            warnings: Warnings::find(d)?,
            webhook: Webhook::find(d)?,
            form: FormView::find(d)?,
            checks: Checks::find(d, "")?,
            pra: PraSection::find(d)?,
            keeper: KeeperSection::find(d)?,
            diagnostics: DiagnosticsSection::find(d)?,
            document,
        })
    }

    /// Turns user events into actions, once for the page's lifetime.
    pub fn bind(&self, dispatch: Rc<dyn Fn(Action)>) -> Result<(), JsValue> {
        let d = &dispatch;
        on(d, self.live.retry(), "click", |_| Some(Action::Retry))?;
        // One listener for every Copy button, present and future: the buttons are rebuilt with
        // each view, and each names its text in `data-copy`.
        on(d, self.webhook.root(), "click", |e| {
            let target = e.target()?.dyn_into::<Element>().ok()?;
            let button = target.closest("[data-copy]").ok()??;
            button.get_attribute("data-copy").map(Action::Copy)
        })?;
        self.form.bind(d)?;
        self.pra.bind(d)?;
        self.keeper.bind(d)?;
        self.diagnostics.bind(d)
    }

    pub fn render(&self, screen: &Screen) -> Result<(), JsValue> {
        self.live.render(&self.document, screen.busy, screen.notice)?;
        match screen.forbidden {
            Some(message) => {
                self.forbidden_message.set_text_content(Some(message));
                show(&self.forbidden, true);
            }
            None => show(&self.forbidden, false),
        }
        self.warnings.render(&self.document, screen.warnings)?;
        self.webhook
            .render(&self.document, screen.webhook.as_ref(), screen.copied)?;
        self.form.render(screen.form.as_ref())?;
        self.checks.render(&self.document, screen.report.as_ref())?;
        self.pra.render(&self.document, screen.pra.as_ref())?;
        self.keeper.render(&self.document, screen.keeper.as_ref())?;
        self.diagnostics.render(&self.document, screen.diagnostics.as_ref())
    }

    pub fn focus(&self, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Notice => self.live.focus(),
            Focus::Field(field) => self.form.focus(field),
            Focus::Checks => self.checks.focus(),
            Focus::Pra(focus) => self.pra.focus(&self.document, focus),
            Focus::Keeper(focus) => self.keeper.focus(focus),
        }
    }
}

/// The id of the element an input's error is shown in.
fn error_id(field: Field) -> String {
    format!("{}-error", field.name())
}
