//! Server-rendered pages: the issue list (`/`) and one issue (`/browse/{key}`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use super::JiraSandbox;
use super::adf_html::{escape, render};
use super::store::{self, Comment, Issue};
use super::time::friendly;

type Shared = State<Arc<JiraSandbox>>;

const CSS: &str = r#"
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; color: #172b4d; background: #fff; }
a { color: #0052cc; text-decoration: none; } a:hover { text-decoration: underline; }
.topbar { background: #0747a6; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
.topbar a { color: #fff; font-weight: 600; font-size: 16px; } .topbar span { color: #b3d4ff; font-size: 12px; }
main { padding: 20px 32px; max-width: 1280px; }
h1 { font-size: 24px; font-weight: 500; margin: 4px 0 16px; }
h2 { font-size: 16px; font-weight: 600; margin: 24px 0 8px; }
.crumbs { color: #5e6c84; font-size: 13px; }
table.issues { border-collapse: collapse; width: 100%; }
table.issues th { text-align: left; color: #5e6c84; font-size: 12px; font-weight: 600; border-bottom: 2px solid #dfe1e6; padding: 6px 8px; }
table.issues td { border-bottom: 1px solid #ebecf0; padding: 8px; vertical-align: top; }
table.issues tr:hover td { background: #f4f5f7; }
.lozenge { display: inline-block; border-radius: 3px; padding: 1px 5px; font-size: 11px; font-weight: 700;
  text-transform: uppercase; background: #dfe1e6; color: #42526e; }
.lozenge-new, .lozenge-neutral { background: #dfe1e6; color: #42526e; }
.lozenge-indeterminate, .lozenge-blue { background: #deebff; color: #0747a6; }
.lozenge-done, .lozenge-green { background: #e3fcef; color: #006644; }
.lozenge-yellow { background: #fff0b3; color: #172b4d; } .lozenge-red { background: #ffebe6; color: #bf2600; }
.lozenge-purple { background: #eae6ff; color: #403294; }
.badge-internal { background: #fffae6; color: #974f0c; border: 1px solid #ffe380; }
.layout { display: flex; gap: 32px; align-items: flex-start; }
.main-col { flex: 1 1 auto; min-width: 0; } .side-col { flex: 0 0 340px; }
.details { border: 1px solid #dfe1e6; border-radius: 3px; padding: 12px 16px; }
.details dl { display: grid; grid-template-columns: 140px 1fr; gap: 8px 12px; margin: 0; }
.details dt { color: #5e6c84; font-weight: 600; overflow-wrap: anywhere; min-width: 0; } .details dd { margin: 0; word-break: break-word; }
.none { color: #7a869a; font-style: italic; }
.label { display: inline-block; background: #f4f5f7; border: 1px solid #dfe1e6; border-radius: 3px; padding: 0 4px; margin: 0 4px 4px 0; }
.comment { border-top: 1px solid #ebecf0; padding: 12px 0; }
.comment .meta { color: #5e6c84; font-size: 12px; margin-bottom: 6px; } .comment .meta strong { color: #172b4d; }
pre { background: #f4f5f7; border-radius: 3px; padding: 8px 12px; overflow-x: auto; font-size: 12px; }
.adf-table { border-collapse: collapse; margin: 8px 0; } .adf-table th, .adf-table td { border: 1px solid #c1c7d0; padding: 4px 8px; vertical-align: top; }
.adf-table th { background: #f4f5f7; text-align: left; } .adf-table p { margin: 0; }
.adf-panel { border-radius: 3px; padding: 8px 12px; margin: 8px 0; background: #deebff; }
.adf-panel-note { background: #eae6ff; } .adf-panel-warning { background: #fffae6; } .adf-panel-success { background: #e3fcef; }
.adf-panel-error { background: #ffebe6; } .adf-panel-tip { background: #e3fcef; }
.adf-unknown { background: #f4f5f7; border: 1px dashed #c1c7d0; padding: 0 3px; }
.mention { background: #ebecf0; border-radius: 20px; padding: 0 4px; }
blockquote { border-left: 2px solid #dfe1e6; margin: 8px 0; padding-left: 12px; color: #42526e; }
#issue-actions { margin: 0 0 16px; min-height: 0; }
.properties h3 { font-size: 13px; margin: 12px 0 4px; font-family: monospace; }
"#;

fn page(title: &str, prefix: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body>\
         <header class=\"topbar\"><a href=\"{prefix}/\">Jira sandbox</a>\
         <span>A local fake of Jira Cloud for PAM Approvals for Jira</span></header>\
         <main>{body}</main></body></html>",
        title = escape(title),
        prefix = escape(prefix),
    )
}

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

pub(crate) async fn index(State(sandbox): Shared) -> Response {
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
    let body = format!("<h1>Issues</h1>{table}");
    Html(page("Issues - Jira sandbox", &sandbox.link_prefix, &body)).into_response()
}

pub(crate) async fn browse(State(sandbox): Shared, Path(key): Path<String>) -> Response {
    let loaded = {
        let db = sandbox.db();
        store::find_issue(&db, &key).and_then(|issue| match issue {
            Some(issue) => {
                let properties = store::properties(&db, issue.id)?;
                let comments = store::comments(&db, issue.id)?;
                Ok(Some((issue, properties, comments)))
            }
            None => Ok(None),
        })
    };
    match loaded {
        Ok(Some((issue, properties, comments))) => {
            let body = issue_page(&sandbox, &issue, &properties, &comments);
            let title = format!("[{}] {} - Jira sandbox", issue.key, issue.summary);
            Html(page(&title, &sandbox.link_prefix, &body)).into_response()
        }
        Ok(None) => {
            let body = format!(
                "<h1>Issue not found</h1><p>The issue {} does not exist.</p>",
                escape(&key)
            );
            (
                StatusCode::NOT_FOUND,
                Html(page("Not found - Jira sandbox", &sandbox.link_prefix, &body)),
            )
                .into_response()
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, escape(&error.to_string())).into_response(),
    }
}

fn value_html(value: &Value) -> String {
    match value {
        Value::Null => "<span class=\"none\">None</span>".to_string(),
        Value::String(text) => escape(text),
        other => format!(
            "<code>{}</code>",
            escape(&serde_json::to_string(other).unwrap_or_default())
        ),
    }
}

fn issue_page(sandbox: &JiraSandbox, issue: &Issue, properties: &[(String, Value)], comments: &[Comment]) -> String {
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
         <!-- Issue actions: the \"Manage JIT Access Request\" button goes here. -->\
         <div id=\"issue-actions\"></div>\
         <div class=\"layout\"><div class=\"main-col\">\
         <h2>Description</h2>{description}\
         <h2>Comments</h2>{comments_html}\
         </div><div class=\"side-col\"><div class=\"details\"><dl>{details}</dl></div>\
         <div class=\"properties\"><h2>Entity properties</h2>{properties_html}</div></div></div>",
        project = escape(project_name),
        key_link = sandbox.browse_link(&issue.key),
        summary = escape(&issue.summary),
    )
}
