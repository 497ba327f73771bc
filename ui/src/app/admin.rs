//! The configuration page in the loop: `admin::state::reduce`, `dom::AdminPage`, and its
//! effects (`admin.config`, `admin.save`, `admin.validate`, the clipboard).

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{Dispatch, Page};
use crate::admin::screen::screen;
use crate::admin::state::{Action, Call, Copied, Effect, Model, reduce};
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
            Effect::Epm(call) => run_call(dispatch, call),
            Effect::Copy { key, text } => spawn_local(async move {
                let result = bridge::copy(&text).await;
                dispatch(Action::Copied(Copied { key, result }));
            }),
        }
    }
}

/// A section's resolver call; the answer comes back as its action.
fn run_call(dispatch: Dispatch<Action>, call: Call) {
    type Then = fn(Result<Value, String>) -> Action;
    let (name, payload, then): (_, _, Then) = match call {
        Call::None => return,
        Call::Load => ("admin.config", json!({}), Action::ConfigAnswered),
        Call::Save(payload) => ("admin.save", payload, Action::SaveAnswered),
        Call::Validate => ("admin.validate", json!({}), Action::ValidateAnswered),
    };
    spawn_local(async move {
        let answer = bridge::invoke(name, &payload).await;
        dispatch(then(answer));
    });
}
