//! Atlassian Document Format → HTML, for the sandbox's pages. Everything from the document is
//! escaped; links keep only http(s) and mailto URLs; unknown nodes show their text.

use serde_json::Value;

use super::time::friendly;

/// Deepest nesting rendered as markup; deeper content is shown as text.
const MAX_DEPTH: usize = 64;

/// Escapes text for HTML content and quoted attributes alike (& < > " '), with the escaper the
/// host's pages use too.
pub(crate) fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

/// The URL if it is safe to link to.
fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        .then_some(url.trim())
}

/// A CSS colour if it is a plain hex colour.
fn safe_color(color: &str) -> Option<&str> {
    let hex = color.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(color)
}

fn attr<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node.get("attrs").and_then(|attrs| attrs.get(name))
}

fn attr_str<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    attr(node, name).and_then(Value::as_str)
}

/// Renders an ADF document (or any node) to HTML.
pub(crate) fn render(doc: &Value) -> String {
    let mut out = String::new();
    node(doc, &mut out, 0);
    out
}

fn children(node_value: &Value, out: &mut String, depth: usize) {
    for child in node_value
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        node(child, out, depth + 1);
    }
}

/// The text of an ADF document, one line per top-level block.
pub(crate) fn lines(doc: &Value) -> String {
    let blocks = doc.get("content").and_then(Value::as_array).into_iter().flatten();
    let lines: Vec<String> = blocks
        .map(|block| {
            let mut text = String::new();
            plain_text(block, &mut text, 1);
            text
        })
        .collect();
    lines.join("\n")
}

fn plain_text(node_value: &Value, out: &mut String, depth: usize) {
    if depth > 256 {
        return;
    }
    if let Some(text) = node_value.get("text").and_then(Value::as_str) {
        out.push_str(text);
    }
    for child in node_value
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        plain_text(child, out, depth + 1);
    }
}

fn wrap(out: &mut String, open: &str, close: &str, node_value: &Value, depth: usize) {
    out.push_str(open);
    children(node_value, out, depth);
    out.push_str(close);
}

fn node(n: &Value, out: &mut String, depth: usize) {
    let kind = n.get("type").and_then(Value::as_str).unwrap_or("");
    if depth > MAX_DEPTH {
        let mut text = String::new();
        plain_text(n, &mut text, depth);
        out.push_str(&escape(&text));
        return;
    }
    match kind {
        "doc" => wrap(out, "<div class=\"adf\">", "</div>", n, depth),
        "paragraph" => wrap(out, "<p>", "</p>", n, depth),
        "heading" => {
            let level = attr(n, "level").and_then(Value::as_u64).unwrap_or(1).clamp(1, 6);
            wrap(out, &format!("<h{level}>"), &format!("</h{level}>"), n, depth);
        }
        "text" => text(n, out),
        "hardBreak" => out.push_str("<br>"),
        "bulletList" => wrap(out, "<ul>", "</ul>", n, depth),
        "orderedList" => {
            let start = attr(n, "order").and_then(Value::as_u64).unwrap_or(1);
            wrap(out, &format!("<ol start=\"{start}\">"), "</ol>", n, depth);
        }
        "listItem" => wrap(out, "<li>", "</li>", n, depth),
        "blockquote" => wrap(out, "<blockquote>", "</blockquote>", n, depth),
        "table" => wrap(out, "<table class=\"adf-table\"><tbody>", "</tbody></table>", n, depth),
        "tableRow" => wrap(out, "<tr>", "</tr>", n, depth),
        "tableHeader" | "tableCell" => {
            let tag = if kind == "tableHeader" { "th" } else { "td" };
            let mut open = format!("<{tag}");
            for (name, html) in [("colspan", "colspan"), ("rowspan", "rowspan")] {
                if let Some(span) = attr(n, name).and_then(Value::as_u64).filter(|s| *s > 1) {
                    open.push_str(&format!(" {html}=\"{span}\""));
                }
            }
            open.push('>');
            wrap(out, &open, &format!("</{tag}>"), n, depth);
        }
        "codeBlock" => {
            let language = attr_str(n, "language")
                .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+'))
                .unwrap_or("");
            let mut code = String::new();
            plain_text(n, &mut code, depth);
            out.push_str(&format!(
                "<pre class=\"adf-code\"><code class=\"language-{language}\">{}</code></pre>",
                escape(&code)
            ));
        }
        "panel" => {
            let panel = attr_str(n, "panelType")
                .filter(|p| matches!(*p, "info" | "note" | "warning" | "success" | "error" | "tip" | "custom"))
                .unwrap_or("info");
            wrap(
                out,
                &format!("<div class=\"adf-panel adf-panel-{panel}\">"),
                "</div>",
                n,
                depth,
            );
        }
        "rule" => out.push_str("<hr>"),
        "status" => {
            let color = attr_str(n, "color")
                .filter(|c| matches!(*c, "neutral" | "purple" | "blue" | "red" | "yellow" | "green"))
                .unwrap_or("neutral");
            out.push_str(&format!(
                "<span class=\"lozenge lozenge-{color}\">{}</span>",
                escape(attr_str(n, "text").unwrap_or(""))
            ));
        }
        "expand" | "nestedExpand" => {
            out.push_str(&format!(
                "<details class=\"adf-expand\"><summary>{}</summary>",
                escape(attr_str(n, "title").unwrap_or("Details"))
            ));
            children(n, out, depth);
            out.push_str("</details>");
        }
        "mention" => {
            let name = attr_str(n, "text").or_else(|| attr_str(n, "id")).unwrap_or("someone");
            let name = name.strip_prefix('@').unwrap_or(name);
            out.push_str(&format!("<span class=\"mention\">@{}</span>", escape(name)));
        }
        "emoji" => {
            let text = attr_str(n, "text").or_else(|| attr_str(n, "shortName")).unwrap_or("");
            out.push_str(&escape(text));
        }
        "date" => {
            let when = attr_str(n, "timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .map(friendly)
                .unwrap_or_default();
            out.push_str(&format!("<time>{}</time>", escape(&when)));
        }
        "inlineCard" | "blockCard" | "embedCard" => match attr_str(n, "url").and_then(safe_url) {
            Some(url) => out.push_str(&format!(
                "<a class=\"card\" href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
                escape(url)
            )),
            None => out.push_str("<span class=\"card\">[card]</span>"),
        },
        "taskList" => wrap(out, "<ul class=\"tasks\">", "</ul>", n, depth),
        "taskItem" | "blockTaskItem" => {
            let done = attr_str(n, "state") == Some("DONE");
            let mark = if done { "&#9745;" } else { "&#9744;" };
            wrap(out, &format!("<li>{mark} "), "</li>", n, depth);
        }
        "decisionList" => wrap(out, "<ul class=\"decisions\">", "</ul>", n, depth),
        "decisionItem" => wrap(out, "<li>&#10003; ", "</li>", n, depth),
        "layoutSection" => wrap(out, "<div class=\"adf-layout\">", "</div>", n, depth),
        "layoutColumn" => wrap(out, "<div class=\"adf-column\">", "</div>", n, depth),
        "mediaSingle" | "mediaGroup" => wrap(out, "<div class=\"adf-media\">", "</div>", n, depth),
        "media" | "mediaInline" => out.push_str("<span class=\"adf-media-item\">[attachment]</span>"),
        "caption" => wrap(out, "<div class=\"adf-caption\">", "</div>", n, depth),
        _ => {
            let mut text = String::new();
            plain_text(n, &mut text, depth);
            out.push_str(&format!(
                "<span class=\"adf-unknown\" title=\"{}\">{}</span>",
                escape(kind),
                escape(&text)
            ));
        }
    }
}

fn text(n: &Value, out: &mut String) {
    let mut html = escape(n.get("text").and_then(Value::as_str).unwrap_or(""));
    for mark in n.get("marks").and_then(Value::as_array).into_iter().flatten() {
        let kind = mark.get("type").and_then(Value::as_str).unwrap_or("");
        html = match kind {
            "strong" => format!("<strong>{html}</strong>"),
            "em" => format!("<em>{html}</em>"),
            "code" => format!("<code>{html}</code>"),
            "strike" => format!("<s>{html}</s>"),
            "underline" => format!("<u>{html}</u>"),
            "subsup" => match attr_str(mark, "type") {
                Some("sup") => format!("<sup>{html}</sup>"),
                _ => format!("<sub>{html}</sub>"),
            },
            "link" => match attr_str(mark, "href").and_then(safe_url) {
                Some(href) => format!("<a href=\"{}\" rel=\"noopener noreferrer\">{html}</a>", escape(href)),
                None => html,
            },
            "textColor" => match attr_str(mark, "color").and_then(safe_color) {
                Some(color) => format!("<span style=\"color:{color}\">{html}</span>"),
                None => html,
            },
            _ => html,
        };
    }
    out.push_str(&html);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_common_nodes() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Request <1>"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "bold", "marks": [{"type": "strong"}]},
                {"type": "hardBreak"},
                {"type": "text", "text": "site", "marks": [{"type": "link", "attrs": {"href": "https://example.com/?a=1&b=2"}}]},
                {"type": "text", "text": "bad", "marks": [{"type": "link", "attrs": {"href": "javascript:alert(1)"}}]}
            ]},
            {"type": "bulletList", "content": [{"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]}]},
            {"type": "table", "content": [{"type": "tableRow", "content": [
                {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Field"}]}]},
                {"type": "tableCell", "attrs": {"colspan": 2}, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Value"}]}]}
            ]}]},
            {"type": "codeBlock", "attrs": {"language": "json\"x"}, "content": [{"type": "text", "text": "{\"a\": 1}"}]},
            {"type": "panel", "attrs": {"panelType": "warning"}, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "careful"}]}]},
            {"type": "rule"},
            {"type": "paragraph", "content": [{"type": "status", "attrs": {"text": "PENDING", "color": "yellow"}}]},
            {"type": "expand", "attrs": {"title": "More"}, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hidden"}]}]},
            {"type": "mystery", "content": [{"type": "text", "text": "still <shown>"}]}
        ]});
        let html = render(&doc);
        for expected in [
            "<h2>Request &lt;1&gt;</h2>",
            "<strong>bold</strong><br>",
            "href=\"https://example.com/?a=1&amp;b=2\"",
            "<li><p>one</p></li>",
            "<th><p>Field</p></th><td colspan=\"2\"><p>Value</p></td>",
            "<code class=\"language-\">{&quot;a&quot;: 1}</code>",
            "adf-panel-warning",
            "<hr>",
            "lozenge-yellow\">PENDING",
            "<summary>More</summary>",
            "title=\"mystery\">still &lt;shown&gt;",
        ] {
            assert!(html.contains(expected), "missing {expected} in {html}");
        }
        assert!(!html.contains("javascript:"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for value in [
            json!(null),
            json!("text"),
            json!([1, 2]),
            json!({"type": 5}),
            json!({"type": "heading", "attrs": {"level": 99}}),
        ] {
            let _ = render(&value);
        }
        let mut deep = json!({"type": "text", "text": "deep"});
        for _ in 0..200 {
            deep = json!({"type": "blockquote", "content": [deep]});
        }
        assert!(render(&deep).contains("deep"));
    }
}
