//! The SSRF guard on `response_url`: the app posts only to the configured appliance's approval
//! endpoint, whatever a caller puts in the request. `https`, the configured host exactly
//! (case-insensitive), no user info, the default port, the path `/api/endpoint_approval`, no
//! query or fragment. The URL is parsed by the `url` crate, as the host's HTTP client will.

/// The appliance's endpoint for answers (seed 001, "API approval response").
pub const ENDPOINT_PATH: &str = "/api/endpoint_approval";

/// `Ok` with the URL to post to, or what is wrong with it (the message names the field).
pub fn response_url(raw: &str, appliance_host: &str) -> Result<String, String> {
    let refuse = |why: &str| {
        Err(format!(
            "response_url {why}; the app answers only https://{appliance_host}{ENDPOINT_PATH}"
        ))
    };
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return refuse("is not an absolute URL");
    };
    if url.scheme() != "https" {
        return refuse("is not https");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("carries user info");
    }
    // `port()` is `None` for the scheme's default (443 written out is normalized away).
    if url.port().is_some() {
        return refuse("names a port other than 443");
    }
    let host = url.host_str().unwrap_or("");
    if appliance_host.is_empty() || !host.eq_ignore_ascii_case(appliance_host) {
        return refuse("is not on the configured PRA appliance host");
    }
    if url.path() != ENDPOINT_PATH {
        return refuse("has another path than the appliance's approval endpoint");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("has a query or fragment");
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "acme.beyondtrustcloud.com";

    #[test]
    fn only_the_appliance_endpoint_passes() {
        let good = [
            "https://acme.beyondtrustcloud.com/api/endpoint_approval",
            "https://ACME.BeyondTrustCloud.com/api/endpoint_approval",
            "https://acme.beyondtrustcloud.com:443/api/endpoint_approval",
        ];
        for url in good {
            assert_eq!(
                response_url(url, HOST).as_deref(),
                Ok("https://acme.beyondtrustcloud.com/api/endpoint_approval"),
                "{url}"
            );
        }
        let bad = [
            ("http://acme.beyondtrustcloud.com/api/endpoint_approval", "is not https"),
            ("https://evil.example/api/endpoint_approval", "not on the configured"),
            (
                "https://acme.beyondtrustcloud.com.evil.example/api/endpoint_approval",
                "not on the configured",
            ),
            (
                "https://user:pw@acme.beyondtrustcloud.com/api/endpoint_approval",
                "user info",
            ),
            (
                "https://acme.beyondtrustcloud.com@evil.example/api/endpoint_approval",
                "user info",
            ),
            ("https://acme.beyondtrustcloud.com:8443/api/endpoint_approval", "port"),
            ("https://acme.beyondtrustcloud.com/api/other", "another path"),
            (
                "https://acme.beyondtrustcloud.com/api/endpoint_approval/../x",
                "another path",
            ),
            ("https://acme.beyondtrustcloud.com/api/endpoint_approval?x=1", "query"),
            ("https://169.254.169.254/api/endpoint_approval", "not on the configured"),
            ("/api/endpoint_approval", "not an absolute URL"),
            ("file:///etc/passwd", "is not https"),
        ];
        for (url, why) in bad {
            let error = response_url(url, HOST).unwrap_err();
            assert!(
                error.starts_with("response_url ") && error.contains(why),
                "{url}: {error}"
            );
        }
        assert!(
            response_url("https://x/api/endpoint_approval", "").is_err(),
            "no host configured"
        );
    }
}
