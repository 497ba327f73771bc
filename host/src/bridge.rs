//! The local stand-in for Forge's UI bridge: `POST /bridge/invoke` with
//! `{"functionKey", "payload", "context": {"extension"}}` runs one resolver invocation as the
//! signed-in user (docs/resolvers.md).
//!
//! Answers: the resolver's JSON value 200; the core's `Outcome::Error` 400 `{"error"}`; a
//! request from another site or to another host name 403; not signed in 401; not JSON 415;
//! over 64 KiB 413; malformed (not UTF-8, a byte order mark, a key twice with different values)
//! 400; not POST 405; a failed run 500; a run past Forge's 25 s 504. The page
//! cannot choose whom it acts for: `accountId` comes from [`SignIn`](crate::sign_in::SignIn),
//! whatever the page sends.
//!
//! Only this host's own pages may call: the `Host` must be this host (its listen address, or
//! `localhost` / `127.0.0.1` / `[::1]` on its port), so a DNS-rebound name (`evil.example`
//! resolving to 127.0.0.1) is refused; an `Origin`, when sent, must be `http://<that Host>`; and
//! `Sec-Fetch-Site`, when sent, must be `same-origin` or `none`. Clients that send neither
//! (curl, node) are not browsers carrying someone's cookies and may call. Requiring a JSON content
//! type also means another site cannot post here without a CORS preflight, which this host
//! never grants.

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::runtime::{Invocation, Outcome, ResolverCall, RunContext};
use crate::sign_in::SignInError;
use crate::state::{AppState, json_error, web_trigger_url};

/// Largest invoke request (Forge's own payload limit is larger; pages here send small forms).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Forge ends resolver functions after 25 s.
const RESOLVER_TIMEOUT: Duration = Duration::from_secs(25);

// The request parser is a file of its own (serde_json only), so that the fuzz targets (fuzz/)
// can compile it without the host's engine.
mod request;
use request::parse;

/// The resolver context as Forge shapes it, plus `webTriggerUrls`, which a Forge shell gets from
/// `webTrigger.getUrl` (the configuration page shows the URL to paste into EPM). Only
/// `extension` comes from the page; the rest, and above all `accountId`, is the host's.
fn resolver_context(extension: Value, account_id: &str, site_url: &str, public_url: &str) -> Value {
    // The manifest's `webtrigger` module keys, as Forge knows them.
    let web_triggers: Map<String, Value> = pam_manifest::app()
        .web_triggers
        .iter()
        .map(|key| (key.to_string(), Value::String(web_trigger_url(public_url, key))))
        .collect();
    json!({
        "accountId": account_id,
        "accountType": "licensed",
        "siteUrl": site_url,
        "webTriggerUrls": web_triggers,
        "extension": extension,
    })
}

/// The host names a request may carry to reach this host listening at `public_url`
/// (`http://<listen address>`): that address, and the loopback names on its port (without the
/// port too when it is 80, as browsers send it).
fn own_hosts(public_url: &str) -> Vec<String> {
    let listen = public_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let port = listen
        .rsplit_once(':')
        .map(|(_, port)| port.to_string())
        .unwrap_or_default();
    let mut hosts = vec![listen];
    for name in ["localhost", "127.0.0.1", "[::1]"] {
        hosts.push(format!("{name}:{port}"));
        if port == "80" {
            hosts.push(name.to_string());
        }
    }
    hosts
}

/// Why a request is not from this host's own pages (see the module docs), if it is not.
fn foreign_request(headers: &HeaderMap, uri: &Uri, public_url: &str) -> Option<String> {
    let text = |name: header::HeaderName| {
        headers
            .get(&name)
            .map(|value| value.to_str().unwrap_or("(not text)").trim().to_string())
    };
    let Some(host) = text(header::HOST).or_else(|| uri.authority().map(|a| a.to_string())) else {
        return Some("request refused: it names no Host".into());
    };
    if !own_hosts(public_url).contains(&host.to_ascii_lowercase()) {
        return Some(format!(
            "request refused: Host {host} is not this host (DNS rebinding?); open the pages at {public_url}"
        ));
    }
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && !["same-origin", "none"].contains(&site.to_ascii_lowercase().as_str())
    {
        return Some(format!(
            "cross-origin request refused: Sec-Fetch-Site is {site}; only this host's own pages may call the bridge"
        ));
    }
    if let Some(origin) = text(header::ORIGIN)
        && !origin.eq_ignore_ascii_case(&format!("http://{host}"))
    {
        return Some(format!(
            "cross-origin request refused: Origin {origin} is not this host"
        ));
    }
    None
}

/// Any method but POST: 405 naming it (Forge's bridge only ever posts).
pub async fn wrong_method(method: axum::http::Method) -> Response {
    let mut response = json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method {method} is not allowed; invoke with POST"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, axum::http::HeaderValue::from_static("POST"));
    response
}

/// The account of the person a request from this host's own pages is signed in as; the
/// refusal (403 foreign, 401 not signed in, 502 the site could not say) otherwise.
pub async fn signed_in(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<String, Response> {
    if let Some(message) = foreign_request(headers, uri, &state.public_url) {
        tracing::warn!("bridge: {message}");
        return Err(json_error(StatusCode::FORBIDDEN, &message));
    }
    match state.sign_in.account_id(headers, &state.caps.jira).await {
        Ok(account_id) => Ok(account_id),
        Err(SignInError::NotSignedIn(message)) => Err(json_error(StatusCode::UNAUTHORIZED, &message)),
        Err(SignInError::Unavailable(message)) => Err(json_error(StatusCode::BAD_GATEWAY, &message)),
    }
}

pub async fn invoke(State(state): State<AppState>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    let account_id = match signed_in(&state, &uri, &headers).await {
        Ok(account_id) => account_id,
        Err(refusal) => return refusal,
    };
    if !crate::media_type::is(&headers, "application/json") {
        return json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invoke takes JSON (Content-Type: application/json)",
        );
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        );
    };
    let request = match parse(&bytes) {
        Ok(request) => request,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    run_resolver(
        &state,
        &account_id,
        &request.function_key,
        &request.payload,
        request.extension,
    )
    .await
}

/// Runs resolver `name` as `account_id` and answers as the bridge does (module docs).
pub async fn run_resolver(
    state: &AppState,
    account_id: &str,
    name: &str,
    payload: &Value,
    extension: Value,
) -> Response {
    let context = resolver_context(extension, account_id, &state.site_url, &state.public_url);
    let invocation = Invocation::Resolver(ResolverCall {
        name: name.to_string(),
        payload: payload.to_string(),
        context: context.to_string(),
    });
    let run_context = RunContext::for_user(account_id);
    let run = state.runtime.run(invocation, &state.caps, &run_context);
    match tokio::time::timeout(RESOLVER_TIMEOUT, run).await {
        Ok(Ok((Outcome::Value(text), stats))) => {
            if serde_json::from_str::<Value>(&text).is_err() {
                tracing::error!(resolver = %name, "the resolver answered something that is not JSON");
                return json_error(StatusCode::INTERNAL_SERVER_ERROR, "the resolver's answer is not JSON");
            }
            tracing::info!(resolver = %name, steps = stats.steps, "resolver answered");
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text).into_response()
        }
        Ok(Ok((Outcome::Error(message), _))) => {
            tracing::info!(resolver = %name, "resolver failed: {message}");
            json_error(StatusCode::BAD_REQUEST, &message)
        }
        Ok(Ok((Outcome::Http(_), _))) => {
            tracing::error!(resolver = %name, "the resolver answered like a web trigger");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the resolver did not answer with a value",
            )
        }
        // Only jobs may ask to be retried: the app broke the protocol, the user did nothing wrong.
        Ok(Ok((Outcome::Retry(retry), _))) => {
            tracing::error!(resolver = %name, "the resolver asked to be retried, which only jobs may: {}", retry.reason);
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the resolver did not answer with a value",
            )
        }
        Ok(Err(e)) => {
            tracing::error!(resolver = %name, "resolver run failed: {e:#}");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the app failed while handling the call",
            )
        }
        Err(_) => {
            tracing::error!(resolver = %name, "resolver run exceeded {RESOLVER_TIMEOUT:?}");
            json_error(
                StatusCode::GATEWAY_TIMEOUT,
                "the resolver did not finish within 25 s (Forge's limit)",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_cannot_choose_the_account() {
        let request = parse(
            br#"{"functionKey": "epm.request", "payload": {"x": 1},
                 "context": {"accountId": "evil", "extension": {"issue": {"key": "PMCJIT-1"}}}}"#,
        )
        .expect("valid");
        assert_eq!(request.function_key, "epm.request");
        let context = resolver_context(request.extension, "alice", "http://h/sandbox/jira", "http://h/");
        assert_eq!(context["accountId"], "alice");
        assert_eq!(context["extension"]["issue"]["key"], "PMCJIT-1");
        assert_eq!(
            context["webTriggerUrls"],
            json!({"epm-webhook": "http://h/x/epm-webhook", "pra-ticket": "http://h/x/pra-ticket", "keeper-alert": "http://h/x/keeper-alert"})
        );
        assert_eq!(context.as_object().map(|o| o.len()), Some(5));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn only_this_hosts_own_pages_may_call() {
        let url = "http://127.0.0.1:8080";
        let uri = Uri::from_static("/bridge/invoke");
        for (name, pairs) in [
            ("curl", vec![("host", "127.0.0.1:8080")]),
            ("localhost", vec![("host", "LocalHost:8080")]),
            ("ipv6", vec![("host", "[::1]:8080")]),
            (
                "same-origin page",
                vec![
                    ("host", "127.0.0.1:8080"),
                    ("origin", "http://127.0.0.1:8080"),
                    ("sec-fetch-site", "same-origin"),
                ],
            ),
        ] {
            assert_eq!(foreign_request(&headers(&pairs), &uri, url), None, "{name}");
        }
        for (name, pairs, expected) in [
            ("no host", vec![], "names no Host"),
            (
                "rebinding",
                vec![("host", "evil.example:8080")],
                "Host evil.example:8080 is not this host",
            ),
            ("other port", vec![("host", "127.0.0.1:9090")], "is not this host"),
            (
                "evil origin",
                vec![("host", "127.0.0.1:8080"), ("origin", "http://evil.example")],
                "Origin http://evil.example is not this host",
            ),
            (
                "null origin",
                vec![("host", "127.0.0.1:8080"), ("origin", "null")],
                "Origin null is not this host",
            ),
            (
                "another loopback origin",
                vec![("host", "127.0.0.1:8080"), ("origin", "http://localhost:8080")],
                "is not this host",
            ),
            (
                "https origin",
                vec![("host", "127.0.0.1:8080"), ("origin", "https://127.0.0.1:8080")],
                "is not this host",
            ),
            (
                "cross-site fetch",
                vec![("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")],
                "Sec-Fetch-Site is cross-site",
            ),
            (
                "same-site fetch",
                vec![("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-site")],
                "Sec-Fetch-Site is same-site",
            ),
        ] {
            let message = foreign_request(&headers(&pairs), &uri, url).unwrap_or_else(|| panic!("{name} passed"));
            assert!(message.contains(expected), "{name}: {message}");
        }
        // Port 80: browsers leave the port out.
        let eighty = headers(&[("host", "localhost"), ("origin", "http://localhost")]);
        assert_eq!(foreign_request(&eighty, &uri, "http://127.0.0.1:80"), None);
        // HTTP/2 carries the authority in the URI.
        let h2 = Uri::from_static("http://127.0.0.1:8080/bridge/invoke");
        assert_eq!(foreign_request(&HeaderMap::new(), &h2, url), None);
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        for (body, expected) in [
            (&b"{"[..], "not valid JSON"),
            (b"[]", "must be a JSON object"),
            (b"{}", "functionKey is missing"),
            (br#"{"functionKey": 3}"#, "functionKey must be"),
            (br#"{"functionKey": ""}"#, "functionKey must be"),
            (br#"{"functionKey": "a", "payload": [1]}"#, "payload must be"),
            (
                br#"{"functionKey": "a", "functionKey": "b"}"#,
                "names \"functionKey\" twice",
            ),
            (
                br#"{"functionKey": "a", "payload": {"x": 1, "x": 2}}"#,
                "names \"x\" twice",
            ),
            (b"\xef\xbb\xbf{\"functionKey\": \"a\"}", "byte order mark"),
            (b"{\"functionKey\": \"\xff\"}", "not UTF-8"),
            (br#"{"functionKey": "a", "context": "x"}"#, "context must be"),
            (
                br#"{"functionKey": "a", "context": {"extension": 1}}"#,
                "context.extension must be",
            ),
        ] {
            let message = parse(body).expect_err(expected);
            assert!(message.contains(expected), "{message}");
        }
        let defaults = parse(br#"{"functionKey": "a"}"#).expect("valid");
        assert_eq!((defaults.payload, defaults.extension), (json!({}), json!({})));
    }
}
