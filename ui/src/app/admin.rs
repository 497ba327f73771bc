//! The configuration page in the loop: `admin::state::reduce`, `dom::AdminPage`, and its
//! effects (`admin.config`, `admin.save`, `admin.validate` for each section, the clipboard).

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{Dispatch, Page};
use crate::admin::diagnostics::state as diagnostics;
use crate::admin::keeper::state as keeper;
use crate::admin::pra::state as pra;
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
            Effect::Epm(call) => run_call(dispatch, Section::Epm, call),
            Effect::Pra(call) => run_call(dispatch, Section::Pra, call),
            Effect::Keeper(call) => run_call(dispatch, Section::Keeper, call),
            Effect::Diagnostics(call) => run_diagnostics(dispatch, call),
            Effect::Several(effects) => {
                for effect in effects {
                    self.run(effect, dispatch.clone());
                }
            }
            Effect::Copy { key, text } => spawn_local(async move {
                let result = bridge::copy(&text).await;
                dispatch(Action::Copied(Copied { key, result }));
            }),
        }
    }
}

#[derive(Clone, Copy)]
enum Section {
    Epm,
    Pra,
    Keeper,
}

/// A section's resolver call (PRA's with `"section": "pra"`, Keeper's with `"keeper"`); the
/// answer comes back as that section's action.
fn run_call(dispatch: Dispatch<Action>, which: Section, call: Call) {
    type Then = fn(Result<Value, String>) -> Action;
    let (config, save, validate): (Then, Then, Then) = match which {
        Section::Epm => (Action::ConfigAnswered, Action::SaveAnswered, Action::ValidateAnswered),
        Section::Pra => (
            |answer| Action::Pra(pra::Action::ConfigAnswered(answer)),
            |answer| Action::Pra(pra::Action::SaveAnswered(answer)),
            |answer| Action::Pra(pra::Action::ValidateAnswered(answer)),
        ),
        Section::Keeper => (
            |answer| Action::Keeper(keeper::Action::ConfigAnswered(answer)),
            |answer| Action::Keeper(keeper::Action::SaveAnswered(answer)),
            |answer| Action::Keeper(keeper::Action::ValidateAnswered(answer)),
        ),
    };
    let section = || match which {
        Section::Epm => json!({}),
        Section::Pra => json!({"section": "pra"}),
        Section::Keeper => json!({"section": "keeper"}),
    };
    let (name, payload, then) = match call {
        Call::None => return,
        Call::Load => ("admin.config", section(), config),
        Call::Save(payload) => ("admin.save", payload, save),
        Call::Validate => ("admin.validate", section(), validate),
    };
    spawn_local(async move {
        let answer = bridge::invoke(name, &payload).await;
        dispatch(then(answer));
    });
}

/// The Diagnostics section's call; the answer comes back as its action.
fn run_diagnostics(dispatch: Dispatch<Action>, call: diagnostics::Call) {
    type Then = fn(Result<Value, String>) -> diagnostics::Action;
    let (name, payload, then): (_, _, Then) = match call {
        diagnostics::Call::None => return,
        diagnostics::Call::Load => ("admin.diagnostics", json!({}), diagnostics::Action::Loaded),
        diagnostics::Call::Retry(key) => ("admin.retry", json!({"deadLetter": key}), diagnostics::Action::Retried),
    };
    spawn_local(async move {
        let answer = bridge::invoke(name, &payload).await;
        dispatch(Action::Diagnostics(then(answer)));
    });
}
