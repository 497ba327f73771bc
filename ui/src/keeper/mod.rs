//! The "Keeper approval" issue panel (`jira:issuePanel` `keeper-approval`, Custom UI resource
//! `keeper`; docs/keeper.md, "The panel's resolvers"): pure modules, tested natively, laid out
//! like the request page's. `view` (the resolvers' answers, with the core's own types), `state`
//! (the panel's state machine: loading → shown → deciding → shown with the result or the
//! refusal, checking again while Keeper is slow or a decision is in flight, the countdown),
//! `screen` (what to show). The DOM side is `crate::dom::keeper`, the loop `crate::app::keeper`.

pub mod screen;
pub mod state;
pub mod view;
