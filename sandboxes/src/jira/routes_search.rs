//! `GET|POST /rest/api/3/search/jql`: the enhanced search, with opaque page tokens.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::error::JiraError;
use super::render::{FieldSelection, PropertySelection};
use super::{JiraSandbox, QueryParams, jql, parse_body, store};

type Shared = State<Arc<JiraSandbox>>;

const DEFAULT_MAX_RESULTS: i64 = 50;
const LIMIT_MAX_RESULTS: i64 = 5000;
const MAX_PROPERTIES: usize = 5;

#[derive(Debug, Default)]
struct SearchRequest {
    jql: String,
    next_page_token: Option<String>,
    max_results: Option<i64>,
    fields: Option<Vec<String>>,
    properties: Option<Vec<String>>,
}

pub(crate) async fn search_get(State(sandbox): Shared, RawQuery(query): RawQuery) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let request = SearchRequest {
        jql: query.get("jql").unwrap_or_default().to_string(),
        next_page_token: query.get("nextPageToken").map(str::to_string),
        max_results: query.int("maxResults")?,
        fields: query.list("fields"),
        properties: query.list("properties"),
    };
    Ok(Json(search(&sandbox, request)?).into_response())
}

pub(crate) async fn search_post(State(sandbox): Shared, body: Bytes) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let strings = |name: &str| {
        body.get(name).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .flat_map(|item| item.split(','))
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect::<Vec<_>>()
        })
    };
    let request = SearchRequest {
        jql: body.get("jql").and_then(Value::as_str).unwrap_or_default().to_string(),
        next_page_token: body.get("nextPageToken").and_then(Value::as_str).map(str::to_string),
        max_results: body.get("maxResults").and_then(Value::as_i64),
        fields: strings("fields"),
        properties: strings("properties"),
    };
    Ok(Json(search(&sandbox, request)?).into_response())
}

fn encode_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-offset:{offset}"))
}

fn decode_token(token: &str) -> Result<usize, JiraError> {
    let invalid = || JiraError::bad_request("The provided next page token is invalid.");
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("sandbox-offset:")
        .and_then(|offset| offset.parse().ok())
        .ok_or_else(invalid)
}

fn search(sandbox: &JiraSandbox, request: SearchRequest) -> Result<Value, JiraError> {
    let max_results = request
        .max_results
        .unwrap_or(DEFAULT_MAX_RESULTS)
        .clamp(1, LIMIT_MAX_RESULTS);
    let max_results = usize::try_from(max_results).unwrap_or(1);
    let offset = match request.next_page_token.as_deref() {
        Some(token) if !token.is_empty() => decode_token(token)?,
        _ => 0,
    };
    let fields = FieldSelection::parse(request.fields.as_deref().unwrap_or(&["id".to_string()]));
    let properties = PropertySelection::parse(request.properties.as_deref());
    if properties.len() > MAX_PROPERTIES {
        return Err(JiraError::bad_request(format!(
            "At most {MAX_PROPERTIES} issue properties can be requested."
        )));
    }

    let db = sandbox.db();
    let all = store::all_issues(&db)?;
    let exists = |key: &str| {
        all.iter()
            .any(|issue| issue.key.eq_ignore_ascii_case(key) || issue.id.to_string() == key)
    };
    let query = jql::compile(&request.jql, &sandbox.catalog, &exists).map_err(JiraError::bad_request)?;
    let mut matching = Vec::new();
    for issue in all {
        let issue_properties = if query.uses_properties() {
            store::properties(&db, issue.id)?
        } else {
            Vec::new()
        };
        if query.matches(&issue, &issue_properties) {
            matching.push(issue);
        }
    }
    query.sort(&mut matching);

    let end = offset.saturating_add(max_results).min(matching.len());
    let page = matching.get(offset..end).unwrap_or_default();
    let mut issues = Vec::with_capacity(page.len());
    for issue in page {
        let mut item = Map::new();
        item.insert("id".into(), json!(issue.id.to_string()));
        if !fields.is_id_only() {
            item.insert("expand".into(), json!(""));
            item.insert("self".into(), json!(sandbox.issue_self(issue.id)));
            item.insert("key".into(), json!(issue.key));
            item.insert(
                "fields".into(),
                Value::Object(sandbox.issue_fields(&db, issue, &fields)?),
            );
        }
        if let Some(selected) = sandbox.issue_properties(&db, issue.id, &properties)? {
            item.insert("properties".into(), Value::Object(selected));
        }
        issues.push(Value::Object(item));
    }
    let is_last = end >= matching.len();
    let mut response = json!({"issues": issues, "isLast": is_last});
    if !is_last && let Some(object) = response.as_object_mut() {
        object.insert("nextPageToken".into(), json!(encode_token(end)));
    }
    Ok(response)
}
