//! The pool's settling rules with a fake runner and a clock the test moves: the app's retries,
//! the host's backoff after failed runs, drops, and concurrent workers.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::*;
use crate::queue::Stats;

const NOW: u64 = 1_700_000_000_000;

/// Answers each delivery from `script(attempt)` and records the deliveries it got.
struct FakeRunner<F> {
    script: F,
    seen: Mutex<Vec<(String, u32)>>,
    /// Held by every run when set: runs that must overlap meet here.
    barrier: Option<tokio::sync::Barrier>,
}

impl<F: Fn(u32) -> JobOutcome + Send + Sync + 'static> FakeRunner<F> {
    fn new(script: F) -> FakeRunner<F> {
        FakeRunner {
            script,
            seen: Mutex::new(Vec::new()),
            barrier: None,
        }
    }

    fn seen(&self) -> Vec<(String, u32)> {
        self.seen.lock().unwrap().clone()
    }
}

impl<F: Fn(u32) -> JobOutcome + Send + Sync + 'static> JobRunner for FakeRunner<F> {
    async fn run(&self, _queue: &str, payload: &str, attempt: u32) -> JobOutcome {
        self.seen.lock().unwrap().push((payload.to_string(), attempt));
        if let Some(barrier) = &self.barrier {
            barrier.wait().await;
        }
        (self.script)(attempt)
    }
}

struct World<F> {
    queue: Arc<Queue>,
    runner: Arc<FakeRunner<F>>,
    time: Arc<AtomicU64>,
}

impl<F: Fn(u32) -> JobOutcome + Send + Sync + 'static> World<F> {
    fn start(workers: usize, runner: FakeRunner<F>) -> World<F> {
        let queue = Arc::new(Queue::open(Path::new(":memory:"), "test").unwrap());
        let time = Arc::new(AtomicU64::new(NOW));
        let clock: Clock = {
            let time = time.clone();
            Arc::new(move || time.load(Ordering::SeqCst))
        };
        let runner = Arc::new(runner);
        spawn(workers, queue.clone(), runner.clone(), clock);
        World { queue, runner, time }
    }

    fn now(&self) -> u64 {
        self.time.load(Ordering::SeqCst)
    }

    fn push(&self, payload: &str) {
        self.queue.push("pam-jobs", payload, 0, self.now()).unwrap();
    }

    fn advance(&self, ms: u64) {
        self.time.fetch_add(ms, Ordering::SeqCst);
        self.queue.wake();
    }

    fn stats(&self) -> Stats {
        self.queue.store().stats(self.now()).unwrap()
    }

    /// Waits (10 s at most) until the figures satisfy `done`.
    async fn until(&self, what: &str, done: impl Fn(&Stats) -> bool) -> Stats {
        let started = Instant::now();
        loop {
            let stats = self.stats();
            if done(&stats) {
                return stats;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "waited for {what}: {stats:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Validates: an app's retry is delivered again only once its delay passed, with attempt 1, and
/// the job is then done and deleted.
#[tokio::test]
async fn an_app_retry_comes_back_after_its_delay_with_the_next_attempt() {
    let world = World::start(
        2,
        FakeRunner::new(|attempt| match attempt {
            0 => JobOutcome::Retry {
                after_ms: 60_000,
                reason: "EPM busy".into(),
            },
            _ => JobOutcome::Done,
        }),
    );
    world.push("job");
    let stats = world.until("the retry", |s| s.retried == 1).await;
    assert_eq!((stats.pending, stats.due, stats.taken), (1, 0, 0));
    assert_eq!(world.queue.store().next_due().unwrap(), Some(NOW + 60_000));

    world.advance(59_999);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(world.runner.seen().len(), 1, "not before its delay");

    world.advance(1);
    let stats = world.until("the second delivery", |s| s.done == 1).await;
    assert_eq!((stats.pending, stats.taken, stats.retried, stats.dropped), (0, 0, 1, 0));
    assert_eq!(world.runner.seen(), [("job".to_string(), 0), ("job".to_string(), 1)]);
}

/// Validates: an app's retry delay is capped at Forge's 900 s.
#[tokio::test]
async fn a_retry_delay_is_capped_at_900_s() {
    let world = World::start(
        1,
        FakeRunner::new(|_| JobOutcome::Retry {
            after_ms: u32::MAX,
            reason: "forever".into(),
        }),
    );
    world.push("job");
    world.until("the retry", |s| s.retried == 1).await;
    assert_eq!(world.queue.store().next_due().unwrap(), Some(NOW + 900_000));
}

/// Validates: the app's error ends the job at once: dropped, deleted, never delivered again.
#[tokio::test]
async fn an_app_error_drops_the_job() {
    let world = World::start(2, FakeRunner::new(|_| JobOutcome::Failed("unknown queue".into())));
    world.push("job");
    let stats = world.until("the drop", |s| s.dropped == 1).await;
    assert_eq!((stats.pending, stats.taken, stats.retried, stats.done), (0, 0, 0, 0));
    world.advance(u64::from(MAX_DELAY_MS));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(world.runner.seen().len(), 1);
}

/// Validates: a failed run is retried after 30 s, 60 s, … (at most 900 s), and after 10 failed
/// runs the job is dropped.
#[tokio::test]
async fn failed_runs_back_off_then_the_job_is_dropped() {
    let world = World::start(2, FakeRunner::new(|_| JobOutcome::HostError("trap".into())));
    world.push("job");
    let expected = [30, 60, 120, 240, 480, 900, 900, 900, 900];
    for (failures, seconds) in expected.into_iter().enumerate() {
        world
            .until("the host's retry", |s| s.retried == failures as u64 + 1)
            .await;
        let due = world.queue.store().next_due().unwrap().expect("queued again");
        assert_eq!(due - world.now(), seconds * 1000, "after failure {}", failures + 1);
        world.advance(seconds * 1000 - 1);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(world.runner.seen().len(), failures + 1, "not before its backoff");
        world.advance(1);
    }
    let stats = world.until("the drop", |s| s.dropped == 1).await;
    assert_eq!((stats.pending, stats.taken, stats.retried), (0, 0, 9));
    let attempts: Vec<u32> = world.runner.seen().into_iter().map(|(_, attempt)| attempt).collect();
    assert_eq!(attempts, (0..10).collect::<Vec<_>>());
}

/// Validates: the pool runs as many jobs at once as it has workers (each run waits for three
/// others), and runs every job exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_run_jobs_side_by_side_and_each_job_once() {
    let mut runner = FakeRunner::new(|_| JobOutcome::Done);
    runner.barrier = Some(tokio::sync::Barrier::new(4));
    let world = World::start(4, runner);
    for n in 0..8 {
        world.push(&n.to_string());
    }
    world.until("every job", |s| s.done == 8).await;
    let mut payloads: Vec<String> = world.runner.seen().into_iter().map(|(p, _)| p).collect();
    payloads.sort();
    assert_eq!(payloads, (0..8).map(|n| n.to_string()).collect::<Vec<_>>());
}

/// Validates: the host's backoff doubles from 30 s and stops at 900 s, even for huge counts.
#[test]
fn the_host_backoff_doubles_up_to_900_s() {
    let backoffs: Vec<u64> = (0..7).map(host_backoff_ms).collect();
    assert_eq!(backoffs, [30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
    assert_eq!(host_backoff_ms(u32::MAX), 900_000);
}

/// A backlog of runs that complete at once (KV-only jobs) must not hold the thread: on a
/// one-thread runtime, another task gets its turn after the first job, not after the last.
#[tokio::test(flavor = "current_thread")]
async fn a_backlog_of_instant_jobs_leaves_other_tasks_their_turn() {
    let queue = Arc::new(Queue::open(Path::new(":memory:"), "test").unwrap());
    for n in 0..200 {
        queue.push("pam-jobs", &format!("job-{n}"), 0, NOW).unwrap();
    }
    let runner = Arc::new(FakeRunner::new(|_| JobOutcome::Done));
    let clock: Clock = Arc::new(|| NOW);
    spawn(1, queue.clone(), runner.clone(), clock);
    // Spawned after the worker, so it runs only when the worker yields.
    let seen = runner.clone();
    let probe = tokio::spawn(async move { seen.seen().len() });
    let ran_before_probe = probe.await.unwrap();
    assert!(
        ran_before_probe < 10,
        "the worker ran {ran_before_probe} jobs before another task had a turn"
    );
}
