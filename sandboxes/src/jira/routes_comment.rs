//! Comments: the platform API (ADF bodies) and the JSM request comment (plain text, internal
//! notes with `public: false`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::JiraError;
use super::issue_fields::check_property;
use super::store::{self, CommentDraft};
use super::time::{friendly, iso8601, jira_time, now_ms};
use super::{JiraSandbox, QueryParams, parse_body};

type Shared = State<Arc<JiraSandbox>>;

/// The entity property Atlassian uses to mark a platform comment internal in JSM.
const SD_PUBLIC_COMMENT: &str = "sd.public.comment";

pub(crate) async fn list(
    State(sandbox): Shared,
    Path(id_or_key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let start_at = query.int("startAt")?.unwrap_or(0).max(0);
    let max_results = query.int("maxResults")?.unwrap_or(5000).clamp(0, 5000);
    let with_properties = query
        .list("expand")
        .is_some_and(|items| items.iter().any(|item| item == "properties"));
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let mut comments = store::comments(&db, issue.id)?;
    if query.get("orderBy") == Some("-created") {
        comments.reverse();
    }
    let total = comments.len();
    let page: Vec<Value> = comments
        .iter()
        .skip(usize::try_from(start_at).unwrap_or(usize::MAX))
        .take(usize::try_from(max_results).unwrap_or(0))
        .map(|comment| sandbox.comment_json(comment, with_properties))
        .collect();
    Ok(Json(json!({
        "startAt": start_at,
        "maxResults": max_results,
        "total": total,
        "comments": page,
    }))
    .into_response())
}

pub(crate) async fn get_one(
    State(sandbox): Shared,
    Path((id_or_key, comment_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, JiraError> {
    let query = QueryParams::parse(query.as_deref());
    let with_properties = query
        .list("expand")
        .is_some_and(|items| items.iter().any(|item| item == "properties"));
    let db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let not_found = || {
        JiraError::message(
            StatusCode::NOT_FOUND,
            format!("Can not find a comment for the id: {comment_id}."),
        )
    };
    let id: i64 = comment_id.parse().map_err(|_| not_found())?;
    let comment = store::comment(&db, issue.id, id)?.ok_or_else(not_found)?;
    Ok(Json(sandbox.comment_json(&comment, with_properties)).into_response())
}

pub(crate) async fn add(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path(id_or_key): Path<String>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let Some(doc) = body.get("body").filter(|doc| doc.is_object()) else {
        return Err(JiraError::field("comment", "Comment body can not be empty!"));
    };
    let visibility = body.get("visibility").filter(|v| !v.is_null()).cloned();
    if let Some(visibility) = &visibility {
        let value = visibility
            .get("value")
            .or_else(|| visibility.get("identifier"))
            .and_then(Value::as_str);
        if value.is_none_or(str::is_empty) {
            return Err(JiraError::field(
                "commentLevel",
                "You must specify the group or role the comment is visible to.",
            ));
        }
    }
    let mut properties = BTreeMap::new();
    for property in body.get("properties").and_then(Value::as_array).into_iter().flatten() {
        let key = property.get("key").and_then(Value::as_str).unwrap_or("");
        let value = property.get("value").cloned().unwrap_or(Value::Null);
        check_property(key, &value)?;
        properties.insert(key.to_string(), value);
    }
    let internal = properties
        .get(SD_PUBLIC_COMMENT)
        .and_then(|value| value.get("internal"))
        .and_then(Value::as_bool)
        .unwrap_or(false);

    let mut db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(JiraError::issue_not_found)?;
    let comment = store::add_comment(
        &mut db,
        CommentDraft {
            issue_id: issue.id,
            author: caller.account_id,
            body: doc.clone(),
            visibility,
            jsd_public: !internal,
            properties,
            source: "platform".into(),
            plain_text: None,
            now: now_ms(),
        },
    )?;
    Ok((StatusCode::CREATED, Json(sandbox.comment_json(&comment, false))).into_response())
}

/// Plain text as an ADF document: blank lines separate paragraphs, line breaks become
/// `hardBreak`s (how Jira shows a JSM comment through the platform API).
pub(crate) fn text_to_adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let mut content = Vec::new();
            for (index, line) in paragraph.split('\n').enumerate() {
                if index > 0 {
                    content.push(json!({"type": "hardBreak"}));
                }
                if !line.is_empty() {
                    content.push(json!({"type": "text", "text": line}));
                }
            }
            json!({"type": "paragraph", "content": content})
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

pub(crate) async fn add_servicedesk(
    State(sandbox): Shared,
    Extension(caller): Extension<Caller>,
    Path(id_or_key): Path<String>,
    body: Bytes,
) -> Result<Response, JiraError> {
    let body = parse_body(&body)?;
    let text = body.get("body").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return Err(JiraError::servicedesk(
            StatusCode::BAD_REQUEST,
            "The comment body can not be empty.",
        ));
    }
    let public = body.get("public").and_then(Value::as_bool).unwrap_or(true);
    let not_found = || {
        JiraError::servicedesk(
            StatusCode::NOT_FOUND,
            format!("The request '{id_or_key}' does not exist or you do not have permission to see it."),
        )
    };
    let mut db = sandbox.db();
    let issue = store::find_issue(&db, &id_or_key)?.ok_or_else(not_found)?;
    let is_request = sandbox
        .catalog
        .project_by_id(&issue.project_id)
        .is_some_and(|project| project.service_desk);
    if !is_request {
        return Err(not_found());
    }
    let mut properties = BTreeMap::new();
    properties.insert(SD_PUBLIC_COMMENT.to_string(), json!({"internal": !public}));
    let comment = store::add_comment(
        &mut db,
        CommentDraft {
            issue_id: issue.id,
            author: caller.account_id.clone(),
            body: text_to_adf(text),
            visibility: None,
            jsd_public: public,
            properties,
            source: "servicedesk".into(),
            plain_text: Some(text.to_string()),
            now: now_ms(),
        },
    )?;
    let author = match sandbox.catalog.user(&caller.account_id) {
        Some(user) => json!({
            "accountId": user.account_id,
            "displayName": user.display_name,
            "emailAddress": user.email,
            "active": user.active,
            "timeZone": "Etc/UTC",
            "_links": {
                "jiraRest": format!("{}/rest/api/2/user?accountId={}", sandbox.base_url, user.account_id),
                "avatarUrls": sandbox.links().avatar_urls(&user.account_id),
                "self": format!("{}/rest/api/2/user?accountId={}", sandbox.base_url, user.account_id),
            }
        }),
        None => json!({"accountId": caller.account_id}),
    };
    let dto = json!({
        "_expands": ["attachment", "renderedBody"],
        "id": comment.id.to_string(),
        "body": text,
        "public": public,
        "author": author,
        "created": {
            "iso8601": iso8601(comment.created),
            "jira": jira_time(comment.created),
            "friendly": friendly(comment.created),
            "epochMillis": comment.created,
        },
        "_links": {
            "self": format!(
                "{}/rest/servicedeskapi/request/{}/comment/{}",
                sandbox.base_url, issue.id, comment.id
            )
        }
    });
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}
