//! The app's answer to the appliance: `POST <response_url>` form-urlencoded with
//! `response_id`, `response` (`allow`|`deny`), `message` (at most 255 characters, shown to the
//! user on deny) and `session.custom.<code name>` attributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::text::cap_chars;

/// The seed's limit on `message`, in characters.
pub const MAX_MESSAGE_CHARS: usize = 255;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

/// The form body for `request_id`.
pub fn body(request_id: &str, decision: Decision, message: &str, attributes: &BTreeMap<String, String>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("response_id", request_id);
    form.append_pair("response", decision.as_str());
    if !message.is_empty() {
        form.append_pair("message", &cap_chars(message, MAX_MESSAGE_CHARS));
    }
    for (code_name, value) in attributes {
        form.append_pair(&format!("session.custom.{code_name}"), value);
    }
    form.finish()
}
