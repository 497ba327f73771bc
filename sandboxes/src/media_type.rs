//! Reading a request's declared media type, for the endpoints that accept only one.

use axum::http::{HeaderMap, header};

/// Whether `Content-Type` names `media_type` (parameters such as charset allowed, any case).
pub fn is(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(media_type))
}
