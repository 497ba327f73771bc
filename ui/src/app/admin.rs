//! The configuration page in the loop: `admin::state::reduce`, `dom::AdminPage`, and its
//! effects (`admin.config`, `admin.save`, `admin.validate`, the clipboard).

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{Dispatch, Page};
use crate::admin::screen::screen;
use crate::admin::state::{Action, Copied, Effect, Model, reduce};
use crate::bridge;
use crate::dom::AdminPage;

impl Page for AdminPage {
    type Model = Model;
    type Action = Action;
    type Effect = Effect;

    fn start() -> Action {
        Action::Start
    }

    fn reduce(model: &mut Model, action: Action) -> Effect {
        reduce(model, action)
    }

    fn draw(&self, model: &mut Model) -> Result<(), JsValue> {
        let drawn = self.render(&screen(model));
        let focused = model.focus.take().map_or(Ok(()), |focus| self.focus(focus));
        drawn.and(focused)
    }

    fn listen(&self, dispatch: Dispatch<Action>) -> Result<(), JsValue> {
        self.bind(dispatch)
    }

    fn run(&self, effect: Effect, dispatch: Dispatch<Action>) {
        match effect {
            Effect::None => {}
            Effect::Load => call(dispatch, "admin.config", json!({}), Action::ConfigAnswered),
            Effect::Save(payload) => call(dispatch, "admin.save", payload, Action::SaveAnswered),
            Effect::Validate => call(dispatch, "admin.validate", json!({}), Action::ValidateAnswered),
            Effect::Copy { key, text } => spawn_local(async move {
                let result = bridge::copy(&text).await;
                dispatch(Action::Copied(Copied { key, result }));
            }),
        }
    }
}

/// Invokes resolver `name`; its answer comes back as the action `then` makes of it.
fn call(dispatch: Dispatch<Action>, name: &'static str, payload: Value, then: fn(Result<Value, String>) -> Action) {
    spawn_local(async move {
        let answer = bridge::invoke(name, &payload).await;
        dispatch(then(answer));
    });
}
