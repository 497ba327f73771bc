//! Claims after a crash: the local host knows it restarted. A creation lease that a killed
//! process left on the data directory is abandoned at once by the next process, instead of
//! holding every redelivery off for the 60 s staleness timeout.

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pam_approvals_host::kv::{Kv, Table};
use serde_json::json;
use support::*;

/// The creation lease key of the sample request (tenant and id are plain `[A-Za-z0-9-]`).
fn lease_key() -> String {
    format!("epm:claim:0b9e4f6a-1c2d-4e3f-8a7b-9c0d1e2f3a4b:{SAMPLE_REQUEST_ID}:0")
}

#[tokio::test]
async fn a_lease_left_by_a_killed_process_is_taken_over_at_once_after_a_restart() {
    let dir = TempDir::new("restart-lease");
    let host = Host::start(&dir.0);
    let first = Kv::open(&dir.0.join("kv.sqlite"))
        .unwrap()
        .get(Table::Values, pam_approvals_host::process_instance::KEY)
        .unwrap()
        .expect("the host says which process it is");
    host.stop();

    // What a process killed while creating leaves behind: a fresh lease, held, of its own id.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    let lease = json!({"v": 1, "at": now, "state": "held", "instance": first});
    Kv::open(&dir.0.join("kv.sqlite"))
        .unwrap()
        .set(Table::Values, &lease_key(), &lease.to_string())
        .unwrap();

    let host = Host::start(&dir.0);
    let second = Kv::open(&dir.0.join("kv.sqlite"))
        .unwrap()
        .get(Table::Values, pam_approvals_host::process_instance::KEY)
        .unwrap()
        .unwrap();
    assert_ne!(first, second, "a new process, a new id");
    let started = Instant::now();
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!((status, &body["created"]), (201, &json!(true)), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no waiting out the dead run: {:?}",
        started.elapsed()
    );
    assert_eq!(issues(&host).await.len(), 1);
    host.stop();
}
