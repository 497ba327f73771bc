//! Server-rendered pages: the issue list (`/`), one issue (`/browse/{key}`) and the app's
//! configuration page (`/plugins/servlet/pam-approvals/configure`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::adf_html::{escape, render};
use super::page_shell::{admin_page, html, issue_actions, issue_panels};
use super::routes_meta::holds;
use super::store::{self, Comment, Issue};
use super::time::friendly;
use super::{JiraSandbox, approvals};

type Shared = State<Arc<JiraSandbox>>;

impl JiraSandbox {
    fn user_html(&self, account_id: Option<&str>) -> String {
        match account_id {
            None => "<span class=\"none\">Unassigned</span>".to_string(),
            Some(id) => match self.catalog.user(id) {
                Some(user) => format!(
                    "<span title=\"{}\">{}</span>",
                    escape(&user.account_id),
                    escape(&user.display_name)
                ),
                None => format!("<span class=\"none\">Unknown user {}</span>", escape(id)),
            },
        }
    }

    fn status_html(&self, status_id: &str) -> String {
        match self.catalog.status(status_id) {
            Some(status) => format!(
                "<span class=\"lozenge lozenge-{}\">{}</span>",
                escape(&status.category),
                escape(&status.name)
            ),
            None => format!("<span class=\"lozenge\">{}</span>", escape(status_id)),
        }
    }

    fn browse_link(&self, key: &str) -> String {
        format!(
            "<a href=\"{}/browse/{}\">{}</a>",
            escape(&self.link_prefix),
            escape(key),
            escape(key)
        )
    }
}

pub(crate) async fn index(State(sandbox): Shared, headers: HeaderMap) -> Response {
    let issues = match store::all_issues(&sandbox.db()) {
        Ok(issues) => issues,
        Err(error) => return (StatusCode::INTERNAL_SERVER_ERROR, escape(&error.to_string())).into_response(),
    };
    let mut rows = String::new();
    for issue in issues.iter().rev() {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            sandbox.browse_link(&issue.key),
            escape(&issue.summary),
            sandbox.status_html(&issue.status_id),
            sandbox.user_html(issue.assignee.as_deref()),
            sandbox.user_html(issue.reporter.as_deref()),
            escape(&friendly(issue.created)),
        ));
    }
    let table = if issues.is_empty() {
        "<p class=\"none\">No issues yet.</p>".to_string()
    } else {
        format!(
            "<table class=\"issues\"><thead><tr><th>Key</th><th>Summary</th><th>Status</th>\
             <th>Assignee</th><th>Reporter</th><th>Created</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let body = format!(
        "<p class=\"site-links\"><a href=\"{}/plugins/servlet/pam-approvals/configure\">App configuration \
         (Jira administrators)</a></p><h1>Issues</h1>{table}",
        escape(&sandbox.link_prefix)
    );
    html(StatusCode::OK, sandbox.page("Issues - Jira sandbox", &headers, &body))
}

/// The app's `jira:adminPage` (`useAsConfig`) as Jira shows it under Apps › Manage apps. The
/// page is framed for everyone: Jira would hide it from non-admins, but its resolvers must
/// refuse them anyway, and that refusal is what the sandbox lets people see.
pub(crate) async fn configure(State(sandbox): Shared, headers: HeaderMap) -> Response {
    let catalog = &sandbox.catalog;
    let admin = sandbox
        .signed_in(&headers)
        .and_then(|person| catalog.user(&person.account_id))
        .is_some_and(|user| holds(catalog, user, "ADMINISTER", None));
    let title = "Apps \u{203a} Manage apps \u{203a} PAM Approvals for Jira \u{2014} Configure - Jira sandbox";
    html(StatusCode::OK, sandbox.page(title, &headers, &admin_page(admin)))
}

pub(crate) async fn browse(State(sandbox): Shared, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let loaded = {
        let db = sandbox.db();
        store::find_issue(&db, &key).and_then(|issue| match issue {
            Some(issue) => {
                let properties = store::properties(&db, issue.id)?;
                let comments = store::comments(&db, issue.id)?;
                let approvals = approvals::of_issue(&db, issue.id)?;
                Ok(Some((issue, properties, comments, approvals)))
            }
            None => Ok(None),
        })
    };
    match loaded {
        Ok(Some((issue, properties, comments, approvals))) => {
            let person = sandbox.signed_in(&headers);
            let decide = sandbox.decide_html(&issue, &approvals, person.as_ref());
            let body = issue_page(&sandbox, &issue, &properties, &comments, &decide);
            let title = format!("[{}] {} - Jira sandbox", issue.key, issue.summary);
            html(StatusCode::OK, sandbox.page(&title, &headers, &body))
        }
        Ok(None) => {
            let body = format!(
                "<h1>Issue not found</h1><p>The issue {} does not exist.</p>",
                escape(&key)
            );
            html(
                StatusCode::NOT_FOUND,
                sandbox.page("Not found - Jira sandbox", &headers, &body),
            )
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, escape(&error.to_string())).into_response(),
    }
}

fn value_html(value: &Value) -> String {
    match value {
        Value::Null => "<span class=\"none\">None</span>".to_string(),
        Value::String(text) => escape(text),
        Value::Object(object) if object.get("value").is_some_and(Value::is_string) => {
            escape(object.get("value").and_then(Value::as_str).unwrap_or_default())
        }
        other => format!(
            "<code>{}</code>",
            escape(&serde_json::to_string(other).unwrap_or_default())
        ),
    }
}

fn issue_page(
    sandbox: &JiraSandbox,
    issue: &Issue,
    properties: &[(String, Value)],
    comments: &[Comment],
    decide: &str,
) -> String {
    let catalog = &sandbox.catalog;
    let project = catalog.project_by_id(&issue.project_id);
    let project_name = project.map_or(issue.project_id.as_str(), |p| p.name.as_str());
    let issue_type = catalog
        .issue_type(&issue.issue_type_id)
        .map_or(issue.issue_type_id.as_str(), |t| t.name.as_str());

    let mut details = String::new();
    let mut row = |label: &str, html: String| {
        details.push_str(&format!("<dt>{}</dt><dd>{html}</dd>", escape(label)));
    };
    row("Status", sandbox.status_html(&issue.status_id));
    row("Issue type", escape(issue_type));
    row(
        "Project",
        format!(
            "{} ({})",
            escape(project_name),
            escape(project.map_or("", |p| p.key.as_str()))
        ),
    );
    row("Assignee", sandbox.user_html(issue.assignee.as_deref()));
    row("Reporter", sandbox.user_html(issue.reporter.as_deref()));
    let labels = if issue.labels.is_empty() {
        "<span class=\"none\">None</span>".to_string()
    } else {
        issue
            .labels
            .iter()
            .map(|label| format!("<span class=\"label\">{}</span>", escape(label)))
            .collect()
    };
    row("Labels", labels);
    row("Created", escape(&friendly(issue.created)));
    row("Updated", escape(&friendly(issue.updated)));
    for field in catalog.custom_fields() {
        let value = issue.custom.get(&field.id).unwrap_or(&Value::Null);
        row(&format!("{} ({})", field.name, field.id), value_html(value));
    }

    let description = match &issue.description {
        Some(doc) => render(doc),
        None => "<p class=\"none\">No description.</p>".to_string(),
    };

    let mut comments_html = String::new();
    for comment in comments {
        let badge = if comment.jsd_public {
            String::new()
        } else {
            " <span class=\"lozenge badge-internal\">Internal note</span>".to_string()
        };
        comments_html.push_str(&format!(
            "<div class=\"comment\" id=\"comment-{}\"><div class=\"meta\"><strong>{}</strong> &middot; {}{badge}</div>{}</div>",
            comment.id,
            sandbox.user_html(Some(&comment.author)),
            escape(&friendly(comment.created)),
            render(&comment.body),
        ));
    }
    if comments.is_empty() {
        comments_html.push_str("<p class=\"none\">No comments.</p>");
    }

    let mut properties_html = String::new();
    for (key, value) in properties {
        properties_html.push_str(&format!(
            "<h3>{}</h3><pre>{}</pre>",
            escape(key),
            escape(&serde_json::to_string_pretty(value).unwrap_or_default())
        ));
    }
    if properties.is_empty() {
        properties_html.push_str("<p class=\"none\">No entity properties.</p>");
    }

    format!(
        "<div class=\"crumbs\">Projects / {project} / {key_link}</div>\
         <h1>{summary}</h1>\
         {actions}\
         <div class=\"layout\"><div class=\"main-col\">{panels}\
         <h2>Description</h2>{description}\
         <h2>Comments</h2>{comments_html}\
         </div><div class=\"side-col\">{decide}<div class=\"details\"><dl>{details}</dl></div>\
         <div class=\"properties\"><h2>Entity properties</h2>{properties_html}</div></div></div>",
        project = escape(project_name),
        key_link = sandbox.browse_link(&issue.key),
        summary = escape(&issue.summary),
        actions = issue_actions(&issue.key, properties),
        panels = issue_panels(&issue.key, &issue.labels),
    )
}
