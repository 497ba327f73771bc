//! A section's live region (the progress line with a spinner while a resolver runs, the notice,
//! and Retry when the notice offers it) and its Save and Validate buttons. EPM's (the page's
//! own) have the ids `busy`, `notice`, `retry`, `save`…; PRA's the same with `pra-` in front.

use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlButtonElement, HtmlElement};

use crate::admin::screen;
use crate::dom::notice::NoticeBox;
use crate::dom::{by_id, show};
use crate::state::Notice;

pub struct Live {
    busy: HtmlElement,
    busy_text: HtmlElement,
    notice: NoticeBox,
    actions: HtmlElement,
    retry: HtmlButtonElement,
}

impl Live {
    pub fn find(d: &Document, prefix: &str) -> Result<Live, JsValue> {
        Ok(Live {
            busy: by_id(d, &format!("{prefix}busy"))?,
            busy_text: by_id(d, &format!("{prefix}busy-text"))?,
            notice: NoticeBox::find_at(d, &format!("{prefix}notice"))?,
            actions: by_id(d, &format!("{prefix}notice-actions"))?,
            retry: by_id(d, &format!("{prefix}retry"))?,
        })
    }

    pub fn retry(&self) -> &HtmlButtonElement {
        &self.retry
    }

    pub fn render(&self, d: &Document, busy: Option<&str>, notice: Option<&Notice>) -> Result<(), JsValue> {
        if let Some(text) = busy {
            self.busy_text.set_text_content(Some(text));
        }
        show(&self.busy, busy.is_some());
        self.notice.render(d, notice)?;
        show(&self.actions, notice.is_some_and(|n| n.retry));
        Ok(())
    }

    pub fn focus(&self) -> Result<(), JsValue> {
        self.notice.focus()
    }
}

/// A section's Save and Validate (`#<prefix>save`, `#<prefix>validate`), each with a spinner
/// that runs while its call does (`-spinner`, and `-label` for its text).
pub struct Buttons {
    save: BusyButton,
    validate: BusyButton,
}

struct BusyButton {
    button: HtmlButtonElement,
    spinner: HtmlElement,
    label: HtmlElement,
}

impl BusyButton {
    fn find(d: &Document, id: &str) -> Result<BusyButton, JsValue> {
        Ok(BusyButton {
            button: by_id(d, id)?,
            spinner: by_id(d, &format!("{id}-spinner"))?,
            label: by_id(d, &format!("{id}-label"))?,
        })
    }

    fn render(&self, disabled: bool, busy: bool, label: &str) {
        self.button.set_disabled(disabled);
        show(&self.spinner, busy);
        self.label.set_text_content(Some(label));
    }
}

impl Buttons {
    pub fn find(d: &Document, prefix: &str) -> Result<Buttons, JsValue> {
        Ok(Buttons {
            save: BusyButton::find(d, &format!("{prefix}save"))?,
            validate: BusyButton::find(d, &format!("{prefix}validate"))?,
        })
    }

    /// Validate (Save submits its form).
    pub fn validate(&self) -> &HtmlButtonElement {
        &self.validate.button
    }

    pub fn render(&self, buttons: &screen::Buttons) {
        let b = buttons;
        self.save.render(b.save_disabled, b.saving, b.save_label);
        self.validate
            .render(b.validate_disabled, b.validating, b.validate_label);
    }
}
