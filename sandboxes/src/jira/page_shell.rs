//! What every sandbox page shares: the head (stylesheet and script files, no inline script), the
//! top bar with the "Signed in as" switcher, the issue action that opens the app's Custom UI
//! page in a modal dialog, the Keeper panel framing the app's page on labelled issues, the app's configuration page framing another, and the headers pages
//! are served with.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::JiraSandbox;
use super::adf_html::escape;
use super::session::SESSION_COOKIE;

/// The Custom UI page the host serves for the app's issue action (the page reads the issue from
/// `?issueKey=`). Its title and display condition are the manifest's (`issue_action`).
const ISSUE_ACTION_PAGE: &str = "/ui/request/index.html";

/// The app's issue action as this site has it "installed": the manifest's `jira:issueAction`.
fn issue_action() -> &'static pam_manifest::IssueAction {
    pam_manifest::app()
        .issue_actions
        .first()
        .expect("manifest.yml declares the issue action")
}

const STYLESHEET: &str = include_str!("assets/pages.css");
const SCRIPT: &str = include_str!("assets/pages.js");

/// Scripts only from files (as on Forge, so the issue action's iframe is tested under a policy
/// without inline scripts); inline styles stay allowed because ADF text colours use them.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

impl JiraSandbox {
    /// A whole page: `body` inside the shared head and top bar.
    pub(super) fn page(&self, title: &str, headers: &HeaderMap, body: &str) -> String {
        let prefix = escape(&self.link_prefix);
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"{prefix}/static/pages.css\">\
             <script src=\"{prefix}/static/pages.js\" defer></script></head><body>\
             <header class=\"topbar\"><a href=\"{prefix}/\">Jira sandbox</a>\
             <span>A local fake of Jira Cloud for PAM Approvals for Jira</span>{switcher}</header>\
             <main>{body}</main></body></html>",
            title = escape(title),
            switcher = self.switcher(headers),
        )
    }

    /// "Signed in as": every person who can sign in, the current one selected.
    fn switcher(&self, headers: &HeaderMap) -> String {
        let current = self.signed_in(headers).map(|person| person.account_id);
        let mut options = String::new();
        if current.is_none() {
            options.push_str("<option value=\"\" selected disabled>Nobody (unknown person)</option>");
        }
        for person in self.people() {
            let selected = if current.as_deref() == Some(person.account_id.as_str()) {
                " selected"
            } else {
                ""
            };
            options.push_str(&format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                escape(&person.account_id),
                escape(&person.display_name),
                escape(&person.email)
            ));
        }
        format!(
            "<label class=\"switcher\">Signed in as<select id=\"sandbox-user\" data-cookie=\"{SESSION_COOKIE}\">{options}</select></label>"
        )
    }
}

/// The issue's action bar and the (closed) dialog its button opens; an empty bar when the
/// issue does not meet the action's display condition.
pub(super) fn issue_actions(key: &str, properties: &[(String, serde_json::Value)]) -> String {
    let action = issue_action();
    // The manifest's display condition: shown where the issue property exists (on issues the
    // app made from a request); an action without a condition shows everywhere.
    let shown = match &action.shown_where_property {
        Some(property) => properties.iter().any(|(name, _)| name == property),
        None => true,
    };
    if !shown {
        return "<div id=\"issue-actions\"></div>".into();
    }
    let title = escape(&action.title);
    let page = format!("{ISSUE_ACTION_PAGE}?issueKey={}", urlencode(key));
    format!(
        "<div id=\"issue-actions\"><button type=\"button\" class=\"issue-action\" data-issue-action=\"{page}\" \
         data-title=\"{title}\"><span class=\"icon\" aria-hidden=\"true\">P</span>{title}</button></div>\
         <dialog id=\"issue-action-dialog\" class=\"modal\" aria-labelledby=\"issue-action-title\">\
         <div class=\"modal-header\"><h2 id=\"issue-action-title\">{title}</h2>\
         <button type=\"button\" class=\"modal-close\" aria-label=\"Close\">&times;</button></div>\
         <iframe class=\"modal-frame\" title=\"{title}\"></iframe></dialog>",
        page = escape(&page),
    )
}

/// The Custom UI page the host serves for the app's issue panel (`jira:issuePanel`
/// `keeper-approval`, resource `keeper`; it reads the issue from `?issueKey=`).
const KEEPER_PANEL_PAGE: &str = "/ui/keeper/index.html";
const KEEPER_PANEL_TITLE: &str = "Keeper approval";
/// The panel's display condition in manifest.yml: either of Keeper ITSM's labels.
const KEEPER_LABELS: [&str; 2] = ["ITSM_approval_request_created", "ITSM_device_admin_approval_requested"];

/// The "Keeper approval" panel, framing the app's page, on an issue labelled like Keeper ITSM's
/// tickets; nothing on any other issue.
pub(super) fn issue_panels(key: &str, labels: &[String]) -> String {
    if !labels.iter().any(|label| KEEPER_LABELS.contains(&label.as_str())) {
        return String::new();
    }
    let page = format!("{KEEPER_PANEL_PAGE}?issueKey={}", urlencode(key));
    format!(
        "<section id=\"keeper-panel\" class=\"issue-panel\" aria-labelledby=\"keeper-panel-title\">\
         <h2 id=\"keeper-panel-title\">{KEEPER_PANEL_TITLE}</h2>\
         <iframe class=\"panel-frame\" src=\"{page}\" title=\"{KEEPER_PANEL_TITLE}\"></iframe></section>",
        page = escape(&page),
    )
}

/// The app's configuration page as this site has it "installed" (the manifest's
/// `jira:adminPage` with `useAsConfig`, resource `admin`).
const ADMIN_PAGE_TITLE: &str = "PAM Approvals for Jira \u{2014} Configure";
const ADMIN_PAGE: &str = "/ui/admin/index.html";

/// The configuration page's content: the breadcrumbs, the title and the Custom UI page in a
/// frame filling the rest; for someone who is not a Jira administrator, a note first.
pub(super) fn admin_page(admin: bool) -> String {
    let note = if admin {
        ""
    } else {
        "<p class=\"admin-note\" role=\"note\">Jira shows this page to Jira administrators only. \
         You are not one, so the app refuses to show or change its configuration.</p>"
    };
    format!(
        "<div class=\"crumbs\">Apps \u{203a} Manage apps \u{203a} {ADMIN_PAGE_TITLE}</div>\
         <h1>{ADMIN_PAGE_TITLE}</h1>{note}\
         <iframe class=\"admin-frame\" src=\"{ADMIN_PAGE}\" title=\"{ADMIN_PAGE_TITLE}\"></iframe>"
    )
}

/// Characters a query value keeps as they are (RFC 3986 unreserved).
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value (issue keys are plain, but a page must not trust that).
fn urlencode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

/// A page response with the pages' security headers.
pub(super) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
        ],
        page,
    )
        .into_response()
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        text,
    )
        .into_response()
}

pub(super) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

pub(super) async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}
