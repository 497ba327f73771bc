//! Who is signed in to the sandbox site. The "Signed in as" switcher on its pages sets a cookie
//! naming a seeded person; without the cookie it is Alice Approver. The host's bridge asks the
//! same question, so a resolver run acts for the person the pages show, and user-actor REST
//! calls then sign in as that person (Basic auth, email + the sandbox password).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::JiraSandbox;
use super::catalog::UserRec;
use super::seed;

/// The cookie the switcher sets: the signed-in person's account id (percent-encoded).
pub const SESSION_COOKIE: &str = "pam_sandbox_user";
/// Who is signed in when no cookie says otherwise.
pub const DEFAULT_USER: &str = seed::ALICE_APPROVER;

/// A person who can sign in to the sandbox site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub account_id: String,
    pub display_name: String,
    pub email: String,
}

fn person(user: &UserRec) -> Option<Person> {
    let email = user.email.clone()?;
    (user.active && user.account_type == "atlassian" && user.password.is_some()).then(|| Person {
        account_id: user.account_id.clone(),
        display_name: user.display_name.clone(),
        email,
    })
}

/// The value of cookie `name` (the first one, percent-decoded), if sent.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| {
            percent_encoding::percent_decode_str(value.trim().trim_matches('"'))
                .decode_utf8_lossy()
                .into_owned()
        })
}

impl JiraSandbox {
    /// The person this request is signed in as: the session cookie's person, or Alice Approver
    /// without a cookie. None when the cookie names no one who can sign in (unknown, inactive,
    /// or the app's own account).
    pub fn signed_in(&self, headers: &HeaderMap) -> Option<Person> {
        let account_id = cookie(headers, SESSION_COOKIE).unwrap_or_else(|| DEFAULT_USER.to_string());
        self.person(&account_id)
    }

    /// The person with this account id, if they can sign in.
    pub fn person(&self, account_id: &str) -> Option<Person> {
        self.catalog.user(account_id).and_then(person)
    }

    /// Everyone who can sign in, in seed order (the switcher's choices).
    pub fn people(&self) -> Vec<Person> {
        self.catalog.users.iter().filter_map(person).collect()
    }

    /// The `Authorization` header that makes a REST call act as this person.
    pub fn authorization_for(&self, account_id: &str) -> Option<String> {
        let user = self.catalog.user(account_id)?;
        let password = user.password.as_deref()?;
        let email = person(user)?.email;
        Some(format!("Basic {}", STANDARD.encode(format!("{email}:{password}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_the_named_cookie_percent_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("other=1; pam_sandbox_user=712020%3Aabc; x=y"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("712020:abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert_eq!(cookie(&HeaderMap::new(), SESSION_COOKIE), None);
    }
}
