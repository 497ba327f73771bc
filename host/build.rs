//! Builds the app component (the core for wasm32, wrapped by wit-component) and embeds it, so
//! `cargo run -p pam-approvals-host` needs nothing built beforehand. `PAM_COMPONENT` may name
//! a ready component file instead.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("pam-approvals.wasm");
    println!("cargo:rerun-if-env-changed=PAM_COMPONENT");
    if let Some(path) = std::env::var_os("PAM_COMPONENT").filter(|p| !p.is_empty()) {
        println!("cargo:rerun-if-changed={}", PathBuf::from(&path).display());
        std::fs::copy(&path, &out).expect("copying PAM_COMPONENT");
        return;
    }
    let workspace =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("..");
    for input in ["src", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }
    let target_dir = workspace.join("target").join("component-build");
    match componentize::build_component(&workspace, &target_dir) {
        Ok(bytes) => std::fs::write(&out, bytes).expect("writing the component"),
        Err(e) => panic!("building the app component failed: {e:#}"),
    }
}
