//! The data dir (`--data-dir`) holds the app's KV storage and secrets, the sandbox credentials
//! and the sandboxes' databases: only the owner may read it. The dir is 0700, every file the
//! host writes in it 0600, with no window in which another user could open one: the process
//! umask is 077 before anything is created, and the files are created with mode 0600 before
//! SQLite opens them (SQLite gives its `-wal`/`-shm`/`-journal` files the database's mode).
//! A data dir or host file left group/world accessible by an older version is tightened, with a
//! log line saying so.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// The files the host keeps in the data dir (each with SQLite's `-wal`, `-shm`, `-journal`).
pub const HOST_FILES: [&str; 4] = [
    "kv.sqlite",
    "sandbox-credentials.json",
    "sandbox-jira.sqlite",
    "sandbox-epm.sqlite",
];

/// True for a file name the host writes: one of [`HOST_FILES`] or a SQLite companion of one.
pub fn is_host_file(name: &str) -> bool {
    HOST_FILES.iter().any(|file| {
        name.strip_prefix(file)
            .is_some_and(|rest| rest.is_empty() || ["-wal", "-shm", "-journal"].contains(&rest))
    })
}

/// From now on the process creates files and directories for its user only (umask 077).
pub fn private_umask() {
    #[cfg(unix)]
    // SAFETY: umask(2) only replaces the process's file mode creation mask; it cannot fail and
    // touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

/// Sets the private umask, then creates `dir` with mode 0700, or makes an existing one 0700
/// (saying so) and tightens the host's files in it to 0600.
pub fn prepare(dir: &Path) -> Result<()> {
    private_umask();
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(dir),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
        Ok(meta) if !meta.is_dir() => bail!("the data dir {} is not a directory", dir.display()),
        Ok(meta) => {
            tighten_dir(dir, &meta)?;
            tighten_files(dir)
        }
    }
}

#[cfg(unix)]
fn create(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    // Whatever the umask was, the dir itself is 0700.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))
}

#[cfg(not(unix))]
fn create(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

#[cfg(unix)]
fn tighten_dir(dir: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    let ours = meta.uid() == unsafe { libc::geteuid() };
    let shared = mode & 0o1000 != 0;
    if !ours || shared {
        // A shared directory (/tmp, someone else's): never change it; the host's files in it
        // are still 0600.
        tracing::warn!(
            "the data dir {} is accessible to other users (mode {mode:04o}) and is not this user's own private directory; its files are created 0600, but choose a private --data-dir",
            dir.display()
        );
        return Ok(());
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))?;
    tracing::warn!(
        "the data dir {} was accessible to other users (mode {mode:04o}); changed it to 0700",
        dir.display()
    );
    Ok(())
}

#[cfg(not(unix))]
fn tighten_dir(_dir: &Path, _meta: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// The host's files already in the dir (from an older version) become 0600; other files are
/// left alone.
fn tighten_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if entry.file_name().to_str().is_some_and(is_host_file) {
            make_private(&entry.path())?;
        }
    }
    Ok(())
}

/// A regular file (not a symlink) that is group/world accessible becomes 0600, with a log line.
fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
        let mode = meta.mode() & 0o7777;
        if meta.is_file() && mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("making {} private", path.display()))?;
            tracing::warn!(
                "{} was accessible to other users (mode {mode:04o}); changed it to 0600",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `path` empty with mode 0600 if it does not exist, or makes it 0600: call before
/// SQLite opens a database file, so the database and its companions are private from their
/// first byte.
pub fn private_file(path: &Path) -> Result<()> {
    // An existing file is never opened here: closing any descriptor of a file drops every POSIX
    // lock this process holds on it, SQLite's included, so a second connection to a database
    // this process has open (the job queue's, beside the KV's) would break the first one's WAL.
    let exists = path
        .try_exists()
        .with_context(|| format!("reading {}", path.display()))?;
    if !exists {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(_) => {}
            // Created meanwhile by someone else: made private below like any existing file.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    make_private(path)
}

/// Writes `text` to `path`, creating it 0600 (an existing file is made 0600 before it is
/// truncated and written).
pub fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    private_file(path)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_files_and_their_companions_are_known_others_are_not() {
        for name in [
            "kv.sqlite",
            "kv.sqlite-wal",
            "kv.sqlite-shm",
            "kv.sqlite-journal",
            "sandbox-credentials.json",
            "sandbox-jira.sqlite-wal",
            "sandbox-epm.sqlite",
        ] {
            assert!(is_host_file(name), "{name}");
        }
        for name in ["notes.txt", "kv.sqlite.bak", "kv.sqlite-other", "kv", ".bashrc"] {
            assert!(!is_host_file(name), "{name}");
        }
    }
}
