//! The local host's `POST /bridge/invoke` body (`host/src/bridge/request.rs`), compiled here
//! from the host's own file: building the host crate would build its wasmtime engine too.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../host/src/bridge/request.rs"]
#[allow(dead_code)]
mod request;

fuzz_target!(|data: &[u8]| {
    if let Ok(invoke) = request::parse(data) {
        assert!(!invoke.function_key.trim().is_empty());
        assert!(invoke.payload.is_object() && invoke.extension.is_object());
    }
});
