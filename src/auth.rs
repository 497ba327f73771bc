//! HTTP Basic authentication of webhooks, compared in constant time.

use base64::Engine;
use subtle::ConstantTimeEq;

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
/// not tell which part was wrong; unset credentials never match.
pub fn matches(presented: Option<&Presented>, user: Option<&str>, password: Option<&str>) -> bool {
    let (Some(presented), Some(user), Some(password)) = (presented, user, password) else {
        return false;
    };
    if user.is_empty() || password.is_empty() {
        return false;
    }
    let user_ok = presented.user.as_slice().ct_eq(user.as_bytes());
    let password_ok = presented.password.as_slice().ct_eq(password.as_bytes());
    bool::from(user_ok & password_ok)
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
