//! The web pages (`http/pages.rs`): served from the embedded `static/` folder with their
//! content types and security headers, 404 for missing assets, the API's JSON 404 kept for
//! `/api/...`, the login page sending a signed-in user to their home page, and every visible
//! string of the pages present in English and French.

mod http_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use http_support::{Reply, Tenant, TestPlane, get, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn fixture() -> (tempfile::TempDir, Running, Tenant) {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let tenant = make_tenant(running.store(), "a").await;
    (dir, running, tenant)
}

fn static_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("static")
}

fn assert_html(reply: &Reply, path: &str) {
    assert_eq!(reply.status, 200, "{path}");
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{path}"
    );
    assert!(reply.text().starts_with("<!doctype html>"), "{path}");
}

#[tokio::test]
async fn the_login_page_is_served_with_the_security_headers() {
    let (_dir, running, _) = fixture().await;
    let reply = get(running.addresses().http, "/", None).await;
    assert_html(&reply, "/");
    assert!(reply.text().contains("id=\"login-username\""));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    let policy = reply.header("content-security-policy").expect("a CSP");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
}

#[tokio::test]
async fn every_page_path_serves_its_html() {
    let (_dir, running, _) = fixture().await;
    for path in [
        "/agent",
        "/supervisor",
        "/wallboard",
        "/tickets",
        "/tickets/12",
        "/customers/3",
        "/admin",
    ] {
        let reply = get(running.addresses().http, path, None).await;
        assert_html(&reply, path);
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn assets_are_served_with_their_content_types() {
    let (_dir, running, _) = fixture().await;
    for (path, content_type) in [
        ("/static/js/api.js", "text/javascript; charset=utf-8"),
        ("/static/css/app.css", "text/css; charset=utf-8"),
        ("/static/i18n/agent.fr.json", "application/json"),
    ] {
        let reply = get(running.addresses().http, path, None).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        assert!(reply.header("etag").is_some(), "{path}");
        assert!(reply.header("content-security-policy").is_some(), "{path}");
    }
}

#[tokio::test]
async fn missing_assets_and_paths_outside_the_folder_are_not_found() {
    let (_dir, running, _) = fixture().await;
    for path in [
        "/static/js/missing.js",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/",
        "/tickets/not-a-number",
        "/nowhere",
    ] {
        let reply = get(running.addresses().http, path, None).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains("[package]"), "{path}");
    }
}

#[tokio::test]
async fn unknown_api_paths_keep_the_json_not_found() {
    let (_dir, running, _) = fixture().await;
    let reply = get(running.addresses().http, "/api/v1/nowhere", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["message"], "route not found");
}

#[tokio::test]
async fn pages_answer_only_get_and_head() {
    let (_dir, running, _) = fixture().await;
    let http = running.addresses().http;
    let post = request(http, "POST", "/agent", None, Some("{}")).await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let head = request(http, "HEAD", "/static/js/api.js", None, None).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[tokio::test]
async fn a_signed_in_user_is_sent_from_the_login_page_to_their_home_page() {
    let (_dir, running, tenant) = fixture().await;
    let http = running.addresses().http;
    for (token, home) in [
        (&tenant.agents[0].1, "/agent"),
        (&tenant.supervisor.1, "/supervisor"),
        (&tenant.admin.1, "/admin"),
    ] {
        let reply = get(http, "/", Some(token)).await;
        assert_eq!(reply.status, 303, "{home}");
        assert_eq!(reply.header("location"), Some(home));
    }
    let stale = get(http, "/", Some("plt_not_a_token")).await;
    assert_eq!(stale.status, 200, "an unknown token gets the login page");
}

/// One GET with an `If-None-Match` header (the shared helper sends no extra headers).
async fn get_if_none_match(addr: std::net::SocketAddr, path: &str, etag: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("test setup");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("test setup");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("test setup");
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn an_unchanged_asset_is_answered_not_modified() {
    let (_dir, running, _) = fixture().await;
    let http = running.addresses().http;
    let first = get(http, "/static/css/app.css", None).await;
    let etag = first.header("etag").expect("an etag").to_owned();
    assert_eq!(
        get_if_none_match(http, "/static/css/app.css", &etag).await,
        304
    );
    assert_eq!(
        get_if_none_match(http, "/static/css/app.css", "\"other\"").await,
        200
    );
}

fn strings(file: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(file).expect("a strings file");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn every_strings_file_has_english_and_french_with_the_same_keys() {
    let dir = static_dir().join("i18n");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("static/i18n") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(page) = name.strip_suffix(".en.json") {
            pages.push(page.to_owned());
        }
    }
    assert!(pages.iter().any(|p| p == "agent"), "{pages:?}");
    for page in pages {
        let en = strings(&dir.join(format!("{page}.en.json")));
        let fr = strings(&dir.join(format!("{page}.fr.json")));
        let en_keys: Vec<_> = en.keys().collect();
        let fr_keys: Vec<_> = fr.keys().collect();
        assert_eq!(en_keys, fr_keys, "{page}: the same keys in en and fr");
        assert!(
            fr.values().all(|v| !v.is_empty()),
            "{page}: no empty string"
        );
    }
}

#[test]
fn every_text_key_of_the_pages_is_translated() {
    let dir = static_dir();
    for (html, page) in [
        ("login.html", "login"),
        ("agent.html", "agent"),
        ("tickets.html", "tickets"),
        ("ticket.html", "tickets"),
        ("customer.html", "tickets"),
        ("admin.html", "admin"),
    ] {
        let text = std::fs::read_to_string(dir.join(html)).expect("a page");
        for lang in ["en", "fr"] {
            let mut known = strings(&dir.join(format!("i18n/common.{lang}.json")));
            known.extend(strings(&dir.join(format!("i18n/{page}.{lang}.json"))));
            for attribute in [
                "data-i18n=\"",
                "data-i18n-label=\"",
                "data-i18n-placeholder=\"",
            ] {
                for rest in text.split(attribute).skip(1) {
                    let key = rest.split('"').next().expect("a key");
                    assert!(known.contains_key(key), "{html}: {key} in {lang}");
                }
            }
        }
    }
}
