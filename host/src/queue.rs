//! The local job queue: jobs the component pushes are run as `invocation::job`, one at a time,
//! in order (Forge's queue gives no stronger promise).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::capabilities::Capabilities;
use crate::runtime::{Invocation, JobCall, Outcome, RunContext, Runtime};

pub fn spawn_worker(runtime: Arc<Runtime>, caps: Arc<Capabilities>, mut jobs: UnboundedReceiver<(String, String)>) {
    tokio::spawn(async move {
        while let Some((queue, payload)) = jobs.recv().await {
            match runtime
                .run(
                    Invocation::Job(JobCall {
                        queue: queue.clone(),
                        payload,
                        attempt: 0,
                    }),
                    &caps,
                    // Jobs run without a user, as Forge's queue consumers do.
                    &RunContext::default(),
                )
                .await
            {
                Ok((Outcome::Error(e), _)) => tracing::warn!(%queue, "job failed: {e}"),
                Ok((Outcome::Retry(retry), _)) => {
                    tracing::warn!(%queue, "job asked to be retried; this queue cannot yet: {}", retry.reason)
                }
                Ok(_) => {}
                Err(e) => tracing::error!(%queue, "job run failed: {e:#}"),
            }
        }
    });
}
