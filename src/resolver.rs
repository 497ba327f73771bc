//! Resolver plumbing shared by every page: reading the caller's context and shaping answers
//! (`docs/resolvers.md`). A resolver's answer is always a JSON object with `ok`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::jira::client::JiraError;

use crate::protocol::Outcome;

/// What the core needs of Forge's resolver context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The signed-in user (set by the host, never by the page).
    pub account_id: Option<String>,
    /// The issue an issue action was opened on.
    pub issue_key: Option<String>,
    /// The web triggers' URLs by module key, as far as the host says them (`webTriggerUrls`).
    pub web_trigger_urls: BTreeMap<String, String>,
}

impl Context {
    pub fn parse(text: &str) -> Result<Context, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("the resolver context is not JSON: {e}"))?;
        let text_at = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        Ok(Context {
            account_id: text_at("/accountId"),
            issue_key: text_at("/extension/issue/key"),
            web_trigger_urls: value
                .get("webTriggerUrls")
                .and_then(Value::as_object)
                .map(|urls| {
                    urls.iter()
                        .filter_map(|(key, url)| {
                            Some((key.clone(), url.as_str().filter(|u| !u.is_empty())?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The URL of the web trigger with this module key, when the host said it.
    pub fn web_trigger_url(&self, key: &str) -> Option<&str> {
        self.web_trigger_urls.get(key).map(String::as_str)
    }
}

/// A refusal the page shows; `code` is one of the codes in `docs/resolvers.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub fields: Value,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
            fields: json!({}),
        }
    }

    pub fn with_fields(mut self, fields: Value) -> Refusal {
        self.fields = fields;
        self
    }
}

/// The refusal for the app's storage failing: nothing was changed.
pub fn storage(e: crate::caps::CapError) -> Refusal {
    Refusal::new(
        "unavailable",
        format!("The app's storage could not be used ({e}); try again."),
    )
}

/// The refusal for a Jira call that did not work: nothing was changed.
pub fn unavailable(error: &JiraError) -> Refusal {
    Refusal::new("unavailable", format!("{error}. Nothing was changed; try again."))
}

/// The refusal for reading the page's issue: Jira's 401, 403 and 404 all mean the user may not
/// see it (Jira does not say which, nor does the app); anything else is `unavailable`.
pub fn issue_refusal(key: &str, error: JiraError) -> Refusal {
    match error {
        JiraError::Refused {
            status: 401 | 403 | 404,
            ..
        } => Refusal::new(
            "no-issue",
            format!("Issue {key} does not exist or you do not have permission to see it."),
        ),
        other => unavailable(&other),
    }
}

/// `{"ok": true, ...fields}`.
pub fn ok(mut body: Value) -> Outcome {
    if let Some(object) = body.as_object_mut() {
        object.insert("ok".into(), json!(true));
    }
    Outcome::Value(body.to_string())
}

/// `{"ok": false, "error": {...}}`.
pub fn refused(refusal: Refusal) -> Outcome {
    Outcome::Value(
        json!({
            "ok": false,
            "error": {"code": refusal.code, "message": refusal.message, "fields": refusal.fields},
        })
        .to_string(),
    )
}

/// An answer from a workflow's result.
pub fn answer(result: Result<Value, Refusal>) -> Outcome {
    match result {
        Ok(body) => ok(body),
        Err(refusal) => refused(refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forge_context() {
        let context = Context::parse(
            r#"{"accountId":"acc-1","cloudId":"c","extension":{"type":"jira:issueAction","issue":{"key":"PMCJIT-1","id":"10000"}}}"#,
        )
        .unwrap();
        assert_eq!(context.account_id.as_deref(), Some("acc-1"));
        assert_eq!(context.issue_key.as_deref(), Some("PMCJIT-1"));
        let with_url = Context::parse(r#"{"webTriggerUrls":{"epm-webhook":"https://x/1","empty":""}}"#).unwrap();
        assert_eq!(with_url.web_trigger_url("epm-webhook"), Some("https://x/1"));
        assert_eq!(with_url.web_trigger_url("empty"), None);
        assert_eq!(
            Context::parse("{}").unwrap(),
            Context {
                account_id: None,
                issue_key: None,
                web_trigger_urls: BTreeMap::new()
            }
        );
        assert!(Context::parse("nope").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn answers_carry_ok() {
        let Outcome::Value(text) = answer(Err(Refusal::new("invalid", "bad").with_fields(json!({"message": "x"}))))
        else {
            panic!()
        };
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["ok"], json!(false));
        assert_eq!(value["error"]["fields"]["message"], json!("x"));
        let Outcome::Value(text) = answer(Ok(json!({"view": 1}))) else {
            panic!()
        };
        assert_eq!(text, r#"{"ok":true,"view":1}"#);
    }
}
