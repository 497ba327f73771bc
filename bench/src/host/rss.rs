//! The process's resident memory: current and peak since the last reset. The peak is the
//! kernel's own high-water mark (`VmHWM`, reset through `/proc/self/clear_refs`) when the
//! kernel allows the reset, otherwise the largest `VmRSS` seen by a 5 ms sampler.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
pub struct Rss {
    sampled_peak_kb: AtomicU64,
    kernel_reset: AtomicBool,
}

/// Memory figures in KiB.
pub struct Reading {
    pub current_kb: u64,
    pub peak_kb: u64,
    /// "VmHWM" or "sampled".
    pub peak_source: &'static str,
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Rss {
    /// Starts a new peak from the current size.
    pub fn reset_peak(&self) {
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        self.kernel_reset.store(reset, Ordering::Relaxed);
        self.sampled_peak_kb
            .store(status_kb("VmRSS:").unwrap_or(0), Ordering::Relaxed);
    }

    pub fn read(&self) -> Reading {
        let current_kb = status_kb("VmRSS:").unwrap_or(0);
        let sampled = self.sampled_peak_kb.load(Ordering::Relaxed).max(current_kb);
        match status_kb("VmHWM:") {
            Some(hwm) if self.kernel_reset.load(Ordering::Relaxed) => Reading {
                current_kb,
                peak_kb: hwm,
                peak_source: "VmHWM",
            },
            _ => Reading {
                current_kb,
                peak_kb: sampled,
                peak_source: "sampled",
            },
        }
    }

    fn sample(&self) {
        if let Some(kb) = status_kb("VmRSS:") {
            self.sampled_peak_kb.fetch_max(kb, Ordering::Relaxed);
        }
    }
}

pub fn spawn_sampler(rss: Arc<Rss>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        loop {
            tick.tick().await;
            rss.sample();
        }
    });
}
