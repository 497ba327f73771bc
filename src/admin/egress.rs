//! The EPM hosts Forge lets the app reach: the manifest's `permissions.external.fetch.backend`.
//! A host outside them works on the local host but not on Jira Cloud until the manifest lists it.

/// The manifest's egress entries for EPM (kept equal to `manifest.yml` by a test).
pub const EPM_EGRESS: [&str; 1] = ["*.pm.beyondtrustcloud.com"];

/// True when `host` is covered by an egress entry (`*.domain` covers subdomains only).
pub fn allowed(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    EPM_EGRESS.iter().any(|entry| match entry.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => host == *entry,
    })
}

/// The warning the configuration page shows for a host outside the egress list, if any.
pub fn warning(host: &str) -> Option<String> {
    if host.is_empty() || allowed(host) {
        return None;
    }
    Some(format!(
        "On Jira Cloud the app may only call {}; {host} is not covered, so decisions cannot reach EPM \
         there. Add \"{host}\" under permissions.external.fetch.backend in manifest.yml and redeploy \
         (docs/deploy-forge.md), or use your *.pm.beyondtrustcloud.com host name.",
        EPM_EGRESS.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_subdomains_only() {
        assert!(allowed("acme-services.pm.beyondtrustcloud.com"));
        assert!(allowed("ACME.PM.BeyondTrustCloud.com"));
        assert!(!allowed("pm.beyondtrustcloud.com"));
        assert!(!allowed("evilpm.beyondtrustcloud.com"));
        assert!(!allowed("pmc-services.yourcompany.com"));
        assert!(
            warning("pmc-services.yourcompany.com")
                .unwrap()
                .contains("manifest.yml")
        );
        assert_eq!(warning(""), None);
    }

    /// The list here and the manifest's egress must not drift apart.
    #[test]
    fn matches_the_manifest() {
        let manifest = include_str!("../../manifest.yml");
        for entry in EPM_EGRESS {
            assert!(
                manifest.contains(&format!("- address: '{entry}'")),
                "manifest.yml lacks egress {entry}"
            );
        }
        let listed = manifest.matches("- address: ").count();
        assert_eq!(
            listed,
            EPM_EGRESS.len(),
            "manifest.yml has egress entries this list lacks"
        );
    }
}
