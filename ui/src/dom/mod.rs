//! The only code that touches the DOM: small helpers here, each page's elements in `request`,
//! `admin` and `keeper`, the shared notice in `notice`. Every DOM call that can fail returns its error;
//! nothing unwraps.

mod admin;
mod keeper;
mod notice;
mod request;

pub use admin::AdminPage;
pub use keeper::KeeperPage;
pub use request::RequestPage;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement};

pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Which page `index.html` is: `<html data-page="admin">` is the configuration page,
/// `"keeper"` the Keeper panel; the request page's HTML names none.
pub fn page_name(document: &Document) -> Option<String> {
    document
        .document_element()
        .and_then(|html| html.get_attribute("data-page"))
}

/// The page's monotonic clock (ms since it loaded): differences only, never the date, so a
/// wrong clock in the browser changes nothing.
pub fn monotonic_ms() -> u64 {
    let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
    now.max(0.0) as u64
}

/// Calls `handler` every `ms` milliseconds for the page's lifetime (started once, so handing
/// the closure to JavaScript leaks nothing that grows).
pub fn every(ms: i32, handler: impl FnMut() + 'static) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let closure = Closure::<dyn FnMut()>::new(handler);
    window.set_interval_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), ms)?;
    closure.forget();
    Ok(())
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

/// Fills a list with one `<li>` per line.
pub fn fill_list(document: &Document, list: &Element, lines: &[String]) -> Result<(), JsValue> {
    clear(list);
    for line in lines {
        append(list, &create(document, "li", "", line)?)?;
    }
    Ok(())
}

pub fn option(document: &Document, value: &str, label: &str) -> Result<Element, JsValue> {
    let option = create(document, "option", "", label)?;
    option.set_attribute("value", value)?;
    Ok(option)
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

/// Resolves after `ms` milliseconds (`window.setTimeout`, which calls the promise's own
/// `resolve`: no Rust closure is handed to JavaScript).
pub async fn sleep(ms: u32) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let timeout = i32::try_from(ms).unwrap_or(i32::MAX);
    let mut scheduled = Ok(0);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        scheduled = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout);
    });
    scheduled?;
    wasm_bindgen_futures::JsFuture::from(promise).await.map(drop)
}

/// Adds an event listener for the page's lifetime. Listeners are added once, at start-up, so
/// handing the closure to JavaScript (`forget`) leaks nothing that grows.
pub fn listen(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

/// Dispatches the action `to_action` makes of each `event` on `target`, if any.
pub fn on<A: 'static>(
    dispatch: &Rc<dyn Fn(A)>,
    target: &EventTarget,
    event: &str,
    to_action: impl Fn(&Event) -> Option<A> + 'static,
) -> Result<(), JsValue> {
    let dispatch = dispatch.clone();
    listen(target, event, move |e| {
        if let Some(action) = to_action(&e) {
            dispatch(action);
        }
    })
}
