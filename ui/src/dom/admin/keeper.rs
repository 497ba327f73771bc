//! The Keeper section's elements (`#keeper…` in `static/admin/src/index.html`): its live region,
//! the form (a control per setting, id `keeper-<name>`, its error in `keeper-<name>-error`), the
//! alert setup (webhook URL, body, alert names, token status, the token to paste once and
//! "Generate a new token", each text with its Copy button), and the connection test's results.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlElement, HtmlFieldSetElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement,
};

use super::lists::Checks;
use super::live::{Buttons, Live};
use crate::admin::keeper::fields::Field;
use crate::admin::keeper::form::Edit;
use crate::admin::keeper::screen::{CopyFeedbackPair, Form, Section, TOKEN_WARNING, parse_deciders};
use crate::admin::keeper::state::{Action as KeeperAction, Focus};
use crate::admin::screen::CopyFeedback;
use crate::admin::state::Action;
use crate::dom::{by_id, fill_list, on, set_flag, show, text_or_hide};

type Dispatch = Rc<dyn Fn(Action)>;

fn act(action: KeeperAction) -> Action {
    Action::Keeper(action)
}

pub struct KeeperSection {
    root: HtmlElement,
    live: Live,
    form: HtmlElement,
    fields: HtmlFieldSetElement,
    flags: Vec<(Field, HtmlInputElement)>,
    texts: Vec<(Field, HtmlInputElement)>,
    deciders: HtmlSelectElement,
    group_control: HtmlElement,
    errors: Vec<(Field, HtmlElement)>,
    api_key_status: HtmlElement,
    egress: HtmlElement,
    alert_names: HtmlElement,
    trigger_url: HtmlInputElement,
    template: HtmlTextAreaElement,
    copies: Vec<(&'static str, HtmlButtonElement)>,
    copy_status: HtmlElement,
    token_status: HtmlElement,
    token_box: HtmlElement,
    token: HtmlInputElement,
    authorization: HtmlInputElement,
    token_warning: HtmlElement,
    token_copy_status: HtmlElement,
    rotate: HtmlButtonElement,
    buttons: Buttons,
    checks: Checks,
}

impl KeeperSection {
    pub fn find(d: &Document) -> Result<KeeperSection, JsValue> {
        let input =
            |field: Field| -> Result<(Field, HtmlInputElement), JsValue> { Ok((field, by_id(d, &field.id())?)) };
        Ok(KeeperSection {
            root: by_id(d, "keeper")?,
            live: Live::find(d, "keeper-")?,
            form: by_id(d, "keeper-form")?,
            fields: by_id(d, "keeper-form-fields")?,
            flags: vec![
                input(Field::Enabled)?,
                input(Field::InternalNote)?,
                input(Field::DecideByTransition)?,
            ],
            texts: Field::TEXTS.into_iter().map(input).collect::<Result<_, _>>()?,
            deciders: by_id(d, &Field::Deciders.id())?,
            group_control: by_id(d, "keeper-group-control")?,
            errors: Field::ALL
                .into_iter()
                .map(|field| Ok((field, by_id(d, &format!("{}-error", field.id()))?)))
                .collect::<Result<_, JsValue>>()?,
            api_key_status: by_id(d, "keeper-apiKey-status")?,
            egress: by_id(d, "keeper-egress")?,
            alert_names: by_id(d, "keeper-alert-names")?,
            trigger_url: by_id(d, "keeper-trigger-url")?,
            template: by_id(d, "keeper-template")?,
            copies: vec![
                ("keeper-url", by_id(d, "keeper-trigger-url-copy")?),
                ("keeper-template", by_id(d, "keeper-template-copy")?),
                ("keeper-token", by_id(d, "keeper-token-copy")?),
                ("keeper-authorization", by_id(d, "keeper-authorization-copy")?),
            ],
            copy_status: by_id(d, "keeper-copy-status")?,
            token_status: by_id(d, "keeper-token-status")?,
            token_box: by_id(d, "keeper-token-box")?,
            token: by_id(d, "keeper-token")?,
            authorization: by_id(d, "keeper-authorization")?,
            token_warning: by_id(d, "keeper-token-warning")?,
            token_copy_status: by_id(d, "keeper-token-copy-status")?,
            rotate: by_id(d, "keeper-rotate")?,
            buttons: Buttons::find(d, "keeper-")?,
            checks: Checks::find(d, "keeper-")?,
        })
    }

    pub fn bind(&self, d: &Dispatch) -> Result<(), JsValue> {
        on(d, self.live.retry(), "click", |_| Some(act(KeeperAction::Retry)))?;
        on(d, &self.form, "submit", |e| {
            // The page never navigates: the settings go through the bridge.
            e.prevent_default();
            Some(act(KeeperAction::Save))
        })?;
        on(d, self.buttons.validate(), "click", |_| {
            Some(act(KeeperAction::Validate))
        })?;
        on(d, &self.rotate, "click", |_| Some(act(KeeperAction::Rotate)))?;
        for (field, input) in &self.flags {
            let (field, input) = (*field, input.clone());
            on(d, &input.clone(), "change", move |_| {
                Some(act(KeeperAction::Edit(Edit::Flag(field, input.checked()))))
            })?;
        }
        for (field, input) in &self.texts {
            let (field, input) = (*field, input.clone());
            on(d, &input.clone(), "input", move |_| {
                Some(act(KeeperAction::Edit(Edit::Text(field, input.value()))))
            })?;
        }
        let select = self.deciders.clone();
        on(d, &self.deciders, "change", move |_| {
            parse_deciders(&select.value()).map(|deciders| act(KeeperAction::Edit(Edit::Deciders(deciders))))
        })?;
        // One listener for every Copy button of the section: each names its text in `data-copy`.
        on(d, &self.root, "click", |e| {
            let target = e.target()?.dyn_into::<Element>().ok()?;
            let button = target.closest("[data-copy]").ok()??;
            button.get_attribute("data-copy").map(Action::Copy)
        })
    }

    pub fn render(&self, d: &Document, section: Option<&Section>) -> Result<(), JsValue> {
        let Some(section) = section else {
            show(&self.root, false);
            return Ok(());
        };
        self.live.render(d, section.busy, section.notice)?;
        self.render_form(d, section.form.as_ref())?;
        self.checks.render(d, section.report.as_ref())?;
        show(&self.root, true);
        Ok(())
    }

    fn render_form(&self, d: &Document, form: Option<&Form>) -> Result<(), JsValue> {
        let token = form.and_then(|f| f.alert.token.as_ref());
        match token {
            Some(shown) => {
                set_value(&self.token, shown.token);
                set_value(&self.authorization, shown.authorization);
                self.token_warning.set_text_content(Some(TOKEN_WARNING));
            }
            // Nothing of it stays in the page.
            None => {
                self.token.set_value("");
                self.authorization.set_value("");
            }
        }
        show(&self.token_box, token.is_some());
        let Some(form) = form else {
            show(&self.form, false);
            return Ok(());
        };
        self.fields.set_disabled(form.disabled);
        set_flag(&self.form, "aria-busy", form.buttons.saving || form.buttons.validating)?;
        for ((_, input), (_, on)) in self.flags.iter().zip(&form.flags) {
            input.set_checked(*on);
        }
        for ((_, input), (_, text)) in self.texts.iter().zip(&form.texts) {
            set_value(input, text);
        }
        if self.deciders.value() != form.deciders {
            self.deciders.set_value(form.deciders);
        }
        show(&self.group_control, form.show_group);
        for ((field, line), (_, error)) in self.errors.iter().zip(&form.errors) {
            text_or_hide(line, *error);
            let control: Option<HtmlElement> = match field {
                Field::Deciders => Some(self.deciders.clone().into()),
                _ => self
                    .flags
                    .iter()
                    .chain(&self.texts)
                    .find(|(f, _)| f == field)
                    .map(|(_, input)| input.clone().into()),
            };
            if let Some(control) = control {
                set_flag(&control, "aria-invalid", error.is_some())?;
            }
        }
        self.api_key_status.set_text_content(Some(form.api_key_status));
        self.egress.set_text_content(Some(&form.egress));
        let alert = &form.alert;
        fill_list(d, &self.alert_names, alert.alerts)?;
        set_value(&self.trigger_url, alert.trigger_url);
        if self.template.value() != alert.template {
            self.template.set_value(alert.template);
        }
        self.token_status.set_text_content(Some(alert.token_status));
        let feedback: Vec<&CopyFeedback> = form.copy_feedback();
        for ((_, button), shown) in self.copies.iter().zip(&feedback) {
            button.set_text_content(Some(shown.label));
        }
        let CopyFeedbackPair { setup, token } = form.copy_status();
        text_or_hide(&self.copy_status, setup);
        text_or_hide(&self.token_copy_status, token);
        self.rotate.set_disabled(form.rotate_disabled);
        self.buttons.render(&form.buttons);
        show(&self.form, true);
        Ok(())
    }

    pub fn focus(&self, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Notice => self.live.focus(),
            Focus::Checks => self.checks.focus(),
            Focus::TokenToPaste => self.token_box.focus(),
            Focus::Field(Field::Deciders) => self.deciders.focus(),
            Focus::Field(field) => self
                .flags
                .iter()
                .chain(&self.texts)
                .find(|(f, _)| *f == field)
                .map_or(Ok(()), |(_, input)| input.focus()),
        }
    }
}

/// Only when it differs: rewriting the value would move the caret to the end.
fn set_value(input: &HtmlInputElement, value: &str) {
    if input.value() != value {
        input.set_value(value);
    }
}
