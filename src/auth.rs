//! HTTP Basic authentication of webhooks, compared in constant time.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::caps::{CapError, Caps};
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};

/// Credentials a caller presented.
pub struct Presented {
    user: Vec<u8>,
    password: Vec<u8>,
}

/// Parses `Authorization: Basic <base64(user:password)>`; `None` for anything else.
pub fn parse_basic(header: Option<&str>) -> Option<Presented> {
    let header = header?.trim();
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some(Presented {
        user: decoded[..colon].to_vec(),
        password: decoded[colon + 1..].to_vec(),
    })
}

/// True when both parts match the configured ones. Both comparisons always run, so timing does
/// not tell which part was wrong; unset credentials never match. What is compared are SHA-256
/// digests, always 32 bytes: a comparison of the values themselves ends early when the lengths
/// differ, which would tell a caller the length of the username and password.
pub fn matches(presented: Option<&Presented>, user: Option<&str>, password: Option<&str>) -> bool {
    let (Some(presented), Some(user), Some(password)) = (presented, user, password) else {
        return false;
    };
    if user.is_empty() || password.is_empty() {
        return false;
    }
    let user_ok = digest(&presented.user).ct_eq(&digest(user.as_bytes()));
    let password_ok = digest(&presented.password).ct_eq(&digest(password.as_bytes()));
    bool::from(user_ok & password_ok)
}

/// Basic authentication of a web trigger request against the pair kept under `user_secret` and
/// `password_secret` in secret storage: `None` when it matches, else the answer to give (401
/// with a challenge, or 503 when secret storage cannot be read). Nothing about the
/// configuration is read before this passes.
pub async fn require_basic(
    caps: &Caps,
    request: &HttpRequest,
    user_secret: &str,
    password_secret: &str,
) -> Option<HttpResponse> {
    let user = caps.secret_get(user_secret).await;
    let password = caps.secret_get(password_secret).await;
    let (Ok(user), Ok(password)) = (user, password) else {
        return Some(secrets_unavailable());
    };
    let presented = parse_basic(request.header("Authorization"));
    if matches(presented.as_ref(), user.as_deref(), password.as_deref()) {
        return None;
    }
    if user.is_none() || password.is_none() {
        caps.log(LogLevel::Warn, "webhook refused: no webhook credentials are configured")
            .await;
    }
    Some(HttpResponse::error(401, "authentication required").with_header(
        "WWW-Authenticate",
        "Basic realm=\"PAM Approvals for Jira\", charset=\"UTF-8\"",
    ))
}

/// Authentication by a secret in the web trigger URL's query (`?<param>=<secret>`), for senders
/// that can only be given a URL (PRA): `None` when the one `param` value matches the secret kept
/// under `secret_key`, else 401 (or 503 when secret storage cannot be read). The value is
/// compared as sent (generated secrets are hex, never percent-encoded), by SHA-256 digest in
/// constant time; a URL naming the parameter twice never matches. The answer never says which
/// part was wrong, and the request URL (which holds the secret) is never logged.
pub async fn require_url_secret(
    caps: &Caps,
    request: &HttpRequest,
    param: &str,
    secret_key: &str,
) -> Option<HttpResponse> {
    let presented = query_values(&request.url, param);
    let one = match presented.as_slice() {
        [one] => Some(one.as_bytes()),
        _ => None,
    };
    match check_secret(caps, secret_key, one, "URL secret").await {
        Checked::Matched => return None,
        Checked::Unreadable => return Some(secrets_unavailable()),
        Checked::Refused => {}
    }
    Some(HttpResponse::error(
        401,
        format!(
            "authentication required: the URL's \"{param}\" parameter is missing or wrong; copy the URL from the app's configuration page"
        ),
    ))
}

/// Authentication by a token (Keeper's alert webhooks): `Authorization: Bearer <token>`, or
/// Basic with `basic_user` and the token as the password, for senders that take only a user and
/// a password. `None` when it matches the token kept under `secret_key`, else 401 (503 when
/// secret storage cannot be read); compared like the others, by digest in constant time.
pub async fn require_token(
    caps: &Caps,
    request: &HttpRequest,
    secret_key: &str,
    basic_user: &str,
) -> Option<HttpResponse> {
    let header = request.header("Authorization").unwrap_or_default().trim();
    let bearer = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().as_bytes().to_vec());
    let presented = bearer
        .or_else(|| parse_basic(Some(header)).and_then(|p| (p.user == basic_user.as_bytes()).then_some(p.password)));
    match check_secret(caps, secret_key, presented.as_deref(), "token").await {
        Checked::Matched => return None,
        Checked::Unreadable => return Some(secrets_unavailable()),
        Checked::Refused => {}
    }
    Some(
        HttpResponse::error(
            401,
            "authentication required: send the token from the app's configuration page as \"Authorization: Bearer <token>\"",
        )
        .with_header("WWW-Authenticate", "Bearer realm=\"PAM Approvals for Jira\""),
    )
}

/// Random bytes of a generated web trigger secret (256 bits).
const GENERATED_BYTES: u32 = 32;

/// Whether a secret is set under `secret_key` (for pages and checks; never its value).
pub async fn is_set(caps: &Caps, secret_key: &str) -> Result<bool, CapError> {
    Ok(caps.secret_get(secret_key).await?.is_some_and(|s| !s.is_empty()))
}

/// Replaces the secret under `secret_key` with a new one from the host's secure generator (hex);
/// answers it, for the one answer that shows it.
pub async fn generate(caps: &Caps, secret_key: &str) -> Result<String, CapError> {
    let secret = caps.random_hex(GENERATED_BYTES).await?;
    caps.secret_set(secret_key, &secret).await?;
    Ok(secret)
}

/// A generated secret as provisioning may give it: 32 to 128 URL-safe characters (no encoding
/// needed in a URL or a header).
pub fn acceptable(secret: &str) -> bool {
    (32..=128).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A save of a settings section whose web trigger takes a generated secret: a new one when the
/// admin asked (`rotate`), or the first when the integration is enabled without one (it would
/// refuse every request). Only when `shown` (the host gave the trigger's URL, so the secret is
/// not lost at birth). Answers whether one is set now and the fresh one, if made.
pub async fn secret_on_save(
    caps: &Caps,
    secret_key: &str,
    rotate: bool,
    enabled: bool,
    shown: bool,
    what: &str,
) -> Result<(bool, Option<String>), CapError> {
    let set = is_set(caps, secret_key).await?;
    if !shown || !(rotate || (enabled && !set)) {
        return Ok((set, None));
    }
    let fresh = generate(caps, secret_key).await?;
    caps.log(
        LogLevel::Info,
        format!("{what} replaced; the previous one no longer works"),
    )
    .await;
    Ok((true, Some(fresh)))
}

enum Checked {
    Matched,
    Refused,
    Unreadable,
}

/// Whether `presented` is the secret kept under `secret_key` (by digest, in constant time; an
/// unset or empty secret never matches, and is logged as `what` not being configured).
async fn check_secret(caps: &Caps, secret_key: &str, presented: Option<&[u8]>, what: &str) -> Checked {
    let Ok(configured) = caps.secret_get(secret_key).await else {
        return Checked::Unreadable;
    };
    let matched = match (presented, configured.as_deref()) {
        (Some(given), Some(secret)) if !secret.is_empty() => {
            bool::from(digest(given).ct_eq(&digest(secret.as_bytes())))
        }
        _ => false,
    };
    if matched {
        return Checked::Matched;
    }
    if configured.as_deref().is_none_or(str::is_empty) {
        caps.log(
            LogLevel::Warn,
            format!("web trigger refused: no {what} is configured; generate one on the configuration page"),
        )
        .await;
    }
    Checked::Refused
}

/// Every value of `param` in the URL's query, as sent.
fn query_values<'a>(url: &'a str, param: &str) -> Vec<&'a str> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name == param).then_some(value)
        })
        .collect()
}

/// 503 when secret storage cannot be read: the caller may retry; nothing about the
/// configuration is said.
fn secrets_unavailable() -> HttpResponse {
    HttpResponse::error(503, "secret storage is unavailable; retry later").with_header("Retry-After", "5")
}

/// The fixed-length stand-in of a credential that is compared.
fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    #[test]
    fn accepts_only_the_configured_pair() {
        let ok = header("hook", "s3cret:with:colons");
        let p = parse_basic(Some(&ok));
        assert!(matches(p.as_ref(), Some("hook"), Some("s3cret:with:colons")));
        for bad in [
            header("hook", "wrong"),
            header("other", "s3cret:with:colons"),
            header("", ""),
        ] {
            assert!(!matches(
                parse_basic(Some(&bad)).as_ref(),
                Some("hook"),
                Some("s3cret:with:colons")
            ));
        }
        assert!(!matches(p.as_ref(), None, Some("x")), "unset user");
        assert!(
            !matches(parse_basic(Some(&header("", ""))).as_ref(), Some(""), Some("")),
            "empty creds"
        );
    }

    /// The compared values have one length whatever the credentials' lengths (a slice
    /// comparison returns at once on a length mismatch, telling the length by its timing), and
    /// only the exact pair matches: no prefix, extension or other byte.
    #[test]
    fn compares_fixed_length_digests_and_only_the_exact_pair_matches() {
        for value in ["", "a", "s3cret:with:colons", &"x".repeat(10_000)] {
            assert_eq!(digest(value.as_bytes()).len(), 32);
        }
        let configured = ("hook", "correct-horse-battery");
        let accepted = |user: &str, password: &str| {
            matches(
                parse_basic(Some(&header(user, password))).as_ref(),
                Some(configured.0),
                Some(configured.1),
            )
        };
        assert!(accepted("hook", "correct-horse-battery"));
        for (user, password) in [
            ("hook", "correct-horse-batter"),
            ("hook", "correct-horse-battery "),
            ("hook", "correct-horse-battery\0"),
            ("hoo", "correct-horse-battery"),
            ("hookk", "correct-horse-battery"),
            ("HOOK", "correct-horse-battery"),
            ("hook", ""),
            ("", "correct-horse-battery"),
        ] {
            assert!(!accepted(user, password), "{user:?}/{password:?}");
        }
        let raw = Presented {
            user: b"hook".to_vec(),
            password: b"correct-horse-battery\xff".to_vec(),
        };
        assert!(
            !matches(Some(&raw), Some(configured.0), Some(configured.1)),
            "non-UTF-8"
        );
        assert!(
            !matches(Some(&raw), Some(""), Some("")),
            "empty credentials never match"
        );
    }

    #[test]
    fn url_secrets_are_read_from_the_query_only_once() {
        assert_eq!(query_values("https://h/x/pra?secret=abc", "secret"), ["abc"]);
        assert_eq!(query_values("https://h/x/pra?a=1&secret=abc#f", "secret"), ["abc"]);
        assert_eq!(query_values("https://h/x/pra?secret=a&secret=b", "secret"), ["a", "b"]);
        assert!(query_values("https://h/x/pra", "secret").is_empty());
        assert!(query_values("https://h/x/pra?secrets=abc", "secret").is_empty());
        assert_eq!(query_values("https://h/x/pra?secret", "secret"), [""]);
    }

    #[test]
    fn rejects_malformed_headers() {
        for h in ["", "Bearer abc", "Basic", "Basic !!!", "Basic aG9vaw=="] {
            assert!(parse_basic(Some(h)).is_none(), "{h}");
        }
        assert!(
            parse_basic(Some("basic aG9vazpw")).is_some(),
            "scheme is case-insensitive"
        );
    }
}
