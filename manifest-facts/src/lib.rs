//! `manifest.yml`, read once: the facts the local host, the sandbox Jira and the core's tests
//! take from it instead of typing them again. The file is embedded at build time
//! (`include_str!`), so a changed manifest rebuilds its users.

use std::sync::LazyLock;

use yaml_rust2::{Yaml, YamlLoader};

/// The repository's manifest, as built in.
pub const MANIFEST_YML: &str = include_str!("../../manifest.yml");

/// A `scheduledTrigger` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledTrigger {
    pub key: String,
    /// Forge's interval name: `fiveMinute`, `hour`, `day` or `week`.
    pub interval: String,
}

impl ScheduledTrigger {
    /// The interval in seconds, as Forge runs it.
    pub fn interval_secs(&self) -> Option<u64> {
        Some(match self.interval.as_str() {
            "fiveMinute" => 300,
            "hour" => 3_600,
            "day" => 86_400,
            "week" => 604_800,
            _ => return None,
        })
    }
}

/// A `jira:issueAction` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueAction {
    pub key: String,
    pub title: String,
    /// The Custom UI resource it opens (`resources[].key`).
    pub resource: String,
    /// `displayConditions.entityPropertyExists.propertyKey` on the issue, when it has one.
    pub shown_where_property: Option<String>,
}

/// The facts the app's code relies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `webtrigger` module keys.
    pub web_triggers: Vec<String>,
    pub scheduled_triggers: Vec<ScheduledTrigger>,
    pub issue_actions: Vec<IssueAction>,
    /// `jira:adminPage` titles.
    pub admin_pages: Vec<String>,
    /// The queues of the `consumer` modules.
    pub queues: Vec<String>,
    /// `permissions.external.fetch.backend` addresses.
    pub egress: Vec<String>,
    /// `function` modules: (key, handler).
    pub functions: Vec<(String, String)>,
    /// The function each `webtrigger` and `scheduledTrigger` module runs: (module key, function
    /// key).
    pub trigger_functions: Vec<(String, String)>,
}

impl Manifest {
    /// The handler (`index.<name>`) of the function a trigger module runs.
    pub fn handler_of(&self, module_key: &str) -> Option<&str> {
        let (_, function) = self.trigger_functions.iter().find(|(key, _)| key == module_key)?;
        let (_, handler) = self.functions.iter().find(|(key, _)| key == function)?;
        Some(handler)
    }
}

/// The built-in manifest. A malformed one fails the first use (and this crate's test).
pub fn app() -> &'static Manifest {
    static APP: LazyLock<Manifest> =
        LazyLock::new(|| parse(MANIFEST_YML).unwrap_or_else(|e| panic!("manifest.yml: {e}")));
    &APP
}

/// Reads the facts from a manifest's text; the message names what is missing.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let root = docs.first().ok_or("empty document")?;
    let modules = &root["modules"];
    let list = |module: &str| -> Vec<Yaml> { modules[module].as_vec().cloned().unwrap_or_default() };
    let text_of = |entry: &Yaml, field: &str, module: &str| -> Result<String, String> {
        entry[field]
            .as_str()
            .map(String::from)
            .ok_or_else(|| format!("a {module} module has no {field}"))
    };
    let keys = |module: &str, field: &str| -> Result<Vec<String>, String> {
        list(module).iter().map(|entry| text_of(entry, field, module)).collect()
    };
    let scheduled_triggers = list("scheduledTrigger")
        .iter()
        .map(|entry| {
            Ok(ScheduledTrigger {
                key: text_of(entry, "key", "scheduledTrigger")?,
                interval: text_of(entry, "interval", "scheduledTrigger")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let issue_actions = list("jira:issueAction")
        .iter()
        .map(|entry| {
            let condition = &entry["displayConditions"]["entityPropertyExists"];
            Ok(IssueAction {
                key: text_of(entry, "key", "jira:issueAction")?,
                title: text_of(entry, "title", "jira:issueAction")?,
                resource: text_of(entry, "resource", "jira:issueAction")?,
                shown_where_property: (condition["entity"].as_str() == Some("issue"))
                    .then(|| condition["propertyKey"].as_str().map(String::from))
                    .flatten(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let functions = list("function")
        .iter()
        .map(|entry| {
            Ok((
                text_of(entry, "key", "function")?,
                text_of(entry, "handler", "function")?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let egress = root["permissions"]["external"]["fetch"]["backend"]
        .as_vec()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| {
                    entry["address"]
                        .as_str()
                        .or_else(|| entry.as_str())
                        .map(String::from)
                        .ok_or_else(|| "an egress entry has no address".to_string())
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?
        .unwrap_or_default();
    let mut trigger_functions = Vec::new();
    for module in ["webtrigger", "scheduledTrigger"] {
        for entry in list(module) {
            trigger_functions.push((text_of(&entry, "key", module)?, text_of(&entry, "function", module)?));
        }
    }
    Ok(Manifest {
        trigger_functions,
        web_triggers: keys("webtrigger", "key")?,
        scheduled_triggers,
        issue_actions,
        admin_pages: keys("jira:adminPage", "title")?,
        queues: keys("consumer", "queue")?,
        egress,
        functions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_manifest_has_what_the_code_relies_on() {
        let app = app();
        assert_eq!(app.web_triggers, ["epm-webhook", "pra-ticket", "keeper-alert"]);
        assert_eq!(app.scheduled_triggers[0].key, "epm-expiry");
        assert_eq!(app.scheduled_triggers[0].interval_secs(), Some(300));
        assert_eq!(app.scheduled_triggers[1].key, "keeper-expiry");
        assert_eq!(app.scheduled_triggers[1].interval_secs(), Some(300));
        let action = &app.issue_actions[0];
        assert_eq!(action.title, "Manage JIT Access Request");
        assert_eq!(action.resource, "request");
        assert_eq!(action.shown_where_property.as_deref(), Some("pam-approvals.epm"));
        assert_eq!(app.queues, ["pam-jobs"]);
        assert!(
            app.functions
                .iter()
                .any(|(key, handler)| key == "jobs-fn" && handler == "index.jobs")
        );
        assert_eq!(app.handler_of("epm-webhook"), Some("index.epmWebhook"));
        assert_eq!(app.handler_of("pra-ticket"), Some("index.praTicket"));
        assert_eq!(app.handler_of("epm-expiry"), Some("index.expiryTick"));
        assert_eq!(app.handler_of("nope"), None);
    }

    #[test]
    fn a_module_without_its_key_is_named() {
        let err = parse("modules:\n  webtrigger:\n    - function: f\n").unwrap_err();
        assert_eq!(err, "a webtrigger module has no key");
        assert!(parse("modules: [").unwrap_err().starts_with("not YAML"));
        let bare = parse("modules: {}\n").unwrap();
        assert!(bare.web_triggers.is_empty() && bare.issue_actions.is_empty());
    }
}
