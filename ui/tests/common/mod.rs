//! Keeping the browser tests' fixtures (`tests/browser/fixtures/*.json`) equal to what the core
//! makes: compared here, rewritten with `UPDATE_FIXTURES=1`.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser/fixtures")
}

/// Checks (or, with `UPDATE_FIXTURES` set, writes) each `(name, answer)`; `readable` is the
/// page's own parser, so a fixture the page could not read fails here first.
pub fn check(fixtures: Vec<(&str, Value)>, readable: impl Fn(&str, &Value)) {
    let dir = fixtures_dir();
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    for (name, expected) in fixtures {
        readable(name, &expected);
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).expect("fixtures folder");
            let text = serde_json::to_string_pretty(&expected).expect("JSON") + "\n";
            std::fs::write(&path, text).expect("write fixture");
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_FIXTURES=1)", path.display()));
        let found: Value = serde_json::from_str(&text).expect("fixture is JSON");
        assert_eq!(found, expected, "{name} drifted (run with UPDATE_FIXTURES=1)");
    }
}
