//! Web login and the session cookie: login answers and cookie flags, one answer for unknown
//! users and wrong passwords, throttling, CSRF on unsafe methods with the cookie, bearer tokens
//! unchanged, logout, the page language.

mod http_support;

use std::net::SocketAddr;

use http_support::{Tenant, TestPlane, launch_with, make_tenant, test_config};
use plateau::launch::Running;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::PasswordHash;

const PASSWORD: &str = "correct horse";

struct Fixture {
    _dir: tempfile::TempDir,
    running: Running,
    tenant: Tenant,
    http: SocketAddr,
}

async fn fixture_with(edit: impl FnOnce(&mut plateau::config::Config)) -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let mut config = test_config(dir.path());
    config.limits.auth_failures_before_throttle = 3;
    edit(&mut config);
    let running = launch_with(config, TestPlane::default()).await;
    let tenant = make_tenant(running.store(), "acme").await;
    let hash = PasswordHash::hash(PASSWORD).expect("test setup");
    for (user, _) in tenant.agents.iter().chain([&tenant.admin]) {
        tenant
            .store
            .set_password(*user, Some(&hash))
            .await
            .expect("test setup");
    }
    let http = running.addresses().http;
    Fixture {
        _dir: dir,
        running,
        tenant,
        http,
    }
}

async fn fixture() -> Fixture {
    fixture_with(|_| {}).await
}

/// One request; `headers` as given (no cookie jar: the tests set `Cookie` themselves).
async fn send(
    http: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("http://{http}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request sent")
}

async fn login(http: SocketAddr, body: Value) -> reqwest::Response {
    send(http, Method::POST, "/api/v1/session", &[], Some(body)).await
}

/// Logs `ann` in: the cookie header to send back and the CSRF token.
async fn ann_session(http: SocketAddr) -> (String, String) {
    let reply = login(http, json!({"username": "ann", "password": PASSWORD})).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let set_cookie = reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    let pair = set_cookie.split(';').next().expect("name=value").to_owned();
    let body: Value = reply.json().await.expect("json");
    let csrf = body["csrf_token"].as_str().expect("csrf token").to_owned();
    (pair, csrf)
}

async fn error_code(reply: reqwest::Response) -> String {
    let body: Value = reply.json().await.expect("json");
    body["error"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn login_answers_the_user_and_sets_a_strict_http_only_cookie() {
    let fx = fixture().await;
    let reply = login(fx.http, json!({"username": "ann", "password": PASSWORD})).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let cookie = reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    assert!(cookie.starts_with("plateau_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["username"], "ann");
    assert_eq!(body["user_id"], fx.tenant.agents[0].0.0);
    assert_eq!(body["role"], "agent");
    assert_eq!(body["csrf_token"].as_str().map(str::len), Some(64));
    let pair = cookie.split(';').next().expect("name=value");
    let who = send(
        fx.http,
        Method::GET,
        "/api/v1/session",
        &[("cookie", pair)],
        None,
    )
    .await;
    assert_eq!(who.status(), StatusCode::OK);
    let who: Value = who.json().await.expect("json");
    assert_eq!(who["username"], "ann");
    assert_eq!(who["csrf_token"], body["csrf_token"]);
    drop(fx.running);
}

#[tokio::test]
async fn secure_cookies_are_marked_secure_when_configured() {
    let fx = fixture_with(|c| c.http.secure_cookies = true).await;
    let reply = login(fx.http, json!({"username": "ann", "password": PASSWORD})).await;
    let cookie = reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let fx = fixture().await;
    let wrong = login(fx.http, json!({"username": "ann", "password": "nope"})).await;
    let unknown = login(fx.http, json!({"username": "zed", "password": "nope"})).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    let wrong: Value = wrong.json().await.expect("json");
    let unknown: Value = unknown.json().await.expect("json");
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "invalid_credentials");
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_with_the_right_password() {
    let fx = fixture().await;
    for _ in 0..3 {
        let reply = login(fx.http, json!({"username": "ann", "password": "nope"})).await;
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    }
    let reply = login(fx.http, json!({"username": "ann", "password": PASSWORD})).await;
    assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(reply).await, "throttled");
}

#[tokio::test]
async fn a_username_in_several_tenants_needs_the_tenant() {
    let fx = fixture().await;
    let other = make_tenant(fx.running.store(), "other").await;
    let hash = PasswordHash::hash(PASSWORD).expect("test setup");
    other
        .store
        .set_password(other.agents[0].0, Some(&hash))
        .await
        .expect("test setup");
    let reply = login(fx.http, json!({"username": "ann", "password": PASSWORD})).await;
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(reply).await, "tenant_required");
    let reply = login(
        fx.http,
        json!({"username": "ann", "password": PASSWORD, "tenant": "other"}),
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["user_id"], other.agents[0].0.0);
}

#[tokio::test]
async fn unsafe_requests_with_the_cookie_need_the_csrf_token() {
    let fx = fixture().await;
    let (cookie, csrf) = ann_session(fx.http).await;
    let path = "/api/v1/session/language";
    let body = json!({"language": "fr"});
    let refused = send(
        fx.http,
        Method::PUT,
        path,
        &[("cookie", &cookie)],
        Some(body.clone()),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "csrf");
    let forged = send(
        fx.http,
        Method::PUT,
        path,
        &[("cookie", &cookie), ("x-csrf-token", "0000")],
        Some(body.clone()),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let accepted = send(
        fx.http,
        Method::PUT,
        path,
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(body),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let answer: Value = accepted.json().await.expect("json");
    assert_eq!(answer["language"], "fr");
}

#[tokio::test]
async fn the_chosen_language_comes_with_the_next_login() {
    let fx = fixture().await;
    let (cookie, csrf) = ann_session(fx.http).await;
    let reply = send(
        fx.http,
        Method::PUT,
        "/api/v1/session/language",
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(json!({"language": "fr"})),
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let again = login(fx.http, json!({"username": "ann", "password": PASSWORD})).await;
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["language"], "fr");
}

#[tokio::test]
async fn bearer_tokens_work_without_csrf_token() {
    let fx = fixture().await;
    let (id, token) = &fx.tenant.agents[0];
    let auth = format!("Bearer {token}");
    let reply = send(
        fx.http,
        Method::PUT,
        &format!("/api/v1/agents/{}/state", id.0),
        &[("authorization", &auth)],
        Some(json!({"state": "ready"})),
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let who = send(
        fx.http,
        Method::GET,
        "/api/v1/session",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(who.status(), StatusCode::OK);
    let who: Value = who.json().await.expect("json");
    assert_eq!(who["username"], "ann");
    assert_eq!(who["csrf_token"], Value::Null);
}

#[tokio::test]
async fn the_cookie_authenticates_api_calls_like_a_token() {
    let fx = fixture().await;
    let (cookie, csrf) = ann_session(fx.http).await;
    let id = fx.tenant.agents[0].0;
    let reply = send(
        fx.http,
        Method::PUT,
        &format!("/api/v1/agents/{}/state", id.0),
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(json!({"state": "ready"})),
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let reply = send(
        fx.http,
        Method::GET,
        "/api/v1/calls",
        &[("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(
        reply.status(),
        StatusCode::FORBIDDEN,
        "an agent's role still applies"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let fx = fixture().await;
    let (cookie, csrf) = ann_session(fx.http).await;
    let without_token = send(
        fx.http,
        Method::DELETE,
        "/api/v1/session",
        &[("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
    let reply = send(
        fx.http,
        Method::DELETE,
        "/api/v1/session",
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        None,
    )
    .await;
    assert_eq!(reply.status(), StatusCode::NO_CONTENT);
    let cleared = reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let who = send(
        fx.http,
        Method::GET,
        "/api/v1/session",
        &[("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(who.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_cookie_or_token_who_am_i_is_unauthorized() {
    let fx = fixture().await;
    let reply = send(fx.http, Method::GET, "/api/v1/session", &[], None).await;
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    let forged = send(
        fx.http,
        Method::GET,
        "/api/v1/session",
        &[("cookie", "plateau_session=00")],
        None,
    )
    .await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}
