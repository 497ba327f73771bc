//! The fake Jira's site metadata for the configuration checks: projects, create metadata,
//! fields, the global ADMINISTER permission and the workflow, shaped like Jira's answers.

use serde_json::{Value, json};

use crate::protocol::HttpResponse;

/// The site the checks read; the default matches `World::configured()`'s settings.
pub struct FakeSite {
    /// Accounts with the global ADMINISTER permission.
    pub admins: Vec<String>,
    /// (id, key, name, projectTypeKey).
    pub projects: Vec<(String, String, String, String)>,
    /// Issue types of every project: (id, name).
    pub issue_types: Vec<(String, String)>,
    /// Every field of the site (`GET /field`).
    pub fields: Vec<Value>,
    /// Field ids on the create screen of every project's issue types.
    pub create_screen: Vec<String>,
    /// The app's project permissions.
    pub app_can_create: bool,
    /// Workflow statuses (reference, name) and transitions (name, type, to reference).
    pub statuses: Vec<(String, String)>,
    pub transitions: Vec<(String, String, String)>,
}

impl Default for FakeSite {
    fn default() -> Self {
        let text = "com.atlassian.jira.plugin.system.customfieldtypes:textfield";
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        FakeSite {
            admins: vec!["acc-carol".into()],
            projects: vec![(
                "10000".into(),
                "PMCJIT".into(),
                "PAM JIT Requests".into(),
                "service_desk".into(),
            )],
            issue_types: vec![s("10100", "Access Request"), s("10002", "Task")],
            fields: vec![
                json!({"id": "summary", "name": "Summary", "custom": false, "schema": {"type": "string", "system": "summary"}}),
                json!({"id": "customfield_10001", "name": "EPM request id", "custom": true, "schema": {"type": "string", "custom": text, "customId": 10001}}),
                json!({"id": "customfield_10002", "name": "Approval deadline", "custom": true, "schema": {"type": "datetime", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:datetime", "customId": 10002}}),
                json!({"id": "customfield_10003", "name": "Off-screen id", "custom": true, "schema": {"type": "string", "custom": text, "customId": 10003}}),
            ],
            create_screen: vec!["summary".into(), "customfield_10001".into(), "customfield_10002".into()],
            app_can_create: true,
            statuses: vec![
                s("s1", "Open"),
                s("s2", "Approved"),
                s("s3", "Denied"),
                s("s4", "Waiting"),
            ],
            transitions: vec![
                ("Create".into(), "INITIAL".into(), "s1".into()),
                ("Approve".into(), "DIRECTED".into(), "s2".into()),
                ("Deny".into(), "DIRECTED".into(), "s3".into()),
            ],
        }
    }
}

fn not_found(message: &str) -> HttpResponse {
    HttpResponse::json(404, &json!({"errorMessages": [message]}))
}

impl FakeSite {
    fn project(&self, id_or_key: &str) -> Option<&(String, String, String, String)> {
        self.projects.iter().find(|p| p.0 == id_or_key || p.1 == id_or_key)
    }

    /// Answers the calls this fake knows; `None` for the others.
    pub fn handle(&self, caller: Option<&str>, method: &str, path: &str, body: &Value) -> Option<HttpResponse> {
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
        Some(match (method, parts.as_slice()) {
            ("GET", ["rest", "api", "3", "mypermissions"]) if query.contains("ADMINISTER") => {
                let have = caller.is_some_and(|c| self.admins.iter().any(|a| a == c));
                HttpResponse::json(200, &json!({"permissions": {"ADMINISTER": {"havePermission": have}}}))
            }
            ("GET", ["rest", "api", "3", "mypermissions"]) if query.contains("CREATE_ISSUES") => {
                let have = caller.is_none() && self.app_can_create;
                HttpResponse::json(
                    200,
                    &json!({"permissions": {"BROWSE_PROJECTS": {"havePermission": true}, "CREATE_ISSUES": {"havePermission": have}}}),
                )
            }
            ("GET", ["rest", "api", "3", "project", key]) => match self.project(key) {
                Some((id, key, name, kind)) => HttpResponse::json(
                    200,
                    &json!({"id": id, "key": key, "name": name, "projectTypeKey": kind}),
                ),
                None => not_found(&format!("No project could be found with key '{key}'.")),
            },
            ("GET", ["rest", "api", "3", "issue", "createmeta", key, "issuetypes"]) => {
                if self.project(key).is_none() {
                    return Some(not_found("No project could be found"));
                }
                let types: Vec<Value> = self
                    .issue_types
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect();
                HttpResponse::json(
                    200,
                    &json!({"issueTypes": types, "total": types.len(), "startAt": 0, "maxResults": 200}),
                )
            }
            ("GET", ["rest", "api", "3", "issue", "createmeta", _key, "issuetypes", _id]) => {
                let fields: Vec<Value> = self
                    .create_screen
                    .iter()
                    .map(|id| json!({"fieldId": id, "key": id, "name": id, "required": false}))
                    .collect();
                HttpResponse::json(
                    200,
                    &json!({"fields": fields, "total": fields.len(), "startAt": 0, "maxResults": 200}),
                )
            }
            ("GET", ["rest", "api", "3", "field"]) => HttpResponse::json(200, &Value::Array(self.fields.clone())),
            ("POST", ["rest", "api", "3", "workflows"]) => {
                if !caller.is_some_and(|c| self.admins.iter().any(|a| a == c)) {
                    return Some(HttpResponse::json(
                        403,
                        &json!({"errorMessages": ["You are not an administrator."]}),
                    ));
                }
                assert!(body["projectAndIssueTypes"][0]["projectId"].is_string(), "{body}");
                let statuses: Vec<Value> = self
                    .statuses
                    .iter()
                    .map(|(reference, name)| json!({"id": reference, "name": name, "statusReference": reference}))
                    .collect();
                let used: Vec<Value> = self
                    .statuses
                    .iter()
                    .map(|(reference, _)| json!({"statusReference": reference}))
                    .collect();
                let transitions: Vec<Value> = self
                    .transitions
                    .iter()
                    .enumerate()
                    .map(|(i, (name, kind, to))| json!({"id": i.to_string(), "name": name, "type": kind, "toStatusReference": to}))
                    .collect();
                HttpResponse::json(
                    200,
                    &json!({"statuses": statuses, "workflows": [{"id": "w1", "name": "PAM workflow", "statuses": used, "transitions": transitions}]}),
                )
            }
            _ => return None,
        })
    }
}

/// The Jira administrator of the admin tests' world.
pub const ADMIN: &str = "acc-carol";

impl crate::testkit::World {
    /// A configured world with a working EPM connection and Carol, a Jira administrator,
    /// signed in: what "Validate configuration" passes on.
    pub fn admin_configured() -> crate::testkit::World {
        use crate::config;
        use crate::providers::epm::settings::{EpmSettings, SECRET_CLIENT_SECRET};
        use crate::testkit_epm;
        let mut world = crate::testkit::World::configured();
        world.users.push(json!({"accountId": ADMIN, "accountType": "atlassian", "displayName": "Carol Admin", "emailAddress": "carol@example.com", "active": true}));
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

    /// Runs resolver `name` as the world's user with the EPM web trigger at `web_trigger_url`;
    /// the answer's text.
    pub fn resolve(&mut self, name: &str, payload: &Value, web_trigger_url: &str) -> String {
        let context = json!({"accountId": self.user, "webTriggerUrls": {"epm-webhook": web_trigger_url}});
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
