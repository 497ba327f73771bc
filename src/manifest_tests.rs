//! The facts of `manifest.yml` that the core and the Forge shell also name must agree: web
//! trigger keys, scheduled trigger keys, the job queue, egress, the resolvers the shell defines,
//! and the handlers the manifest's functions point at.

use std::collections::BTreeSet;

use pam_manifest::Manifest;

use crate::dispatch::resolver_names;
use crate::providers::ALL;

const SHELL_RESOLVER: &str = include_str!("forge/resolver.js");
const SHELL_INDEX: &str = include_str!("index.js");

fn manifest() -> &'static Manifest {
    pam_manifest::app()
}

fn set(items: impl IntoIterator<Item = impl ToString>) -> BTreeSet<String> {
    items.into_iter().map(|item| item.to_string()).collect()
}

fn declared(list: impl Fn(&crate::providers::Provider) -> &'static [&'static str]) -> BTreeSet<String> {
    ALL.iter().flat_map(|p| list(p).iter().map(|s| s.to_string())).collect()
}

/// The quoted strings of the array literal `const <name> = [...]` / `export const <name> = [...]`.
fn js_string_array(source: &str, name: &str) -> BTreeSet<String> {
    let start = source
        .find(&format!("{name} = ["))
        .unwrap_or_else(|| panic!("no array {name} in the shell"));
    let body = &source[start + name.len() + 4..];
    let body = &body[..body.find(']').expect("the array ends")];
    body.split(',')
        .map(|item| item.trim().trim_matches(['\'', '"']).to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn web_triggers_and_ticks_are_the_manifests() {
    let manifest = manifest();
    assert_eq!(
        declared(|p| p.web_triggers),
        set(&manifest.web_triggers),
        "web trigger keys: provider table vs manifest.yml"
    );
    assert_eq!(
        declared(|p| p.ticks),
        set(manifest.scheduled_triggers.iter().map(|t| &t.key)),
        "scheduled trigger keys: provider table vs manifest.yml"
    );
    assert_eq!(set(&manifest.queues), set([crate::jobs::QUEUE]), "the job queue");
    assert_eq!(
        js_string_array(SHELL_RESOLVER, "WEB_TRIGGERS"),
        set(&manifest.web_triggers),
        "the web triggers whose URLs the shell gives the configuration page"
    );
}

#[test]
fn egress_is_the_manifests() {
    assert_eq!(declared(|p| p.egress), set(&manifest().egress));
}

/// @forge/resolver answers only the names the shell defines: every core resolver must be one,
/// and the shell must define none the core does not answer.
#[test]
fn the_shell_defines_exactly_the_core_resolvers() {
    let core: BTreeSet<String> = resolver_names().into_iter().map(String::from).collect();
    assert_eq!(js_string_array(SHELL_RESOLVER, "RESOLVER_NAMES"), core);
}

/// Each function's `handler: index.<name>` is exported by the shell's `src/index.js`.
#[test]
fn every_handler_is_exported_by_the_shell() {
    let handlers = &manifest().functions;
    assert!(!handlers.is_empty());
    for (_, handler) in handlers {
        let name = handler.strip_prefix("index.").expect("handlers live in index.js");
        let exported = [
            format!("export const {name} ="),
            format!("export async function {name}("),
        ]
        .iter()
        .any(|form| SHELL_INDEX.contains(form.as_str()));
        assert!(
            exported,
            "src/index.js does not export {name} (manifest handler {handler})"
        );
    }
}

/// A web trigger's or scheduled trigger's handler runs the core with that module's key (the
/// shell's handlers name it: `answerWebTrigger('epm-webhook', ...)`, `runTick('epm-expiry')`).
#[test]
fn each_trigger_handler_passes_its_own_module_key() {
    let manifest = manifest();
    let keys = manifest
        .web_triggers
        .iter()
        .chain(manifest.scheduled_triggers.iter().map(|t| &t.key));
    for key in keys {
        let handler = manifest.handler_of(key).expect("a trigger runs a function");
        let name = handler.strip_prefix("index.").expect("handlers live in index.js");
        let line = SHELL_INDEX
            .lines()
            .find(|line| line.starts_with(&format!("export const {name} =")))
            .unwrap_or_else(|| panic!("src/index.js has no one-line handler {name}"));
        assert!(
            line.contains(&format!("'{key}'")),
            "{name} does not run module {key}: {line}"
        );
    }
}

#[test]
fn the_array_reader_reads_what_the_shell_writes() {
    let source = "export const X = ['a.b', \"c\",\n  'd'];";
    assert_eq!(
        js_string_array(source, "X"),
        BTreeSet::from(["a.b".to_string(), "c".to_string(), "d".to_string()])
    );
}
