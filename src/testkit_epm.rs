//! A fake BeyondTrust EPM for workflow tests: the token endpoint and the decision call, with
//! faults on demand. (The local host has a fuller sandbox; this one only needs to be exact
//! about what the core sends.)

use std::collections::VecDeque;

use serde_json::{Value, json};

use crate::protocol::{HttpRequest, HttpResponse, Reply};

pub const HOST: &str = "epm.example.test";
pub const CLIENT_ID: &str = "client-1";
pub const CLIENT_SECRET: &str = "s3cret-Client";

#[derive(Default)]
pub struct FakeEpm {
    /// Decision bodies received, in order.
    pub decisions: Vec<Value>,
    pub token_requests: usize,
    /// Tokens handed out and still valid.
    pub tokens: Vec<String>,
    /// Faults for the next calls: `Some(status)` answers it, `None` is a transport failure.
    pub faults: VecDeque<Option<u16>>,
    /// Fails this share of decision calls (percent), before handling them, from a seeded
    /// sequence: `(state, percent)`. Failures cycle through 500, 503, 429 and no answer.
    pub decision_chaos: Option<(u64, u32)>,
    /// Decision calls failed by `decision_chaos`.
    pub chaos_failures: usize,
}

/// A seeded roll (SplitMix64): whether this call fails, and which fault it gets.
pub fn roll(state: &mut u64, percent: u32) -> Option<u64> {
    let z = crate::jobs::backoff::mix(*state);
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    (z % 100 < u64::from(percent)).then_some(z / 100)
}

impl FakeEpm {
    pub fn handle(&mut self, request: &HttpRequest) -> Reply {
        if let Some(fault) = self.faults.pop_front() {
            return match fault {
                Some(status) => Reply::Http(HttpResponse::json(
                    status,
                    &json!({"message": "EPM is having a bad day"}),
                )),
                None => Reply::Failed("connection refused".into()),
            };
        }
        let token_url = format!("https://{HOST}/oauth/connect/token");
        let decision_url = format!("https://{HOST}/management-api/v2/AuthorizationRequest/notification");
        Reply::Http(if request.url == token_url && request.method != "POST" {
            HttpResponse::json(405, &json!({"error": "method not allowed"}))
        } else if request.url == token_url {
            self.token(request)
        } else if request.url == decision_url {
            if let Some((state, percent)) = &mut self.decision_chaos
                && let Some(which) = roll(state, *percent)
            {
                self.chaos_failures += 1;
                return match which % 4 {
                    0 => Reply::Failed("timed out".into()),
                    1 => Reply::Http(HttpResponse::json(429, &json!({"message": "slow down"}))),
                    n => Reply::Http(HttpResponse::json(
                        if n == 2 { 500 } else { 503 },
                        &json!({"message": "EPM is having a bad day"}),
                    )),
                };
            }
            self.decision(request)
        } else {
            HttpResponse::json(404, &json!({"message": format!("no such endpoint: {}", request.url)}))
        })
    }

    fn token(&mut self, request: &HttpRequest) -> HttpResponse {
        self.token_requests += 1;
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let form: Vec<(String, String)> = request
            .body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| {
                (
                    k.to_string(),
                    percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned(),
                )
            })
            .collect();
        let expected = [
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ];
        let same =
            form.len() == expected.len() && expected.iter().zip(&form).all(|((k, v), (fk, fv))| k == fk && v == fv);
        if !same {
            return HttpResponse::json(400, &json!({"error": "invalid_client"}));
        }
        let token = format!("token-{}", self.token_requests);
        self.tokens.push(token.clone());
        HttpResponse::json(
            200,
            &json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "urn:management:api"}),
        )
    }

    fn decision(&mut self, request: &HttpRequest) -> HttpResponse {
        let bearer = request.header("authorization").and_then(|h| h.strip_prefix("Bearer "));
        if !bearer.is_some_and(|t| self.tokens.iter().any(|k| k == t)) {
            return HttpResponse::json(401, &json!({"message": "token is not valid"}));
        }
        let body: Value = serde_json::from_str(&request.body).expect("the decision body is JSON");
        for field in [
            "itsmRequestId",
            "systemId",
            "ticketId",
            "ticketUrl",
            "decision",
            "status",
            "duration",
            "decisionTime",
            "decisionPerformedByUser",
            "message",
        ] {
            assert!(body[field].is_string(), "decision field {field} missing in {body}");
        }
        self.decisions.push(body);
        HttpResponse::json(200, &json!({}))
    }
}

/// The app's cached EPM token (secret `epm.token`) as `providers::epm::api` stores it, issued
/// for this fake's host and client id, valid until `expires_at`.
pub fn cached_token_record(token: &str, expires_at: u64) -> String {
    crate::store::encode(
        2,
        &json!({"accessToken": token, "expiresAt": expires_at, "host": HOST, "clientId": CLIENT_ID}),
    )
}
