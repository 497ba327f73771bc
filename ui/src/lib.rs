//! The "Manage JIT Access Request" page (a Jira issue action, Forge Custom UI).
//!
//! Pure modules, tested natively: `answer` (the resolvers' answers), `form_state` (what the
//! approver entered), `state` (the page's state machine), `screen` (what to show). The rules and
//! the view model are the core's (`pam_approvals::providers::epm::{form, view}`).
//!
//! Browser-only modules (wasm32): `bridge` (the JS bridge to the resolvers), `dom` (the only
//! module that touches the DOM) and `app` (the loop: action → reduce → render → effect).

pub mod answer;
pub mod form_state;
pub mod screen;
pub mod state;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod bridge;
#[cfg(target_arch = "wasm32")]
mod dom;

/// Runs when the module is instantiated (`init()` in `main.js`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() -> Result<(), wasm_bindgen::JsValue> {
    app::start()
}
