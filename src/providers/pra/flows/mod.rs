//! PRA's work: the web trigger keeps a request and queues it (`receive`); the job decides it
//! (`verdict`), answers the appliance (`answer`) and leaves the audit on the issue (`audit`).

pub mod answer;
pub mod audit;
pub mod job;
pub mod receive;
pub mod verdict;
