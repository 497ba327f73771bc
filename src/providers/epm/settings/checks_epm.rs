//! The EPM half of "Validate configuration": the service host answers, and a token request with
//! the saved client id and secret succeeds. Nothing is sent to EPM but the token request.

use super::{EpmSettings, SECRET_CLIENT_SECRET};
use crate::caps::Caps;
use crate::config::check::Check;
use crate::protocol::HttpRequest;

use crate::providers::epm::wire::api::{self, EpmError};

pub async fn run(caps: &Caps, config: &EpmSettings, client_secret_set: bool) -> Vec<Check> {
    let host = &config.service_hostname;
    let host_title = format!("EPM host {host}");
    let token_title = "EPM API credentials".to_string();
    if host.is_empty() {
        return vec![
            Check::fail(
                "epmHost",
                "EPM host",
                "No EPM service hostname is set, so decisions cannot be sent to EPM.",
                "Enter your EPM services host name (e.g. acme-services.pm.beyondtrustcloud.com) in \"Service hostname\".",
            ),
            Check::skip("epmToken", token_title, "Skipped: no EPM host is set."),
        ];
    }
    // Any HTTP answer proves the host is reachable; the token endpoint refuses GET.
    let probe = HttpRequest {
        method: "GET".into(),
        url: format!("https://{host}/oauth/connect/token"),
        headers: vec![("Accept".into(), "application/json".into())],
        body: String::new(),
    };
    let host_check = match caps.fetch(probe).await {
        Ok(response) => Check::pass(
            "epmHost",
            host_title,
            format!("{host} answered over HTTPS (HTTP {}).", response.status),
        ),
        Err(e) => {
            let fix = match super::egress::warning(host) {
                Some(egress) => egress,
                None => format!(
                    "Check the host name against your EPM console's address (the \"services\" host), and that it \
                     resolves and accepts HTTPS. The host said: {e}."
                ),
            };
            return vec![
                Check::fail("epmHost", host_title, format!("{host} could not be reached: {e}."), fix),
                Check::skip("epmToken", token_title, "Skipped: the EPM host could not be reached."),
            ];
        }
    };
    let token_check = token(caps, config, client_secret_set, token_title).await;
    vec![host_check, token_check]
}

async fn token(caps: &Caps, config: &EpmSettings, client_secret_set: bool, title: String) -> Check {
    if config.client_id.trim().is_empty() || !client_secret_set {
        return Check::fail(
            "epmToken",
            title,
            "The client ID or client secret is not set.",
            "In EPM (Configuration → API Settings) create an API account, then paste its client ID and secret here.",
        );
    }
    let secret = match caps.secret_get(SECRET_CLIENT_SECRET).await {
        Ok(Some(secret)) if !secret.is_empty() => secret,
        Ok(_) => {
            return Check::fail(
                "epmToken",
                title,
                "The client secret is not set.",
                "Paste the API account's client secret and save.",
            );
        }
        Err(e) => {
            return Check::fail(
                "epmToken",
                title,
                format!("The client secret could not be read: {e}."),
                "Run the validation again.",
            );
        }
    };
    let outcome = async {
        let request = api::token_request(config, &secret)?;
        let response = caps
            .fetch(request)
            .await
            .map_err(|e| EpmError::Unreachable(e.to_string()))?;
        api::check_token_response(&response)
    }
    .await;
    match outcome {
        Ok(()) => Check::pass(
            "epmToken",
            title,
            format!("EPM issued an access token to client \"{}\".", config.client_id),
        ),
        Err(EpmError::TokenRefused(status)) => Check::fail(
            "epmToken",
            title,
            format!("EPM refused the client ID and secret (HTTP {status})."),
            "Check the client ID and paste the client secret again (EPM → Configuration → API Settings); the API \
             account must be enabled.",
        ),
        Err(e) => Check::fail(
            "epmToken",
            title,
            format!("The token request failed: {e}."),
            "EPM's token service did not work; try again later, or check the host name.",
        ),
    }
}
