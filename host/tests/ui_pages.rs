//! End to end: the Custom UI pages under `/ui/<resource>/` (content types, Forge's CSP, no way
//! out of the build folder, a clear message for a page not built) and the sandbox Jira issue
//! page that opens them.

mod support;

use std::path::Path;

use support::*;

/// A static folder with a built "request" page (and a secret next to it, to try to reach).
fn static_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join("static");
    let build = dir.join("request").join("build");
    std::fs::create_dir_all(build.join("assets")).expect("dirs");
    std::fs::write(
        build.join("index.html"),
        "<!doctype html><title>JIT</title><script type=\"module\" src=\"app.js\"></script>",
    )
    .expect("index");
    std::fs::write(build.join("app.js"), "export const x = 1;").expect("js");
    std::fs::write(build.join("assets").join("app_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    std::fs::write(build.join("style.css"), "body{}").expect("css");
    std::fs::write(dir.join("request").join("secret.txt"), "do not serve").expect("secret");
    std::fs::write(root.join("outside.txt"), "do not serve").expect("outside");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("outside.txt"), build.join("link.txt")).expect("symlink");
    std::fs::create_dir_all(dir.join("admin")).expect("admin without build");
    dir
}

/// Validates: files are served with the right content types and Forge's CSP, the resource root
/// serves index.html, and `/ui/request` redirects to it.
#[tokio::test]
async fn built_pages_are_served_like_forge_resources() {
    let dir = TempDir::new("ui-serve");
    let statics = static_dir(&dir.0);
    let host = Host::start_with(&dir.0, &["--static-dir", statics.to_str().expect("path")]);
    for (path, content_type) in [
        ("/request/index.html", "text/html; charset=utf-8"),
        ("/request/", "text/html; charset=utf-8"),
        ("/request/app.js", "text/javascript; charset=utf-8"),
        ("/request/assets/app_bg.wasm", "application/wasm"),
        ("/request/style.css", "text/css; charset=utf-8"),
    ] {
        let response = client().get(host.ui(path)).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("content-type"), content_type, "{path}");
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self' 'unsafe-eval'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline"),
            "{path}: inline scripts must fail here as on Forge"
        );
        assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    }
    let root = client()
        .get(host.ui("/request/index.html?issueKey=PMCJIT-1"))
        .send()
        .await
        .expect("GET");
    assert!(root.text().await.expect("text").contains("<title>JIT</title>"));
    let (status, text) = raw_get(&host, "/ui/request").await;
    assert_eq!(status, 308, "{text}");
    assert!(text.to_ascii_lowercase().contains("location: /ui/request/"), "{text}");
}

/// Validates: `..` (plain or encoded), absolute paths and a symlink out of the build folder are
/// refused, and a missing file or build says so.
#[tokio::test]
async fn nothing_outside_the_build_folder() {
    let dir = TempDir::new("ui-traversal");
    let statics = static_dir(&dir.0);
    let host = Host::start_with(&dir.0, &["--static-dir", statics.to_str().expect("path")]);
    for path in [
        "/ui/request/../secret.txt",
        "/ui/request/%2e%2e/secret.txt",
        "/ui/request/..%2fsecret.txt",
        "/ui/request/assets/..%2f..%2fsecret.txt",
        "/ui/request/%2fetc%2fpasswd",
        "/ui/request/..%5csecret.txt",
        "/ui/..%2frequest/build/index.html",
        "/ui/request/link.txt",
    ] {
        let (status, text) = raw_get(&host, path).await;
        assert!(status == 404 || status == 400, "{path}: HTTP {status}\n{text}");
        assert!(!text.contains("do not serve"), "{path} leaked a file");
    }
    let missing = client().get(host.ui("/request/nope.js")).send().await.expect("GET");
    assert_eq!(missing.status().as_u16(), 404);

    for resource in ["admin", "never-made"] {
        let page = client()
            .get(host.ui(&format!("/{resource}/")))
            .send()
            .await
            .expect("GET");
        assert_eq!(page.status().as_u16(), 404);
        let text = page.text().await.expect("text");
        assert!(text.contains("is not built: run scripts/build-ui.sh"), "{text}");
        assert!(text.contains(resource));
    }
}

/// Validates: the sandbox issue page has the app's issue action, which opens the request page
/// for that issue, the page script and the "Signed in as" switcher (following the cookie).
#[tokio::test]
async fn the_issue_page_opens_the_request_page() {
    let dir = TempDir::new("ui-issue-page");
    let statics = static_dir(&dir.0);
    let host = Host::start_with(&dir.0, &["--static-dir", statics.to_str().expect("path")]);
    let (status, _) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201);
    let page = client()
        .get(host.jira("/browse/PMCJIT-1"))
        .header(
            "Cookie",
            sandbox_user_cookie("712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000008"),
        )
        .send()
        .await
        .expect("GET");
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let page = page.text().await.expect("text");
    assert!(page.contains("Manage JIT Access Request</button>"), "{page}");
    let frame = "/ui/request/index.html?issueKey=PMCJIT-1";
    assert!(page.contains(&format!("data-issue-action=\"{frame}\"")), "{page}");
    assert!(page.contains("/sandbox/jira/static/pages.js"));
    assert!(page.contains("selected>Vera Viewer"), "the switcher follows the cookie");

    let script = client().get(host.jira("/static/pages.js")).send().await.expect("GET");
    assert!(
        script
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/javascript"))
    );
    assert!(script.text().await.expect("text").contains("pam-approvals:close"));
    let framed = client().get(format!("{}{frame}", host.base)).send().await.expect("GET");
    assert_eq!(framed.status().as_u16(), 200);
}

/// Validates: the sandbox Jira's app configuration page (linked from its index) frames the
/// `admin` resource for an admin without inline script or style, still frames it for a
/// non-admin with Jira's note, and the framed page is served once built; the sandbox index
/// (also at the printed `/sandbox/jira/`) links to it.
#[tokio::test]
async fn the_configuration_page_frames_the_admin_resource() {
    let dir = TempDir::new("ui-configure");
    let statics = static_dir(&dir.0);
    let admin_build = statics.join("admin").join("build");
    std::fs::create_dir_all(&admin_build).expect("admin build");
    std::fs::write(
        admin_build.join("index.html"),
        "<!doctype html><title>Configure</title>",
    )
    .expect("index");
    let host = Host::start_with(&dir.0, &["--static-dir", statics.to_str().expect("path")]);
    let configure = "/plugins/servlet/pam-approvals/configure";
    let frame = "<iframe class=\"admin-frame\" src=\"/ui/admin/index.html\"";

    let carol = sandbox_user_cookie("712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004");
    let page = client()
        .get(host.jira(configure))
        .header("Cookie", carol)
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status().as_u16(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("script-src 'self';") && csp.contains("frame-src 'self'"),
        "{csp}"
    );
    let html = page.text().await.expect("text");
    assert!(html.contains(frame), "{html}");
    assert!(html.contains("Apps \u{203a} Manage apps \u{203a} PAM Approvals for Jira \u{2014} Configure"));
    assert!(html.contains("selected>Carol Admin"));
    assert!(!html.contains("administrators only"));
    assert!(!html.contains("<script>") && !html.contains("<style") && !html.contains(" style="));

    let alice = client().get(host.jira(configure)).send().await.expect("GET");
    let html = alice.text().await.expect("text");
    assert!(
        html.contains("Jira shows this page to Jira administrators only"),
        "{html}"
    );
    assert!(html.contains(frame));

    let (status, text) = raw_get(&host, "/sandbox/jira/").await;
    assert_eq!(status, 308, "the printed URL reaches the index: {text}");
    let index = client().get(host.jira("/")).send().await.expect("GET");
    let index = index.text().await.expect("text");
    assert!(
        index.contains(&format!(
            "href=\"/sandbox/jira{configure}\">App configuration (Jira administrators)"
        )),
        "{index}"
    );
    let framed = client().get(host.ui("/admin/index.html")).send().await.expect("GET");
    assert_eq!(framed.status().as_u16(), 200);
    assert!(framed.text().await.expect("text").contains("<title>Configure</title>"));
}
