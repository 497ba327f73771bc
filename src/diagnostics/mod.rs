//! Diagnostics for administrators (the configuration page's "Diagnostics" section, and
//! `GET /_diagnostics` on the local host): the last deliveries of each web trigger, the last
//! queue jobs and the dead letters, each list bounded (`store::ring::LIMIT`) in one KV value
//! under `diag:`. The jobs' lists are the queue's own (`jobs::runs`). An admin's first question is "did EPM call us?"; the answer needs no log access.
//! Recording never fails the work it records.

pub mod deliveries;
pub mod page;
pub mod view;

#[cfg(test)]
mod tests;
