//! The HTTP front of the local host: web triggers at `/x/<module-key>`, the UI bridge at
//! `/bridge/invoke`, the admins' `/_diagnostics`, Custom UI pages at `/ui/<resource>/`, an index
//! page, and in sandbox mode
//! the sandbox's own routes (`/sandbox/...`, `/_sandbox/clock`, given by `sandbox_mode.rs`) plus
//! the host's test controls `/_sandbox/scheduled/{key}` and `/_sandbox/queue`.
//! Each web trigger request, invoke and scheduled run becomes one component run.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::runtime::RunContext;
use crate::state::json_error;
pub use crate::state::{AppState, web_trigger_url};
use crate::wit::{HttpRequest, Invocation, Outcome, WebTriggerCall};

/// Transport limit on web trigger bodies; the app's own (smaller) limit answers first.
pub const TRANSPORT_LIMIT: usize = 1024 * 1024;

/// `sandbox`: the routes of sandbox mode (the sandboxes under `/sandbox/`, their controls);
/// with them come the host's own test controls, which exist only where nothing real is at stake.
pub fn router(state: AppState, static_dir: PathBuf, sandbox: Option<Router>) -> Router {
    let mut routes = Router::new()
        .route("/", get(index))
        .route("/x/{key}", any(web_trigger))
        .route(
            "/bridge/invoke",
            post(crate::bridge::invoke).fallback(crate::bridge::wrong_method),
        )
        .route("/_diagnostics", get(crate::diagnostics::show));
    if sandbox.is_some() {
        // Controls that run schedules now or show the queue exist only in sandbox mode.
        routes = routes
            .route("/_sandbox/scheduled/{key}", post(run_scheduled))
            .route("/_sandbox/queue", get(queue_stats));
    }
    let app = routes.with_state(state).merge(crate::static_ui::router(static_dir));
    match sandbox {
        Some(sandbox) => app.merge(sandbox),
        None => app,
    }
}
async fn web_trigger(
    State(state): State<AppState>,
    Path(key): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let bytes: Bytes = match axum::body::to_bytes(body, TRANSPORT_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("request body exceeds {TRANSPORT_LIMIT} bytes"),
            );
        }
    };
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return json_error(StatusCode::BAD_REQUEST, "request body is not UTF-8 text");
    };
    let request = HttpRequest {
        method: method.to_string(),
        url: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
        headers: crate::http::header_pairs(&headers),
        body,
    };
    let invocation = Invocation::WebTrigger(WebTriggerCall {
        trigger: key.clone(),
        request,
    });
    // Web triggers have no user: their Jira calls act as the app.
    match state.runtime.run(invocation, &state.caps, &RunContext::default()).await {
        Ok((Outcome::Http(response), stats)) => {
            tracing::info!(trigger = %key, status = response.status, steps = stats.steps, "web trigger answered");
            let mut builder = Response::builder().status(response.status);
            for (name, value) in &response.headers {
                builder = builder.header(name, value);
            }
            builder.body(Body::from(response.body)).unwrap_or_else(|_| {
                json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the app answered with an invalid HTTP response",
                )
            })
        }
        Ok((other, _)) => {
            tracing::error!(trigger = %key, "web trigger run ended without an HTTP answer: {other:?}");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the app did not answer the web trigger",
            )
        }
        Err(e) => {
            tracing::error!(trigger = %key, "web trigger run failed: {e:#}");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the app failed while handling the request",
            )
        }
    }
}

/// `POST /_sandbox/scheduled/{key}`: runs that scheduled trigger now; 200 with its value, 500
/// with its error, 404 for an unknown key.
async fn run_scheduled(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    match crate::scheduled::run_now(&state.runtime, &state.caps, &key).await {
        None => {
            let known: Vec<&str> = crate::scheduled::keys().collect();
            json_error(
                StatusCode::NOT_FOUND,
                &format!(
                    "no scheduled trigger \"{key}\"; the known ones are: {}",
                    known.join(", ")
                ),
            )
        }
        Some(Ok(Outcome::Value(value))) => {
            (StatusCode::OK, [("Content-Type", "application/json")], value).into_response()
        }
        Some(Ok(Outcome::Error(message))) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &message),
        Some(Ok(Outcome::Http(_))) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the app answered the scheduled trigger with an HTTP response",
        ),
        Some(Ok(Outcome::Retry(retry))) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!(
                "the app asked to retry the scheduled trigger, which only jobs may: {}",
                retry.reason
            ),
        ),
        Some(Err(e)) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the scheduled trigger's run failed: {e:#}"),
        ),
    }
}

/// `GET /_sandbox/queue` (sandbox mode only): the job queue's figures, for tests and the README
/// walk. `{"pending", "due", "taken"}` describe the table now (by the app's clock);
/// `{"retried", "done", "dropped"}` are totals kept in the database since the data dir was
/// created, so they survive a restart. Payloads are not shown.
async fn queue_stats(State(state): State<AppState>) -> Response {
    match state.caps.queue.store().stats(state.caps.app_now_ms()) {
        Ok(stats) => axum::Json(stats).into_response(),
        Err(e) => {
            tracing::error!("reading the job queue: {e:#}");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "the job queue could not be read")
        }
    }
}

async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
}

/// Serves until Ctrl-C or SIGTERM, then lets open requests finish.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
