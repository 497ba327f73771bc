//! The worker pool: each worker takes one due job at a time, has it run, and settles it from the
//! outcome. The runner is a trait so that the settling rules (retries, the host's backoff, drops)
//! are tested with a fake; [`ComponentRunner`] runs the real component.
//!
//! Outcomes: done → deleted; the app's retry → again after its `after-ms` (at most 900 s) with
//! `attempt` + 1; the app's error → dropped (the app keeps its own dead letter) with a warning; a
//! failed run (trap, host error) → again after the host's backoff (30 s doubling, at most 900 s),
//! dropped with an error after [`MAX_HOST_FAILURES`] failed runs.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::store::{End, Job};
use super::{MAX_DELAY_MS, Queue};
use crate::runtime::{Perform, RunContext, Runtime};
use crate::wit::{Invocation, JobCall, Outcome};

/// Workers when `--queue-workers` is not given.
pub const DEFAULT_WORKERS: usize = 4;
/// Failed runs of one job before the host gives up on it.
pub const MAX_HOST_FAILURES: u32 = 10;
/// The host's first backoff after a failed run; it doubles with every failure.
pub const HOST_BACKOFF_MS: u64 = 30_000;
/// Longest idle wait between looks at the table: a sandbox clock shift (which moves due times
/// without a push) is noticed within it.
const IDLE_MS: u64 = 1_000;

/// The app's clock (the sandbox can shift it), shared by pushes and workers.
pub type Clock = Arc<dyn crate::clock::Clock>;

/// How one delivery of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The job is done (`outcome::value` or `outcome::http`).
    Done,
    /// The app asks for another delivery (`outcome::retry`).
    Retry { after_ms: u32, reason: String },
    /// The app gave up (`outcome::error`): final.
    Failed(String),
    /// The run itself failed (a trap, a host error); the host retries it.
    HostError(String),
}

/// Runs one delivery of a job.
pub trait JobRunner: Send + Sync + 'static {
    fn run(&self, queue: &str, payload: &str, attempt: u32) -> impl Future<Output = JobOutcome> + Send;
}

/// Runs jobs in the component, with no user (as Forge's queue consumers run).
pub struct ComponentRunner<P> {
    pub runtime: Arc<Runtime>,
    pub caps: Arc<P>,
}

impl<P: Perform + 'static> JobRunner for ComponentRunner<P> {
    async fn run(&self, queue: &str, payload: &str, attempt: u32) -> JobOutcome {
        let invocation = Invocation::Job(JobCall {
            queue: queue.to_string(),
            payload: payload.to_string(),
            attempt,
        });
        match self.runtime.run(invocation, &self.caps, &RunContext::default()).await {
            Ok((Outcome::Value(_) | Outcome::Http(_), _)) => JobOutcome::Done,
            Ok((Outcome::Retry(retry), _)) => JobOutcome::Retry {
                after_ms: retry.after_ms,
                reason: retry.reason,
            },
            Ok((Outcome::Error(message), _)) => JobOutcome::Failed(message),
            Err(e) => JobOutcome::HostError(format!("{e:#}")),
        }
    }
}

/// Starts `workers` workers delivering the jobs of `queue` to the component, whose calls `caps`
/// performs; due times are read on `clock` (the app's).
pub fn spawn_component<P: Perform + 'static>(
    workers: usize,
    runtime: Arc<Runtime>,
    caps: Arc<P>,
    queue: Arc<Queue>,
    clock: Clock,
) -> Vec<JoinHandle<()>> {
    spawn(workers, queue, Arc::new(ComponentRunner { runtime, caps }), clock)
}

/// Starts `workers` workers taking jobs from `queue` and running them with `runner`.
pub fn spawn<R: JobRunner>(workers: usize, queue: Arc<Queue>, runner: Arc<R>, clock: Clock) -> Vec<JoinHandle<()>> {
    (0..workers)
        .map(|_| tokio::spawn(work(queue.clone(), runner.clone(), clock.clone())))
        .collect()
}

async fn work<R: JobRunner>(queue: Arc<Queue>, runner: Arc<R>, clock: Clock) {
    loop {
        // Listening before looking: a push between the look and the wait still wakes us.
        let notified = queue.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let now = clock.now_ms();
        let wait = match queue.store().take_due(now) {
            Ok(Some(job)) => {
                deliver(&queue, &*runner, &clock, job).await;
                // A run whose calls all complete at once (KV only) never yields, so with a
                // backlog a worker would hold its thread for job after job and starve the web
                // triggers and every other task: give the scheduler a turn between jobs.
                tokio::task::yield_now().await;
                continue;
            }
            Ok(None) => match queue.store().next_due() {
                Ok(Some(at)) => at.saturating_sub(now).clamp(1, IDLE_MS),
                Ok(None) => IDLE_MS,
                Err(e) => {
                    tracing::error!("reading the job queue: {e:#}");
                    IDLE_MS
                }
            },
            Err(e) => {
                tracing::error!("taking a job: {e:#}");
                IDLE_MS
            }
        };
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(Duration::from_millis(wait)) => {}
        }
    }
}

/// Runs one job and settles it. A settling that fails leaves the job taken: it is delivered
/// again after its visibility timeout (at least once).
async fn deliver<R: JobRunner>(queue: &Queue, runner: &R, clock: &Clock, job: Job) {
    let (name, id, attempt) = (job.queue.as_str(), job.id, job.attempt);
    let outcome = runner.run(&job.queue, &job.payload, job.attempt).await;
    let store = queue.store();
    let now = clock.now_ms();
    let settled = match outcome {
        JobOutcome::Done => {
            tracing::debug!(queue = name, job = id, attempt, "job done");
            store.finish(&job, End::Done)
        }
        JobOutcome::Retry { after_ms, reason } => {
            let after = after_ms.min(MAX_DELAY_MS);
            tracing::info!(
                queue = name,
                job = id,
                attempt,
                after_ms = after,
                "job asked to be retried: {reason}"
            );
            store.retry(&job, now.saturating_add(u64::from(after)), false)
        }
        JobOutcome::Failed(message) => {
            tracing::warn!(queue = name, job = id, attempt, "job failed and is dropped: {message}");
            store.finish(&job, End::Dropped)
        }
        JobOutcome::HostError(error) if job.host_failures + 1 >= MAX_HOST_FAILURES => {
            tracing::error!(
                queue = name,
                job = id,
                attempt,
                "job run failed {MAX_HOST_FAILURES} times and is dropped: {error}"
            );
            store.finish(&job, End::Dropped)
        }
        JobOutcome::HostError(error) => {
            let backoff = host_backoff_ms(job.host_failures);
            tracing::warn!(
                queue = name,
                job = id,
                attempt,
                backoff_ms = backoff,
                "job run failed: {error}"
            );
            store.retry(&job, now.saturating_add(backoff), true)
        }
    };
    match settled {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            queue = name,
            job = id,
            "the job's run outlasted its visibility timeout and another delivery has it; this result is not recorded"
        ),
        Err(e) => tracing::error!(queue = name, job = id, "settling the job: {e:#}"),
    }
}

/// The wait after the host's `failures`-th failed run of a job (0-based): 30 s doubling, at most
/// Forge's 900 s.
pub fn host_backoff_ms(failures: u32) -> u64 {
    HOST_BACKOFF_MS
        .saturating_mul(1u64 << failures.min(20))
        .min(u64::from(MAX_DELAY_MS))
}

#[cfg(test)]
mod tests;
