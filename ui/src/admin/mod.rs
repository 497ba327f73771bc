//! The configuration page (`jira:adminPage`, `useAsConfig`): pure modules, tested natively, in
//! the same layout as the request page's. `section` is what every settings section does alike
//! (load, edit, save once the core's rules pass, validate; refusals as notices) and `problems`
//! how refusals and field errors read. EPM's section: `fields` (the inputs, named as the core
//! names them), `form` (what the admin typed, checked by the core's
//! `providers::epm::settings::form::validate`), `answer` (the `admin.*` answers). `pra` is the
//! PRA section, laid out the same way, and `keeper` Keeper's. `state` is the page's state machine over both, `screen`
//! what to show. The DOM side is `crate::dom::admin`.

pub mod answer;
pub mod diagnostics;
pub mod fields;
pub mod form;
pub mod keeper;
pub mod pra;
pub mod problems;
pub mod screen;
pub mod section;
pub mod state;

#[cfg(test)]
mod test_fixtures;
