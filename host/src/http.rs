//! HTTP answers as the WIT's `http-response`, shared by everything that sends the app's Jira
//! calls and fetches (over the network, or in-process), and how long they may take.

use std::time::Duration;

use crate::wit::HttpResponse;

/// How long the host waits for an answer to one Jira call or fetch (over the network, and
/// in-process alike).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub async fn from_reqwest(response: reqwest::Response) -> Result<HttpResponse, String> {
    let status = response.status().as_u16();
    let headers = header_pairs(response.headers());
    let body = response.text().await.map_err(|e| e.without_url().to_string())?;
    Ok(HttpResponse { status, headers, body })
}

/// HTTP headers as the WIT's name/value pairs (values that are not UTF-8 are made so).
pub fn header_pairs(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect()
}
