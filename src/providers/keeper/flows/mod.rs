//! Keeper's work: the alert web trigger (`receive`, `intake`), the issue panel (`panel`,
//! `decide`, `ticket`, `deciders`), Keeper's live state (`live`, `reconcile`, `settle`), the
//! record on the issue (`record`), the expiry tick (`expiry`) and decisions by moving the issue
//! (`moves`).

pub mod decide;
pub mod deciders;
pub mod expiry;
pub mod intake;
pub mod live;
pub mod moves;
pub mod panel;
pub mod receive;
pub mod reconcile;
pub mod record;
pub mod settle;
pub mod ticket;
