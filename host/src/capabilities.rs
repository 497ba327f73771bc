//! Performs the component's capability calls on this machine: SQLite KV, secrets and job queue,
//! Jira (the embedded sandbox or a real site), outbound HTTP, the clock, sleep and logging.
//! Decides nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::Clock;
use crate::jira_target::JiraTarget;
use crate::kv::{Kv, Table};
use crate::outbound::Outbound;
use crate::queue::Queue;
use crate::runtime::{Perform, RunContext};
use crate::wit::{Call, HttpResponse, LogLevel, Reply};

/// Counts of capability calls, for the benchmarks and tests.
#[derive(Default)]
pub struct Counters {
    pub jira: AtomicU64,
    pub fetch: AtomicU64,
    pub kv: AtomicU64,
}

pub struct Capabilities {
    pub kv: Arc<Kv>,
    pub jira: JiraTarget,
    /// Outbound fetches: the network, or a sandbox by host name.
    pub outbound: Outbound,
    pub counters: Counters,
    /// The durable job queue (`kv.sqlite`), delivered by the queue's workers.
    pub queue: Arc<Queue>,
    /// The app's clock: real time ([`crate::clock::SystemClock`]) unless a sandbox moves it.
    pub clock: Arc<dyn Clock>,
}

impl Perform for Capabilities {
    async fn perform(&self, call: Call, context: &RunContext) -> Reply {
        match call {
            Call::Jira(request) => {
                self.counters.jira.fetch_add(1, Ordering::Relaxed);
                http_reply(self.jira.send(request, context).await)
            }
            Call::Fetch(request) => {
                self.counters.fetch.fetch_add(1, Ordering::Relaxed);
                http_reply(self.outbound.send(request).await)
            }
            Call::KvGet(key) => self.storage(|kv| kv.get(Table::Values, &key).map(Reply::Value)),
            Call::KvSet((key, value)) => self.storage(|kv| kv.set(Table::Values, &key, &value).map(|_| Reply::Done)),
            Call::KvSetIfAbsent((key, value)) => self.storage(|kv| kv.set_if_absent(&key, &value).map(Reply::Claimed)),
            Call::KvDelete(key) => self.storage(|kv| kv.delete(&key).map(|_| Reply::Done)),
            Call::SecretGet(key) => self.storage(|kv| kv.get(Table::Secrets, &key).map(Reply::Value)),
            Call::SecretSet((key, value)) => {
                self.storage(|kv| kv.set(Table::Secrets, &key, &value).map(|_| Reply::Done))
            }
            // Due by the clock the app sees, which is the one the workers compare with.
            Call::QueuePush(push) => match self
                .queue
                .push(&push.queue, &push.payload, push.delay_ms, self.app_now_ms())
            {
                Ok(()) => Reply::Done,
                Err(e) => Reply::Failed(format!("the job queue: {e}")),
            },
            Call::Now => Reply::Time(self.app_now_ms()),
            Call::Sleep(ms) => {
                tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
                Reply::Done
            }
            Call::Random(bytes) => random_hex(bytes),
            Call::Log((level, message)) => {
                match level {
                    LogLevel::Debug => tracing::debug!(target: "app", "{message}"),
                    LogLevel::Info => tracing::info!(target: "app", "{message}"),
                    LogLevel::Warn => tracing::warn!(target: "app", "{message}"),
                    LogLevel::Error => tracing::error!(target: "app", "{message}"),
                }
                Reply::Done
            }
        }
    }
}

impl Capabilities {
    /// The time by the app's clock.
    pub fn app_now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn storage(&self, op: impl FnOnce(&Kv) -> anyhow::Result<Reply>) -> Reply {
        self.counters.kv.fetch_add(1, Ordering::Relaxed);
        op(&self.kv).unwrap_or_else(|e| Reply::Failed(format!("storage: {e}")))
    }
}

fn http_reply(result: Result<HttpResponse, String>) -> Reply {
    match result {
        Ok(response) => Reply::Http(response),
        Err(reason) => Reply::Failed(reason),
    }
}

/// `bytes` bytes from the OS-seeded CSPRNG (`rand::rng`), hex; at most 64 per call.
fn random_hex(bytes: u32) -> Reply {
    use rand::RngCore;
    if bytes > 64 {
        return Reply::Failed(format!("random: {bytes} bytes is more than the 64 a call may ask for"));
    }
    let mut buffer = vec![0u8; bytes as usize];
    rand::rng().fill_bytes(&mut buffer);
    Reply::Value(Some(buffer.iter().map(|b| format!("{b:02x}")).collect()))
}
