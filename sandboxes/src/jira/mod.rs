//! An embedded fake of Jira Cloud: a subset of the platform REST API v3 (and the JSM request
//! comment and approvals) on the real paths, backed by SQLite, plus server-rendered pages to
//! look at issues and decide them (a transition, a JSM approval). Every change of an issue's
//! fields records a Forge-shaped `avi:jira:updated:issue` event (`events.rs`).
//!
//! The host mounts [`JiraSandbox::router`] under `/sandbox/jira`. Every `/rest/...` request goes
//! through a gate first: the request is held to Atlassian's published contract
//! ([`Contracts::check_request`]; unknown operation → 404, broken contract → 400, operation
//! deprecated in the spec → 410; nothing is written), the caller is resolved (no `Authorization` → the app; Basic with a seeded email and
//! password `sandbox` → that person; anything else → 401), a fault rule may fire
//! (`/_sandbox/fail`, see `inspect.rs`), and the request is logged for `/_sandbox/requests`.

mod adf_html;
mod approvals;
mod auth;
mod catalog;
mod error;
mod events;
mod in_memory;
mod inspect;
mod issue_fields;
mod issue_update;
mod jql;
mod page_shell;
mod pages;
mod pages_decide;
mod render;
mod routes_approval;
mod routes_comment;
mod routes_issue;
mod routes_meta;
mod routes_search;
mod routes_workflow;
pub mod seed;
mod session;
mod store;
use super::time;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use crate::faults::{self, Fault, FaultRules};
pub use catalog::{
    Catalog, FieldOption, FieldRec, GroupRec, IssueTypeRec, ProjectRec, StatusRec, TransitionRec, UserRec,
};
use error::{JiraError, RejectReason};
pub use events::ISSUE_UPDATED_EVENT;
pub use in_memory::{Answer, IN_MEMORY_BASE_URL, InMemoryJira};
use pam_contracts_check::{Contracts, RequestViolation};
pub use session::{DEFAULT_USER, Person, SESSION_COOKIE};

/// Largest request body the sandbox reads.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// The request log keeps at most this many entries (oldest dropped first).
const MAX_LOGGED_REQUESTS: usize = 10_000;

/// The fake Jira site.
pub struct JiraSandbox {
    db: Mutex<Connection>,
    contracts: Arc<Contracts>,
    /// Absolute URL of the sandbox root, for `self` links.
    base_url: String,
    /// Path of the sandbox root (`/sandbox/jira`), for links in pages.
    link_prefix: String,
    catalog: Catalog,
    log: Mutex<RequestLog>,
    /// Faults on demand (`/_sandbox/fail`), in memory.
    faults: Mutex<FaultRules>,
    /// Issue-updated events: the recent ones and their subscriber (`events.rs`).
    events: Mutex<events::EventLog>,
}

#[derive(Default)]
struct RequestLog {
    next_seq: u64,
    entries: VecDeque<LoggedRequest>,
}

/// One REST request as the sandbox saw it (`GET /_sandbox/requests`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoggedRequest {
    seq: u64,
    at: String,
    method: String,
    path: String,
    query: Option<String>,
    /// The spec path template the request matched, if any.
    operation: Option<String>,
    /// The status answered; null when a fault played an unreachable host.
    status: Option<u16>,
    /// A fault rule fired on the request (`/_sandbox/fail`): failed, delayed or cut.
    injected: bool,
    /// Which fault (`HTTP 503`, `HTTP 503 after handling (handled: HTTP 201)`, `delayed 200 ms`,
    /// `unreachable`...).
    fault: Option<String>,
    /// Account id the request acted as (null when authentication failed).
    caller: Option<String>,
    /// Why the request was refused (any status >= 400).
    rejected: Option<String>,
    /// The request body: JSON when it parsed, else the text.
    body: Option<Value>,
}

impl JiraSandbox {
    /// Opens (creating and seeding on first use) the sandbox database at `db_path` (":memory:"
    /// for tests). `public_base_url` is the absolute URL of the sandbox root, used for `self`
    /// links (e.g. "http://127.0.0.1:8080/sandbox/jira").
    pub fn open(db_path: &Path, public_base_url: &str, contracts: Arc<Contracts>) -> anyhow::Result<Arc<JiraSandbox>> {
        JiraSandbox::open_seeded(db_path, public_base_url, contracts, &seed::catalog())
    }

    /// `open` with this site configuration seeded instead of `seed.rs`'s (tests' variations).
    fn open_seeded(
        db_path: &Path,
        public_base_url: &str,
        contracts: Arc<Contracts>,
        site: &Catalog,
    ) -> anyhow::Result<Arc<JiraSandbox>> {
        let mut conn = store::open(db_path)?;
        store::seed(&mut conn, site)?;
        let catalog = store::load_catalog(&conn)?;
        let base_url = public_base_url.trim_end_matches('/').to_string();
        Ok(Arc::new(JiraSandbox {
            db: Mutex::new(conn),
            contracts,
            link_prefix: path_of(&base_url),
            base_url,
            catalog,
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultRules::default()),
            events: Mutex::new(events::EventLog::default()),
        }))
    }

    /// The axum router, with routes relative to the sandbox root ("/rest/api/3/issue", "/",
    /// "/browse/{key}", "/_sandbox/requests", ...). Mount it with
    /// `Router::new().nest("/sandbox/jira", sandbox.router())`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/rest/api/3/issue", post(routes_issue::create))
            .route(
                "/rest/api/3/issue/{issueIdOrKey}",
                get(routes_issue::get_issue).put(routes_issue::edit),
            )
            .route(
                "/rest/api/3/issue/{issueIdOrKey}/properties",
                get(routes_issue::list_properties),
            )
            .route(
                "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
                get(routes_issue::get_property)
                    .put(routes_issue::put_property)
                    .delete(routes_issue::delete_property),
            )
            .route(
                "/rest/api/3/issue/{issueIdOrKey}/transitions",
                get(routes_issue::list_transitions).post(routes_issue::do_transition),
            )
            .route(
                "/rest/api/3/issue/{issueIdOrKey}/comment",
                get(routes_comment::list).post(routes_comment::add),
            )
            .route(
                "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
                get(routes_comment::get_one),
            )
            .route(
                "/rest/servicedeskapi/request/{issueIdOrKey}/comment",
                post(routes_comment::add_servicedesk),
            )
            .route(
                "/rest/servicedeskapi/request/{issueIdOrKey}/approval",
                get(routes_approval::list),
            )
            .route(
                "/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}",
                get(routes_approval::get_one).post(routes_approval::answer),
            )
            .route(
                "/rest/api/3/search/jql",
                get(routes_search::search_get).post(routes_search::search_post),
            )
            .route("/rest/api/3/field", get(routes_meta::fields))
            .route("/rest/api/3/status", get(routes_meta::statuses))
            .route("/rest/api/3/user", get(routes_meta::user))
            .route("/rest/api/3/user/search", get(routes_meta::user_search))
            .route(
                "/rest/api/3/user/permission/search",
                get(routes_meta::permission_search),
            )
            .route("/rest/api/3/myself", get(routes_meta::myself))
            .route("/rest/api/3/mypermissions", get(routes_meta::my_permissions))
            .route("/rest/api/3/project/{projectIdOrKey}", get(routes_meta::project))
            .route(
                "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
                get(routes_meta::createmeta_issue_types),
            )
            .route(
                "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
                get(routes_meta::createmeta_fields),
            )
            .route("/rest/api/3/workflows", post(routes_workflow::read))
            .route("/", get(pages::index))
            .route("/browse/{key}", get(pages::browse))
            .route("/browse/{key}/transition", post(pages_decide::transition))
            .route(
                "/browse/{key}/approval/{approvalId}",
                post(pages_decide::answer_approval),
            )
            .route("/plugins/servlet/pam-approvals/configure", get(pages::configure))
            .route("/static/pages.js", get(page_shell::script))
            .route("/static/pages.css", get(page_shell::stylesheet))
            .route("/_sandbox/requests", get(inspect::requests))
            .route("/_sandbox/requests/reset", post(inspect::reset_requests))
            .route("/_sandbox/issues", get(inspect::issues))
            .route("/_sandbox/issues/{key}/approvers", post(routes_approval::set_approvers))
            .route("/_sandbox/events", get(events::list))
            .route("/_sandbox/events/{changelogId}/redeliver", post(events::redeliver))
            .route(
                "/_sandbox/fail",
                post(inspect::add_fault)
                    .get(inspect::fault_rules)
                    .delete(inspect::clear_faults),
            )
            .fallback(fallback)
            .method_not_allowed_fallback(fallback)
            .layer(middleware::from_fn_with_state(Arc::clone(self), gate))
            .with_state(Arc::clone(self))
    }

    /// The database connection (poisoning is ignored: every write is a transaction).
    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn links(&self) -> catalog::Links<'_> {
        catalog::Links { base: &self.base_url }
    }

    fn issue_self(&self, issue_id: i64) -> String {
        format!("{}/rest/api/3/issue/{issue_id}", self.base_url)
    }

    fn record(&self, mut entry: LoggedRequest) {
        let mut log = self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entry.seq = log.next_seq;
        log.next_seq += 1;
        if log.entries.len() >= MAX_LOGGED_REQUESTS {
            log.entries.pop_front();
        }
        log.entries.push_back(entry);
    }

    fn logged_requests(&self) -> Vec<LoggedRequest> {
        let log = self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        log.entries.iter().cloned().collect()
    }

    fn faults(&self) -> MutexGuard<'_, FaultRules> {
        self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn reset_log(&self) {
        let mut log = self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        log.entries.clear();
    }
}

/// The path part of an absolute URL (`http://h:1/sandbox/jira` → `/sandbox/jira`).
fn path_of(url: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(index) => &rest[index..],
            None => "",
        },
        None => url,
    };
    rest.trim_end_matches('/').to_string()
}

/// Contract check, authentication and logging for every `/rest/...` request.
async fn gate(State(sandbox): State<Arc<JiraSandbox>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !path.starts_with("/rest/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let query = request.uri().query().map(str::to_string);
    let path_and_query = match &query {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    let mut entry = LoggedRequest {
        seq: 0,
        at: time::jira_time(time::now_ms()),
        method: method.to_string(),
        path: path.clone(),
        query,
        operation: sandbox
            .contracts
            .operation_template(method.as_str(), &path)
            .map(str::to_string),
        status: None,
        injected: false,
        fault: None,
        caller: None,
        rejected: None,
        body: None,
    };
    let refuse = |mut entry: LoggedRequest, error: JiraError| {
        entry.status = Some(error.status().as_u16());
        let response = error.into_response();
        entry.rejected = response
            .extensions()
            .get::<RejectReason>()
            .map(|reason| reason.0.clone());
        sandbox.record(entry);
        response
    };

    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = JiraError::message(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
            );
            return refuse(entry, error);
        }
    };
    let text = if bytes.is_empty() {
        None
    } else {
        match std::str::from_utf8(&bytes) {
            Ok(text) => Some(text.to_string()),
            Err(_) => return refuse(entry, JiraError::bad_request("The request body is not UTF-8.")),
        }
    };
    entry.body = text
        .as_deref()
        .map(|text| serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())));

    if let Err(violation) = sandbox
        .contracts
        .check_request(method.as_str(), &path_and_query, text.as_deref())
    {
        let error = match violation {
            RequestViolation::UnknownOperation(detail) => JiraError::message(
                StatusCode::NOT_FOUND,
                format!("No Jira REST operation {method} {path} ({detail})."),
            ),
            RequestViolation::Invalid(problems) => {
                JiraError::new(StatusCode::BAD_REQUEST, problems, Default::default())
            }
        };
        return refuse(entry, error);
    }

    if sandbox.contracts.is_deprecated(method.as_str(), &path) {
        let error = JiraError::message(
            StatusCode::GONE,
            format!(
                "{method} {path} is deprecated in Atlassian's spec (being removed); the Jira sandbox refuses it so the app does not depend on it."
            ),
        );
        return refuse(entry, error);
    }

    let caller = match auth::resolve(&sandbox.catalog, &parts.headers) {
        Ok(caller) => caller,
        Err(error) => return refuse(entry, error),
    };
    entry.caller = Some(caller.account_id.clone());
    parts.extensions.insert(caller);

    let fault = sandbox.faults().decide(method.as_str(), &path);
    if let Some(fault) = fault {
        entry.injected = true;
        entry.fault = Some(fault.describe());
    }
    let handle = next.run(Request::from_parts(parts, Body::from(bytes)));
    let response = faults::serve(fault, handle, &mut entry.fault, injected).await;
    if matches!(fault, Some(Fault::Unreachable { .. })) {
        sandbox.record(entry);
        return response;
    }
    entry.status = Some(response.status().as_u16());
    entry.rejected = response
        .extensions()
        .get::<RejectReason>()
        .map(|reason| reason.0.clone());
    sandbox.record(entry);
    response
}

/// What an injected fault answers in place of Jira: the status in Jira's error shape
/// (`{"errorMessages": ["sandbox: injected fault"], "errors": {}}`, with `Retry-After` when the
/// rule gives one), or a cut connection.
fn injected(fault: Fault) -> Response {
    match fault {
        Fault::Unreachable { .. } => faults::cut_connection("the Jira sandbox"),
        Fault::Status { status, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = JiraError::message(status, "sandbox: injected fault").into_response();
            faults::add_retry_after(&mut response, fault);
            response
        }
        Fault::Delay { .. } => JiraError::internal("a delay is not an answer").into_response(),
    }
}

async fn fallback(method: Method, uri: Uri) -> Response {
    if uri.path().starts_with("/rest/") {
        JiraError::message(
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "The Jira sandbox does not implement {method} {} (Atlassian's spec defines it).",
                uri.path()
            ),
        )
        .into_response()
    } else {
        (StatusCode::NOT_FOUND, "Not found in the Jira sandbox.").into_response()
    }
}

/// Parses a JSON request body (the gate has already checked it against the contract).
fn parse_body(bytes: &Bytes) -> Result<Value, JiraError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|e| JiraError::bad_request(format!("The request body is not valid JSON: {e}")))
}

/// Query parameters, in order, percent-decoded.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub(crate) fn parse(raw: Option<&str>) -> QueryParams {
        QueryParams(raw.map(pam_contracts_check::parse_query).unwrap_or_default())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeatable, comma-separated list parameter.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<String>> {
        let mut found = false;
        let mut items = Vec::new();
        for (key, value) in &self.0 {
            if key == name {
                found = true;
                items.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(str::to_string),
                );
            }
        }
        found.then_some(items)
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, JiraError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| JiraError::bad_request(format!("The value '{value}' of '{name}' is not a number."))),
        }
    }
}

/// The sandbox Jira's parsers of outside input, for the fuzz targets (`fuzz/`) only: each runs
/// the parser as the routes do and returns what it made of the input.
#[doc(hidden)]
pub mod fuzzing {
    use axum::http::HeaderMap;

    use super::Catalog;

    /// The seed site (`seed.rs`), the catalog the sandbox opens with.
    pub fn seed_catalog() -> Catalog {
        super::seed::catalog()
    }

    /// JQL as `/rest/api/3/search/jql` reads it (`jql::compile`); every issue key exists.
    pub fn jql(text: &str, catalog: &Catalog) -> Result<(), String> {
        super::jql::compile(text, catalog, &|_| true).map(|_| ())
    }

    /// The value of cookie `name`, as the session reads it.
    pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
        super::session::cookie(headers, name)
    }

    /// A query string as the routes read it: `name`'s value, its list, and its number.
    pub fn query(raw: &str, name: &str) -> (Option<String>, Option<Vec<String>>, bool) {
        let params = super::QueryParams::parse(Some(raw));
        (
            params.get(name).map(str::to_string),
            params.list(name),
            params.int(name).is_ok(),
        )
    }

    /// An approval's decision as `POST .../approval/{id}` reads it.
    pub fn decision(text: &str) -> bool {
        super::approvals::Decision::parse(text).is_ok()
    }
}

#[cfg(test)]
mod tests;
