//! The hosts Forge lets the app reach: the manifest's `permissions.external.fetch.backend`. Each
//! provider lists its entries in the provider table; a host outside them works on the local
//! host but not on Jira Cloud until the manifest lists it.

/// True when `host` is covered by one of `entries` (`*.domain` covers subdomains only).
pub fn covers(entries: &[&str], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    entries.iter().any(|entry| match entry.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => host == *entry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_subdomains_only() {
        let entries = ["*.pm.beyondtrustcloud.com", "exact.example.com"];
        assert!(covers(&entries, "acme-services.pm.beyondtrustcloud.com"));
        assert!(covers(&entries, "ACME.PM.BeyondTrustCloud.com"));
        assert!(covers(&entries, "exact.example.com"));
        assert!(!covers(&entries, "pm.beyondtrustcloud.com"));
        assert!(!covers(&entries, "evilpm.beyondtrustcloud.com"));
        assert!(!covers(&entries, "sub.exact.example.com"));
        assert!(!covers(&[], "exact.example.com"));
    }
}
