//! While a decision is on its way to EPM (`RequestView::sending`: the app's queue is sending it
//! again), the page asks `epm.request` again after a delay that grows, and gives up after a while.
//! Pure: it only counts; `state::reduce` turns each wait into `Effect::Refresh`, which the DOM
//! layer performs with `window.setTimeout`. Time is the sum of the waits, so tests need no clock.

/// The first wait: the queue's first retry is due within seconds.
pub const FIRST_DELAY_MS: u32 = 3_000;
/// The longest wait between two checks.
pub const MAX_DELAY_MS: u32 = 15_000;
/// The page stops checking once its waits add up to this much (ten minutes).
pub const GIVE_UP_AFTER_MS: u64 = 10 * 60_000;
/// Failed checks in a row before the page says so: one or two lost calls are not worth a word.
pub const QUIET_FAILURES: u32 = 3;

/// The checks of one decision in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Polling {
    /// Checks asked for so far.
    refreshes: u32,
    /// The sum of their waits.
    waited_ms: u64,
    /// Failed checks in a row, and the last one's problem.
    failures: u32,
    problem: Option<String>,
}

/// The wait before check number `refreshes` (0 first): 3 s, doubling, at most 15 s.
pub fn delay_ms(refreshes: u32) -> u32 {
    FIRST_DELAY_MS
        .saturating_mul(2u32.saturating_pow(refreshes))
        .min(MAX_DELAY_MS)
}

impl Polling {
    /// The wait before the next check, counted as asked for; `None` once the waits would pass
    /// `GIVE_UP_AFTER_MS`: time to stop.
    pub fn next_wait(&mut self) -> Option<u32> {
        let delay = delay_ms(self.refreshes);
        let waited = self.waited_ms + u64::from(delay);
        if waited > GIVE_UP_AFTER_MS {
            return None;
        }
        self.refreshes += 1;
        self.waited_ms = waited;
        Some(delay)
    }

    /// A check came back with the request.
    pub fn answered(&mut self) {
        self.failures = 0;
        self.problem = None;
    }

    /// A check failed (the call, or a refusal such as `unavailable`); the next one waits as if
    /// it had not.
    pub fn failed(&mut self, problem: String) {
        self.failures += 1;
        self.problem = Some(problem);
    }

    /// The last problem, once checks have failed `QUIET_FAILURES` times in a row.
    pub fn keeps_failing(&self) -> Option<&str> {
        (self.failures >= QUIET_FAILURES)
            .then_some(self.problem.as_deref())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_the_longest_and_stop_after_ten_minutes() {
        let mut polling = Polling::default();
        let mut waits = Vec::new();
        while let Some(wait) = polling.next_wait() {
            waits.push(wait);
            assert!(waits.len() < 1000, "never stops");
        }
        assert_eq!(waits[..6], [3_000, 6_000, 12_000, 15_000, 15_000, 15_000]);
        let total: u64 = waits.iter().copied().map(u64::from).sum();
        assert!(
            total <= GIVE_UP_AFTER_MS && total > GIVE_UP_AFTER_MS - u64::from(MAX_DELAY_MS),
            "about ten minutes: {total} ms"
        );
        assert_eq!(polling.next_wait(), None, "stopped stays stopped");
    }

    #[test]
    fn failures_are_quiet_until_they_keep_happening() {
        let mut polling = Polling::default();
        for _ in 1..QUIET_FAILURES {
            polling.failed("HTTP 502".into());
            assert_eq!(polling.keeps_failing(), None);
        }
        polling.failed("HTTP 503".into());
        assert_eq!(polling.keeps_failing(), Some("HTTP 503"));
        polling.answered();
        assert_eq!(polling.keeps_failing(), None, "an answer starts the count again");
    }

    #[test]
    fn a_failure_does_not_change_the_waits() {
        let mut failing = Polling::default();
        let mut answering = Polling::default();
        for _ in 0..5 {
            failing.failed("no answer".into());
            answering.answered();
            assert_eq!(failing.next_wait(), answering.next_wait());
        }
    }
}
