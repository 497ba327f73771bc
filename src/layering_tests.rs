//! The import rules of the core's folders, read from the sources: the leaves (configuration
//! shapes, checks, access, auth, Jira calls, jobs, storage, the lifecycle) never import a
//! provider or the configuration page; a provider never imports another provider or `admin`.
//! (`lifecycle/tests.rs` holds the lifecycle's own, stricter rule.)

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (or `dir` itself when it is a file).
fn sources(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The crate paths (`crate::a::b`, `crate::{a, b}`, `super::super::x`) a file names, with the
/// line they start on; a `use` spread over lines counts as one.
fn crate_paths(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut found = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let (start, mut statement) = match open.take() {
            Some((start, so_far)) => (start, so_far + " " + code),
            None => (n + 1, code.to_string()),
        };
        if (statement.trim_start().starts_with("use ") || statement.trim_start().starts_with("pub use "))
            && !statement.contains(';')
        {
            open = Some((start, statement));
            continue;
        }
        if statement.contains("crate::") || statement.contains("super::super") {
            found.push((start, std::mem::take(&mut statement)));
        }
    }
    found
}

fn src(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(relative)
}

/// The first place where a file under `root` names one of `forbidden` (`a::b` sequences) in a
/// crate path, as "file:line imports `name`: code".
fn violation(root: &Path, forbidden: &[String]) -> Option<String> {
    let files = sources(root);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    for file in files {
        for (n, code) in crate_paths(&file) {
            let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
            let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            for name in forbidden {
                let found = compact.match_indices(name.as_str()).any(|(i, _)| {
                    !is_word(compact[..i].chars().last()) && !is_word(compact[i + name.len()..].chars().next())
                });
                if found {
                    return Some(format!("{}:{n} imports `{name}`: {}", file.display(), code.trim()));
                }
            }
        }
    }
    None
}

#[test]
fn leaves_never_import_a_provider_or_the_configuration_page() {
    let forbidden = ["providers".to_string(), "admin".to_string()];
    for leaf in [
        "config",
        "access.rs",
        "auth.rs",
        "jira",
        "jobs",
        "store",
        "resolver.rs",
        "caps.rs",
        "lifecycle",
        "text.rs",
    ] {
        assert_eq!(violation(&src(leaf), &forbidden), None);
    }
}

#[test]
fn a_provider_never_imports_another_provider_or_admin() {
    for provider in crate::providers::ALL {
        let mut forbidden = vec!["admin".to_string(), "dispatch".to_string()];
        forbidden.extend(
            crate::providers::ALL
                .iter()
                .filter(|other| other.name != provider.name)
                .map(|other| format!("providers::{}", other.name)),
        );
        assert_eq!(
            violation(&src(&format!("providers/{}", provider.name)), &forbidden),
            None
        );
    }
}

/// The rule finds a name in a `use` spread over lines, and not inside a longer name.
#[test]
fn the_rule_sees_paths_over_lines_and_not_longer_names() {
    let dir = std::env::temp_dir().join(format!("pam-layering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let forbidden = ["admin".to_string()];
    std::fs::write(
        dir.join("a.rs"),
        "use crate::{caps, administer};\nuse crate::providers::epm;\n",
    )
    .unwrap();
    let clean = violation(&dir, &forbidden);
    std::fs::write(dir.join("b.rs"), "pub use crate::{caps,\n    admin::resolvers};\n").unwrap();
    let dirty = violation(&dir, &forbidden);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(clean, None);
    assert!(
        dirty.as_deref().is_some_and(|v| v.contains("b.rs:1 imports `admin`")),
        "a braced path over lines is caught: {dirty:?}"
    );
}
