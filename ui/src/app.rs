//! The page's loop: an action goes through `state::reduce`, the model is drawn by `dom::Page`,
//! and the effect runs (a resolver call comes back later as another action).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::bridge;
use crate::dom::{self, Page};
use crate::screen::screen;
use crate::state::{Action, Effect, Model, reduce};

struct App {
    model: RefCell<Model>,
    page: Page,
    /// Actions raised while one is being handled (a DOM event fired by drawing, say) wait here
    /// instead of re-entering `reduce` with the model borrowed.
    queue: RefCell<VecDeque<Action>>,
    handling: Cell<bool>,
}

pub fn start() -> Result<(), JsValue> {
    let page = Page::find(dom::document()?)?;
    let app = Rc::new(App {
        model: RefCell::new(Model::default()),
        page,
        queue: RefCell::default(),
        handling: Cell::new(false),
    });
    let weak: Weak<App> = Rc::downgrade(&app);
    app.page.bind(Rc::new(move |action| {
        if let Some(app) = weak.upgrade() {
            app.dispatch(action);
        }
    }))?;
    app.dispatch(Action::Start);
    // The page lives as long as the document; its listeners hold only weak references.
    std::mem::forget(app);
    Ok(())
}

impl App {
    fn dispatch(self: &Rc<Self>, action: Action) {
        self.queue.borrow_mut().push_back(action);
        if self.handling.replace(true) {
            return;
        }
        loop {
            let Some(action) = self.queue.borrow_mut().pop_front() else {
                break;
            };
            self.handle(action);
        }
        self.handling.set(false);
    }

    fn handle(self: &Rc<Self>, action: Action) {
        let effect = reduce(&mut self.model.borrow_mut(), action);
        let drawn = self.page.render(&screen(&self.model.borrow()));
        let focus = self.model.borrow_mut().focus.take();
        let focused = focus.map_or(Ok(()), |focus| self.page.focus(&focus));
        if let Err(problem) = drawn.and(focused) {
            // index.html and the Rust page disagree: a build problem, worth a loud console line.
            web_sys::console::error_2(&"pam-approvals page:".into(), &problem);
        }
        self.run(effect);
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        let app = self.clone();
        match effect {
            Effect::None => {}
            Effect::Load => spawn_local(async move {
                let answer = bridge::invoke("epm.request", &json!({})).await;
                app.dispatch(Action::RequestAnswered(answer));
            }),
            Effect::Decide(payload) => spawn_local(async move {
                let answer = bridge::invoke("epm.decide", &payload).await;
                app.dispatch(Action::DecideAnswered(answer));
            }),
            Effect::Close { refresh } => spawn_local(async move {
                if let Err(problem) = bridge::close(refresh).await {
                    web_sys::console::error_1(&format!("pam-approvals page: could not close: {problem}").into());
                }
            }),
        }
    }
}
