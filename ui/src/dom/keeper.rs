//! The Keeper panel's elements (found by id in `static/keeper/src/index.html`), how a `Screen`
//! is copied into them, and which user events become which `Action`s.

use std::cell::RefCell;
use std::rc::Rc;

use pam_approvals::providers::keeper::records::Decision;
use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlButtonElement, HtmlElement};

use super::admin::live::Live;
use super::{append, by_id, clear, create, fill_list, monotonic_ms, on, show, text_or_hide};
use crate::keeper::screen::{Buttons, RequestScreen, Screen};
use crate::keeper::state::{Action, Focus};

pub struct KeeperPage {
    document: Document,
    /// The progress line, the notice and Retry (the same as the configuration page's).
    live: Live,
    request: HtmlElement,
    title: HtmlElement,
    issue_key: HtmlElement,
    label: HtmlElement,
    state_label: HtmlElement,
    countdown: HtmlElement,
    countdown_time: HtmlElement,
    outcome: HtmlElement,
    live_lines: HtmlElement,
    facts: HtmlElement,
    why_not: HtmlElement,
    decision: HtmlElement,
    approve: HtmlButtonElement,
    approve_spinner: HtmlElement,
    deny: HtmlButtonElement,
    deny_spinner: HtmlElement,
    /// The request drawn last: its facts are rebuilt only when they change.
    drawn: RefCell<Option<RequestScreen>>,
}

impl KeeperPage {
    pub fn find(document: Document) -> Result<KeeperPage, JsValue> {
        let d = &document;
        Ok(KeeperPage {
            live: Live::find(d, "")?,
            request: by_id(d, "request")?,
            title: by_id(d, "request-title")?,
            issue_key: by_id(d, "issue-key")?,
            label: by_id(d, "request-label")?,
            state_label: by_id(d, "state-label")?,
            countdown: by_id(d, "countdown")?,
            countdown_time: by_id(d, "countdown-time")?,
            outcome: by_id(d, "outcome")?,
            live_lines: by_id(d, "live-lines")?,
            facts: by_id(d, "facts")?,
            why_not: by_id(d, "why-not")?,
            decision: by_id(d, "decision")?,
            approve: by_id(d, "approve")?,
            approve_spinner: by_id(d, "approve-spinner")?,
            deny: by_id(d, "deny")?,
            deny_spinner: by_id(d, "deny-spinner")?,
            drawn: RefCell::default(),
            document,
        })
    }

    /// Turns user events into actions, and the countdown's second into `Tick`, once for the
    /// page's lifetime.
    pub fn bind(&self, dispatch: Rc<dyn Fn(Action)>) -> Result<(), JsValue> {
        let d = &dispatch;
        on(d, &self.approve, "click", |_| Some(Action::Decide(Decision::Approve)))?;
        on(d, &self.deny, "click", |_| Some(Action::Decide(Decision::Deny)))?;
        on(d, self.live.retry(), "click", |_| Some(Action::Retry))?;
        let tick = dispatch.clone();
        super::every(1_000, move || tick(Action::Tick(monotonic_ms())))
    }

    pub fn render(&self, screen: &Screen) -> Result<(), JsValue> {
        self.live.render(&self.document, screen.busy, screen.notice)?;
        self.render_request(screen.request.as_ref())?;
        match &screen.countdown {
            Some(countdown) => {
                self.countdown_time.set_text_content(Some(&countdown.text));
                self.countdown
                    .class_list()
                    .toggle_with_force("countdown-expired", countdown.expired)?;
                show(&self.countdown, true);
            }
            None => show(&self.countdown, false),
        }
        text_or_hide(&self.outcome, screen.outcome.as_deref());
        fill_list(&self.document, &self.live_lines, &screen.live)?;
        text_or_hide(&self.why_not, screen.why_not);
        self.render_buttons(screen.buttons.as_ref());
        Ok(())
    }

    pub fn focus(&self, focus: Focus) -> Result<(), JsValue> {
        match focus {
            Focus::Notice => self.live.focus(),
        }
    }

    fn render_request(&self, request: Option<&RequestScreen>) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        if drawn.as_ref() == request {
            return Ok(());
        }
        drawn.clone_from(&request.cloned());
        let Some(request) = request else {
            show(&self.request, false);
            return Ok(());
        };
        self.title.set_text_content(Some(request.title));
        self.issue_key.set_text_content(Some(&request.issue_key));
        self.label.set_text_content(Some(&request.label));
        self.state_label
            .set_class_name(&format!("lozenge lozenge-{}", request.state_kind));
        self.state_label.set_text_content(Some(&request.state_label));
        clear(&self.facts);
        for (label, value) in &request.facts {
            let row = create(&self.document, "div", "fact", "")?;
            append(&row, &create(&self.document, "dt", "", label)?)?;
            append(&row, &create(&self.document, "dd", "", value)?)?;
            append(&self.facts, &row)?;
        }
        show(&self.request, true);
        Ok(())
    }

    fn render_buttons(&self, buttons: Option<&Buttons>) {
        let Some(buttons) = buttons else {
            show(&self.decision, false);
            return;
        };
        for (button, spinner, decision) in [
            (&self.approve, &self.approve_spinner, Decision::Approve),
            (&self.deny, &self.deny_spinner, Decision::Deny),
        ] {
            button.set_disabled(buttons.disabled);
            show(spinner, buttons.sending == Some(decision));
        }
        show(&self.decision, true);
    }
}
