//! The host never follows a redirect: a 3xx from Jira or from a fetched host goes back to the
//! core as it came, and the API token, an `Authorization` header or a body is never replayed
//! to the `Location`. A local stand-in answers 302/307 pointing at an endpoint that records
//! whether anything reached it.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::any;
use pam_approvals_host::outbound::{self, Outbound};
use pam_approvals_host::runtime::HttpRequest;
use serde_json::json;
use support::*;

/// A server whose `/start/...` answers `status` with `Location: /target/...` and whose
/// `/target/...` counts its hits (and answers what a follower would be glad to get).
struct Redirector {
    base: String,
    target_hits: Arc<AtomicUsize>,
    start_authorizations: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn redirector(status: StatusCode) -> Redirector {
    let target_hits = Arc::new(AtomicUsize::new(0));
    let start_authorizations = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hits = target_hits.clone();
    let seen = start_authorizations.clone();
    let app = Router::new()
        .route(
            "/start/{*rest}",
            any(move |uri: axum::http::Uri, headers: HeaderMap| {
                let seen = seen.clone();
                async move {
                    let authorization = headers
                        .get(header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    seen.lock().expect("lock").push(authorization);
                    let location = uri.path().replacen("/start/", "/target/", 1);
                    (status, [(header::LOCATION, location)], "").into_response()
                }
            }),
        )
        .route(
            "/target/{*rest}",
            any(move || {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json!({"accountId": "712020:redirected", "followed": true}).to_string(),
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Redirector {
        base,
        target_hits,
        start_authorizations,
    }
}

/// Validates: the host's outbound client returns a 302 (and a 307, which would replay the
/// method and body) to the caller as is, with its `Location`; the redirect's target is never
/// hit, so the `Authorization` header and the body go nowhere else.
#[tokio::test]
async fn fetches_return_a_redirect_instead_of_following_it() {
    for status in [StatusCode::FOUND, StatusCode::TEMPORARY_REDIRECT] {
        let server = redirector(status).await;
        let outbound = Outbound::network(outbound::client().expect("client"));
        let response = outbound
            .send(HttpRequest {
                method: "POST".into(),
                url: format!("{}/start/oauth/connect/token", server.base),
                headers: vec![
                    ("Authorization".into(), "Bearer secret-token".into()),
                    ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
                ],
                body: "client_secret=do-not-replay".into(),
            })
            .await
            .expect("a response");
        assert_eq!(response.status, status.as_u16());
        let location = response
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("location"))
            .map(|(_, value)| value.as_str());
        assert_eq!(location, Some("/target/oauth/connect/token"), "{status}");
        assert_eq!(
            server.target_hits.load(Ordering::SeqCst),
            0,
            "{status}: the redirect was followed"
        );
        assert_eq!(
            *server.start_authorizations.lock().expect("lock"),
            vec!["Bearer secret-token".to_string()]
        );
    }
}

/// Validates: against a real site, the host's Jira client does not follow a redirect with the
/// API token: the bridge asks the site who the token belongs to (`/rest/api/3/myself`), the
/// site answers 302 to another endpoint, and the host answers 502 naming the 302 instead of
/// signing in whoever that endpoint names. The target is never hit.
#[tokio::test]
async fn jira_calls_return_a_redirect_instead_of_following_it() {
    let server = redirector(StatusCode::FOUND).await;
    let dir = TempDir::new("redirect-site");
    let host = Host::start_against_site(&dir.0, &format!("{}/start", server.base), &[]);
    let call =
        json!({"functionKey": "admin.config", "payload": {}, "context": {"extension": {"type": "jira:adminPage"}}});
    let (status, answer) = invoke(&host, None, &call).await;
    assert_eq!(status, 502, "{answer}");
    assert!(
        answer["error"].as_str().is_some_and(|m| m.contains("HTTP 302")),
        "{answer}"
    );
    assert_eq!(
        server.target_hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    let seen = server.start_authorizations.lock().expect("lock").clone();
    assert!(
        !seen.is_empty() && seen.iter().all(|a| a.starts_with("Basic ")),
        "the site was asked with the API token: {seen:?}"
    );
}
