//! The app's Custom UI pages, one WebAssembly for both: "Manage JIT Access Request" (a Jira
//! issue action) and the configuration page (`jira:adminPage`). `index.html` names its page
//! (`<html data-page="request|admin">`) and `start` runs that one.
//!
//! Pure modules, tested natively. The request page: `answer` (the resolvers' answers),
//! `form_state` (what the approver entered), `state` (the page's state machine), `polling` (when
//! to check again while a decision is on its way to EPM), `screen` (what to show). The configuration page: `admin::*`, laid out the same way. The rules and view
//! models are the core's (`pam_approvals::providers::epm::{page::form, page::view}`,
//! `pam_approvals::admin::{form, view, checks}`).
//!
//! Browser-only modules (wasm32): `bridge` (the JS bridge to the resolvers), `dom` (the only
//! module that touches the DOM) and `app` (the loop: action → reduce → render → effect).

pub mod admin;
pub mod answer;
pub mod form_state;
pub mod keeper;
pub mod polling;
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
