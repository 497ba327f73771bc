//! "Manage JIT Access Request" in the loop: `state::reduce`, `dom::RequestPage`, and its
//! effects (`epm.request`, now or after a wait that `reduce` chose; `epm.decide`; closing the
//! dialog).

use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{Dispatch, Page};
use crate::bridge;
use crate::dom::{self, RequestPage};
use crate::screen::screen;
use crate::state::{Action, Effect, Model, reduce};

impl Page for RequestPage {
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
        let focused = model.focus.take().map_or(Ok(()), |focus| self.focus(&focus));
        drawn.and(focused)
    }

    fn listen(&self, dispatch: Dispatch<Action>) -> Result<(), JsValue> {
        self.bind(dispatch)
    }

    fn run(&self, effect: Effect, dispatch: Dispatch<Action>) {
        match effect {
            Effect::None => {}
            Effect::Load => spawn_local(async move {
                let answer = bridge::invoke("epm.request", &json!({})).await;
                dispatch(Action::RequestAnswered(answer));
            }),
            Effect::Refresh { after_ms } => spawn_local(async move {
                let answer = match dom::sleep(after_ms).await {
                    Ok(()) => bridge::invoke("epm.request", &json!({})).await,
                    Err(problem) => Err(format!("the page could not wait: {problem:?}")),
                };
                dispatch(Action::Refreshed(answer));
            }),
            Effect::Decide(payload) => spawn_local(async move {
                let answer = bridge::invoke("epm.decide", &payload).await;
                dispatch(Action::DecideAnswered(answer));
            }),
            Effect::Close { refresh } => spawn_local(async move {
                if let Err(problem) = bridge::close(refresh).await {
                    web_sys::console::error_1(&format!("pam-approvals page: could not close: {problem}").into());
                }
            }),
        }
    }
}
