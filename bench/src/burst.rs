//! The burst: 1,000 distinct "ticket created" webhooks plus 200 redeliveries mixed in, sent at
//! concurrency 16 to a fresh bench host, then checked against the sandbox Jira: exactly one issue
//! per request, no error answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::host::process::{HostProcess, get_json};
use crate::inputs;

pub struct Plan {
    pub distinct: usize,
    pub duplicates: usize,
    pub concurrency: usize,
}

pub const PLAN: Plan = Plan {
    distinct: 1_000,
    duplicates: 200,
    concurrency: 16,
};

/// What one burst measured.
pub struct Burst {
    pub wall: Duration,
    /// Every delivery's latency, in send order.
    pub latencies: Vec<Duration>,
    pub statuses: BTreeMap<u16, usize>,
    /// Host stats before and after (`/_bench/stats`).
    pub before: Value,
    pub after: Value,
    pub issues: usize,
    pub duplicate_issues: usize,
}

/// Request ids in delivery order: every id once, and `duplicates` redeliveries of earlier or
/// later ids at pseudo-random places (a fixed LCG, so every run sends the same sequence).
pub fn deliveries(plan: &Plan) -> Vec<String> {
    let mut order: Vec<String> = (0..plan.distinct).map(|i| format!("bench-{i:04}")).collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    for _ in 0..plan.duplicates {
        let id = format!("bench-{:04}", next(plan.distinct));
        let at = next(order.len() + 1);
        order.insert(at, id);
    }
    order
}

/// Sends the plan to `host` and checks the sandbox Jira afterwards.
pub async fn run(host: &HostProcess, plan: &Plan) -> Result<Burst> {
    let bodies: Vec<String> = deliveries(plan)
        .iter()
        .map(|id| inputs::with_request_id(inputs::REALISTIC, inputs::REALISTIC_REQUEST_ID, id))
        .collect();
    let total = bodies.len();
    let queue = Arc::new(Mutex::new(bodies.into_iter().enumerate()));
    let results = Arc::new(Mutex::new(vec![(Duration::ZERO, 0u16); total]));
    let url = host.url("/x/epm-webhook");
    let authorization = inputs::authorization();

    host.reset_peak().await?;
    let before = host.stats().await?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..plan.concurrency {
        let (queue, results, client) = (queue.clone(), results.clone(), host.client.clone());
        let (url, authorization) = (url.clone(), authorization.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some((index, body)) = queue.lock().await.next() else {
                    break;
                };
                let sent = Instant::now();
                let status = match client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("Authorization", &authorization)
                    .body(body)
                    .send()
                    .await
                {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    // A transport failure counts as an error answer.
                    Err(_) => 0,
                };
                results.lock().await[index] = (sent.elapsed(), status);
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let wall = started.elapsed();
    let after = host.stats().await?;
    let results = results.lock().await.clone();
    let mut statuses = BTreeMap::new();
    for (_, status) in &results {
        *statuses.entry(*status).or_insert(0) += 1;
    }
    let (issues, duplicate_issues) = count_issues(host).await?;
    Ok(Burst {
        wall,
        latencies: results.iter().map(|(latency, _)| *latency).collect(),
        statuses,
        before,
        after,
        issues,
        duplicate_issues,
    })
}

/// Issues in the sandbox Jira, and how many of them repeat a request id already seen.
async fn count_issues(host: &HostProcess) -> Result<(usize, usize)> {
    let all = get_json(&host.client, &host.url("/sandbox/jira/_sandbox/issues")).await?;
    let Some(issues) = all.as_array() else {
        bail!("the sandbox's issue list is not an array");
    };
    let mut per_request: HashMap<String, usize> = HashMap::new();
    for issue in issues {
        let id = issue["fields"]["customfield_10001"].as_str().unwrap_or_default();
        *per_request.entry(id.to_string()).or_default() += 1;
    }
    let duplicates = per_request.values().map(|n| n - 1).sum();
    Ok((issues.len(), duplicates))
}

impl Burst {
    /// The issue's checks: every distinct request became exactly one issue, and no answer was
    /// an error (201 for the one delivery that created, 200 for every redelivery).
    pub fn check(&self, plan: &Plan) -> Result<()> {
        let created = self.statuses.get(&201).copied().unwrap_or(0);
        let repeated = self.statuses.get(&200).copied().unwrap_or(0);
        let errors = self.latencies.len() - created - repeated;
        if self.issues != plan.distinct || self.duplicate_issues != 0 || errors != 0 {
            bail!(
                "burst check failed: {} issues (want {}), {} duplicate issues, {errors} error answers; statuses {:?}",
                self.issues,
                plan.distinct,
                self.duplicate_issues,
                self.statuses
            );
        }
        if created != plan.distinct || repeated != plan.duplicates {
            bail!("burst check failed: {created} answers 201 and {repeated} answers 200");
        }
        Ok(())
    }

    pub fn errors(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(status, _)| !matches!(status, 200 | 201))
            .map(|(_, n)| n)
            .sum()
    }

    /// Deliveries answered per second.
    pub fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    /// Latencies in ms, sorted.
    pub fn sorted_ms(&self) -> Vec<f64> {
        let ms: Vec<f64> = self.latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        crate::summary::sorted(&ms)
    }

    /// A counter's growth during the burst.
    pub fn delta(&self, field: &str) -> f64 {
        let get = |v: &Value| v[field].as_f64().unwrap_or(0.0);
        get(&self.after) - get(&self.before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_once_plus_the_duplicates() {
        let plan = Plan {
            distinct: 50,
            duplicates: 10,
            concurrency: 1,
        };
        let order = deliveries(&plan);
        assert_eq!(order.len(), 60);
        let distinct: std::collections::HashSet<_> = order.iter().collect();
        assert_eq!(distinct.len(), 50);
        assert_eq!(order, deliveries(&plan), "the same sequence every run");
    }
}
