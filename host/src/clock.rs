//! The app's clock: what `Call::Now` answers and what the job queue's due times are measured by.
//! A deployment runs on [`SystemClock`]; sandbox mode passes in a clock it can move forward.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, as the app sees them.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
}

/// Real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        now_ms()
    }
}

/// Any `Fn() -> u64` is a clock (tests pass closures that they move by hand).
impl<F: Fn() -> u64 + Send + Sync> Clock for F {
    fn now_ms(&self) -> u64 {
        self()
    }
}

/// Real time in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
