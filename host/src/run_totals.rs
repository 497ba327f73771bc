//! Sums of every run's `RunStats` since start, so that benchmarks and operators can see where
//! the time goes (the component or the capability calls) without a handler of their own.

use std::sync::atomic::{AtomicU64, Ordering};

/// Time spent per run, split between the component and the capability calls.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    pub steps: u32,
    pub in_component: std::time::Duration,
    pub in_calls: std::time::Duration,
}

#[derive(Debug, Default)]
pub struct RunTotals {
    runs: AtomicU64,
    steps: AtomicU64,
    in_component_ns: AtomicU64,
    in_calls_ns: AtomicU64,
}

/// A reading of the totals.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub runs: u64,
    pub steps: u64,
    pub in_component_ns: u64,
    pub in_calls_ns: u64,
}

impl RunTotals {
    pub fn add(&self, stats: &RunStats) {
        let nanos = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.steps.fetch_add(u64::from(stats.steps), Ordering::Relaxed);
        self.in_component_ns
            .fetch_add(nanos(stats.in_component), Ordering::Relaxed);
        self.in_calls_ns.fetch_add(nanos(stats.in_calls), Ordering::Relaxed);
    }

    pub fn read(&self) -> Totals {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Totals {
            runs: load(&self.runs),
            steps: load(&self.steps),
            in_component_ns: load(&self.in_component_ns),
            in_calls_ns: load(&self.in_calls_ns),
        }
    }
}
