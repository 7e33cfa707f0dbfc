//! `GET /api/v1/events`: the live-event WebSocket of the pages (agent desktop, supervisor,
//! wallboard) and of tools.
//!
//! **Authentication.** The session cookie, with an `Origin` header whose host is the request's
//! `Host` (browsers send the cookie with any site's upgrade request; the Origin check is what
//! stops another site from reading a user's events: 403 `{"error":"csrf"}` otherwise). Or a
//! bearer token (`Authorization: Bearer plt_…`), for tools and benchmarks, with no Origin
//! check.
//!
//! **Server → client** (one JSON object per text frame, `type` first):
//! - `{"type":"interaction_event","interaction":"<id>","kind":"offered","at_ms":…,"agent":<user
//!   id>|null,"queue":"sales"|null,"caller":"+33…"|null,"data":{…}}`: an event of a call's log,
//!   once durable (`data` as in `store::event`).
//! - `{"type":"agent_state","agent":<user id>,"extension":"1001"|null,"state":"ready"|"not_ready"|
//!   "wrap_up"|"on_call"|"ringing"|"logged_out","reason":…|null,"since_ms":…,"interaction":…|null}`.
//! - `{"type":"floor",…}`: floor figures (FLOOR's), floor roles only.
//! - `{"type":"lagged","missed":n}`: this socket fell behind and `n` events were dropped for it
//!   (reload what the page shows); the socket goes on.
//! - `{"type":"pong"}` to a ping; `{"type":"error","message":…}` to a frame not understood;
//!   `{"type":"phone_…"}`, `{"type":"rtc_…"}`: the browser phone's answers (only to this socket).
//!
//! Agents receive only their own `agent_state` and the events of calls offered to or handled by
//! them; the other roles receive everything of their tenant ([`crate::events::Published::visible_to`]).
//!
//! **Client → server**: `{"type":"ping"}` (answered `{"type":"pong"}`); any `type` starting with
//! `rtc_` or `phone_` goes to the browser-phone gateway ([`crate::webphone::WebPhone`]) with this
//! socket's connection id. Frames over 64 KiB close the socket.
//!
//! **Liveness.** The server sends a WebSocket ping every 20 s and closes a socket it has heard
//! nothing from (pong included) for 60 s, or that cannot take a frame for 10 s (a stalled
//! client must not hold its events forever).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use crate::events::{Received, Subscription};

/// Largest frame a client may send.
const MAX_FRAME: usize = 64 * 1024;
/// How often the server pings.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Silence after which the socket is closed.
const SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// How long one frame may take to go out.
const SEND_LIMIT: Duration = Duration::from_secs(10);
/// Frames the browser phone may have waiting for this socket.
const PHONE_QUEUE: usize = 64;

/// Numbers the sockets, for the browser phone.
static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

/// Whether `Origin` names the host the request was sent to (scheme aside).
fn same_origin(headers: &HeaderMap) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(origin), Some(host)) = (value(header::ORIGIN), value(header::HOST)) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    !authority.is_empty() && authority.eq_ignore_ascii_case(host)
}

#[utoipa::path(get, path = "/events", tag = "events",
    responses(
        (status = 101, description = "Switching to the WebSocket of live events (see the module doc for the frames)"),
        Errors))]
pub async fn socket(
    State(state): State<ApiState>,
    headers: HeaderMap,
    caller: Caller,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    if caller.session.is_some() && !same_origin(&headers) {
        return Err(ApiError::Csrf);
    }
    let upgrade = upgrade.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    // Subscribed before the upgrade: nothing published after the 101 is missed.
    let subscription = state.hub.subscribe();
    let connection = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    Ok(upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(socket, state, caller, subscription, connection)))
}

/// Why the loop stops.
struct Closed;

async fn send(socket: &mut WebSocket, message: Message) -> Result<(), Closed> {
    match tokio::time::timeout(SEND_LIMIT, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(Closed),
    }
}

async fn send_json(socket: &mut WebSocket, value: &Value) -> Result<(), Closed> {
    send(socket, Message::Text(Utf8Bytes::from(value.to_string()))).await
}

async fn serve(
    mut socket: WebSocket,
    state: ApiState,
    caller: Caller,
    mut events: Subscription,
    connection: u64,
) {
    tracing::debug!(user = caller.user_id.0, connection, "events socket open");
    let tenant = caller.tenant.id();
    let floor = caller.may_read_floor();
    let (phone_sink, mut phone) = mpsc::channel::<Value>(PHONE_QUEUE);
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut heard = Instant::now();
    loop {
        let step = tokio::select! {
            received = events.recv() => match received {
                Received::Event(event) if event.visible_to(tenant, caller.user_id, floor) => {
                    send(&mut socket, Message::Text(event.json.clone())).await
                }
                Received::Event(_) => Ok(()),
                Received::Lagged(missed) => {
                    tracing::debug!(connection, missed, "events socket lagged");
                    send_json(&mut socket, &json!({"type": "lagged", "missed": missed})).await
                }
                Received::Closed => Err(Closed),
            },
            Some(frame) = phone.recv() => send_json(&mut socket, &frame).await,
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    heard = Instant::now();
                    match client_frame(&state, &caller, connection, &phone_sink, text.as_str()) {
                        Some(answer) => send_json(&mut socket, &answer).await,
                        None => Ok(()),
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(Closed),
                Some(Ok(_)) => {
                    heard = Instant::now();
                    Ok(())
                }
            },
            _ = ping.tick() => {
                if heard.elapsed() >= SILENCE_LIMIT {
                    Err(Closed)
                } else {
                    send(&mut socket, Message::Ping(Default::default())).await
                }
            }
        };
        if step.is_err() {
            break;
        }
    }
    state.webphone.disconnected(&caller, connection);
    tracing::debug!(user = caller.user_id.0, connection, "events socket closed");
}

/// Handles a client's text frame; what to answer on the socket, if anything.
fn client_frame(
    state: &ApiState,
    caller: &Caller,
    connection: u64,
    phone: &mpsc::Sender<Value>,
    text: &str,
) -> Option<Value> {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Some(json!({"type": "error", "message": "frames are JSON objects"}));
    };
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "ping" {
        return Some(json!({"type": "pong"}));
    }
    if kind.starts_with("rtc_") || kind.starts_with("phone_") {
        state
            .webphone
            .client_message(caller, connection, value, phone.clone());
        return None;
    }
    Some(json!({"type": "error", "message": "unknown frame type"}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn the_origin_must_name_the_host() {
        assert!(same_origin(&headers(
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080"
        )));
        assert!(same_origin(&headers(
            Some("https://desk.example"),
            "desk.example"
        )));
        assert!(!same_origin(&headers(
            Some("http://evil.example"),
            "127.0.0.1:8080"
        )));
        assert!(!same_origin(&headers(Some("null"), "127.0.0.1:8080")));
        assert!(!same_origin(&headers(None, "127.0.0.1:8080")));
        assert!(!same_origin(&headers(
            Some("http://127.0.0.1:8081"),
            "127.0.0.1:8080"
        )));
    }
}
