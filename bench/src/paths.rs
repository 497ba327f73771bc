//! Where the benchmarks find the repository and keep their working files.

use std::path::PathBuf;

/// The repository root (the workspace).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Cargo's target folder (`CARGO_TARGET_DIR` when set).
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root().join(dir) })
        .unwrap_or_else(|| root().join("target"))
}

/// Working files of the benchmarks (jco output, scripts, per-part results): `target/bench/`.
pub fn work() -> PathBuf {
    target().join("bench")
}

/// Where criterion keeps its measurements.
pub fn criterion() -> PathBuf {
    target().join("criterion")
}
