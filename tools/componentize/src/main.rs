//! `cargo run -p componentize -- [OUT]`: builds the component and writes it (default
//! `target/component/pam-approvals.wasm`), printing its size.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target/component/pam-approvals.wasm"));
    let component = componentize::build_component(&workspace, &workspace.join("target/component-build"))?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, &component)?;
    println!("component: {} ({} bytes)", out.display(), component.len());
    Ok(())
}
