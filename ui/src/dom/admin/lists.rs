//! The parts of the configuration page built from answers: the warnings banner, the webhook
//! texts with their Copy buttons, and the validation results (of either section). Each keeps
//! what it drew last and rebuilds only when that changes (a rebuild would lose a selection or
//! scroll position).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

use crate::admin::screen::{COPY, CopyItem, Report, Webhook as WebhookScreen, copy_feedback};
use crate::admin::state::Copied;
use crate::dom::{append, by_id, clear, create, show, text_or_hide};

pub struct Warnings {
    root: HtmlElement,
    list: HtmlElement,
    drawn: RefCell<Vec<String>>,
}

impl Warnings {
    pub fn find(d: &Document) -> Result<Warnings, JsValue> {
        Ok(Warnings {
            root: by_id(d, "warnings")?,
            list: by_id(d, "warning-list")?,
            drawn: RefCell::default(),
        })
    }

    pub fn render(&self, d: &Document, warnings: &[String]) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        if drawn.as_slice() != warnings {
            *drawn = warnings.to_vec();
            clear(&self.list);
            for warning in warnings {
                append(&self.list, &create(d, "li", "notice notice-warning warning", warning)?)?;
            }
        }
        show(&self.root, !warnings.is_empty());
        Ok(())
    }
}

/// "Webhook settings": the URLs and templates, each with Copy and a status line.
pub struct Webhook {
    root: HtmlElement,
    urls: HtmlElement,
    templates: HtmlElement,
    drawn: RefCell<Option<WebhookScreen>>,
    copied: RefCell<Option<Copied>>,
}

/// `copy-<key>`: the text's control; `-button` and `-status` its Copy button and status line.
fn copy_id(item: &CopyItem, suffix: &str) -> String {
    format!("copy-{}{suffix}", item.key)
}

impl Webhook {
    pub fn find(d: &Document) -> Result<Webhook, JsValue> {
        Ok(Webhook {
            root: by_id(d, "webhook")?,
            urls: by_id(d, "webhook-urls")?,
            templates: by_id(d, "webhook-templates")?,
            drawn: RefCell::default(),
            copied: RefCell::default(),
        })
    }

    pub fn root(&self) -> &HtmlElement {
        &self.root
    }

    pub fn render(
        &self,
        d: &Document,
        webhook: Option<&WebhookScreen>,
        copied: Option<&Copied>,
    ) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        let rebuilt = drawn.as_ref() != webhook;
        if rebuilt {
            *drawn = webhook.cloned();
            clear(&self.urls);
            clear(&self.templates);
            if let Some(webhook) = webhook {
                for item in &webhook.urls {
                    append(&self.urls, &url_item(d, item)?)?;
                }
                for item in &webhook.templates {
                    append(&self.templates, &template_item(d, item)?)?;
                }
            }
        }
        show(&self.root, webhook.is_some());
        let mut last = self.copied.borrow_mut();
        if rebuilt || last.as_ref() != copied {
            *last = copied.cloned();
            for item in drawn.iter().flat_map(|w| w.urls.iter().chain(&w.templates)) {
                let feedback = copy_feedback(copied.filter(|c| c.key == item.key).map(|c| &c.result));
                if let Some(button) = d.get_element_by_id(&copy_id(item, "-button")) {
                    button.set_text_content(Some(feedback.label));
                }
                if let Ok(line) = by_id::<HtmlElement>(d, &copy_id(item, "-status")) {
                    text_or_hide(&line, feedback.status.as_deref());
                }
            }
        }
        Ok(())
    }
}

/// The Copy button and its status line (announced when it changes).
fn copy_controls(d: &Document, item: &CopyItem) -> Result<(Element, Element), JsValue> {
    let button = create(d, "button", "button button-copy", COPY)?;
    button.set_attribute("type", "button")?;
    button.set_id(&copy_id(item, "-button"));
    button.set_attribute("data-copy", &item.key)?;
    // "Copy" alone says nothing out of context.
    button.set_attribute("aria-describedby", &copy_id(item, "-title"))?;
    let status = create(d, "p", "copy-status", "")?;
    status.set_id(&copy_id(item, "-status"));
    status.set_attribute("role", "status")?;
    status.set_attribute("hidden", "")?;
    Ok((button, status))
}

fn url_item(d: &Document, item: &CopyItem) -> Result<Element, JsValue> {
    let class = if item.primary {
        "copy-item copy-item-primary"
    } else {
        "copy-item"
    };
    let root = create(d, "div", class, "")?;
    let label = create(d, "label", "label", &item.title)?;
    label.set_id(&copy_id(item, "-title"));
    label.set_attribute("for", &copy_id(item, ""))?;
    append(&root, &label)?;
    let row = create(d, "div", "copy-row", "")?;
    let input = create(d, "input", "input input-code", "")?;
    input.set_id(&copy_id(item, ""));
    input.set_attribute("type", "text")?;
    input.set_attribute("readonly", "")?;
    input.set_attribute("value", &item.text)?;
    append(&row, &input)?;
    let (button, status) = copy_controls(d, item)?;
    append(&row, &button)?;
    append(&root, &row)?;
    append(&root, &status)?;
    Ok(root)
}

fn template_item(d: &Document, item: &CopyItem) -> Result<Element, JsValue> {
    let root = create(d, "div", "copy-item", "")?;
    let head = create(d, "div", "copy-head", "")?;
    let title = create(d, "h3", "copy-title", &item.title)?;
    title.set_id(&copy_id(item, "-title"));
    append(&head, &title)?;
    let (button, status) = copy_controls(d, item)?;
    append(&head, &button)?;
    append(&root, &head)?;
    let text = create(d, "textarea", "textarea textarea-code", "")?;
    text.set_id(&copy_id(item, ""));
    text.set_attribute("readonly", "")?;
    text.set_attribute("rows", "10")?;
    text.set_attribute("spellcheck", "false")?;
    text.set_attribute("aria-labelledby", &copy_id(item, "-title"))?;
    text.set_text_content(Some(&item.text));
    append(&root, &text)?;
    append(&root, &status)?;
    Ok(root)
}

/// "Validation results": `#<prefix>checks` with its note, summary and `#<prefix>check-list`
/// (EPM's have no prefix, PRA's `pra-`).
pub struct Checks {
    root: HtmlElement,
    note: HtmlElement,
    summary: HtmlElement,
    list: HtmlElement,
    drawn: RefCell<Option<Report>>,
}

impl Checks {
    pub fn find(d: &Document, prefix: &str) -> Result<Checks, JsValue> {
        Ok(Checks {
            root: by_id(d, &format!("{prefix}checks"))?,
            note: by_id(d, &format!("{prefix}checks-note"))?,
            summary: by_id(d, &format!("{prefix}checks-summary"))?,
            list: by_id(d, &format!("{prefix}check-list"))?,
            drawn: RefCell::default(),
        })
    }

    pub fn render(&self, d: &Document, report: Option<&Report>) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        if drawn.as_ref() == report {
            return Ok(());
        }
        *drawn = report.cloned();
        let Some(report) = report else {
            show(&self.root, false);
            return Ok(());
        };
        text_or_hide(&self.note, report.note);
        self.summary.set_text_content(Some(&report.summary));
        clear(&self.list);
        for row in &report.rows {
            let item = create(d, "li", &format!("check check-{}", row.status), "")?;
            item.set_attribute("data-check", &row.id)?;
            let head = create(d, "div", "check-head", "")?;
            append(
                &head,
                &create(d, "span", &format!("badge badge-{}", row.status), row.badge)?,
            )?;
            append(&head, &create(d, "span", "check-title", &row.title)?)?;
            append(&item, &head)?;
            append(&item, &create(d, "p", "check-detail", &row.detail)?)?;
            if !row.fix.is_empty() {
                let fix = create(d, "p", "check-fix", "")?;
                append(&fix, &create(d, "span", "check-fix-label", "Fix: ")?)?;
                fix.append_with_str_1(&row.fix)?;
                append(&item, &fix)?;
            }
            append(&self.list, &item)?;
        }
        show(&self.root, true);
        Ok(())
    }

    pub fn focus(&self) -> Result<(), JsValue> {
        self.root.focus()
    }
}
