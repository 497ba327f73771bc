//! Where the component's outbound fetches go: to a router by host name (in sandbox mode,
//! `https://epm.sandbox.test/...` goes in-process to the sandbox EPM), everything else over the
//! network with reqwest.
//!
//! Never a redirect: [`client`] (the one client the host sends Jira calls and fetches with)
//! follows none, so a 3xx goes back to the core as it came, and credentials or a body are
//! never replayed to wherever a `Location` points.

use axum::Router;

pub use crate::http::REQUEST_TIMEOUT;
use crate::http::from_reqwest;
use crate::wit::{HttpRequest, HttpResponse};

/// The HTTP client for the app's Jira calls and fetches: no redirects followed,
/// [`REQUEST_TIMEOUT`] per request.
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
}

pub struct Outbound {
    client: reqwest::Client,
    /// (host name, router) pairs answered in-process.
    sandboxes: Vec<(String, Router)>,
}

impl Outbound {
    /// Every fetch goes over the network, with `client` (made by [`client`]: it must not follow
    /// redirects).
    pub fn network(client: reqwest::Client) -> Outbound {
        Outbound {
            client,
            sandboxes: Vec::new(),
        }
    }

    /// Fetches to `https://<host>/...` are answered by `router` instead of the network.
    pub fn with_sandbox(mut self, host: &str, router: Router) -> Outbound {
        self.sandboxes.push((host.to_ascii_lowercase(), router));
        self
    }

    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let url = reqwest::Url::parse(&request.url).map_err(|_| "the fetch URL is not an absolute URL".to_string())?;
        if let Some(host) = url.host_str()
            && let Some((_, router)) = self
                .sandboxes
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(host))
        {
            if url.scheme() != "https" || url.port().is_some() {
                return Err(format!("{host} is served over https on the default port only"));
            }
            let path_and_query = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_string(),
            };
            let mut headers = request.headers;
            headers.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
            headers.push(("Host".into(), host.to_string()));
            return crate::in_process::send(router, &request.method, &path_and_query, &headers, request.body).await;
        }
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| "invalid method".to_string())?;
        let mut builder = self.client.request(method, url).body(request.body);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(|e| e.without_url().to_string())?;
        from_reqwest(response).await
    }
}
