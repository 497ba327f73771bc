//! `POST /x/pra-ticket`: the appliance's approval request. The URL's secret is checked before
//! anything else is read; then the settings, the body and the response URL (the SSRF guard).
//! The request is kept (set-if-absent by request id: a duplicate finds the first) and a
//! `pra.decide` job queued, and the appliance is answered 202 at once: it waits for the app's
//! asynchronous answer at `response_url`. Nothing is written on a refusal; the ticket ID is
//! never logged or echoed.

use serde_json::json;

use super::super::records::{self, Received, keys};
use super::super::settings::{self, secret};
use super::super::{guard, wire};
use super::job;
use crate::auth;
use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};
use crate::store;

pub async fn receive(caps: &Caps, request: &HttpRequest) -> HttpResponse {
    if let Some(refusal) = auth::require_url_secret(caps, request, secret::PARAM, secret::SECRET_KEY).await {
        return refusal;
    }
    let settings = match settings::load(caps).await {
        Ok(settings) => settings,
        Err(e) => return HttpResponse::error(503, e).with_header("Retry-After", "30"),
    };
    if !settings.enabled {
        return HttpResponse::error(503, "the PRA integration is disabled in the app's configuration");
    }
    let parsed = match wire::parse(request.header("Content-Type"), &request.body) {
        Ok(parsed) => parsed,
        Err(e) => return HttpResponse::error(400, e.0),
    };
    let respond_to = match guard::response_url(&parsed.response_url, &settings.appliance_host) {
        Ok(url) => url,
        Err(e) => return HttpResponse::error(400, e),
    };
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return unavailable(format!("the clock failed: {e}")),
    };
    let id = records::id_of(&parsed.request_id);
    let received = Received {
        request: parsed,
        respond_to,
        received_at: now,
    };
    let request_id = received.request.request_id.clone();
    let kept = caps
        .kv_set_if_absent(&keys::request(&id), &store::encode(records::VERSION, &received))
        .await;
    match kept {
        Ok(true) => {
            if let Err(e) = job::queue(caps, &id, now).await {
                // Nothing may stay kept without its job: a redelivery must find no duplicate.
                let _ = caps.kv_delete(&keys::request(&id)).await;
                return unavailable(format!("the request could not be queued ({e})"));
            }
            caps.log(
                LogLevel::Info,
                format!(
                    "PRA request {id} accepted: {} for Jump Item {}",
                    received.request.user.label(),
                    received.request.jump_item.label()
                ),
            )
            .await;
            accepted(&request_id, false)
        }
        Ok(false) => {
            // A duplicate: the first delivery's job answers; queue it again unless it is done
            // (the job answers once whatever runs it).
            if !job::finished(caps, &id).await {
                let _ = job::queue(caps, &id, now).await;
            }
            accepted(&request_id, true)
        }
        Err(e) => unavailable(format!("the request could not be kept ({e})")),
    }
}

fn accepted(request_id: &str, duplicate: bool) -> HttpResponse {
    let mut body = json!({
        "accepted": true,
        "requestId": request_id,
        "reason": "the app decides from the Jira ticket and answers at response_url",
    });
    if duplicate {
        body["duplicate"] = json!(true);
        body["reason"] = json!("this request id was received before; the app answers it once");
    }
    HttpResponse::json(202, &body)
}

fn unavailable(reason: String) -> HttpResponse {
    HttpResponse::error(503, format!("{reason}; nothing was kept, retry later")).with_header("Retry-After", "5")
}
