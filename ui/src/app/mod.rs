//! The pages' loop: an action goes through the page's pure `reduce`, the model is drawn by its
//! DOM layer, and the effect runs (a resolver call comes back later as another action). One
//! loop for every page; each page says how in `request`, `admin` and `keeper`.

mod admin;
mod keeper;
mod request;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;

use crate::dom;

/// Hands an action to the loop (from an event listener or a finished effect).
pub type Dispatch<A> = Rc<dyn Fn(A)>;

/// One page: its state machine, its DOM and its effects.
pub trait Page: 'static {
    type Model: Default;
    type Action: 'static;
    type Effect;

    /// The first action, once the page is bound.
    fn start() -> Self::Action;
    fn reduce(model: &mut Self::Model, action: Self::Action) -> Self::Effect;
    /// Draws the model, then moves focus where the model asks (taking the request).
    fn draw(&self, model: &mut Self::Model) -> Result<(), JsValue>;
    /// Turns user events into actions, once for the page's lifetime.
    fn listen(&self, dispatch: Dispatch<Self::Action>) -> Result<(), JsValue>;
    /// Runs an effect; what it learns comes back through `dispatch`.
    fn run(&self, effect: Self::Effect, dispatch: Dispatch<Self::Action>);
}

/// Runs the page `index.html` names.
pub fn start() -> Result<(), JsValue> {
    let document = dom::document()?;
    match dom::page_name(&document).as_deref() {
        Some("admin") => run(dom::AdminPage::find(document)?),
        Some("keeper") => run(dom::KeeperPage::find(document)?),
        _ => run(dom::RequestPage::find(document)?),
    }
}

struct App<P: Page> {
    model: RefCell<P::Model>,
    page: P,
    /// Actions raised while one is being handled (a DOM event fired by drawing, say) wait here
    /// instead of re-entering `reduce` with the model borrowed.
    queue: RefCell<VecDeque<P::Action>>,
    handling: Cell<bool>,
}

fn run<P: Page>(page: P) -> Result<(), JsValue> {
    let app = Rc::new(App {
        model: RefCell::new(P::Model::default()),
        page,
        queue: RefCell::default(),
        handling: Cell::new(false),
    });
    app.page.listen(app.dispatcher())?;
    app.dispatch(P::start());
    // The page lives as long as the document; its listeners hold only weak references.
    std::mem::forget(app);
    Ok(())
}

impl<P: Page> App<P> {
    fn dispatcher(self: &Rc<Self>) -> Dispatch<P::Action> {
        let weak: Weak<Self> = Rc::downgrade(self);
        Rc::new(move |action| {
            if let Some(app) = weak.upgrade() {
                app.dispatch(action);
            }
        })
    }

    fn dispatch(self: &Rc<Self>, action: P::Action) {
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

    fn handle(self: &Rc<Self>, action: P::Action) {
        let effect = P::reduce(&mut self.model.borrow_mut(), action);
        if let Err(problem) = self.page.draw(&mut self.model.borrow_mut()) {
            // index.html and the Rust page disagree: a build problem, worth a loud console line.
            web_sys::console::error_2(&"pam-approvals page:".into(), &problem);
        }
        self.page.run(effect, self.dispatcher());
    }
}
