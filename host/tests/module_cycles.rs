//! Validates: in the host, the sandboxes, the contracts check and the core, no two top-level modules of a
//! crate import each other, directly or through others (`crate::<module>` paths, `use crate::{..}`
//! groups included), so each crate's modules form layers that can be read and split bottom up.
//! A failure names the cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates checked, as `src` folders relative to the host's manifest (`..` is the core).
const CRATES: [&str; 5] = [".", "../sandboxes", "../contracts-check", "../manifest-facts", ".."];

#[test]
fn top_level_modules_import_each_other_in_no_cycle() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in CRATES {
        let src = manifest.join(krate).join("src");
        let graph = module_graph(&src);
        assert!(
            // The contracts check and the manifest facts are one file each.
            !graph.is_empty() || krate.contains("contracts") || krate.contains("manifest"),
            "no modules found in {}",
            src.display()
        );
        if let Some(cycle) = find_cycle(&graph) {
            panic!(
                "{}: the top-level modules import each other in a cycle: {}",
                src.display(),
                cycle.join(" → ")
            );
        }
    }
}

#[test]
fn a_cycle_is_found_and_named() {
    let graph: Graph = [
        ("a", &["b"][..]),
        ("b", &["c"][..]),
        ("c", &["a"][..]),
        ("d", &["a"][..]),
    ]
    .into_iter()
    .map(|(from, to)| (from.to_string(), to.iter().map(|t| t.to_string()).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let layered: Graph = [("a", &["b"][..]), ("b", &[][..])]
        .into_iter()
        .map(|(from, to)| (from.to_string(), to.iter().map(|t| t.to_string()).collect()))
        .collect();
    assert_eq!(find_cycle(&layered), None);
    assert_eq!(
        referenced_modules(
            "use crate::{kv::{Kv, Table}, outbound};\nlet x = crate::clock::now_ms();\n// crate::ignored"
        ),
        ["clock", "kv", "outbound"]
            .map(String::from)
            .into_iter()
            .collect::<BTreeSet<_>>()
    );
}

/// Top-level module → the top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Test code (test files, test folders, inline `mod tests`, the core's test world) may reach
/// across layers; the graph is of the code a deployment runs.
fn test_only(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    stem == "tests" || stem.ends_with("_tests") || stem.starts_with("testkit")
}

/// The graph of `src`'s top-level modules: `<name>.rs` and `<name>/` (crate roots excluded).
fn module_graph(src: &Path) -> Graph {
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("reading src").flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
            continue;
        };
        if test_only(&path) {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, files.entry(stem).or_default());
        } else if path.extension().is_some_and(|e| e == "rs") && stem != "lib" && stem != "main" {
            files.entry(stem).or_default().push(path);
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(module, paths)| {
            let named = paths
                .iter()
                .flat_map(|path| referenced_modules(&std::fs::read_to_string(path).expect("reading a module")))
                .filter(|other| other != module && modules.contains(other))
                .collect();
            (module.clone(), named)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading a module folder").flatten() {
        let path = entry.path();
        if test_only(&path) {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first segments of the `crate::` paths in `source`, comment lines skipped.
fn referenced_modules(source: &str) -> BTreeSet<String> {
    // An inline test module closes the file by convention.
    let source = source.split("\n#[cfg(test)]\nmod tests").next().unwrap_or_default();
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        // `$crate::` and `pam_crate::` are other crates' paths.
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => named.extend(group_heads(group)),
            None => named.extend(identifier(rest)),
        }
    }
    named
}

/// The first segment of every path in a `use crate::{...}` group (`group` starts after `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expecting = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expecting = true,
            c if expecting && depth == 0 && !c.is_whitespace() => {
                heads.extend(identifier(&group[i..]));
                expecting = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> Option<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_string())
}

/// A cycle as `a → b → … → a`, if the graph has one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let start = path.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, marks, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node)
            && let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}
