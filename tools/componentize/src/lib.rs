//! Builds the core crate for `wasm32-unknown-unknown` and wraps the module as a WebAssembly
//! component (wit-component, the library behind `wasm-tools component new` and `jco new`).
//! One implementation serves `host/build.rs` and the npm scripts, so both hosts run the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Cargo profile of the component build (size-optimised; see the workspace Cargo.toml).
pub const PROFILE: &str = "component";
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Builds the core module with cargo into `target_dir` and returns its path. The toolchain must
/// have the wasm32 target already: `scripts/setup.sh` adds it (a build script installs nothing).
pub fn build_core(workspace: &Path, target_dir: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args([
            "build",
            "--locked",
            "-p",
            "pam-approvals",
            "--lib",
            "--features",
            "component",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ])
        .arg("--target-dir")
        .arg(target_dir);
    // Settings of an outer cargo (a build script's environment, clippy's wrapper, host flags)
    // must not leak into the wasm build.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let outer = key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_NET_OFFLINE";
        if outer || key.starts_with("RUSTC") || key == "RUSTFLAGS" || key == "RUSTDOCFLAGS" {
            cmd.env_remove(&key);
        }
    }
    let status = cmd.status().context("running cargo for the wasm build")?;
    if !status.success() {
        bail!(
            "cargo build of the core for {TARGET} failed ({status}); if the target is missing, scripts/setup.sh adds it"
        );
    }
    Ok(target_dir.join(TARGET).join(PROFILE).join("pam_approvals.wasm"))
}

/// Wraps a core module built with wit-bindgen into a component and checks it.
pub fn encode(core: &[u8]) -> Result<Vec<u8>> {
    let component = wit_component::ComponentEncoder::default()
        .module(core)
        .context("reading the core module's component type")?
        .validate(true)
        .encode()
        .context("encoding the component")?;
    check_no_imports(&component)?;
    Ok(component)
}

/// The app's world imports nothing callable: every effect is a step the host performs. A stray
/// import (WASI, `env`, wasm-bindgen) would make the component unloadable on Forge, so it fails here.
pub fn check_no_imports(component: &[u8]) -> Result<()> {
    let decoded = wit_component::decode(component).context("decoding the component's WIT")?;
    let wit_component::DecodedWasm::Component(resolve, world) = decoded else {
        bail!("not a component");
    };
    let world = &resolve.worlds[world];
    let mut callable = Vec::new();
    for (key, item) in &world.imports {
        match item {
            wit_parser::WorldItem::Interface { id, .. } if resolve.interfaces[*id].functions.is_empty() => {}
            wit_parser::WorldItem::Type { .. } => {}
            _ => callable.push(resolve.name_world_key(key)),
        }
    }
    if !callable.is_empty() {
        bail!("the component imports {callable:?}; the world must import nothing callable");
    }
    Ok(())
}

/// Builds and encodes: the whole pipeline. Returns the component bytes.
pub fn build_component(workspace: &Path, target_dir: &Path) -> Result<Vec<u8>> {
    let core_path = build_core(workspace, target_dir)?;
    let core = std::fs::read(&core_path).with_context(|| format!("reading {}", core_path.display()))?;
    encode(&core)
}
