//! The compiled component, kept on disk so that a start after the first skips Cranelift
//! (`<data-dir>/compiled/<component sha-256>-<engine settings hash>.cwasm`). wasmtime's own
//! format: `Component::serialize` writes it, `Component::deserialize_file` maps it back, and
//! itself refuses a file made by another wasmtime version or engine configuration. Anything
//! wrong with the cache (unreadable, refused, unwritable) falls back to compiling: the cache can
//! only make a start faster, never fail it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where the component came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Mapped from the cache file.
    Cache,
    /// Compiled now, and written to the cache.
    Compiled,
    /// Compiled now; the cache could not be used (why), or there is none.
    CompiledOnly(String),
}

/// The cache file of these component bytes for this engine.
pub fn cache_file(dir: &Path, engine: &Engine, bytes: &[u8]) -> PathBuf {
    let component: String = Sha256::digest(bytes)[..16].iter().map(|b| format!("{b:02x}")).collect();
    // Stable within one build of the host, which is all a cache entry must match.
    let mut settings = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    dir.join(format!("{component}-{:016x}.cwasm", settings.finish()))
}

/// The component of `bytes`, from `dir`'s cache when it holds it, else compiled (and cached).
pub fn load(engine: &Engine, bytes: &[u8], dir: Option<&Path>) -> Result<(Component, Source)> {
    let Some(dir) = dir else {
        return Ok((
            compile(engine, bytes)?,
            Source::CompiledOnly("no cache directory".into()),
        ));
    };
    let file = cache_file(dir, engine, bytes);
    let mut why = None;
    if file.exists() {
        // SAFETY: the file is one this host wrote with `Component::serialize` for these bytes
        // and this engine (its name says so), in the data dir, which only this user can write
        // (`data_dir::prepare` makes it 0700). wasmtime checks its version and settings too.
        match unsafe { Component::deserialize_file(engine, &file) } {
            Ok(component) => return Ok((component, Source::Cache)),
            Err(e) => why = Some(format!("the cached component was refused ({e}); compiled again")),
        }
    }
    let component = compile(engine, bytes)?;
    let source = match store(&component, dir, &file) {
        Ok(()) => why.map_or(Source::Compiled, Source::CompiledOnly),
        Err(e) => Source::CompiledOnly(format!("the compiled component could not be cached: {e}")),
    };
    Ok((component, source))
}

fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component> {
    Component::new(engine, bytes).map_err(|e| anyhow!("compiling the component: {e}"))
}

/// Writes the cache file whole (a temporary file renamed over it) and removes older ones.
fn store(component: &Component, dir: &Path, file: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let serialized = component.serialize().map_err(|e| anyhow!("{e}"))?;
    let partial = file.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, serialized)?;
    std::fs::rename(&partial, file)?;
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        if path != file && path.extension().is_some_and(|e| e == "cwasm") {
            // Another component or engine: never used again by this build.
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        Engine::new(&config).unwrap()
    }

    /// The smallest component there is.
    const EMPTY: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn the_second_load_comes_from_the_cache_and_a_broken_file_is_compiled_again() {
        let dir = std::env::temp_dir().join(format!("pam-compiled-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let engine = engine();
        let (_, first) = load(&engine, EMPTY, Some(&dir)).unwrap();
        assert_eq!(first, Source::Compiled);
        let (_, second) = load(&engine, EMPTY, Some(&dir)).unwrap();
        assert_eq!(second, Source::Cache);
        std::fs::write(cache_file(&dir, &engine, EMPTY), b"not a compiled component").unwrap();
        let (_, third) = load(&engine, EMPTY, Some(&dir)).unwrap();
        assert!(
            matches!(&third, Source::CompiledOnly(why) if why.contains("refused")),
            "{third:?}"
        );
        let (_, fourth) = load(&engine, EMPTY, Some(&dir)).unwrap();
        assert_eq!(fourth, Source::Cache, "rewritten");
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(files, 1, "one file per component and engine");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn other_bytes_have_another_file() {
        let engine = engine();
        let dir = Path::new("/tmp/x");
        assert_ne!(
            cache_file(dir, &engine, EMPTY),
            cache_file(dir, &engine, b"\0asm\x0d\0\x01\0 ")
        );
    }
}
