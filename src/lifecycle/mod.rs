//! The approval lifecycle every provider shares: the one generational lease (`lease.rs`), the
//! first-decision-wins claim built on it (`claim.rs`), exactly one issue per request
//! (`create.rs`), the idempotent steps that record an event on its issue (`recording.rs`), and
//! deciding by moving an issue (`moves.rs`). A
//! provider plugs in its keys, its records and its texts; nothing here knows a provider, the
//! configuration, or how requests arrive.

pub mod claim;
pub mod create;
pub mod lease;
pub mod moves;
pub mod recording;

#[cfg(test)]
mod tests;
