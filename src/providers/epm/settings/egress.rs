//! The EPM hosts the manifest lets the app reach, and the page's warning for one outside them.

use crate::config::egress;

/// The manifest's egress entries for EPM (kept equal to `manifest.yml` by the provider table's
/// test).
pub const EPM_EGRESS: &[&str] = &["*.pm.beyondtrustcloud.com"];

/// True when `host` is covered by an EPM egress entry.
pub fn allowed(host: &str) -> bool {
    egress::covers(EPM_EGRESS, host)
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
    fn warns_for_hosts_outside_the_list() {
        assert!(allowed("acme-services.pm.beyondtrustcloud.com"));
        assert!(
            warning("pmc-services.yourcompany.com")
                .unwrap()
                .contains("manifest.yml")
        );
        assert_eq!(warning(""), None);
        assert_eq!(warning("acme.pm.beyondtrustcloud.com"), None);
    }
}
