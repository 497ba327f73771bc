//! EPM's management API: the OAuth client-credentials token (cached in secret storage until
//! shortly before it expires) and the decision notification. Contract: ../shared/contracts/CONTRACTS.md.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};
use crate::providers::epm::settings::{EpmSettings, SECRET_CLIENT_SECRET};
use crate::store;

/// Secret-storage key of the cached access token (a credential, so not in plain KV).
const TOKEN_KEY: &str = "epm.token";
/// A token is renewed this long before EPM says it expires.
const RENEW_BEFORE_MS: u64 = 60_000;
/// Version 2 binds the token to the host and client id it was issued for; a version 1 record
/// (unbound) is never used.
const TOKEN_VERSION: u32 = 2;

/// Why EPM could not take a call. Messages never contain credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpmError {
    #[error("the EPM connection is not configured: {0}")]
    NotConfigured(&'static str),
    #[error("EPM could not be reached: {0}")]
    Unreachable(String),
    /// The decision call went out but no answer came back: EPM may have applied it.
    #[error("EPM did not answer the decision call: {0}")]
    NoAnswer(String),
    #[error("EPM refused the token request (HTTP {0}); check the client id and secret")]
    TokenRefused(u16),
    #[error("EPM's token service failed (HTTP {0})")]
    TokenFailed(u16),
    #[error("EPM refused the decision (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("EPM answered something unexpected: {0}")]
    Unexpected(String),
}

/// The cached token and what it was issued for: it is used only while the EPM host and client
/// id are still the ones it was issued for, so a token whose drop failed (`forget_token`) is
/// never sent to a new host.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken {
    access_token: String,
    expires_at: u64,
    host: String,
    client_id: String,
}

impl CachedToken {
    fn usable_for(&self, config: &EpmSettings, now: u64) -> bool {
        self.host == config.service_hostname
            && self.client_id == config.client_id
            && self.expires_at > now + RENEW_BEFORE_MS
    }
}

/// The decision as EPM's notification call takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub request_id: String,
    pub ticket_id: String,
    pub ticket_url: String,
    pub approved: bool,
    pub duration: String,
    pub decision_time: String,
    pub performed_by: String,
    pub message: String,
}

impl Notification {
    pub fn body(&self) -> Value {
        json!({
            "itsmRequestId": self.ticket_id,
            "systemId": self.request_id,
            "ticketId": self.ticket_id,
            "ticketUrl": self.ticket_url,
            "decision": if self.approved { "Approved" } else { "Denied" },
            "status": if self.approved { "2000" } else { "2001" },
            "duration": self.duration,
            "decisionTime": self.decision_time,
            "decisionPerformedByUser": self.performed_by,
            "message": self.message,
        })
    }
}

fn base_url(config: &EpmSettings) -> Result<String, EpmError> {
    if config.service_hostname.is_empty() {
        return Err(EpmError::NotConfigured("service hostname"));
    }
    Ok(format!("https://{}", config.service_hostname))
}

/// The form body of the token request.
pub fn token_request(config: &EpmSettings, client_secret: &str) -> Result<HttpRequest, EpmError> {
    if config.client_id.is_empty() {
        return Err(EpmError::NotConfigured("client id"));
    }
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        crate::jira::client::query_value(&config.client_id),
        crate::jira::client::query_value(client_secret)
    );
    Ok(HttpRequest {
        method: "POST".into(),
        url: format!("{}/oauth/connect/token", base_url(config)?),
        headers: vec![
            ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: form,
    })
}

fn parse_token(response: &HttpResponse, config: &EpmSettings, now: u64) -> Result<CachedToken, EpmError> {
    if (400..500).contains(&response.status) {
        return Err(EpmError::TokenRefused(response.status));
    }
    if !response.is_success() {
        return Err(EpmError::TokenFailed(response.status));
    }
    let body: Value =
        serde_json::from_str(&response.body).map_err(|_| EpmError::Unexpected("token answer is not JSON".into()))?;
    let token = body["access_token"].as_str().filter(|t| !t.is_empty());
    let token = token.ok_or_else(|| EpmError::Unexpected("token answer has no access_token".into()))?;
    let expires_in = body["expires_in"].as_u64().unwrap_or(3600);
    Ok(CachedToken {
        access_token: token.to_string(),
        expires_at: now.saturating_add(expires_in.saturating_mul(1000)),
        host: config.service_hostname.clone(),
        client_id: config.client_id.clone(),
    })
}

/// Whether a token answer grants a token (the configuration check; the token is not kept).
pub fn check_token_response(response: &HttpResponse) -> Result<(), EpmError> {
    parse_token(response, &EpmSettings::default(), 0).map(drop)
}

/// A valid access token: the cached one when it was issued for this host and client id, or a
/// new one from EPM.
pub async fn access_token(caps: &Caps, config: &EpmSettings, now: u64) -> Result<String, EpmError> {
    let unreachable = |e: crate::caps::CapError| EpmError::Unreachable(e.to_string());
    if let Some(text) = caps.secret_get(TOKEN_KEY).await.map_err(unreachable)?
        && let Some(cached) = store::decode::<CachedToken>(TOKEN_VERSION, &text)
        && cached.usable_for(config, now)
    {
        return Ok(cached.access_token);
    }
    let secret = caps.secret_get(SECRET_CLIENT_SECRET).await.map_err(unreachable)?;
    let secret = secret
        .filter(|s| !s.is_empty())
        .ok_or(EpmError::NotConfigured("client secret"))?;
    let response = caps.fetch(token_request(config, &secret)?).await.map_err(unreachable)?;
    let token = parse_token(&response, config, now)?;
    caps.secret_set(TOKEN_KEY, &store::encode(TOKEN_VERSION, &token))
        .await
        .map_err(unreachable)?;
    Ok(token.access_token)
}

pub async fn forget_token(caps: &Caps) {
    let _ = caps.secret_set(TOKEN_KEY, "").await;
}

/// Sends the decision. A 401 means the cached token was revoked: one retry with a new one.
pub async fn send_decision(
    caps: &Caps,
    config: &EpmSettings,
    notification: &Notification,
    now: u64,
) -> Result<(), EpmError> {
    let url = format!(
        "{}/management-api/{}/AuthorizationRequest/notification",
        base_url(config)?,
        config.epm_api_version
    );
    for attempt in 0..2 {
        let token = access_token(caps, config, now).await?;
        let request = HttpRequest {
            method: "POST".into(),
            url: url.clone(),
            headers: vec![
                ("Authorization".into(), format!("Bearer {token}")),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: notification.body().to_string(),
        };
        let response = caps
            .fetch(request)
            .await
            .map_err(|e| EpmError::NoAnswer(e.to_string()))?;
        if response.is_success() {
            return Ok(());
        }
        if response.status == 401 && attempt == 0 {
            caps.log(LogLevel::Warn, "EPM refused the cached token; requesting a new one")
                .await;
            forget_token(caps).await;
            continue;
        }
        return Err(EpmError::Refused {
            status: response.status,
            message: refusal_message(&response),
        });
    }
    Err(EpmError::Refused {
        status: 401,
        message: "the new token was refused too".into(),
    })
}

/// A short reason from EPM's answer (JSON `message`/`title`/`error`, or the start of the text).
fn refusal_message(response: &HttpResponse) -> String {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let text = ["message", "title", "error", "detail"]
        .iter()
        .find_map(|k| body[*k].as_str().map(String::from))
        .unwrap_or_else(|| response.body.chars().take(200).collect());
    if text.trim().is_empty() {
        "no details given".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::future::Future;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    use serde_json::json;

    use super::*;
    use crate::caps::Exchange;
    use crate::protocol::{Call, Reply};
    use crate::providers::epm::settings::SECRET_CLIENT_SECRET;
    use crate::testkit::World;
    use crate::testkit_epm::{CLIENT_ID, CLIENT_SECRET, HOST, cached_token_record};

    /// Another EPM host, answered by `epm_a` (the world's fake EPM only knows `HOST`).
    const HOST_A: &str = "epm-a.example.test";
    const TOKEN_A: &str = "token-for-a";

    fn epm_a(request: &HttpRequest) -> Reply {
        Reply::Http(if request.url.ends_with("/oauth/connect/token") {
            HttpResponse::json(200, &json!({"access_token": TOKEN_A, "expires_in": 3600}))
        } else {
            HttpResponse::json(200, &json!({}))
        })
    }

    /// Runs one workflow over the world; fetches to `HOST_A` are answered by `epm_a` and kept
    /// in `to_a`.
    fn run<T, F: Future<Output = T>>(
        world: &mut World,
        to_a: &mut Vec<HttpRequest>,
        workflow: impl FnOnce(Caps) -> F,
    ) -> T {
        let exchange = Rc::new(RefCell::new(Exchange::default()));
        let mut future = std::pin::pin!(workflow(Caps::new(exchange.clone())));
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
            let call = exchange
                .borrow_mut()
                .outgoing
                .take()
                .expect("a waiting workflow made a call");
            let reply = match call {
                Call::Fetch(request) if request.url.starts_with(&format!("https://{HOST_A}/")) => {
                    let reply = epm_a(&request);
                    to_a.push(request);
                    reply
                }
                call => world.perform_for_tests(call),
            };
            let mut exchange = exchange.borrow_mut();
            exchange.awaiting_reply = false;
            exchange.incoming = Some(reply);
        }
    }

    fn notification() -> Notification {
        Notification {
            request_id: "req-1".into(),
            ticket_id: "PMCJIT-1".into(),
            ticket_url: "https://acme.atlassian.net/browse/PMCJIT-1".into(),
            approved: true,
            duration: "3600".into(),
            decision_time: "2023-11-14T22:13:20.000Z".into(),
            performed_by: "Alice Approver".into(),
            message: String::new(),
        }
    }

    fn config(host: &str, client_id: &str) -> EpmSettings {
        EpmSettings {
            service_hostname: host.into(),
            client_id: client_id.into(),
            ..EpmSettings::default()
        }
    }

    fn send(world: &mut World, to_a: &mut Vec<HttpRequest>, config: EpmSettings) -> Result<(), EpmError> {
        let now = world.now;
        run(world, to_a, |caps| async move {
            send_decision(&caps, &config, &notification(), now).await
        })
    }

    /// The bearer tokens the world's fake EPM (`HOST`) was shown.
    fn tokens_shown_to_host(world: &World) -> Vec<String> {
        world
            .calls
            .iter()
            .filter_map(|c| match c {
                Call::Fetch(r) => r.header("authorization").map(String::from),
                _ => None,
            })
            .collect()
    }

    /// The token cached for host A stays in secret storage when its drop fails (the admin's
    /// save or `PAM_CONFIGURE` could not write): with the app now pointed at `HOST`, a new token
    /// comes from `HOST` and A's token is never sent there.
    #[test]
    fn a_token_cached_for_another_host_is_never_sent_to_the_new_one() {
        let mut world = World::configured();
        world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
        let mut to_a = Vec::new();
        send(&mut world, &mut to_a, config(HOST_A, CLIENT_ID)).unwrap();
        assert_eq!(to_a.len(), 2, "a token request and the decision went to A");
        assert!(world.secrets["epm.token"].contains(TOKEN_A), "A's token is cached");
        // The new host would even accept A's token: only the app's binding keeps it away.
        world.epm.tokens.push(TOKEN_A.into());

        send(&mut world, &mut to_a, config(HOST, CLIENT_ID)).unwrap();
        assert_eq!(world.epm.token_requests, 1, "a fresh token from the new host");
        assert_eq!(world.epm.decisions.len(), 1);
        let shown = tokens_shown_to_host(&world);
        assert_eq!(shown, ["Bearer token-1"]);
        assert!(
            !world.secrets["epm.token"].contains(TOKEN_A),
            "the new host's token replaced it"
        );
        assert_eq!(to_a.len(), 2, "nothing more went to A");
    }

    #[test]
    fn a_token_is_reused_only_for_the_client_id_it_was_issued_for() {
        let mut world = World::configured();
        world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
        let mut to_a = Vec::new();
        send(&mut world, &mut to_a, config(HOST, CLIENT_ID)).unwrap();
        send(&mut world, &mut to_a, config(HOST, CLIENT_ID)).unwrap();
        assert_eq!(world.epm.token_requests, 1, "the cached token is reused");
        assert_eq!(world.epm.decisions.len(), 2);

        // Another client id: the cached token is not used; EPM refuses the new client's
        // token request (this fake knows one client), so no decision is sent at all.
        let answer = send(&mut world, &mut to_a, config(HOST, "client-2"));
        assert_eq!(answer, Err(EpmError::TokenRefused(400)));
        assert_eq!(world.epm.token_requests, 2);
        assert_eq!(world.epm.decisions.len(), 2, "token-1 was not sent for client-2");
        assert!(to_a.is_empty());
    }

    #[test]
    fn unbound_records_are_never_used_and_bound_ones_are() {
        let mut world = World::configured();
        world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
        world.epm.tokens.push("unbound".into());
        let far = world.now + 10 * 3_600_000;
        // A record from before tokens were bound (version 1): which host it was for is unknown.
        world.secrets.insert(
            "epm.token".into(),
            store::encode(1, &json!({"accessToken": "unbound", "expiresAt": far})),
        );
        let mut to_a = Vec::new();
        send(&mut world, &mut to_a, config(HOST, CLIENT_ID)).unwrap();
        assert_eq!(tokens_shown_to_host(&world), ["Bearer token-1"]);

        // The test world's record for this host and client is used as it is.
        world.epm.tokens.push("bound".into());
        world
            .secrets
            .insert("epm.token".into(), cached_token_record("bound", far));
        send(&mut world, &mut to_a, config(HOST, CLIENT_ID)).unwrap();
        assert_eq!(tokens_shown_to_host(&world), ["Bearer token-1", "Bearer bound"]);
    }

    #[test]
    fn a_revoked_bound_token_is_replaced_once() {
        let mut world = World::configured();
        world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
        let far = world.now + 10 * 3_600_000;
        world
            .secrets
            .insert("epm.token".into(), cached_token_record("revoked", far));
        send(&mut world, &mut Vec::new(), config(HOST, CLIENT_ID)).unwrap();
        assert_eq!(tokens_shown_to_host(&world), ["Bearer revoked", "Bearer token-1"]);
        assert_eq!(world.epm.token_requests, 1, "one new token after the 401");
    }
}
