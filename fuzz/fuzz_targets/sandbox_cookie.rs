//! The sandbox session's `Cookie` header (the "Signed in as" cookie the host's bridge reads).
#![no_main]

use axum::http::{HeaderMap, HeaderValue, header::COOKIE};
use libfuzzer_sys::fuzz_target;
use pam_sandboxes::jira::SESSION_COOKIE;
use pam_sandboxes::jira::fuzzing::cookie;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    // Up to three Cookie headers, split at NUL bytes (a header value cannot hold one).
    for part in data.split(|&b| b == 0).take(3) {
        if let Ok(value) = HeaderValue::from_bytes(part) {
            headers.append(COOKIE, value);
        }
    }
    let _ = cookie(&headers, SESSION_COOKIE);
    let _ = cookie(&headers, "");
});
