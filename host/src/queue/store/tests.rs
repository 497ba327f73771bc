//! The jobs table on its own: due times, atomic takes, settling, and what a restart keeps.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::*;

const NOW: u64 = 1_700_000_000_000;

/// A temp dir removed on drop, holding a `kv.sqlite` as the host's data dir does.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("pam-jobs-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("kv.sqlite")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn memory() -> JobStore {
    JobStore::open(Path::new(":memory:"), "this").unwrap()
}

/// Validates: a delayed job stays hidden until its due time, then comes out once, attempt 0.
#[test]
fn a_delayed_job_is_not_taken_before_it_is_due() {
    let store = memory();
    let id = store.push("pam-jobs", r#"{"kind":"a"}"#, NOW + 5_000, NOW).unwrap();
    assert_eq!(store.take_due(NOW).unwrap(), None);
    assert_eq!(store.take_due(NOW + 4_999).unwrap(), None);
    assert_eq!(store.next_due().unwrap(), Some(NOW + 5_000));
    let job = store.take_due(NOW + 5_000).unwrap().expect("due now");
    assert_eq!(
        (job.id, job.queue.as_str(), job.payload.as_str(), job.attempt),
        (id, "pam-jobs", r#"{"kind":"a"}"#, 0)
    );
    assert_eq!(store.take_due(NOW + 5_000).unwrap(), None, "taken once");
}

/// Validates: jobs come out in due order (then push order), not in push order alone.
#[test]
fn the_earliest_due_job_comes_first() {
    let store = memory();
    store.push("q", "late", NOW + 2_000, NOW).unwrap();
    store.push("q", "first", NOW, NOW).unwrap();
    store.push("q", "second", NOW, NOW).unwrap();
    let order: Vec<String> = std::iter::from_fn(|| store.take_due(NOW + 2_000).unwrap())
        .map(|job| job.payload)
        .collect();
    assert_eq!(order, ["first", "second", "late"]);
}

/// Validates: concurrent takers on two connections and several threads each get distinct jobs,
/// and together all of them.
#[test]
fn concurrent_takers_never_get_the_same_job() {
    let dir = Dir::new("takers");
    let pushed: HashSet<i64> = {
        let store = JobStore::open(&dir.db(), "this").unwrap();
        (0..200)
            .map(|i| store.push("q", &i.to_string(), NOW, NOW).unwrap())
            .collect()
    };
    let stores = [
        Arc::new(JobStore::open(&dir.db(), "this").unwrap()),
        Arc::new(JobStore::open(&dir.db(), "this").unwrap()),
    ];
    let threads: Vec<_> = (0..6)
        .map(|n| {
            let store = stores[n % 2].clone();
            std::thread::spawn(move || {
                let mut taken = Vec::new();
                while let Some(job) = store.take_due(NOW).unwrap() {
                    taken.push(job.id);
                }
                taken
            })
        })
        .collect();
    let all: Vec<i64> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "a job was taken twice");
    assert_eq!(distinct, pushed);
}

/// Validates: a retry frees the job with attempt + 1, due `after` later, and counts it; a host
/// failure is counted apart.
#[test]
fn a_retry_comes_back_later_with_the_next_attempt() {
    let store = memory();
    store.push("q", "p", NOW, NOW).unwrap();
    let job = store.take_due(NOW).unwrap().unwrap();
    assert!(store.retry(&job, NOW + 60_000, false).unwrap());
    assert_eq!(store.take_due(NOW + 59_999).unwrap(), None);
    let again = store.take_due(NOW + 60_000).unwrap().expect("due again");
    assert_eq!((again.id, again.attempt, again.host_failures), (job.id, 1, 0));
    assert!(store.retry(&again, NOW + 90_000, true).unwrap());
    let third = store.take_due(NOW + 90_000).unwrap().unwrap();
    assert_eq!((third.attempt, third.host_failures), (2, 1));
    assert_eq!(store.stats(NOW + 90_000).unwrap().retried, 2);
}

/// Validates: finishing deletes the job and counts done or dropped.
#[test]
fn finishing_deletes_the_job() {
    let store = memory();
    store.push("q", "a", NOW, NOW).unwrap();
    store.push("q", "b", NOW, NOW).unwrap();
    let a = store.take_due(NOW).unwrap().unwrap();
    let b = store.take_due(NOW).unwrap().unwrap();
    assert!(store.finish(&a, End::Done).unwrap());
    assert!(store.finish(&b, End::Dropped).unwrap());
    assert_eq!(store.next_due().unwrap(), None, "the table is empty");
    let later = NOW + 10 * VISIBILITY_MS;
    assert_eq!(
        store.take_due(later).unwrap(),
        None,
        "not even after a visibility timeout"
    );
    let stats = store.stats(later).unwrap();
    assert_eq!((stats.pending, stats.taken, stats.done, stats.dropped), (0, 0, 1, 1));
}

/// Validates: a taken job is hidden for the visibility timeout, then redelivered (attempt + 1);
/// the first take can then settle nothing.
#[test]
fn an_abandoned_take_is_redelivered_after_the_visibility_timeout() {
    let store = memory();
    store.push("q", "p", NOW, NOW).unwrap();
    let first = store.take_due(NOW).unwrap().unwrap();
    assert_eq!(store.take_due(NOW + VISIBILITY_MS - 1).unwrap(), None);
    let stats = store.stats(NOW + 1).unwrap();
    assert_eq!((stats.pending, stats.due, stats.taken), (0, 0, 1));
    let second = store.take_due(NOW + VISIBILITY_MS).unwrap().expect("free again");
    assert_eq!((second.id, second.attempt), (first.id, 1));
    assert!(!store.finish(&first, End::Done).unwrap(), "the old take lost the job");
    assert!(!store.retry(&first, NOW, false).unwrap());
    assert!(store.finish(&second, End::Done).unwrap());
    assert_eq!(store.stats(NOW + VISIBILITY_MS).unwrap().done, 1);
}

/// Validates: jobs an earlier process took are free as soon as the next one opens the store
/// (as a redelivery), while its own takes and the totals are kept.
#[test]
fn jobs_taken_by_an_earlier_process_are_free_at_start() {
    let dir = Dir::new("restart");
    {
        let old = JobStore::open(&dir.db(), "old").unwrap();
        old.push("q", "taken", NOW, NOW).unwrap();
        old.push("q", "done", NOW, NOW).unwrap();
        old.take_due(NOW).unwrap().unwrap();
        let done = old.take_due(NOW).unwrap().unwrap();
        old.finish(&done, End::Done).unwrap();
    }
    let new = JobStore::open(&dir.db(), "new").unwrap();
    let stats = new.stats(NOW).unwrap();
    assert_eq!((stats.pending, stats.due, stats.taken, stats.done), (1, 1, 0, 1));
    let job = new.take_due(NOW).unwrap().expect("free at once, not after the timeout");
    assert_eq!((job.payload.as_str(), job.attempt), ("taken", 1));
    // A second store of the same process (same id) leaves that take alone.
    let same = JobStore::open(&dir.db(), "new").unwrap();
    assert_eq!(same.stats(NOW).unwrap().taken, 1);
}

/// Validates: a pushed job survives closing the database and is taken by the next instance;
/// the file stays private.
#[test]
fn a_pushed_job_survives_a_reopen() {
    let dir = Dir::new("reopen");
    {
        let first = JobStore::open(&dir.db(), "first").unwrap();
        first.push("pam-jobs", "kept", NOW, NOW).unwrap();
    }
    let store = JobStore::open(&dir.db(), "second").unwrap();
    let job = store.take_due(NOW).unwrap().expect("still there");
    assert_eq!((job.payload.as_str(), job.attempt), ("kept", 0));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.db()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// Validates: the store shares the KV's database file without disturbing it.
#[test]
fn the_jobs_live_beside_the_kv() {
    let dir = Dir::new("beside");
    let kv = crate::kv::Kv::open(&dir.db()).unwrap();
    kv.set(crate::kv::Table::Values, "k", "v").unwrap();
    let store = JobStore::open(&dir.db(), "this").unwrap();
    store.push("q", "p", NOW, NOW).unwrap();
    assert_eq!(kv.get(crate::kv::Table::Values, "k").unwrap().as_deref(), Some("v"));
    assert_eq!(store.stats(NOW).unwrap().pending, 1);
}
