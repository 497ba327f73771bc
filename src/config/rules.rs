//! Shapes of settings that every provider's section validates the same way: host names, URLs,
//! Jira project keys, custom field ids and labels.

pub fn is_dns_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').count() >= 2
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A host name the app must never send a provider's client secret to: an IP address in any notation
/// (a name whose last label is a number is one, as URL parsers read it: `127.1`, `0x7f.1`), and
/// names reserved for this machine or a private network. IPv6 literals never get here: a colon
/// or bracket is not a DNS name. (Names that resolve to private addresses cannot be told apart
/// without DNS; the Forge manifest's egress list is the fence for those.)
pub fn is_local_or_numeric(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let last = host.rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
    numeric
        || host == "localhost"
        || [".localhost", ".local", ".internal", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
}

/// An absolute URL a PAM system can post to: https (http only to this machine, for the local host),
/// a host, no user info, no whitespace.
pub fn is_webhook_url(url: &str) -> bool {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return false;
        }
        rest
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    url.len() <= 2000
        && !authority.is_empty()
        && !authority.contains('@')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn is_project_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (2..=10).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

pub fn is_custom_field_id(id: &str) -> bool {
    id.strip_prefix("customfield_")
        .is_some_and(|n| !n.is_empty() && n.len() <= 18 && n.bytes().all(|b| b.is_ascii_digit()))
}

pub fn is_label(label: &str) -> bool {
    !label.is_empty() && label.chars().count() <= 255 && !label.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls() {
        for good in [
            "https://example.atlassian-dev.net/x/1?y=2",
            "http://127.0.0.1:8080/webtrigger/epm-webhook",
            "http://localhost/w",
        ] {
            assert!(is_webhook_url(good), "{good}");
        }
        for bad in [
            "http://example.com/w",
            "https://user:pw@example.com/",
            "https:///x",
            "ftp://example.com",
            "https://a.com/ x",
            "javascript:alert(1)",
        ] {
            assert!(!is_webhook_url(bad), "{bad}");
        }
    }

    #[test]
    fn host_names() {
        assert!(is_dns_name("pmc-services.example.com"));
        for bad in ["example", "a..b", "-a.com", "a.com:8080", "a.com/x", "user@a.com", ""] {
            assert!(!is_dns_name(bad), "{bad}");
        }
    }
}
