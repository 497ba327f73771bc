//! The configuration page (`jira:adminPage`, `useAsConfig`): pure modules, tested natively, in
//! the same layout as the request page's. `fields` (the inputs, named as the core names them),
//! `form` (what the admin typed, checked by the core's `providers::epm::settings::form::validate`), `answer` (the
//! `admin.*` answers), `state` (the page's state machine), `screen` (what to show). The DOM side
//! is `crate::dom::admin`.

pub mod answer;
pub mod fields;
pub mod form;
pub mod screen;
pub mod state;
