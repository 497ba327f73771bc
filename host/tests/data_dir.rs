//! End to end: the data dir holds secrets, so the host makes it 0700 and every file it writes
//! there 0600 — a fresh dir from its first byte, and a dir left group/world readable by an older
//! version is tightened. The tests run the host under a permissive umask (022), as a shell
//! usually has, so that they fail whenever the host relies on the umask it inherits.

#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::*;

/// The umask a login shell usually has; the host must not depend on it. Set before the host
/// is spawned (the child inherits it).
fn permissive_umask() {
    // SAFETY: umask(2) only replaces the process's file mode creation mask.
    unsafe {
        libc::umask(0o022);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Every entry under `dir`, recursively, with its mode (names relative to `dir`).
fn entries(dir: &Path) -> Vec<(String, u32, bool)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read_dir") {
            let path = entry.expect("entry").path();
            let is_dir = path.is_dir();
            let name = path.strip_prefix(dir).expect("under dir").display().to_string();
            found.push((name, mode(&path), is_dir));
            if is_dir {
                pending.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The dir is 0700 and everything in it 0700 (dirs) or 0600 (files), except `untouched`.
fn assert_private(dir: &Path, untouched: &[&str], when: &str) {
    assert_eq!(mode(dir), 0o700, "{when}: the data dir {}", dir.display());
    for (name, mode, is_dir) in entries(dir) {
        if untouched.contains(&name.as_str()) {
            continue;
        }
        let expected = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(mode, expected, "{when}: {name} is {mode:04o}, not {expected:04o}");
    }
}

fn names(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().map(|(name, ..)| name).collect()
}

/// Validates: on a data dir that does not exist yet, the host creates it 0700, and every file it
/// writes there (kv.sqlite with its -wal and -shm, the sandbox credentials, the sandboxes'
/// databases) is 0600, while it runs (after a webhook has written through the WAL) and after
/// it stops.
#[tokio::test]
async fn a_new_data_dir_and_every_file_in_it_are_private() {
    permissive_umask();
    let temp = TempDir::new("private-new");
    let data = temp.0.join("nested").join("data");
    let host = Host::start(&data);
    let (status, answer) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{answer}");

    let present = names(&data);
    for expected in [
        "kv.sqlite",
        "kv.sqlite-wal",
        "kv.sqlite-shm",
        "sandbox-credentials.json",
        "sandbox-jira.sqlite",
        "sandbox-epm.sqlite",
    ] {
        assert!(present.iter().any(|n| n == expected), "{expected} missing: {present:?}");
    }
    assert_private(&data, &[], "while running");
    assert_eq!(mode(&temp.0.join("nested")), 0o700, "a parent the host created");

    // send-sample opens kv.sqlite too (for the stored credentials).
    let sample = std::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
        .args(["send-sample", "--url"])
        .arg(host.webhook_url())
        .arg("--data-dir")
        .arg(&data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("send-sample");
    assert!(sample.status.success(), "{}", String::from_utf8_lossy(&sample.stderr));

    assert!(host.stop().success());
    assert_private(&data, &[], "after stopping");
}

/// Validates: a data dir an older version left readable by others (0755, its files 0644) is
/// made 0700 and the host's files 0600 at start-up; a file that is not the host's is left as
/// it was.
#[tokio::test]
async fn a_data_dir_readable_by_others_is_tightened() {
    permissive_umask();
    let temp = TempDir::new("private-old");
    let data = temp.0.join("data");
    std::fs::create_dir(&data).expect("data dir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // An empty file is an empty SQLite database.
    std::fs::write(data.join("kv.sqlite"), "").expect("kv.sqlite");
    std::fs::write(
        data.join("sandbox-credentials.json"),
        r#"{"user": "pam-webhook", "password": "old-password", "epmClientSecret": "old-secret"}"#,
    )
    .expect("credentials");
    std::fs::write(data.join("notes.txt"), "mine").expect("notes");
    for file in ["kv.sqlite", "sandbox-credentials.json", "notes.txt"] {
        std::fs::set_permissions(data.join(file), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }

    let host = Host::start(&data);
    assert_private(&data, &["notes.txt"], "after start-up");
    assert_eq!(mode(&data.join("notes.txt")), 0o644, "not the host's file");
    drop(host);
}
