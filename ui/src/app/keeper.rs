//! The "Keeper approval" panel in the loop: `keeper::state::reduce`, `dom::KeeperPage`, and its
//! effects (`keeper.request`; `keeper.status` after a wait that `reduce` chose; `keeper.decide`).
//! Each answer comes back with the page's monotonic clock, which the countdown runs on.

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{Dispatch, Page};
use crate::bridge;
use crate::dom::{self, KeeperPage};
use crate::keeper::screen::screen;
use crate::keeper::state::{Action, Effect, Model, reduce};

impl Page for KeeperPage {
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
        type Then = fn(Result<Value, String>, u64) -> Action;
        let (name, payload, wait, then): (&str, Value, u32, Then) = match effect {
            Effect::None => return,
            Effect::Load => ("keeper.request", json!({}), 0, Action::Loaded),
            Effect::Poll { after_ms } => ("keeper.status", json!({}), after_ms, Action::Polled),
            Effect::Decide(payload) => ("keeper.decide", payload, 0, Action::DecideAnswered),
        };
        spawn_local(async move {
            let answer = match dom::sleep(wait).await {
                Ok(()) => bridge::invoke(name, &payload).await,
                Err(problem) => Err(format!("the page could not wait: {problem:?}")),
            };
            dispatch(then(answer, dom::monotonic_ms()));
        });
    }
}
