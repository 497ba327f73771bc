//! The ticket system's answer (`POST /api/endpoint_approval`), held strictly to the seed: its
//! four kinds of key and nothing else, each at most once. Each problem names the key.

/// The answers the appliance knows.
const RESPONSES: [&str; 2] = ["allow", "deny"];
/// The longest `message` the appliance shows, in characters.
pub(super) const MAX_MESSAGE_CHARS: usize = 255;
/// The longest request id the appliance issues, in characters.
pub(super) const MAX_REQUEST_ID_CHARS: usize = 255;
/// The prefix of a custom session attribute's key.
const SESSION_CUSTOM: &str = "session.custom.";

/// A valid answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    pub response_id: String,
    /// `allow` or `deny`.
    pub response: &'static str,
    pub message: Option<String>,
    /// `session.custom.<code name>` attributes, by code name, in the order sent.
    pub session_custom: Vec<(String, String)>,
}

/// A refused body: the key at fault (when one is) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub key: Option<String>,
    pub message: String,
}

pub(super) fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        key: Some(key.to_string()),
        message: message.into(),
    }
}

/// Whether `name` is a code name as BeyondTrust allows them: `[A-Za-z0-9_]{1,64}`.
pub(super) fn is_code_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Checks a form body; `Ok` holds the answer.
pub(super) fn answer(body: &[u8]) -> Result<Answer, Problem> {
    if std::str::from_utf8(body).is_err() {
        return Err(Problem {
            key: None,
            message: "The form body is not UTF-8.".into(),
        });
    }
    let mut seen: Vec<String> = Vec::new();
    let (mut response_id, mut response, mut message) = (None, None, None);
    let mut session_custom = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        if seen.iter().any(|known| *known == key) {
            return Err(problem(&key, format!("The key '{key}' is given twice.")));
        }
        seen.push(key.to_string());
        let value = value.into_owned();
        match key.as_ref() {
            "response_id" => response_id = Some(value),
            "response" => response = Some(value),
            "message" => message = Some(value),
            custom if custom.starts_with(SESSION_CUSTOM) => {
                let name = &custom[SESSION_CUSTOM.len()..];
                if !is_code_name(name) {
                    return Err(problem(
                        custom,
                        format!(
                            "The key '{custom}' does not end in a code name (1 to 64 letters, digits or underscores)."
                        ),
                    ));
                }
                session_custom.push((name.to_string(), value));
            }
            unknown => {
                return Err(problem(
                    unknown,
                    format!(
                        "Unknown key '{unknown}': the appliance takes only response_id, response, message and session.custom.<code name>."
                    ),
                ));
            }
        }
    }
    let response_id = match response_id {
        None => return Err(problem("response_id", "The key 'response_id' is required.")),
        Some(id) if id.is_empty() => return Err(problem("response_id", "The key 'response_id' must not be empty.")),
        Some(id) if id.chars().count() > MAX_REQUEST_ID_CHARS => {
            return Err(problem(
                "response_id",
                format!("The key 'response_id' is longer than {MAX_REQUEST_ID_CHARS} characters: no request id is."),
            ));
        }
        Some(id) => id,
    };
    let response = match response {
        None => return Err(problem("response", "The key 'response' is required.")),
        Some(given) => RESPONSES.into_iter().find(|known| *known == given).ok_or_else(|| {
            problem(
                "response",
                format!("The key 'response' must be allow or deny, not '{given}'."),
            )
        })?,
    };
    if let Some(text) = &message
        && text.chars().count() > MAX_MESSAGE_CHARS
    {
        return Err(problem(
            "message",
            format!(
                "The key 'message' is {} characters long; the appliance takes at most {MAX_MESSAGE_CHARS}.",
                text.chars().count()
            ),
        ));
    }
    Ok(Answer {
        response_id,
        response,
        message,
        session_custom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_answer_is_read_in_order() {
        let answer = answer(
            b"response_id=abc%2B1&response=allow&message=Go+ahead&session.custom.ticket_url=https%3A%2F%2Fx&session.custom.Change_2=CHG1",
        )
        .expect("valid");
        assert_eq!(
            answer,
            Answer {
                response_id: "abc+1".into(),
                response: "allow",
                message: Some("Go ahead".into()),
                session_custom: vec![
                    ("ticket_url".into(), "https://x".into()),
                    ("Change_2".into(), "CHG1".into())
                ],
            }
        );
    }

    #[test]
    fn code_names() {
        assert!(is_code_name("a"));
        assert!(is_code_name(&"x".repeat(64)));
        for bad in ["", "a-b", "a.b", "é", &"x".repeat(65)] {
            assert!(!is_code_name(bad), "{bad}");
        }
    }

    #[test]
    fn non_utf8_is_refused() {
        let refused = answer(b"response_id=\xff&response=allow").expect_err("not UTF-8");
        assert_eq!(refused.key, None);
    }
}
