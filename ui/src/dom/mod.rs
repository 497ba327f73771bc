//! The only code that touches the DOM: small helpers here, the page's elements in `page`.
//! Every DOM call that can fail returns its error; nothing unwraps.

mod page;

pub use page::Page;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement};

pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// The element `#id` of the page's HTML, as the type the code expects.
pub fn by_id<T: JsCast>(document: &Document, id: &str) -> Result<T, JsValue> {
    document
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("index.html has no element #{id}")))?
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str(&format!("#{id} is not the expected kind of element")))
}

/// A new element with a class and text (either may be empty).
pub fn create(document: &Document, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let element = document.create_element(tag)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    Ok(element)
}

pub fn append(parent: &Element, child: &Element) -> Result<(), JsValue> {
    parent.append_child(child).map(drop)
}

/// Removes every child.
pub fn clear(element: &Element) {
    element.set_text_content(None);
}

pub fn show(element: &HtmlElement, visible: bool) {
    element.set_hidden(!visible);
}

/// Shows `text` in `element`, or hides it when there is none (field errors, notices).
pub fn text_or_hide(element: &HtmlElement, text: Option<&str>) {
    element.set_text_content(text);
    show(element, text.is_some());
}

pub fn set_flag(element: &Element, attribute: &str, on: bool) -> Result<(), JsValue> {
    if on {
        element.set_attribute(attribute, "true")
    } else {
        element.remove_attribute(attribute)
    }
}

/// Adds an event listener for the page's lifetime. Listeners are added once, at start-up, so
/// handing the closure to JavaScript (`forget`) leaks nothing that grows.
pub fn listen(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}
