//! The configuration page's Keeper section (`admin.*` with `"section": "keeper"`;
//! docs/keeper.md): pure modules, tested natively, laid out like PRA's. `fields` (the inputs,
//! named as the core names them), `view` (the answers), `form` (what the admin typed, checked by
//! the core's `KeeperSettings::validate`), `state` (the section's state machine), `screen` (what
//! to show). The DOM side is `crate::dom::admin::keeper`.

pub mod fields;
pub mod form;
pub mod screen;
pub mod state;
pub mod view;
