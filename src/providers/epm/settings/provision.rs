//! Host provisioning (`invocation::configure`): validates and stores a configuration document
//! and secrets. The local host uses it at start-up, Forge for the `PAM_CONFIGURE` variable; it
//! is not reachable from web triggers or UI. Its rules are the configuration page's.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::form::{self, SaveRequest, SecretInput};
use super::view::SecretsState;
use super::{EpmSettings, SECRET_CLIENT_SECRET, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use crate::caps::{CapError, Caps};
use crate::config;
use crate::protocol::Outcome;
use crate::providers::epm::wire::api;

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

/// Applies `document`: every setting and credential is checked with the configuration page's
/// rules (`form::validate_provisioning`) before anything is written; a new EPM host,
/// client id or client secret drops the cached EPM token.
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
    let input = SecretInput {
        webhook_username: document.secrets.webhook_username,
        webhook_password: document.secrets.webhook_password,
        client_secret: document.secrets.client_secret,
    };
    let secrets = [
        (SECRET_WEBHOOK_USER, &input.webhook_username),
        (SECRET_WEBHOOK_PASSWORD, &input.webhook_password),
        (SECRET_CLIENT_SECRET, &input.client_secret),
    ];
    if let Some((key, _)) = secrets
        .iter()
        .find(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty()))
    {
        return Outcome::Error(format!("secret {key} must not be empty"));
    }
    if keep_stored {
        return Outcome::Value(json!({ "configWritten": false, "secretsWritten": [] }).to_string());
    }
    let mut record = match stored.as_deref().map(config::Config::decode).transpose() {
        Ok(record) => record.unwrap_or_default(),
        Err(e) => return Outcome::Error(e),
    };
    let current: EpmSettings = match record.section() {
        Ok(current) => current,
        Err(e) => return Outcome::Error(e),
    };
    let mut merged = serde_json::to_value(&current).unwrap_or_default();
    if let Some(object) = merged.as_object_mut() {
        object.extend(document.config);
    }
    let config = match EpmSettings::decode(&merged.to_string()) {
        Ok(c) => c,
        Err(e) => return Outcome::Error(e),
    };
    let (stored_secrets, stored_client_secret) = match stored_secrets(caps).await {
        Ok(s) => s,
        Err(e) => return Outcome::Error(format!("could not read the stored secrets: {e}")),
    };
    let request = SaveRequest { config, secrets: input };
    let errors = form::validate_provisioning(&request, &current, &stored_secrets);
    if !errors.is_empty() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Outcome::Error(format!("configuration refused: {}", list.join("; ")));
    }
    let SaveRequest { config, secrets: input } = request;
    let epm_changed = config.service_hostname != current.service_hostname
        || config.client_id != current.client_id
        || input
            .client_secret()
            .is_some_and(|s| Some(s) != stored_client_secret.as_deref());
    record.set(&config);
    if let Err(e) = caps.kv_set(config::CONFIG_KEY, &record.encode()).await {
        return Outcome::Error(format!("could not store the configuration: {e}"));
    }
    let mut written = Vec::new();
    for (key, value) in [
        (SECRET_WEBHOOK_USER, input.webhook_username()),
        (SECRET_WEBHOOK_PASSWORD, input.webhook_password()),
        (SECRET_CLIENT_SECRET, input.client_secret()),
    ] {
        if let Some(value) = value {
            if let Err(e) = caps.secret_set(key, value).await {
                return Outcome::Error(format!("could not store secret {key}: {e}"));
            }
            written.push(key);
        }
    }
    // Without a host and a client secret before, no token was ever issued: nothing to drop.
    let token_possible = !current.service_hostname.is_empty() && stored_client_secret.is_some();
    if epm_changed && token_possible {
        api::forget_token(caps).await;
    }
    Outcome::Value(json!({ "configWritten": true, "secretsWritten": written }).to_string())
}

/// Which credentials are stored, and the client secret (read only to compare with a new one).
async fn stored_secrets(caps: &Caps) -> Result<(SecretsState, Option<String>), CapError> {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let user = caps.secret_get(SECRET_WEBHOOK_USER).await?;
    let password = caps.secret_get(SECRET_WEBHOOK_PASSWORD).await?;
    let client_secret = caps.secret_get(SECRET_CLIENT_SECRET).await?;
    let state = SecretsState {
        webhook_username: user.unwrap_or_default(),
        webhook_password_set: set(&password),
        client_secret_set: set(&client_secret),
    };
    Ok((state, client_secret.filter(|s| !s.is_empty())))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::config::CONFIG_KEY;
    use crate::protocol::{Invocation, Outcome};
    use crate::providers::epm::settings::{
        EpmSettings, SECRET_CLIENT_SECRET, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER,
    };
    use crate::testkit::{World, drive};
    use crate::testkit_epm::{CLIENT_ID, CLIENT_SECRET, HOST};

    fn configure(world: &mut World, document: serde_json::Value) -> Outcome {
        drive(world, Invocation::Configure(document.to_string()))
    }

    /// A world configured for the fake EPM, with its client secret and a cached token.
    fn epm_world() -> World {
        let mut world = World::configured();
        let config = EpmSettings {
            enabled: true,
            service_hostname: HOST.into(),
            client_id: CLIENT_ID.into(),
            ..EpmSettings::default()
        };
        world.kv.insert(CONFIG_KEY.into(), config.stored());
        world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
        world.secrets.insert("epm.token".into(), "cached".into());
        world
    }

    /// `PAM_CONFIGURE` and the local host's `--config` get the configuration page's rules: a
    /// document the page would refuse is refused whole, naming the field, never the value.
    #[test]
    fn provisioning_refuses_what_the_page_refuses() {
        let cases = [
            (
                json!({"secrets": {"webhookPassword": "short-pw1"}}),
                "webhookPassword: must be at least 12 characters",
            ),
            (
                json!({"secrets": {"webhookUsername": "same-as-password", "webhookPassword": "same-as-password"}}),
                "webhookPassword: must differ from the username",
            ),
            (
                json!({"secrets": {"webhookPassword": "Qz7-pw"}}),
                "webhookPassword: must be at least 12",
            ),
            (
                json!({"secrets": {"webhookUsername": "hook:er", "webhookPassword": "a-long-password"}}),
                "webhookUsername: must not contain a colon",
            ),
            (
                json!({"secrets": {"clientSecret": " padded-client-secret"}}),
                "clientSecret: must not start or end with spaces",
            ),
            (
                json!({"config": {"clientId": "x".repeat(300)}}),
                "clientId: must be at most 255",
            ),
            (
                json!({"config": {"serviceHostname": "169.254.169.254"}}),
                "serviceHostname: must be EPM's public",
            ),
            (
                json!({"config": {"serviceHostname": "epm.attacker.example"}}),
                "clientSecret: Enter the client secret again: the EPM host changed",
            ),
            (
                json!({"config": {"clientId": "client-2"}}),
                "clientSecret: Enter the client secret again: the client id changed",
            ),
        ];
        for (document, expected) in cases {
            let mut world = epm_world();
            let before = (world.kv.clone(), world.secrets.clone());
            let Outcome::Error(message) = configure(&mut world, document.clone()) else {
                panic!("{document} was accepted")
            };
            assert!(message.starts_with("configuration refused: "), "{message}");
            assert!(message.contains(expected), "{document}: {message}");
            for secret in document["secrets"].as_object().into_iter().flatten() {
                assert!(
                    !message.contains(secret.1.as_str().unwrap()),
                    "{message} echoes a secret"
                );
            }
            assert_eq!(
                (world.kv.clone(), world.secrets.clone()),
                before,
                "{document}: nothing written"
            );
        }
    }

    /// The local sandbox applies its settings (enabled) and the EPM client secret in two
    /// documents (host/src/provision.rs): "required while enabled" is the page's rule only.
    #[test]
    fn provisioning_may_bring_settings_and_the_client_secret_separately() {
        let mut world = World::default();
        let first = json!({
            "config": {"enabled": true, "serviceHostname": "epm.sandbox.test", "clientId": "sandbox-client"},
            "secrets": {"webhookUsername": "pam-webhook", "webhookPassword": "generated-password-24chars"},
            "onlyIfUnconfigured": true,
        });
        assert!(matches!(configure(&mut world, first), Outcome::Value(_)));
        let second = json!({
            "config": {"serviceHostname": "epm.sandbox.test", "clientId": "sandbox-client"},
            "secrets": {"clientSecret": "sandbox-client-secret"},
        });
        let Outcome::Value(answer) = configure(&mut world, second) else {
            panic!()
        };
        assert_eq!(
            answer,
            r#"{"configWritten":true,"secretsWritten":["epm.client.secret"]}"#
        );
        assert_eq!(world.secrets[SECRET_WEBHOOK_USER], "pam-webhook");
        assert!(
            !world.secrets.contains_key("epm.token"),
            "no secret before: no token to drop"
        );
    }

    #[test]
    fn a_new_epm_host_client_id_or_secret_drops_the_cached_token() {
        let same = json!({"config": {"serviceHostname": HOST}, "secrets": {"clientSecret": CLIENT_SECRET}});
        let new_secret = json!({"secrets": {"clientSecret": "another-client-secret"}});
        let new_host =
            json!({"config": {"serviceHostname": "epm2.example.test"}, "secrets": {"clientSecret": CLIENT_SECRET}});
        let new_client = json!({"config": {"clientId": "client-2"}, "secrets": {"clientSecret": CLIENT_SECRET}});
        let webhook_only = json!({"secrets": {"webhookPassword": "a-new-long-password"}});
        for (document, dropped) in [
            (same, false),
            (webhook_only, false),
            (new_secret, true),
            (new_host, true),
            (new_client, true),
        ] {
            let mut world = epm_world();
            assert!(
                matches!(configure(&mut world, document.clone()), Outcome::Value(_)),
                "{document}"
            );
            assert_eq!(world.secrets["epm.token"] == "cached", !dropped, "{document}");
        }
        let mut world = epm_world();
        configure(
            &mut world,
            json!({"secrets": {"webhookPassword": "a-new-long-password"}}),
        );
        assert_eq!(world.secrets[SECRET_WEBHOOK_PASSWORD], "a-new-long-password");
    }

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
        assert_eq!(
            world.secrets[crate::providers::epm::settings::SECRET_WEBHOOK_PASSWORD],
            "first-password"
        );
    }

    #[test]
    fn stores_valid_settings_and_refuses_invalid_ones_whole() {
        let mut world = World::default();
        let ok = r#"{"config": {"enabled": true, "projectKey": "OPS"}, "secrets": {"webhookUsername": "u", "webhookPassword": "a-long-password"}}"#;
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
