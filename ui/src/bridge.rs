//! The pages' way to the resolvers: `bridge.js` (next to the generated glue in the build
//! folder), which uses `@forge/bridge` on Forge and the local host's `POST /bridge/invoke`
//! elsewhere. Values cross as JSON text, so the Rust side sees `serde_json::Value` only. Also
//! the clipboard, whose fallback needs a few lines of DOM that are simpler in JavaScript.

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./bridge.js")]
extern "C" {
    /// Resolves to the resolver's answer; rejects when the call itself fails.
    #[wasm_bindgen(catch, js_name = invoke)]
    async fn invoke_js(name: &str, payload: JsValue) -> Result<JsValue, JsValue>;

    /// Closes the dialog; `refresh` asks Jira to show the new state.
    #[wasm_bindgen(catch, js_name = close)]
    async fn close_js(refresh: bool) -> Result<JsValue, JsValue>;

    /// Puts `text` on the clipboard; rejects when the browser refuses.
    #[wasm_bindgen(catch, js_name = copyText)]
    async fn copy_js(text: &str) -> Result<JsValue, JsValue>;
}

/// Calls resolver `name`; `Err` is a message for the person at the page.
pub async fn invoke(name: &str, payload: &Value) -> Result<Value, String> {
    let payload = js_sys::JSON::parse(&payload.to_string()).map_err(describe)?;
    let answer = invoke_js(name, payload).await.map_err(describe)?;
    if answer.is_undefined() {
        return Err("the app gave no answer".into());
    }
    let text: String = js_sys::JSON::stringify(&answer).map_err(describe)?.into();
    serde_json::from_str(&text).map_err(|e| format!("the app's answer is not JSON: {e}"))
}

pub async fn close(refresh: bool) -> Result<(), String> {
    close_js(refresh).await.map(drop).map_err(describe)
}

/// Copies `text`; `Err` is a message for the person at the page.
pub async fn copy(text: &str) -> Result<(), String> {
    copy_js(text).await.map(drop).map_err(describe)
}

/// A JavaScript error's message (or the thrown value as text).
fn describe(error: JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}
