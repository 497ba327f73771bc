//! The configuration page's PRA section (`admin.*` with `"section": "pra"`; docs/pra.md): pure
//! modules, tested natively, laid out like EPM's. `fields` (the inputs, named as the core names
//! them, and the selects' choices), `view` (the answers), `form` (what the admin typed, checked by
//! the core's `PraSettings::validate`), `state` (the section's state machine), `screen` (what to
//! show). The DOM side is `crate::dom::admin::pra`.

pub mod fields;
pub mod form;
pub mod screen;
pub mod state;
pub mod view;
