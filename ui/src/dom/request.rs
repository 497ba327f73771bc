//! The request page's elements (found by id in `index.html`), how a `Screen` is copied into
//! them, and which user events become which `Action`s.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlElement, HtmlFieldSetElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement, KeyboardEvent,
};

use super::notice::NoticeBox;
use super::{append, by_id, clear, create, fill_list, on, option, set_flag, show, text_or_hide};
use crate::form_state::Decision;
use crate::screen::{CountPicker, FormScreen, RequestScreen, Screen};
use crate::state::{Action, Focus};

pub struct RequestPage {
    document: Document,
    busy: HtmlElement,
    busy_text: HtmlElement,
    issue: HtmlElement,
    issue_key: HtmlElement,
    issue_summary: HtmlElement,
    notice: NoticeBox,
    notice_actions: HtmlElement,
    retry: HtmlButtonElement,
    close: HtmlButtonElement,
    request: HtmlElement,
    state_label: HtmlElement,
    state_lines: HtmlElement,
    facts: HtmlElement,
    details: HtmlElement,
    detail_groups: HtmlElement,
    form: HtmlElement,
    fields: HtmlFieldSetElement,
    approve: HtmlInputElement,
    deny: HtmlInputElement,
    decision_error: HtmlElement,
    duration: HtmlElement,
    unit: HtmlSelectElement,
    count_control: HtmlElement,
    count_label: HtmlElement,
    count: HtmlSelectElement,
    duration_error: HtmlElement,
    message: HtmlTextAreaElement,
    counter: HtmlElement,
    message_error: HtmlElement,
    submit: HtmlButtonElement,
    submit_spinner: HtmlElement,
    submit_label: HtmlElement,
    cancel: HtmlButtonElement,
    /// What was drawn last, so that lists are rebuilt only when their content changes (a
    /// rebuild would close the details disclosure or reset a select under the user).
    drawn: RefCell<Drawn>,
}

#[derive(Default)]
struct Drawn {
    request: Option<RequestScreen>,
    counts: Option<(u8, u8)>,
}

impl RequestPage {
    pub fn find(document: Document) -> Result<RequestPage, JsValue> {
        let d = &document;
        Ok(RequestPage {
            busy: by_id(d, "busy")?,
            busy_text: by_id(d, "busy-text")?,
            issue: by_id(d, "issue")?,
            issue_key: by_id(d, "issue-key")?,
            issue_summary: by_id(d, "issue-summary")?,
            notice: NoticeBox::find(d)?,
            notice_actions: by_id(d, "notice-actions")?,
            retry: by_id(d, "retry")?,
            close: by_id(d, "close")?,
            request: by_id(d, "request")?,
            state_label: by_id(d, "state-label")?,
            state_lines: by_id(d, "state-lines")?,
            facts: by_id(d, "facts")?,
            details: by_id(d, "details")?,
            detail_groups: by_id(d, "detail-groups")?,
            form: by_id(d, "decision-form")?,
            fields: by_id(d, "form-fields")?,
            approve: by_id(d, "decision-approve")?,
            deny: by_id(d, "decision-deny")?,
            decision_error: by_id(d, "decision-error")?,
            duration: by_id(d, "duration")?,
            unit: by_id(d, "duration-unit")?,
            count_control: by_id(d, "count-control")?,
            count_label: by_id(d, "duration-count-label")?,
            count: by_id(d, "duration-count")?,
            duration_error: by_id(d, "duration-error")?,
            message: by_id(d, "message")?,
            counter: by_id(d, "message-counter")?,
            message_error: by_id(d, "message-error")?,
            submit: by_id(d, "submit")?,
            submit_spinner: by_id(d, "submit-spinner")?,
            submit_label: by_id(d, "submit-label")?,
            cancel: by_id(d, "cancel")?,
            drawn: RefCell::default(),
            document,
        })
    }

    /// Turns user events into actions, once for the page's lifetime.
    pub fn bind(&self, dispatch: Rc<dyn Fn(Action)>) -> Result<(), JsValue> {
        let d = &dispatch;
        on(d, &self.form, "submit", |e| {
            // The page never navigates: the decision goes through the bridge.
            e.prevent_default();
            Some(Action::Submit)
        })?;
        for radio in [&self.approve, &self.deny] {
            let input = radio.clone();
            on(d, radio, "change", move |_| {
                Decision::parse(&input.value()).map(Action::ChooseDecision)
            })?;
        }
        let unit = self.unit.clone();
        on(d, &self.unit, "change", move |_| Some(Action::ChooseUnit(unit.value())))?;
        let count = self.count.clone();
        on(d, &self.count, "change", move |_| {
            Some(Action::ChooseCount(count.value()))
        })?;
        let message = self.message.clone();
        on(d, &self.message, "input", move |_| {
            Some(Action::EditMessage(message.value()))
        })?;
        on(d, &self.retry, "click", |_| Some(Action::Retry))?;
        on(d, &self.close, "click", |_| Some(Action::Close))?;
        on(d, &self.cancel, "click", |_| Some(Action::Close))?;
        // Escape closes, as in Jira's own dialogs (the iframe has the keyboard, not Jira).
        on(d, &self.document, "keydown", |e| {
            let key = e.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key);
            (key.as_deref() == Some("Escape")).then_some(Action::Close)
        })?;
        Ok(())
    }

    pub fn render(&self, screen: &Screen) -> Result<(), JsValue> {
        match screen.busy {
            Some(text) => {
                self.busy_text.set_text_content(Some(text));
                show(&self.busy, true);
            }
            None => show(&self.busy, false),
        }
        self.render_request(screen.request.as_ref())?;
        self.notice.render(&self.document, screen.notice)?;
        show(&self.retry, screen.notice.is_some_and(|n| n.retry));
        show(&self.close, screen.close);
        show(
            &self.notice_actions,
            screen.close || screen.notice.is_some_and(|n| n.retry),
        );
        match &screen.form {
            Some(form) => {
                self.render_form(form)?;
                show(&self.form, true);
            }
            None => show(&self.form, false),
        }
        Ok(())
    }

    pub fn focus(&self, focus: &Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Notice => self.notice.focus(),
            Focus::Field("decision") if self.deny.checked() => self.deny.focus(),
            Focus::Field("decision") => self.approve.focus(),
            Focus::Field("duration") => self.unit.focus(),
            Focus::Field(_) => self.message.focus(),
        }
    }

    fn render_request(&self, request: Option<&RequestScreen>) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        if drawn.request.as_ref() == request {
            return Ok(());
        }
        drawn.request = request.cloned();
        let Some(request) = request else {
            show(&self.request, false);
            show(&self.issue, false);
            return Ok(());
        };
        self.issue_key.set_text_content(Some(&request.issue_key));
        self.issue_summary.set_text_content(Some(&request.summary));
        show(&self.issue, true);
        self.state_label
            .set_class_name(&format!("lozenge lozenge-{}", request.state_kind));
        self.state_label.set_text_content(Some(&request.state_label));
        fill_list(&self.document, &self.state_lines, &request.state_lines)?;
        self.fill_pairs(&self.facts, request.facts.iter().map(|(l, v)| (*l, v.as_str())))?;
        clear(&self.detail_groups);
        for group in &request.details {
            let section = create(&self.document, "section", "detail-group", "")?;
            append(&section, &create(&self.document, "h3", "detail-title", &group.title)?)?;
            let list = create(&self.document, "dl", "facts facts-compact", "")?;
            self.fill_pairs(&list, group.rows.iter().map(|(l, v)| (l.as_str(), v.as_str())))?;
            append(&section, &list)?;
            append(&self.detail_groups, &section)?;
        }
        show(&self.details, !request.details.is_empty());
        show(&self.request, true);
        Ok(())
    }

    /// Fills a `<dl>` with label/value rows.
    fn fill_pairs<'a>(&self, list: &Element, rows: impl Iterator<Item = (&'a str, &'a str)>) -> Result<(), JsValue> {
        clear(list);
        for (label, value) in rows {
            let row = create(&self.document, "div", "fact", "")?;
            append(&row, &create(&self.document, "dt", "", label)?)?;
            append(&row, &create(&self.document, "dd", "", value)?)?;
            append(list, &row)?;
        }
        Ok(())
    }

    fn render_form(&self, form: &FormScreen) -> Result<(), JsValue> {
        self.fields.set_disabled(form.disabled);
        set_flag(&self.form, "aria-busy", form.submitting)?;
        self.approve.set_checked(form.decision == Some(Decision::Approve));
        self.deny.set_checked(form.decision == Some(Decision::Deny));
        text_or_hide(&self.decision_error, form.decision_error);
        for radio in [&self.approve, &self.deny] {
            set_flag(radio, "aria-invalid", form.decision_error.is_some())?;
        }

        if self.unit.length() == 0 {
            for (value, label) in &form.units {
                append(&self.unit, &option(&self.document, value, label)?)?;
            }
        }
        show(&self.duration, form.show_duration);
        self.unit.set_value(form.unit);
        self.render_count(form.count.as_ref())?;
        text_or_hide(&self.duration_error, form.duration_error);
        for select in [&self.unit, &self.count] {
            set_flag(select, "aria-invalid", form.duration_error.is_some())?;
        }

        // Only when it differs: rewriting the value would move the caret to the end.
        if self.message.value() != form.message {
            self.message.set_value(form.message);
        }
        self.message.set_max_length(form.max_message_chars as i32);
        self.counter.set_text_content(Some(&form.counter));
        self.counter
            .class_list()
            .toggle_with_force("counter-over", form.counter_over)?;
        text_or_hide(&self.message_error, form.message_error);
        set_flag(&self.message, "aria-invalid", form.message_error.is_some())?;

        self.submit.set_disabled(form.submitting);
        self.cancel.set_disabled(form.submitting);
        show(&self.submit_spinner, form.submitting);
        self.submit_label.set_text_content(Some(form.submit_label));
        Ok(())
    }

    fn render_count(&self, count: Option<&CountPicker>) -> Result<(), JsValue> {
        let Some(count) = count else {
            show(&self.count_control, false);
            return Ok(());
        };
        let mut drawn = self.drawn.borrow_mut();
        if drawn.counts != Some((count.min, count.max)) {
            drawn.counts = Some((count.min, count.max));
            clear(&self.count);
            for n in count.min..=count.max {
                let text = n.to_string();
                append(&self.count, &option(&self.document, &text, &text)?)?;
            }
        }
        self.count_label.set_text_content(Some(&count.label));
        self.count.set_value(&count.selected.to_string());
        show(&self.count_control, true);
        Ok(())
    }
}
