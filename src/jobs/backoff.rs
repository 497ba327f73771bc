//! When a job that did not finish runs again: exponential backoff with jitter, at least what the
//! other side asked for (`Retry-After`), within a bounded total time; then the job is given up
//! (a dead letter, `dead.rs`). Pure, so the bounds are tested without a clock.

/// The first retry waits about this long.
pub const BASE_MS: u64 = 2_000;
/// No single wait is longer (Forge's queue takes at most 900 s).
pub const MAX_DELAY_MS: u64 = 300_000;
/// Forge's `retryAfter` and `delayInSeconds` limit; a `Retry-After` hint is capped to it.
pub const QUEUE_MAX_DELAY_MS: u64 = 900_000;
/// A job older than this is given up (Forge keeps queued events 24 h).
pub const MAX_TOTAL_MS: u64 = 6 * 60 * 60 * 1000;
/// Nor is a job delivered more often than this.
pub const MAX_ATTEMPTS: u32 = 60;

/// What to do with a job that did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Deliver it again after this many milliseconds.
    RetryAfter(u32),
    /// Stop: too many attempts, or too long since it was first queued.
    GiveUp,
}

/// `attempt`: deliveries before this one; `since`: when the job was first queued; `hint`: the
/// least wait the work itself asked for (a `Retry-After`, an index that needs time to settle);
/// `seed`: a stable number of the job, so jitter spreads jobs apart yet repeats in tests.
pub fn next(attempt: u32, since: u64, now: u64, hint_ms: Option<u64>, seed: u64) -> Next {
    let elapsed = now.saturating_sub(since);
    if attempt + 1 >= MAX_ATTEMPTS || elapsed >= MAX_TOTAL_MS {
        return Next::GiveUp;
    }
    let ceiling = BASE_MS.saturating_mul(1u64 << attempt.min(20)).min(MAX_DELAY_MS);
    // "Equal jitter": half the ceiling for sure, the other half spread by the seed, so jobs that
    // failed together do not come back together.
    let spread = mix(seed ^ u64::from(attempt)) % (ceiling / 2 + 1);
    let backoff = ceiling / 2 + spread;
    let wait = backoff.max(hint_ms.unwrap_or(0)).min(QUEUE_MAX_DELAY_MS);
    // Never past the total bound: the last try happens just before it.
    let wait = wait.min(MAX_TOTAL_MS - elapsed).max(1);
    Next::RetryAfter(wait as u32)
}

/// SplitMix64's step: a well-spread number from any seed (also the test world's seeded faults).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(attempt: u32, seed: u64) -> u64 {
        match next(attempt, 0, 1_000, None, seed) {
            Next::RetryAfter(ms) => u64::from(ms),
            Next::GiveUp => panic!("gave up at attempt {attempt}"),
        }
    }

    #[test]
    fn waits_grow_exponentially_within_half_and_whole_ceiling() {
        for seed in 0..200 {
            for attempt in 0..12 {
                let ceiling = (BASE_MS << attempt).min(MAX_DELAY_MS);
                let w = wait(attempt, seed);
                assert!(
                    (ceiling / 2..=ceiling).contains(&w),
                    "attempt {attempt} seed {seed}: {w} not in [{}, {ceiling}]",
                    ceiling / 2
                );
            }
        }
        assert_eq!(wait(40, 7), wait(40, 7), "the same job waits the same");
    }

    #[test]
    fn jitter_spreads_jobs_that_failed_together() {
        let waits: std::collections::BTreeSet<u64> = (0..100).map(|seed| wait(3, seed)).collect();
        assert!(waits.len() > 50, "only {} distinct waits for 100 jobs", waits.len());
    }

    #[test]
    fn a_retry_after_is_honoured_up_to_the_queue_limit() {
        assert_eq!(next(0, 0, 0, Some(30_000), 1), Next::RetryAfter(30_000));
        assert_eq!(
            next(0, 0, 0, Some(5_000_000), 1),
            Next::RetryAfter(QUEUE_MAX_DELAY_MS as u32)
        );
        // A short hint never shortens the backoff.
        assert!(matches!(next(10, 0, 0, Some(1), 1), Next::RetryAfter(ms) if u64::from(ms) >= MAX_DELAY_MS / 2));
    }

    #[test]
    fn gives_up_after_the_total_time_or_the_attempts() {
        assert_eq!(next(3, 0, MAX_TOTAL_MS, None, 1), Next::GiveUp);
        assert_eq!(next(MAX_ATTEMPTS - 1, 0, 1, None, 1), Next::GiveUp);
        assert!(matches!(next(MAX_ATTEMPTS - 2, 0, 1, None, 1), Next::RetryAfter(_)));
        // The last wait ends at the bound, not past it.
        assert_eq!(next(30, 0, MAX_TOTAL_MS - 500, Some(60_000), 1), Next::RetryAfter(500));
    }

    #[test]
    fn total_waits_stay_within_the_bound() {
        let (mut now, mut attempt) = (0u64, 0u32);
        while let Next::RetryAfter(ms) = next(attempt, 0, now, None, 42) {
            now += u64::from(ms);
            attempt += 1;
        }
        assert!(now <= MAX_TOTAL_MS, "waited {now} ms in all");
        assert!(attempt < MAX_ATTEMPTS);
    }
}
