//! The PRA form's inputs: a control per setting (id `pra-<name>`, its error in
//! `pra-<name>-error`), the rule and Jump Item checkboxes (built from the screen: the core's
//! rules and values), the requester and Jump Item field selects with their custom field ids, and
//! Save and Validate. The URL part is `url`, the session attributes `attributes`.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlElement, HtmlFieldSetElement, HtmlInputElement, HtmlSelectElement};

use super::attributes::Attributes;
use super::url::UrlView;
use super::{Dispatch, target};
use crate::admin::pra::fields::Field;
use crate::admin::pra::form::Edit;
use crate::admin::pra::screen::{Form, Tick, pick_options};
use crate::admin::pra::state::{Action as PraAction, Focus};
use crate::admin::state::Action;
use crate::dom::admin::live::Buttons;
use crate::dom::{append, by_id, clear, create, on, option, set_flag, show, text_or_hide};

/// The page's action for an edit.
pub fn edit(edit: Edit) -> Action {
    Action::Pra(PraAction::Edit(edit))
}

/// A select of fixed choices and "Custom field…", with the custom field id's input.
struct Pick {
    field: Field,
    select: HtmlSelectElement,
    custom: HtmlInputElement,
    control: HtmlElement,
}

/// Checkboxes built from a list; each input names its item in `data-key`.
struct Ticks {
    list: HtmlElement,
    drawn: RefCell<Vec<(String, String)>>,
    inputs: RefCell<Vec<HtmlInputElement>>,
}

impl Ticks {
    fn find(d: &Document, id: &str) -> Result<Ticks, JsValue> {
        Ok(Ticks {
            list: by_id(d, id)?,
            drawn: RefCell::default(),
            inputs: RefCell::default(),
        })
    }

    fn bind(&self, d: &Dispatch, to_edit: fn(String, bool) -> Edit) -> Result<(), JsValue> {
        on(d, &self.list, "change", move |e| {
            let input = target(e)?.dyn_into::<HtmlInputElement>().ok()?;
            Some(edit(to_edit(input.get_attribute("data-key")?, input.checked())))
        })
    }

    fn render(&self, d: &Document, ticks: &[Tick]) -> Result<(), JsValue> {
        let wanted: Vec<(String, String)> = ticks.iter().map(|t| (t.key.into(), t.label.into())).collect();
        if *self.drawn.borrow() != wanted {
            clear(&self.list);
            let mut inputs = Vec::new();
            for (key, label) in &wanted {
                let row = create(d, "div", "tick", "")?;
                let wrapper = create(d, "label", "checkbox", "")?;
                let input: HtmlInputElement = create(d, "input", "", "")?.dyn_into()?;
                input.set_type("checkbox");
                input.set_id(&format!("{}-{key}", self.list.id()));
                input.set_attribute("data-key", key)?;
                append(&wrapper, &input)?;
                wrapper.append_with_str_1(&format!(" {label}"))?;
                append(&row, &wrapper)?;
                append(&self.list, &row)?;
                inputs.push(input);
            }
            *self.drawn.borrow_mut() = wanted;
            *self.inputs.borrow_mut() = inputs;
        }
        for (input, tick) in self.inputs.borrow().iter().zip(ticks) {
            input.set_checked(tick.on);
        }
        Ok(())
    }

    fn focus_first(&self) -> Result<(), JsValue> {
        self.inputs.borrow().first().map_or(Ok(()), |input| input.focus())
    }
}

pub struct FormView {
    form: HtmlElement,
    fields: HtmlFieldSetElement,
    flags: Vec<(Field, HtmlInputElement)>,
    texts: Vec<(Field, HtmlInputElement)>,
    picks: Vec<Pick>,
    errors: Vec<(Field, HtmlElement)>,
    rules: Ticks,
    matches: Ticks,
    egress: HtmlElement,
    url: UrlView,
    attributes: Attributes,
    buttons: Buttons,
}

impl FormView {
    pub fn find(d: &Document) -> Result<FormView, JsValue> {
        let input =
            |field: Field| -> Result<(Field, HtmlInputElement), JsValue> { Ok((field, by_id(d, &field.id())?)) };
        let mut picks = Vec::new();
        for field in [Field::RequesterField, Field::AssetField] {
            let select: HtmlSelectElement = by_id(d, &field.id())?;
            for (value, label) in pick_options(field) {
                append(&select, &option(d, value, label)?)?;
            }
            picks.push(Pick {
                field,
                select,
                custom: by_id(d, &format!("{}-custom", field.id()))?,
                control: by_id(d, &format!("{}-custom-control", field.id()))?,
            });
        }
        Ok(FormView {
            form: by_id(d, "pra-form")?,
            fields: by_id(d, "pra-form-fields")?,
            flags: vec![input(Field::Enabled)?, input(Field::SensitiveTicketId)?],
            texts: [
                Field::ApplianceHost,
                Field::AllowedProjects,
                Field::AllowedStatuses,
                Field::WindowStartField,
                Field::WindowEndField,
            ]
            .into_iter()
            .map(input)
            .collect::<Result<_, _>>()?,
            picks,
            errors: Field::ALL
                .into_iter()
                .map(|field| Ok((field, by_id(d, &format!("{}-error", field.id()))?)))
                .collect::<Result<_, JsValue>>()?,
            rules: Ticks::find(d, "pra-rule-list")?,
            matches: Ticks::find(d, "pra-match-list")?,
            egress: by_id(d, "pra-egress")?,
            url: UrlView::find(d)?,
            attributes: Attributes::find(d)?,
            buttons: Buttons::find(d, "pra-")?,
        })
    }

    pub fn bind(&self, d: &Dispatch) -> Result<(), JsValue> {
        on(d, &self.form, "submit", |e| {
            // The page never navigates: the settings go through the bridge.
            e.prevent_default();
            Some(Action::Pra(PraAction::Save))
        })?;
        on(d, self.buttons.validate(), "click", |_| {
            Some(Action::Pra(PraAction::Validate))
        })?;
        for (field, input) in &self.flags {
            let (field, input) = (*field, input.clone());
            on(d, &input.clone(), "change", move |_| {
                Some(edit(Edit::Flag(field, input.checked())))
            })?;
        }
        for (field, input) in &self.texts {
            let (field, input) = (*field, input.clone());
            on(d, &input.clone(), "input", move |_| {
                Some(edit(Edit::Text(field, input.value())))
            })?;
        }
        for pick in &self.picks {
            let (field, select, custom) = (pick.field, pick.select.clone(), pick.custom.clone());
            on(d, &select.clone(), "change", move |_| {
                Some(edit(Edit::Choose(field, select.value())))
            })?;
            on(d, &custom.clone(), "input", move |_| {
                Some(edit(Edit::Text(field, custom.value())))
            })?;
        }
        self.rules.bind(d, Edit::Rule)?;
        self.matches.bind(d, Edit::Match)?;
        self.url.bind(d)?;
        self.attributes.bind(d)
    }

    pub fn render(&self, d: &Document, form: Option<&Form>) -> Result<(), JsValue> {
        let Some(form) = form else {
            show(&self.form, false);
            // The URL to paste goes with the form it came with.
            return self.url.render(d, None);
        };
        self.fields.set_disabled(form.disabled);
        set_flag(&self.form, "aria-busy", form.buttons.saving || form.buttons.validating)?;
        for ((_, input), (_, on)) in self.flags.iter().zip(&form.flags) {
            input.set_checked(*on);
        }
        for ((_, input), (_, text)) in self.texts.iter().zip(&form.texts) {
            // Only when it differs: rewriting the value would move the caret to the end.
            if input.value() != *text {
                input.set_value(text);
            }
        }
        for (pick, shown) in self.picks.iter().zip(&form.picks) {
            if pick.select.value() != shown.choice {
                pick.select.set_value(shown.choice);
            }
            if pick.custom.value() != shown.custom {
                pick.custom.set_value(shown.custom);
            }
            show(&pick.control, shown.show_custom);
        }
        for ((field, line), (_, error)) in self.errors.iter().zip(&form.errors) {
            text_or_hide(line, *error);
            for control in self.controls(*field) {
                set_flag(&control, "aria-invalid", error.is_some())?;
            }
        }
        self.rules.render(d, &form.rules)?;
        self.matches.render(d, &form.matches)?;
        self.egress.set_text_content(Some(&form.egress));
        self.url.render(d, Some(form))?;
        self.attributes.render(d, &form.attributes, form.can_add_attribute)?;
        self.buttons.render(&form.buttons);
        show(&self.form, true);
        Ok(())
    }

    /// The inputs a field's error marks.
    fn controls(&self, field: Field) -> Vec<HtmlElement> {
        let inputs = self.flags.iter().chain(&self.texts);
        let mut controls: Vec<HtmlElement> = inputs
            .filter(|(f, _)| *f == field)
            .map(|(_, input)| input.clone().into())
            .collect();
        for pick in self.picks.iter().filter(|p| p.field == field) {
            controls.push(pick.select.clone().into());
            controls.push(pick.custom.clone().into());
        }
        controls
    }

    pub fn focus(&self, d: &Document, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Field(Field::Rules) => self.rules.focus_first(),
            Focus::Field(Field::AssetMatch) => self.matches.focus_first(),
            Focus::Field(Field::SessionAttributes) => self.attributes.focus(d, Some(0)),
            Focus::Field(field) => match self.picks.iter().find(|p| p.field == field) {
                Some(pick) if !pick.control.hidden() => pick.custom.focus(),
                Some(pick) => pick.select.focus(),
                None => self.controls(field).first().map_or(Ok(()), |c| c.focus()),
            },
            Focus::Attribute(row) => self.attributes.focus(d, Some(row)),
            Focus::AddAttribute => self.attributes.focus(d, None),
            other => self.url.focus(other),
        }
    }
}
