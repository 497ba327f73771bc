//! An alert's new request becomes exactly one Jira issue (`lifecycle::create`, the protocol
//! every provider shares): labelled like Keeper ITSM's tickets, so both meet in one panel, with
//! the details in the description (display only) and the app's property (search only). The
//! request itself is the app's record (`records::Request`) and the issue's binding to it.

use serde_json::{Map, Value, json};

use super::super::alert;
use super::super::records::{self, Request, keys};
use super::super::settings::KeeperSettings;
use super::super::subject::Subject;
use super::record;
use super::ticket::ISSUE_PROPERTY;
use crate::caps::{CapError, Caps};
use crate::jira::adf;
use crate::jira::client::{self, JiraError, jql_string};
use crate::lifecycle::create::{self, Created, Creation, Failure};
use crate::lifecycle::lease::Slots;
use crate::protocol::{Actor, HttpResponse, LogLevel};
use crate::text::cap_chars;

pub struct AlertIssue<'a> {
    pub settings: &'a KeeperSettings,
    pub alert: &'a alert::Request,
    pub sid: String,
}

impl<'a> AlertIssue<'a> {
    pub fn new(settings: &'a KeeperSettings, alert: &'a alert::Request) -> Self {
        AlertIssue {
            settings,
            alert,
            sid: records::sid(&alert.subject, &alert.timestamp),
        }
    }

    fn record(&self, key: String, id: String, now: u64) -> Request {
        Request {
            sid: self.sid.clone(),
            subject: self.alert.subject.clone(),
            issue_key: key,
            issue_id: id,
            raised_at: self.alert.at.filter(|&at| at <= now).unwrap_or(now),
            username: self.alert.username.clone(),
            source: "alert".into(),
        }
    }

    fn summary(&self) -> String {
        let who = self.alert.username.as_deref().unwrap_or("a Keeper user");
        let text = match &self.alert.subject {
            Subject::Kepm { .. } => format!("Keeper: elevation request from {who}"),
            Subject::Device {
                email,
                device_name: Some(name),
                ..
            } => format!("Keeper: new device \"{name}\" of {email} awaits approval"),
            Subject::Device { email, .. } => format!("Keeper: new device of {email} awaits approval"),
        };
        cap_chars(&text, 255)
    }

    fn description(&self) -> Value {
        let a = self.alert;
        let mut rows: Vec<(String, Value)> = Vec::new();
        let mut row = |name: &str, value: &str| {
            if !value.is_empty() {
                rows.push((name.to_string(), adf::paragraph([adf::text(value)])));
            }
        };
        // The same `Name: value` lines the panel reads on Keeper ITSM's tickets.
        match &a.subject {
            Subject::Kepm { uid } => row("Request UID", uid.as_str()),
            Subject::Device {
                email,
                device_id,
                device_name,
            } => {
                row("Email", email.as_str());
                row("Device name", device_name.as_deref().unwrap_or_default());
                row("Device ID", device_id.as_ref().map(|d| d.as_str()).unwrap_or_default());
            }
        }
        row("Keeper user", a.username.as_deref().unwrap_or_default());
        row("Alert", &a.alert_name);
        row("Raised at", &a.timestamp);
        row("Remote address", &a.remote_address);
        row("Client version", &a.client_version);
        row("Agent UID", &a.agent_uid);
        let mut content = vec![
            adf::paragraph([adf::text(&format!(
                "{} received from a Keeper alert. Decide it in the Keeper approval panel.",
                a.subject.kind().title()
            ))]),
            adf::key_value_table(rows),
        ];
        if !a.description.is_empty() {
            content.push(adf::paragraph([adf::em(&a.description)]));
        }
        adf::doc(content)
    }

    fn create_body(&self, now: u64) -> Value {
        let mut fields = Map::new();
        fields.insert("project".into(), json!({ "key": self.settings.project_key }));
        fields.insert("issuetype".into(), json!({ "name": self.settings.issue_type_name }));
        fields.insert("summary".into(), json!(self.summary()));
        fields.insert("description".into(), self.description());
        fields.insert("labels".into(), json!([self.alert.subject.kind().label()]));
        let property = record::property(&self.record(String::new(), String::new(), now), None);
        json!({"fields": fields, "properties": [{"key": ISSUE_PROPERTY, "value": property}]})
    }
}

/// An issue the app itself created for this request: the indexed `sid`, then checked in the
/// answer (the same sid, created by an app account: a person can copy the property onto an
/// issue of theirs, but cannot make an app its creator).
async fn find_existing(caps: &Caps, sid: &str) -> Result<Option<(String, String)>, JiraError> {
    let body = json!({
        "jql": format!("issue.property[{ISSUE_PROPERTY}].sid = {}", jql_string(sid)),
        "fields": ["creator"],
        "properties": [ISSUE_PROPERTY],
        "maxResults": 20,
    });
    let found = client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await?;
    let issues = found["issues"].as_array().cloned().unwrap_or_default();
    Ok(issues.iter().find_map(|issue| {
        let same = issue["properties"][ISSUE_PROPERTY]["sid"].as_str() == Some(sid);
        let by_app = issue.pointer("/fields/creator/accountType").and_then(Value::as_str) == Some("app");
        let key = issue["key"].as_str().filter(|k| !k.is_empty())?;
        let id = issue["id"].as_str().filter(|i| !i.is_empty())?;
        (same && by_app).then(|| (key.to_string(), id.to_string()))
    }))
}

impl Creation for AlertIssue<'_> {
    type Record = Request;

    fn lease(&self) -> Slots {
        keys::creation(&self.sid)
    }

    async fn recorded(&self, caps: &Caps) -> Result<Option<Request>, CapError> {
        records::read_request(caps, &self.sid).await
    }

    async fn create(&self, caps: &Caps, after_earlier: bool, now: u64) -> Result<(Request, bool), Failure> {
        let failed = |e: JiraError| {
            if e.is_transient() {
                Failure::Unknown(e.to_string())
            } else {
                Failure::Refused(e.to_string())
            }
        };
        let mut made = None;
        if after_earlier {
            made = find_existing(caps, &self.sid).await.map_err(failed)?;
        }
        let fresh = made.is_none();
        let (key, id) = match made {
            Some(found) => found,
            None => {
                let created = client::call_once(
                    caps,
                    Actor::App,
                    "POST",
                    "/rest/api/3/issue",
                    Some(&self.create_body(now)),
                )
                .await
                .map_err(failed)?;
                // A 2xx without its key: the issue exists, so its outcome is unknown (searched later).
                client::created_issue(&created).map_err(|e| Failure::Unknown(e.to_string()))?
            }
        };
        let record = self.record(key, id, now);
        records::write_request(caps, &record).await.map_err(|e| {
            Failure::NotRecorded(format!(
                "{} was created but the app could not record it ({e})",
                record.issue_key
            ))
        })?;
        if fresh {
            caps.log(
                LogLevel::Info,
                format!("created {} for {}", record.issue_key, record.subject.label()),
            )
            .await;
        }
        Ok((record, fresh))
    }
}

/// Creates (or finds) the issue of an alert's request.
pub async fn run(caps: &Caps, settings: &KeeperSettings, alert: &alert::Request, max_wait_ms: u64) -> Created<Request> {
    create::run(caps, &AlertIssue::new(settings, alert), max_wait_ms).await
}

/// The web trigger's answer: 201 created, 200 already there, 202 the queue finishes it, 502
/// Jira refused the create.
pub fn answer(created: &Created<Request>, sid: &str) -> HttpResponse {
    match created {
        Created::Recorded { record, fresh } => HttpResponse::json(
            if *fresh { 201 } else { 200 },
            &json!({"issueKey": record.issue_key, "created": fresh}),
        ),
        Created::Unfinished { reason, .. } => crate::jobs::accepted(sid, reason),
        Created::Refused(e) => HttpResponse::error(502, format!("could not create the Jira issue: {e}")),
    }
}
