//! What the PRA appliance sends (the ticket-ID approval request, seed 001) and what the app
//! answers it (`response.rs`). A request arrives form-urlencoded (`form.rs`) or as JSON with the
//! same keys, flat and dotted or nested (`json.rs`); both become the same list of key-value
//! pairs, read here into a [`JumpRequest`]. Errors name the key and never quote the ticket ID.

mod form;
mod json;
pub mod response;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::printable;

/// The seed's limit on `request_id`, in characters.
pub const MAX_REQUEST_ID_CHARS: usize = 255;
/// Longest value of any other key, in characters (the body limit bounds the whole).
pub const MAX_VALUE_CHARS: usize = 4096;
/// Most `jump_item.custom.*` keys kept.
pub const MAX_CUSTOM_KEYS: usize = 50;

/// One approval request from the appliance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JumpRequest {
    /// Opaque, echoed exactly as `response_id`.
    pub request_id: String,
    /// What the user typed, as sent (trimmed only when it is read as an issue key).
    pub ticket_id: String,
    pub response_url: String,
    pub jump_item: JumpItem,
    pub user: PraUser,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JumpItem {
    pub computer_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub comments: Option<String>,
    pub group: Option<String>,
    pub tag: Option<String>,
    pub jumpoint_name: Option<String>,
    pub public_ip: Option<String>,
    pub private_ip: Option<String>,
    /// `jump_item.custom.<name>` values by name.
    pub custom: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PraUser {
    pub id: Option<String>,
    pub username: Option<String>,
    pub public_display_name: Option<String>,
    pub private_display_name: Option<String>,
    pub email_address: Option<String>,
}

impl JumpItem {
    /// How a note or log names the Jump Item.
    pub fn label(&self) -> String {
        self.computer_name
            .clone()
            .or_else(|| self.public_ip.clone())
            .or_else(|| self.private_ip.clone())
            .or_else(|| self.jumpoint_name.clone())
            .unwrap_or_else(|| "an unnamed Jump Item".into())
    }
}

impl PraUser {
    /// How a note names the requester.
    pub fn label(&self) -> String {
        let name = self
            .public_display_name
            .clone()
            .or_else(|| self.private_display_name.clone())
            .or_else(|| self.username.clone());
        match (name, &self.email_address) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (Some(name), None) => name,
            (None, Some(email)) => email.clone(),
            (None, None) => "an unnamed PRA user".into(),
        }
    }
}

/// Why a body is not a request; the message names the key (never the ticket ID's value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

fn bad(message: impl Into<String>) -> WireError {
    WireError(message.into())
}

/// Reads a request body: JSON when the content type says so (or the body starts with `{`
/// without one), form-urlencoded otherwise.
pub fn parse(content_type: Option<&str>, body: &str) -> Result<JumpRequest, WireError> {
    let media = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let pairs = match media.as_str() {
        "application/json" => json::pairs(body)?,
        "application/x-www-form-urlencoded" => form::pairs(body)?,
        "" if body.trim_start().starts_with('{') => json::pairs(body)?,
        "" => form::pairs(body)?,
        other => {
            return Err(bad(format!(
                "content type \"{}\" is not accepted; send application/x-www-form-urlencoded or application/json",
                printable(other, 60)
            )));
        }
    };
    from_pairs(pairs)
}

/// The pairs, each key once, into a request.
fn from_pairs(pairs: Vec<(String, String)>) -> Result<JumpRequest, WireError> {
    let mut seen = BTreeMap::new();
    for (key, value) in pairs {
        let shown = printable(&key, 60);
        if value.contains('\u{FFFD}') {
            return Err(bad(format!("the value of \"{shown}\" is not valid UTF-8")));
        }
        let limit = if key == "request_id" {
            MAX_REQUEST_ID_CHARS
        } else {
            MAX_VALUE_CHARS
        };
        if value.chars().count() > limit {
            return Err(bad(format!("\"{shown}\" is longer than {limit} characters")));
        }
        if seen.insert(key, value).is_some() {
            return Err(bad(format!("\"{shown}\" is sent more than once")));
        }
    }
    let mut take = |key: &str| seen.remove(key).filter(|v| !v.trim().is_empty());
    let request_id = take("request_id").ok_or_else(|| bad("\"request_id\" is required"))?;
    if request_id.chars().any(char::is_control) {
        return Err(bad("\"request_id\" contains control characters"));
    }
    let ticket_id = take("ticket_id").ok_or_else(|| bad("\"ticket_id\" is required"))?;
    let response_url = take("response_url").ok_or_else(|| bad("\"response_url\" is required"))?;
    let jump_item = JumpItem {
        computer_name: take("jump_item.computer_name"),
        kind: take("jump_item.type"),
        comments: take("jump_item.comments"),
        group: take("jump_item.group"),
        tag: take("jump_item.tag"),
        jumpoint_name: take("jump_item.jumpoint_name"),
        public_ip: take("jump_item.public_ip"),
        private_ip: take("jump_item.private_ip"),
        custom: BTreeMap::new(),
    };
    let user = PraUser {
        id: take("user.id"),
        username: take("user.username"),
        public_display_name: take("user.public_display_name"),
        private_display_name: take("user.private_display_name"),
        email_address: take("user.email_address"),
    };
    let mut request = JumpRequest {
        request_id,
        ticket_id,
        response_url,
        jump_item,
        user,
    };
    // Whatever else is sent: custom Jump Item fields are kept, anything unknown is ignored (a
    // newer appliance may send more).
    for (key, value) in seen {
        if let Some(name) = key.strip_prefix("jump_item.custom.")
            && !name.is_empty()
            && !value.trim().is_empty()
        {
            if request.jump_item.custom.len() == MAX_CUSTOM_KEYS {
                return Err(bad(format!("more than {MAX_CUSTOM_KEYS} \"jump_item.custom.*\" keys")));
            }
            request.jump_item.custom.insert(name.to_string(), value);
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests;
