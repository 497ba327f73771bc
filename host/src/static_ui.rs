//! The Custom UI pages, served the way Forge serves a `resources` folder: `GET /ui/{resource}/...`
//! answers files of `<static dir>/{resource}/build/`, with the Content-Security-Policy Forge
//! would apply, so a page that would break on Forge breaks here first.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use html_escape::encode_quoted_attribute as escape;

/// What Forge allows a Custom UI page with `permissions.content.scripts: [unsafe-eval]` (needed
/// for WebAssembly) and nothing else declared: scripts and styles from the app's own resources
/// only (no inline scripts or styles), `invoke` through the bridge, no framing by other sites.
/// Change it together with the manifest's `permissions.content`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The default static folder: the repository's `static/`.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("static")
}

pub fn router(static_dir: PathBuf) -> Router {
    Router::new()
        .route("/ui/{resource}", get(resource_root_redirect))
        .route("/ui/{resource}/", get(resource_index))
        .route("/ui/{resource}/{*path}", get(resource_file))
        .with_state(Arc::new(static_dir))
}

type Shared = State<Arc<PathBuf>>;

async fn resource_root_redirect(UrlPath(resource): UrlPath<String>) -> Response {
    if !is_resource_name(&resource) {
        return not_found("No such page.");
    }
    Redirect::permanent(&format!("/ui/{resource}/")).into_response()
}

async fn resource_index(State(dir): Shared, UrlPath(resource): UrlPath<String>) -> Response {
    serve(&dir, &resource, "index.html").await
}

async fn resource_file(State(dir): Shared, UrlPath((resource, path)): UrlPath<(String, String)>) -> Response {
    serve(&dir, &resource, &path).await
}

/// Resource folder names as the manifest's `resources[].key` allows them.
fn is_resource_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The relative file path, if every segment is a plain name (no `..`, `.`, root, drive or
/// backslash): a request can never name a file outside the build folder.
fn safe_relative(path: &str) -> Option<PathBuf> {
    if path.is_empty() || path.contains('\\') || path.contains('\0') {
        return None;
    }
    let relative = Path::new(path);
    relative
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
        .then(|| relative.to_path_buf())
}

async fn serve(dir: &Path, resource: &str, path: &str) -> Response {
    if !is_resource_name(resource) {
        return not_found("No such page.");
    }
    let build = dir.join(resource).join("build");
    if !build.is_dir() {
        return not_built(resource, &build);
    }
    let Some(relative) = safe_relative(path) else {
        return not_found("No such file.");
    };
    let mut file = build.join(&relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    // Symbolic links must not lead out of the build folder either.
    let (Ok(root), Ok(real)) = (build.canonicalize(), file.canonicalize()) else {
        return not_found(&format!("No file {path} in the {resource} build."));
    };
    if !real.starts_with(&root) {
        return not_found("No such file.");
    }
    match tokio::fs::read(&real).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type(&real))),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                // Rebuilt pages show on reload.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found(&format!("No file {path} in the {resource} build.")),
    }
}

/// Content types by extension; browsers insist on `application/wasm` for streaming compilation
/// and on a JavaScript type for modules.
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{message}</p></body></html>",
        title = escape(title),
        message = escape(message),
    );
    (status, Html(body)).into_response()
}

fn not_found(message: &str) -> Response {
    page(StatusCode::NOT_FOUND, "Not found", message)
}

fn not_built(resource: &str, build: &Path) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "This page is not built",
        &format!(
            "The page \"{resource}\" is not built: run scripts/build-ui.sh (no folder {}).",
            build.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        for good in ["index.html", "assets/app.js", "a/b/c.wasm"] {
            assert!(safe_relative(good).is_some(), "{good}");
        }
        for bad in ["", "../secret", "a/../../b", "/etc/passwd", "./x", "a\\..\\b", "a\0b"] {
            assert!(safe_relative(bad).is_none(), "{bad:?}");
        }
        assert!(!is_resource_name(".."));
        assert!(is_resource_name("request"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("x/app_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("app.JS")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }
}
