//! The live-event WebSocket against the real switchboard: an agent's socket (session cookie)
//! receives its `agent_state` when the API makes it ready, and never another agent's; a floor
//! role's socket (bearer token) receives every agent's; a cross-origin upgrade carrying the
//! cookie is refused; ping is answered.

mod sip_support;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sip_support::{Setup, TestServer};
use store::{NewUser, PasswordHash, Role};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

const PASSWORD: &str = "correct horse";
const WAIT: Duration = Duration::from_secs(10);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame as JSON (skipping control frames); fails the test after [`WAIT`].
async fn next_json(socket: &mut Socket) -> Value {
    let read = async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str::<Value>(text.as_str()).expect("JSON frame");
                }
                Some(Ok(_)) => continue,
                other => panic!("socket ended: {other:?}"),
            }
        }
    };
    tokio::time::timeout(WAIT, read)
        .await
        .expect("a frame in time")
}

struct Fixture {
    server: TestServer,
    http: SocketAddr,
    admin_token: String,
}

async fn fixture() -> Fixture {
    let server = TestServer::start(Setup::default()).await;
    let http = server.running().addresses().http;
    let t = server.store().tenant(server.tenant).await.expect("tenant");
    let hash = PasswordHash::hash(PASSWORD).expect("hash");
    for agent in &server.agents {
        t.set_password(agent.id, Some(&hash))
            .await
            .expect("password");
    }
    let admin = t
        .create_user(
            &NewUser {
                username: "boss".to_owned(),
                display_name: "Boss".to_owned(),
                role: Role::Supervisor,
                password: Some(hash),
                extension: None,
                sip: None,
                enabled: true,
            },
            1,
        )
        .await
        .expect("supervisor");
    let (_, token) = t
        .create_api_token(admin.id, "test", 1)
        .await
        .expect("token");
    Fixture {
        server,
        http,
        admin_token: token.expose().to_owned(),
    }
}

/// Logs an agent in; the `Cookie` header value.
async fn session_cookie(http: SocketAddr, username: &str) -> String {
    let reply = reqwest::Client::new()
        .post(format!("http://{http}/api/v1/session"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(reply.status(), reqwest::StatusCode::OK);
    let cookie = reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    cookie.split(';').next().expect("pair").to_owned()
}

async fn connect(
    http: SocketAddr,
    headers: &[(&'static str, String)],
) -> Result<Socket, tungstenite::Error> {
    let mut request = format!("ws://{http}/api/v1/events")
        .into_client_request()
        .expect("request");
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, value.parse().expect("header value"));
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

async fn agent_socket(fx: &Fixture, username: &str) -> Socket {
    let cookie = session_cookie(fx.http, username).await;
    connect(
        fx.http,
        &[
            ("cookie", cookie),
            ("origin", format!("http://{}", fx.http)),
        ],
    )
    .await
    .expect("upgrade accepted")
}

async fn set_state(fx: &Fixture, agent: store::UserId, state: &str) {
    let reply = reqwest::Client::new()
        .put(format!("http://{}/api/v1/agents/{}/state", fx.http, agent.0))
        .bearer_auth(&fx.admin_token)
        .json(&json!({"state": state, "reason": if state == "not_ready" { Some("break") } else { None }}))
        .send()
        .await
        .expect("state change");
    assert_eq!(reply.status(), reqwest::StatusCode::OK, "{state}");
}

async fn next_agent_state(socket: &mut Socket) -> Value {
    loop {
        let frame = next_json(socket).await;
        if frame["type"] == "agent_state" {
            return frame;
        }
    }
}

#[tokio::test]
async fn an_agent_receives_its_state_when_the_api_makes_it_ready() {
    let fx = fixture().await;
    let agent = &fx.server.agents[0];
    let mut socket = agent_socket(&fx, &agent.username).await;
    set_state(&fx, agent.id, "ready").await;
    let frame = next_agent_state(&mut socket).await;
    assert_eq!(frame["agent"], agent.id.0);
    assert_eq!(frame["state"], "ready");
    assert_eq!(frame["extension"], agent.extension.as_str());
    assert!(frame["since_ms"].as_i64().is_some_and(|t| t > 0));
}

#[tokio::test]
async fn an_agent_does_not_receive_another_agents_events() {
    let fx = fixture().await;
    let (me, other) = (&fx.server.agents[0], &fx.server.agents[1]);
    let mut socket = agent_socket(&fx, &me.username).await;
    // The other agent's change is published first; the first frame must still be mine.
    set_state(&fx, other.id, "ready").await;
    set_state(&fx, me.id, "not_ready").await;
    let frame = next_agent_state(&mut socket).await;
    assert_eq!(frame["agent"], me.id.0);
    assert_eq!(frame["state"], "not_ready");
    assert_eq!(frame["reason"], "break");
}

#[tokio::test]
async fn a_floor_role_receives_every_agents_events_with_a_bearer_token() {
    let fx = fixture().await;
    let mut socket = connect(
        fx.http,
        &[("authorization", format!("Bearer {}", fx.admin_token))],
    )
    .await
    .expect("upgrade accepted");
    let (a, b) = (&fx.server.agents[0], &fx.server.agents[1]);
    set_state(&fx, a.id, "ready").await;
    set_state(&fx, b.id, "ready").await;
    let first = next_agent_state(&mut socket).await;
    let second = next_agent_state(&mut socket).await;
    assert_eq!(first["agent"], a.id.0);
    assert_eq!(second["agent"], b.id.0);
}

#[tokio::test]
async fn a_cross_origin_upgrade_with_the_cookie_is_refused() {
    let fx = fixture().await;
    let cookie = session_cookie(fx.http, &fx.server.agents[0].username).await;
    for origin in [Some("http://evil.example".to_owned()), None] {
        let mut headers = vec![("cookie", cookie.clone())];
        if let Some(origin) = origin {
            headers.push(("origin", origin));
        }
        match connect(fx.http, &headers).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
            Err(other) => panic!("refused with {other}"),
            Ok(_) => panic!("a cross-origin upgrade was accepted"),
        }
    }
}

#[tokio::test]
async fn an_upgrade_without_credentials_is_unauthorized() {
    let fx = fixture().await;
    match connect(fx.http, &[("origin", format!("http://{}", fx.http))]).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        Err(other) => panic!("refused with {other}"),
        Ok(_) => panic!("accepted without credentials"),
    }
}

#[tokio::test]
async fn a_ping_frame_is_answered_with_pong() {
    let fx = fixture().await;
    let mut socket = agent_socket(&fx, &fx.server.agents[0].username).await;
    send_text(&mut socket, r#"{"type":"ping"}"#).await;
    assert_eq!(next_json(&mut socket).await, json!({"type": "pong"}));
    send_text(&mut socket, r#"{"type":"nonsense"}"#).await;
    assert_eq!(next_json(&mut socket).await["type"], "error");
}

async fn send_text(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.expect("sent");
}
