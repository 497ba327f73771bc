//! Sizes of what is shipped: the component (as the host embeds it), jco's output for Forge,
//! and the Custom UI's wasm (`static/request/build/*.wasm`, built by scripts/build-ui.sh), raw
//! and gzip -9 (what a browser or a bundle upload would move).

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::paths;

/// One artifact: label, raw bytes, gzip bytes; None when it is not built.
pub struct Size {
    pub label: String,
    pub bytes: Option<(usize, usize)>,
}

pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

fn size(label: impl Into<String>, bytes: Option<Vec<u8>>) -> Size {
    Size {
        label: label.into(),
        bytes: bytes.map(|b| (b.len(), gzip_len(&b))),
    }
}

/// Concatenated files of `dir` whose names end with one of `suffixes` (None: no such file).
fn files(dir: &Path, suffixes: &[&str]) -> Option<Vec<u8>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            suffixes.iter().any(|s| name.ends_with(s))
        })
        .collect();
    entries.sort();
    let mut all = Vec::new();
    for path in &entries {
        all.extend(std::fs::read(path).ok()?);
    }
    (!entries.is_empty()).then_some(all)
}

pub fn measure(component: &[u8]) -> Vec<Size> {
    let jco = paths::work().join("jco");
    vec![
        size(
            "component (`pam-approvals.wasm`, as the host embeds it)",
            Some(component.to_vec()),
        ),
        size("jco output: core wasm modules", files(&jco, &[".wasm"])),
        size("jco output: JS bindings", files(&jco, &[".mjs"])),
        size(
            "UI wasm (`static/request/build/*.wasm`)",
            files(&paths::root().join("static/request/build"), &[".wasm"]),
        ),
    ]
}
