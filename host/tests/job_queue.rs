//! The durable job queue with the real component: a pushed job is delivered as
//! `invocation::job` and settled from its outcome; jobs outlive the host process that held
//! them; `/_sandbox/queue` shows the figures in sandbox mode only.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use pam_approvals_host::capabilities::Capabilities;
use pam_approvals_host::clock::now_ms;
use pam_approvals_host::kv::Kv;
use pam_approvals_host::queue::{Queue, Stats, worker};
use pam_approvals_host::runtime::{COMPONENT, Call, JobPush, Perform, Reply, RunContext, Runtime};
use pam_approvals_host::sandbox_mode;
use serde_json::{Value, json};
use support::*;

/// A queue the app has no handler for, today or later: the app answers its jobs with an error.
const UNKNOWN_QUEUE: &str = "no-such-queue";

/// Validates: a job the app pushes through `queue-push` is stored, run in the component by a
/// worker, and (the app answering `outcome::error` for a queue it does not know) dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_job_runs_in_the_component_and_an_app_error_drops_it() {
    let dir = TempDir::new("queue-component");
    let kv = Arc::new(Kv::open(&dir.0.join("kv.sqlite")).unwrap());
    let queue = Arc::new(Queue::open(&dir.0.join("kv.sqlite"), "test-instance").unwrap());
    let target = sandbox_mode::targets(&dir.0, "http://127.0.0.1:9", "secret", reqwest::Client::new(), &queue).unwrap();
    let caps = Arc::new(Capabilities {
        kv,
        jira: target.jira,
        outbound: target.outbound,
        counters: Default::default(),
        queue: queue.clone(),
        clock: target.clock.clone(),
    });
    let runtime = Arc::new(Runtime::new(COMPONENT).unwrap());

    let push = Call::QueuePush(JobPush {
        queue: UNKNOWN_QUEUE.into(),
        payload: json!({"kind": "nothing"}).to_string(),
        delay_ms: 0,
    });
    assert!(matches!(caps.perform(push, &RunContext::default()).await, Reply::Done));
    assert_eq!(stats(&caps).pending, 1, "stored before any worker runs");

    worker::spawn_component(2, runtime, caps.clone(), queue, target.clock);
    let started = Instant::now();
    while stats(&caps).dropped == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "{:?}", stats(&caps));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stats = stats(&caps);
    assert_eq!(
        (stats.pending, stats.taken, stats.retried, stats.done, stats.dropped),
        (0, 0, 0, 0, 1),
        "run once, dropped, not retried"
    );
}

fn stats(caps: &Capabilities) -> Stats {
    caps.queue.store().stats(caps.app_now_ms()).unwrap()
}

async fn queue_figures(host: &Host) -> Value {
    get_json(&format!("{}/_sandbox/queue", host.base)).await
}

/// Validates: jobs a stopped host left in its data dir — one waiting, one it had taken — are
/// run by the next host on that data dir at once (not after the 5 min visibility timeout), and
/// `/_sandbox/queue` reports them; the totals survive the restart.
#[tokio::test]
async fn jobs_left_by_a_stopped_host_run_after_a_restart() {
    let dir = TempDir::new("queue-restart");
    let host = Host::start_with(&dir.0, &["--queue-workers", "1"]);
    assert!(host.printed("job queue:").starts_with("1 worker"), "{:?}", host.stdout);
    let empty = json!({"pending": 0, "due": 0, "taken": 0, "retried": 0, "done": 0, "dropped": 0});
    assert_eq!(queue_figures(&host).await, empty);
    host.stop();

    // What a host killed mid-run leaves behind: a waiting job and one taken by its process.
    {
        let earlier = Queue::open(&dir.0.join("kv.sqlite"), "a-killed-process").unwrap();
        let now = now_ms();
        earlier.push(UNKNOWN_QUEUE, "{}", 0, now).unwrap();
        earlier
            .store()
            .take_due(now)
            .unwrap()
            .expect("taken by the earlier process");
        earlier.push(UNKNOWN_QUEUE, "{}", 0, now).unwrap();
    }

    let host = Host::start(&dir.0);
    let started = Instant::now();
    let figures = loop {
        let figures = queue_figures(&host).await;
        if figures["dropped"] == 2 {
            break figures;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{figures}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        figures,
        json!({"pending": 0, "due": 0, "taken": 0, "retried": 0, "done": 0, "dropped": 2})
    );
    host.stop();

    let host = Host::start(&dir.0);
    assert_eq!(
        queue_figures(&host).await["dropped"],
        2,
        "totals are kept in the data dir"
    );
}

/// Validates: the queue's connection to `kv.sqlite` leaves the KV's intact, so another process
/// reading the data dir while the host runs (as tests and `send-sample` do) neither hides nor
/// loses the host's later writes: a job it pushes runs, and the total the host writes is read.
#[tokio::test]
async fn another_process_sees_the_hosts_writes_while_it_runs() {
    let dir = TempDir::new("queue-shared");
    let host = Host::start(&dir.0);
    let db = dir.0.join("kv.sqlite");
    // Opened and closed while the host has the database open.
    let instance = Kv::open(&db)
        .unwrap()
        .get(
            pam_approvals_host::kv::Table::Values,
            pam_approvals_host::process_instance::KEY,
        )
        .unwrap();
    assert!(instance.is_some());
    {
        // A pusher of its own instance: the host is idle, so no take of its is freed.
        let pusher = Queue::open(&db, "another-process").unwrap();
        pusher.push(UNKNOWN_QUEUE, "{}", 0, now_ms()).unwrap();
    }
    let started = Instant::now();
    while queue_figures(&host).await["dropped"] != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the host never ran the job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dropped: u64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT n FROM job_totals WHERE name = 'dropped'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(dropped, 1, "the host's write is in the file others read");
    host.stop();
}

/// Validates: the queue's figures are a sandbox control: absent against a real site.
#[tokio::test]
async fn the_queue_figures_exist_only_in_sandbox_mode() {
    let dir = TempDir::new("queue-site");
    let host = Host::start_against_site(&dir.0, "https://site.invalid", &[]);
    let response = client()
        .get(format!("{}/_sandbox/queue", host.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

/// Validates: `--queue-workers` takes 1 to 64; 0 is refused before the host starts.
#[test]
fn zero_queue_workers_is_refused() {
    let dir = TempDir::new("queue-zero");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
        .args([
            "serve",
            "--sandbox",
            "--listen",
            "127.0.0.1:0",
            "--queue-workers",
            "0",
            "--data-dir",
        ])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--queue-workers"), "{stderr}");
}
