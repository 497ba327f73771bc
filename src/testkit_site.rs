//! The configuration page's test world: Carol Admin (the sandbox's Jira administrator) signed
//! in, a working EPM connection, and `resolve` to run a resolver as the world's user. The site
//! metadata the checks read (projects, create metadata, fields, permissions, the workflow) is the
//! sandbox Jira's seed (`pam_sandboxes::jira::seed`), varied per test with `World::with_site`.

use serde_json::{Value, json};

/// The Jira administrator of the admin tests' world.
pub const ADMIN: &str = pam_sandboxes::jira::seed::CAROL_ADMIN;

impl crate::testkit::World {
    /// A configured world with a working EPM connection and Carol, a Jira administrator,
    /// signed in: what "Validate configuration" passes on.
    pub fn admin_configured() -> crate::testkit::World {
        use crate::config;
        use crate::providers::epm::settings::{EpmSettings, SECRET_CLIENT_SECRET};
        use crate::testkit_epm;
        let mut world = crate::testkit::World::configured();
        let config = EpmSettings {
            enabled: true,
            assignee_name: "John Doe".into(),
            service_hostname: testkit_epm::HOST.into(),
            client_id: testkit_epm::CLIENT_ID.into(),
            ..EpmSettings::default()
        };
        world.kv.insert(config::CONFIG_KEY.into(), config.stored());
        world
            .secrets
            .insert(SECRET_CLIENT_SECRET.into(), testkit_epm::CLIENT_SECRET.into());
        world.user = Some(ADMIN.into());
        world
    }

    /// Runs resolver `name` as the world's user with the EPM web trigger at `web_trigger_url`
    /// (and PRA's beside it, `pra-ticket` for `epm-webhook`); the answer's text.
    pub fn resolve(&mut self, name: &str, payload: &Value, web_trigger_url: &str) -> String {
        let pra = web_trigger_url.replace("epm-webhook", "pra-ticket");
        let context =
            json!({"accountId": self.user, "webTriggerUrls": {"epm-webhook": web_trigger_url, "pra-ticket": pra}});
        let outcome = crate::testkit::drive(
            self,
            crate::protocol::Invocation::Resolver {
                name: name.into(),
                payload: payload.to_string(),
                context: context.to_string(),
            },
        );
        match outcome {
            crate::protocol::Outcome::Value(text) => text,
            other => panic!("{name}: {other:?}"),
        }
    }
}
