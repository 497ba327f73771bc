//! The notice in a page's live region (`#notice`, `#notice-title`, `#notice-lines`), the same
//! on both pages; the configuration page's PRA section has one of its own (`#pra-notice…`).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlElement};

use super::{by_id, fill_list, show};
use crate::state::{Notice, Tone};

pub struct NoticeBox {
    root: HtmlElement,
    title: HtmlElement,
    lines: HtmlElement,
    /// What was drawn last: redrawing the same notice would make screen readers repeat it.
    drawn: RefCell<Option<Notice>>,
}

impl NoticeBox {
    pub fn find(document: &Document) -> Result<NoticeBox, JsValue> {
        NoticeBox::find_at(document, "notice")
    }

    /// The notice `#<id>` with its `#<id>-title` and `#<id>-lines`.
    pub fn find_at(document: &Document, id: &str) -> Result<NoticeBox, JsValue> {
        Ok(NoticeBox {
            root: by_id(document, id)?,
            title: by_id(document, &format!("{id}-title"))?,
            lines: by_id(document, &format!("{id}-lines"))?,
            drawn: RefCell::default(),
        })
    }

    pub fn render(&self, document: &Document, notice: Option<&Notice>) -> Result<(), JsValue> {
        let mut drawn = self.drawn.borrow_mut();
        if drawn.as_ref() == notice {
            return Ok(());
        }
        *drawn = notice.cloned();
        let Some(notice) = notice else {
            show(&self.root, false);
            return Ok(());
        };
        let tone = match notice.tone {
            Tone::Info => "info",
            Tone::Success => "success",
            Tone::Warning => "warning",
            Tone::Error => "error",
        };
        self.root.set_class_name(&format!("notice notice-{tone}"));
        self.title.set_text_content(Some(&notice.title));
        fill_list(document, &self.lines, &notice.lines)?;
        show(&self.root, true);
        Ok(())
    }

    pub fn focus(&self) -> Result<(), JsValue> {
        self.root.focus()
    }
}
