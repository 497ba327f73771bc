//! The "Ticket System URL" part: the web trigger URL (without its secret) and whether a secret
//! is set, the URL to paste with its Copy button (only while the screen has it: the input is
//! emptied when it goes), and "Generate a new URL" with its in-page question (no
//! `window.confirm`: a Custom UI frame may not be allowed dialogs).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlButtonElement, HtmlElement, HtmlInputElement, KeyboardEvent};

use super::Dispatch;
use crate::admin::pra::screen::{Form, URL_WARNING};
use crate::admin::pra::state::{Action as PraAction, Focus};
use crate::admin::state::{Action, PRA_URL};
use crate::dom::{by_id, fill_list, on, show, text_or_hide};

pub struct UrlView {
    trigger_url: HtmlInputElement,
    secret_status: HtmlElement,
    url_box: HtmlElement,
    url: HtmlInputElement,
    copy: HtmlButtonElement,
    copy_status: HtmlElement,
    warning: HtmlElement,
    rotate: HtmlButtonElement,
    confirm: HtmlElement,
    confirm_lines: HtmlElement,
    yes: HtmlButtonElement,
    no: HtmlButtonElement,
}

impl UrlView {
    pub fn find(d: &Document) -> Result<UrlView, JsValue> {
        Ok(UrlView {
            trigger_url: by_id(d, "pra-trigger-url")?,
            secret_status: by_id(d, "pra-secret-status")?,
            url_box: by_id(d, "pra-url-box")?,
            url: by_id(d, "pra-url")?,
            copy: by_id(d, "pra-url-copy")?,
            copy_status: by_id(d, "pra-url-copy-status")?,
            warning: by_id(d, "pra-url-warning")?,
            rotate: by_id(d, "pra-rotate")?,
            confirm: by_id(d, "pra-rotate-confirm")?,
            confirm_lines: by_id(d, "pra-rotate-lines")?,
            yes: by_id(d, "pra-rotate-yes")?,
            no: by_id(d, "pra-rotate-no")?,
        })
    }

    pub fn bind(&self, d: &Dispatch) -> Result<(), JsValue> {
        on(d, &self.copy, "click", |_| Some(Action::Copy(PRA_URL.into())))?;
        on(d, &self.rotate, "click", |_| Some(Action::Pra(PraAction::AskRotate)))?;
        on(d, &self.yes, "click", |_| Some(Action::Pra(PraAction::ConfirmRotate)))?;
        on(d, &self.no, "click", |_| Some(Action::Pra(PraAction::CancelRotate)))?;
        on(d, &self.confirm, "keydown", |e| {
            let key = e.dyn_ref::<KeyboardEvent>()?.key();
            (key == "Escape").then_some(Action::Pra(PraAction::CancelRotate))
        })
    }

    pub fn render(&self, d: &Document, form: Option<&Form>) -> Result<(), JsValue> {
        let url_to_paste = form.and_then(|f| f.url_to_paste.as_ref());
        match url_to_paste {
            Some(shown) => {
                if self.url.value() != shown.url {
                    self.url.set_value(shown.url);
                }
                self.copy.set_text_content(Some(shown.copy.label));
                text_or_hide(&self.copy_status, shown.copy.status.as_deref());
                self.warning.set_text_content(Some(URL_WARNING));
            }
            // Nothing of it stays in the page.
            None => {
                self.url.set_value("");
                text_or_hide(&self.copy_status, None);
            }
        }
        show(&self.url_box, url_to_paste.is_some());
        let Some(form) = form else {
            return Ok(());
        };
        if self.trigger_url.value() != form.trigger_url {
            self.trigger_url.set_value(form.trigger_url);
        }
        self.secret_status.set_text_content(Some(form.secret_status));
        self.rotate.set_disabled(form.buttons.save_disabled);
        let open = if form.confirm_rotate.is_some() { "true" } else { "false" };
        self.rotate.set_attribute("aria-expanded", open)?;
        self.yes.set_disabled(form.buttons.save_disabled);
        if let Some(lines) = &form.confirm_rotate {
            let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            fill_list(d, &self.confirm_lines, &lines)?;
        }
        show(&self.confirm, form.confirm_rotate.is_some());
        Ok(())
    }

    pub fn focus(&self, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::UrlToPaste => self.url_box.focus(),
            // The safe answer first.
            Focus::ConfirmRotate => self.no.focus(),
            Focus::Rotate => self.rotate.focus(),
            _ => Ok(()),
        }
    }
}
