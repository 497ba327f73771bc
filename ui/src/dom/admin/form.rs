//! The configuration form: one control per `Field` (its id is the field's name), the "Who may
//! approve" radios, Save and Validate.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlElement, HtmlFieldSetElement, HtmlInputElement, HtmlSelectElement};

use super::error_id;
use super::live::Buttons;
use crate::admin::fields::{Field, Kind};
use crate::admin::form::Approvers;
use crate::admin::screen::{Form, Value};
use crate::admin::state::Action;
use crate::dom::{append, by_id, on, option, set_flag, show, text_or_hide};

enum Control {
    Input(HtmlInputElement),
    Select(HtmlSelectElement),
}

struct Row {
    field: Field,
    control: Control,
    error: HtmlElement,
}

impl Row {
    fn element(&self) -> &HtmlElement {
        match &self.control {
            Control::Input(input) => input,
            Control::Select(select) => select,
        }
    }
}

pub struct FormView {
    form: HtmlElement,
    fields: HtmlFieldSetElement,
    rows: Vec<Row>,
    anyone: HtmlInputElement,
    group: HtmlInputElement,
    group_control: HtmlElement,
    password_rule: HtmlElement,
    buttons: Buttons,
}

impl FormView {
    pub fn find(d: &Document) -> Result<FormView, JsValue> {
        let mut rows = Vec::new();
        for field in Field::ALL {
            let control = match field.kind() {
                Kind::Choice(choices) => {
                    let select: HtmlSelectElement = by_id(d, field.name())?;
                    for choice in choices {
                        append(&select, &option(d, choice, choice)?)?;
                    }
                    Control::Select(select)
                }
                _ => Control::Input(by_id(d, field.name())?),
            };
            rows.push(Row {
                field,
                control,
                error: by_id(d, &error_id(field))?,
            });
        }
        Ok(FormView {
            form: by_id(d, "config-form")?,
            fields: by_id(d, "form-fields")?,
            rows,
            anyone: by_id(d, "approvers-anyone")?,
            group: by_id(d, "approvers-group")?,
            group_control: by_id(d, "group-control")?,
            password_rule: by_id(d, "password-rule")?,
            buttons: Buttons::find(d, "")?,
        })
    }

    pub fn bind(&self, d: &Rc<dyn Fn(Action)>) -> Result<(), JsValue> {
        on(d, &self.form, "submit", |e| {
            // The page never navigates: the settings go through the bridge.
            e.prevent_default();
            Some(Action::Save)
        })?;
        on(d, self.buttons.validate(), "click", |_| Some(Action::Validate))?;
        for row in &self.rows {
            let field = row.field;
            match (&row.control, field.kind()) {
                (Control::Input(input), Kind::Flag) => {
                    let input = input.clone();
                    on(d, &input.clone(), "change", move |_| {
                        Some(Action::SetFlag(field, input.checked()))
                    })?;
                }
                (Control::Input(input), _) => {
                    let input = input.clone();
                    on(d, &input.clone(), "input", move |_| {
                        Some(Action::EditText(field, input.value()))
                    })?;
                }
                (Control::Select(select), _) => {
                    let select = select.clone();
                    on(d, &select.clone(), "change", move |_| {
                        Some(Action::EditText(field, select.value()))
                    })?;
                }
            }
        }
        for radio in [&self.anyone, &self.group] {
            let input = radio.clone();
            on(d, radio, "change", move |_| {
                Approvers::parse(&input.value()).map(Action::ChooseApprovers)
            })?;
        }
        Ok(())
    }

    pub fn render(&self, form: Option<&Form>) -> Result<(), JsValue> {
        let Some(form) = form else {
            show(&self.form, false);
            return Ok(());
        };
        self.fields.set_disabled(form.disabled);
        set_flag(&self.form, "aria-busy", form.buttons.saving || form.buttons.validating)?;
        for row in &self.rows {
            let Some(input) = form.inputs.iter().find(|input| input.field == row.field) else {
                continue;
            };
            match (&row.control, input.value) {
                (Control::Input(control), Value::Flag(on)) => control.set_checked(on),
                // Only when it differs: rewriting the value would move the caret to the end.
                (Control::Input(control), Value::Text(text)) if control.value() != text => control.set_value(text),
                (Control::Select(control), Value::Text(text)) if control.value() != text => control.set_value(text),
                _ => {}
            }
            let element = row.element();
            match input.placeholder {
                Some(text) => element.set_attribute("placeholder", text)?,
                None => element.remove_attribute("placeholder")?,
            }
            set_flag(element, "aria-invalid", input.error.is_some())?;
            text_or_hide(&row.error, input.error);
        }
        self.anyone.set_checked(form.approvers == Approvers::Anyone);
        self.group.set_checked(form.approvers == Approvers::Group);
        show(&self.group_control, form.show_group);
        self.password_rule.set_text_content(Some(&form.password_hint));

        self.buttons.render(&form.buttons);
        show(&self.form, true);
        Ok(())
    }

    pub fn focus(&self, field: Field) -> Result<(), JsValue> {
        if field == Field::ApproverGroup && self.group_control.hidden() {
            return self.anyone.focus();
        }
        match self.rows.iter().find(|row| row.field == field) {
            Some(row) => row.element().focus(),
            None => Ok(()),
        }
    }
}
