//! The web pages: the HTML, JS, CSS and string files of `crates/server/static/`, embedded in
//! the binary at compile time, served with the security headers every page needs.
//!
//! | path | file |
//! |---|---|
//! | `/` | `login.html`, or a redirect to the role's home page when the session is valid |
//! | `/agent`, `/supervisor`, `/wallboard`, `/tickets`, `/admin` | `<name>.html` |
//! | `/tickets/{id}`, `/customers/{id}` | `ticket.html`, `customer.html` (the page reads the id from its address) |
//! | `/static/<path>` | that file; 404 when there is none |
//!
//! Pages are not API: they answer [`serve`], the router's fallback, rather than documented
//! routes, so the OpenAPI document stays the list of `/api/...` operations. Anything under
//! `/api/` that no route took is the API's JSON 404.
//!
//! Every answer carries a strict Content-Security-Policy (scripts, styles and connections only
//! from this origin, plus the events WebSocket), `X-Frame-Options: DENY` and `nosniff`. HTML is
//! `no-store` (it depends on the session); assets are revalidated by their content hash (ETag).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use store::Role;

use super::ApiState;
use super::auth::Caller;
use super::health::not_found;

/// The files under `crates/server/static/` (read from disk in debug builds, embedded in
/// release builds).
#[derive(Embed)]
#[folder = "static/"]
struct Assets;

/// The policy of every page: nothing from elsewhere, no inline script or style, no framing.
/// `media-src` lets the softphone play the remote stream; `connect-src` names `ws:`/`wss:`
/// because older browsers do not count the same-origin WebSocket as `'self'`.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; \
    connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Pages reached by a fixed path.
const PAGES: [(&str, &str); 5] = [
    ("/agent", "agent.html"),
    ("/supervisor", "supervisor.html"),
    ("/wallboard", "wallboard.html"),
    ("/tickets", "tickets.html"),
    ("/admin", "admin.html"),
];

/// Pages reached by `<prefix><id>`, the id being a positive number.
const RECORD_PAGES: [(&str, &str); 2] = [
    ("/tickets/", "ticket.html"),
    ("/customers/", "customer.html"),
];

/// The router's fallback: pages and static files for browsers, the JSON 404 for the rest.
pub async fn serve(State(state): State<ApiState>, request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/api" {
        return not_found().await.into_response();
    }
    let Some(file) = file_for(path) else {
        return not_found().await.into_response();
    };
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if path == "/" {
        let (mut parts, _) = request.into_parts();
        if let Ok(caller) =
            <Caller as axum::extract::FromRequestParts<ApiState>>::from_request_parts(
                &mut parts, &state,
            )
            .await
        {
            return with_security_headers(redirect(home_page(caller.role)));
        }
        return asset(&file, &parts.headers, &method);
    }
    asset(&file, request.headers(), &method)
}

/// The page a role lands on after logging in.
pub fn home_page(role: Role) -> &'static str {
    match role {
        Role::Agent => "/agent",
        Role::Admin => "/admin",
        Role::TeamLeader | Role::Supervisor | Role::Manager => "/supervisor",
        Role::QualityAnalyst | Role::Planner | Role::Trainer => "/tickets",
    }
}

/// The embedded file a path asks for, when it names one a page may ask for.
fn file_for(path: &str) -> Option<String> {
    if path == "/" {
        return Some("login.html".to_owned());
    }
    if let Some((_, file)) = PAGES.iter().find(|(page, _)| *page == path) {
        return Some((*file).to_owned());
    }
    for (prefix, file) in RECORD_PAGES {
        if let Some(id) = path.strip_prefix(prefix)
            && !id.is_empty()
            && id.len() <= 19
            && id.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(file.to_owned());
        }
    }
    let rest = path.strip_prefix("/static/")?;
    // Only plain relative names: no `..`, no empty or hidden segments, no backslashes.
    let safe = !rest.is_empty()
        && !rest.contains('\\')
        && rest
            .split('/')
            .all(|segment| !segment.is_empty() && !segment.starts_with('.'));
    safe.then(|| rest.to_owned())
}

fn asset(file: &str, request_headers: &HeaderMap, method: &Method) -> Response {
    let Some(found) = Assets::get(file) else {
        return with_security_headers((StatusCode::NOT_FOUND, "not found\n").into_response());
    };
    let content_type = content_type(file);
    let is_html = content_type.starts_with("text/html");
    let etag = format!("\"{}\"", hex(&found.metadata.sha256_hash()[..16]));
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if unchanged && !is_html {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(found.data.into_owned()))
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if is_html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
    }
    with_security_headers(response)
}

fn redirect(to: &'static str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static(to));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The content type of the file types the pages use; anything else is opaque bytes.
fn content_type(file: &str) -> &'static str {
    let extension = file.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "wav" => "audio/wav",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_paths_with_dot_segments_name_no_file() {
        assert_eq!(file_for("/static/../Cargo.toml"), None);
        assert_eq!(file_for("/static/js/../../src/lib.rs"), None);
        assert_eq!(file_for("/static/.hidden"), None);
        assert_eq!(file_for("/static//js/api.js"), None);
    }

    #[test]
    fn record_pages_take_numeric_ids_only() {
        assert_eq!(file_for("/tickets/42").as_deref(), Some("ticket.html"));
        assert_eq!(file_for("/customers/7").as_deref(), Some("customer.html"));
        assert_eq!(file_for("/tickets/abc"), None);
        assert_eq!(file_for("/tickets/"), None);
    }

    #[test]
    fn every_role_has_a_home_page() {
        assert_eq!(home_page(Role::Agent), "/agent");
        assert_eq!(home_page(Role::Supervisor), "/supervisor");
        assert_eq!(home_page(Role::Admin), "/admin");
    }
}
