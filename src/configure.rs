//! Host provisioning (`invocation::configure`): validates and stores a configuration document
//! and secrets. The local host uses it at start-up; it is not reachable from web triggers or UI.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::caps::Caps;
use crate::config::{self, Config};
use crate::protocol::Outcome;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Document {
    /// Settings to change; others keep their stored (or default) values.
    config: Map<String, Value>,
    secrets: Secrets,
    /// Leave a stored configuration and the stored secrets alone (so a restart does not undo
    /// what an admin changed on the configuration page).
    only_if_unconfigured: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Secrets {
    webhook_username: Option<String>,
    webhook_password: Option<String>,
    client_secret: Option<String>,
}

pub async fn configure(caps: &Caps, document: &str) -> Outcome {
    let document: Document = match serde_json::from_str(document) {
        Ok(d) => d,
        // serde's message can quote a value, and this document carries secrets: say where only.
        Err(e) => {
            return Outcome::Error(format!(
                "configuration document is not valid (line {}, column {}); expected {{\"config\", \"secrets\", \"onlyIfUnconfigured\"}} with string secrets",
                e.line(),
                e.column()
            ));
        }
    };
    let stored = match caps.kv_get(config::CONFIG_KEY).await {
        Ok(stored) => stored,
        Err(e) => return Outcome::Error(format!("could not read the configuration: {e}")),
    };
    let keep_stored = document.only_if_unconfigured && stored.is_some();
    let config = if keep_stored {
        None
    } else {
        let mut merged = match stored.as_deref().map(Config::decode).transpose() {
            Ok(current) => serde_json::to_value(current.unwrap_or_default()).unwrap_or_default(),
            Err(e) => return Outcome::Error(e),
        };
        if let Some(object) = merged.as_object_mut() {
            object.extend(document.config);
        }
        let config = match Config::decode(&merged.to_string()) {
            Ok(c) => c,
            Err(e) => return Outcome::Error(e),
        };
        let errors = config.validate();
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Outcome::Error(format!("configuration refused: {}", list.join("; ")));
        }
        Some(config)
    };
    let secrets = [
        (config::SECRET_WEBHOOK_USER, document.secrets.webhook_username),
        (config::SECRET_WEBHOOK_PASSWORD, document.secrets.webhook_password),
        (config::SECRET_CLIENT_SECRET, document.secrets.client_secret),
    ];
    if let Some((key, _)) = secrets
        .iter()
        .find(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty()))
    {
        return Outcome::Error(format!("secret {key} must not be empty"));
    }
    if let Some(config) = &config
        && let Err(e) = caps.kv_set(config::CONFIG_KEY, &config.encode()).await
    {
        return Outcome::Error(format!("could not store the configuration: {e}"));
    }
    let mut written = Vec::new();
    for (key, value) in secrets {
        if keep_stored {
            break;
        }
        if let Some(value) = value {
            if let Err(e) = caps.secret_set(key, &value).await {
                return Outcome::Error(format!("could not store secret {key}: {e}"));
            }
            written.push(key);
        }
    }
    Outcome::Value(json!({ "configWritten": config.is_some(), "secretsWritten": written }).to_string())
}

#[cfg(test)]
mod tests {
    use crate::protocol::{Invocation, Outcome};
    use crate::testkit::{World, drive};

    #[test]
    fn a_misshapen_document_never_echoes_a_secret() {
        let mut world = World::default();
        let outcome = drive(
            &mut world,
            Invocation::Configure(r#"{"secrets": {"webhookPassword": 12345678901}}"#.into()),
        );
        let Outcome::Error(message) = outcome else {
            panic!("{outcome:?}")
        };
        assert!(!message.contains("12345678901"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn only_if_unconfigured_leaves_settings_and_secrets_alone_once_configured() {
        let mut world = World::default();
        let first = r#"{"config": {"projectKey": "OPS"}, "secrets": {"webhookPassword": "first-password"}, "onlyIfUnconfigured": true}"#;
        drive(&mut world, Invocation::Configure(first.into()));
        let again = r#"{"config": {"projectKey": "PMCJIT"}, "secrets": {"webhookPassword": "second-password"}, "onlyIfUnconfigured": true}"#;
        let Outcome::Value(answer) = drive(&mut world, Invocation::Configure(again.into())) else {
            panic!()
        };
        assert_eq!(answer, r#"{"configWritten":false,"secretsWritten":[]}"#);
        assert!(world.kv[crate::config::CONFIG_KEY].contains("\"projectKey\":\"OPS\""));
        assert_eq!(world.secrets[crate::config::SECRET_WEBHOOK_PASSWORD], "first-password");
    }

    #[test]
    fn stores_valid_settings_and_refuses_invalid_ones_whole() {
        let mut world = World::default();
        let ok = r#"{"config": {"enabled": true, "projectKey": "OPS"}, "secrets": {"webhookUsername": "u", "webhookPassword": "p"}}"#;
        assert!(matches!(
            drive(&mut world, Invocation::Configure(ok.into())),
            Outcome::Value(_)
        ));
        assert!(world.kv[crate::config::CONFIG_KEY].contains("\"projectKey\":\"OPS\""));
        let bad = r#"{"config": {"projectKey": "bad key", "customFieldId": "x"}}"#;
        let Outcome::Error(message) = drive(&mut world, Invocation::Configure(bad.into())) else {
            panic!()
        };
        assert!(
            message.contains("projectKey") && message.contains("customFieldId"),
            "{message}"
        );
        assert!(
            world.kv[crate::config::CONFIG_KEY].contains("\"projectKey\":\"OPS\""),
            "nothing partial saved"
        );
    }
}
