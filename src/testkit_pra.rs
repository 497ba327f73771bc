//! A PRA appliance for workflow tests: `POST /api/endpoint_approval` held to the seed's
//! contract (form body, `response_id`, `allow|deny`, message ≤255), answering 200 for a pending
//! request, 403 for an unknown or answered one, with faults on demand. The local host serves the
//! fuller sandbox appliance (`pam-sandboxes`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::json;

use crate::protocol::{HttpRequest, HttpResponse, Reply};

pub const HOST: &str = "acme.beyondtrustcloud.com";
pub const RESPONSE_URL: &str = "https://acme.beyondtrustcloud.com/api/endpoint_approval";

#[derive(Default)]
pub struct FakePra {
    /// Request ids the appliance waits on.
    pub pending: BTreeSet<String>,
    /// Every answer it took: the form's pairs.
    pub responses: Vec<BTreeMap<String, String>>,
    /// Calls received (taken or not).
    pub calls: usize,
    /// Faults for the next calls: `Some(status)` answers it, `None` is a transport failure.
    pub faults: VecDeque<Option<u16>>,
    /// Answers 404 (no ticket system configured).
    pub unconfigured: bool,
}

impl FakePra {
    pub fn handles(request: &HttpRequest) -> bool {
        request.url.starts_with(&format!("https://{HOST}/"))
    }

    pub fn handle(&mut self, request: &HttpRequest) -> Reply {
        self.calls += 1;
        if let Some(fault) = self.faults.pop_front() {
            return match fault {
                Some(status) => Reply::Http(HttpResponse::error(status, "the appliance is having a bad day")),
                None => Reply::Failed("connection timed out".into()),
            };
        }
        Reply::Http(self.answer(request))
    }

    fn answer(&mut self, request: &HttpRequest) -> HttpResponse {
        if request.url != RESPONSE_URL || request.method != "POST" {
            return HttpResponse::error(404, "not the approval endpoint");
        }
        if request.header("Content-Type") != Some("application/x-www-form-urlencoded") {
            return HttpResponse::error(415, "send a form");
        }
        let mut form = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(request.body.as_bytes()) {
            if form.insert(key.to_string(), value.to_string()).is_some() {
                return HttpResponse::error(400, format!("{key} twice"));
            }
        }
        let known = |k: &str| matches!(k, "response_id" | "response" | "message") || k.starts_with("session.custom.");
        if let Some(bad) = form.keys().find(|k| !known(k)) {
            return HttpResponse::error(400, format!("unknown key {bad}"));
        }
        if !matches!(form.get("response").map(String::as_str), Some("allow" | "deny")) {
            return HttpResponse::error(400, "response must be allow or deny");
        }
        if form.get("message").is_some_and(|m| m.chars().count() > 255) {
            return HttpResponse::error(400, "message is longer than 255 characters");
        }
        if self.unconfigured {
            return HttpResponse::error(404, "no ticket system URL is configured");
        }
        let Some(id) = form.get("response_id") else {
            return HttpResponse::error(400, "response_id is required");
        };
        if !self.pending.remove(id) {
            return HttpResponse::error(403, "the request id is not valid");
        }
        self.responses.push(form);
        HttpResponse::json(200, &json!({}))
    }
}
