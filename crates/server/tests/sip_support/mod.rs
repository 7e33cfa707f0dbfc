//! What the switchboard's tests share: a server launched with the real switchboard on
//! 127.0.0.1 (port 0) over a SQLite store in a temporary directory, seeded with a tenant whose
//! agents have phones; and small SIP user agents over real UDP and TCP sockets, built with the
//! `sip` crate: phones that register, callers that INVITE and send RTP and RFC 4733 DTMF,
//! agents that ring, answer, refuse and hang up.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use plateau::call::Switchboard;
use plateau::config::{Config, PromptSource};
use plateau::launch::{Listeners, Running, launch};
use plateau::shutdown::Shutdown;
use sip::auth::{self, Algorithm, Challenge, ResponseInput, Secret};
use sip::{HeaderName, Message, Method, Request, Response, StatusCode};
use store::{
    EventKind, InteractionId, NewUser, QueueSettings, Role, SipHa1, Store, TenantId, UserId,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Mutex;

/// How long a test waits for anything before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// The number routed to the menu flow (1 → sales, 2 → support).
pub const MENU_NUMBER: &str = "+33100000000";
/// The number routed straight to the sales queue.
pub const SALES_NUMBER: &str = "+33100000001";

/// The menu flow: the menu prompt, 1 for sales, 2 for support.
const MENU_FLOW: &str = "name: menu\nlanguage: en\nstart: main\nnodes:\n  main:\n    menu:\n      \
    prompt: [menu]\n      timeout: 5s\n      retries: 2\n      options: { \"1\": sales, \"2\": support }\n      \
    on_failure: bye\n  sales:\n    queue: sales\n  support:\n    queue: support\n  bye:\n    \
    play: [goodbye]\n    next: hangup\n";

/// The flow that queues at once.
const DIRECT_FLOW: &str = "name: direct\nlanguage: en\nstart: q\nnodes:\n  q:\n    queue: sales\n";

/// The SIP domain and realm of the tests.
pub const DOMAIN: &str = "plateau.test";

/// One agent of the test tenant.
#[derive(Debug, Clone)]
pub struct Agent {
    pub id: UserId,
    pub username: String,
    pub extension: String,
    pub password: String,
}

/// How the test tenant is set up.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Agents (extensions 2001, 2002...).
    pub agents: usize,
    /// The sales queue's settings.
    pub sales: QueueSettings,
    /// How long calls may go on after a drain starts.
    pub drain_timeout: Duration,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            agents: 3,
            sales: QueueSettings {
                strategy: "longest_idle".to_owned(),
                wrap_up_secs: 0,
                ring_timeout_secs: 20,
                max_missed_offers: 1,
                announce_period_secs: 0,
                moh_playlist: "default".to_owned(),
            },
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// The server under test and what it was seeded with.
pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub running: Option<Running>,
    pub tenant: TenantId,
    pub agents: Vec<Agent>,
    pub setup: Setup,
}

/// The test configuration: 127.0.0.1, ports 0, bundled English prompts.
pub fn test_config(dir: &Path, setup: &Setup) -> Config {
    let mut config = Config {
        data_dir: dir.to_owned(),
        drain_timeout: setup.drain_timeout,
        ..Config::default()
    };
    let localhost: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    config.sip.bind = localhost;
    config.sip.udp_port = 0;
    config.sip.tcp_port = 0;
    config.sip.domain = DOMAIN.to_owned();
    config.http.bind = localhost;
    config.http.port = 0;
    config.rtp.ip = localhost;
    config.rtp.port_min = 30_000;
    config.rtp.port_max = 39_999;
    config.prompts.source = PromptSource::Bundled;
    config.prompts.languages = vec!["en".to_owned()];
    config
}

/// Seeds a tenant with agents on extensions 2001..., queues `sales` and `support` (every
/// agent in both), the menu and direct flows and their numbers.
async fn seed(dir: &Path, setup: &Setup) -> (TenantId, Vec<Agent>) {
    let config = test_config(dir, setup);
    let store = Store::open(&config.database_url()).await.expect("store");
    let tenant = store
        .create_tenant("Acme", "acme", 1)
        .await
        .expect("tenant");
    let t = store.tenant(tenant.id).await.expect("tenant store");
    let sales = t
        .create_queue("sales", &setup.sales, 1)
        .await
        .expect("queue")
        .id;
    let support = t
        .create_queue("support", &setup.sales, 1)
        .await
        .expect("queue")
        .id;
    let mut agents = Vec::new();
    for i in 0..setup.agents {
        let extension = format!("{}", 2001 + i);
        let password = format!("secret-{extension}");
        let md5 = auth::ha1(Algorithm::Md5, &extension, DOMAIN, &password);
        let sha = auth::ha1(Algorithm::Sha256, &extension, DOMAIN, &password);
        let username = format!("agent{}", i + 1);
        let user = t
            .create_user(
                &NewUser {
                    username: username.clone(),
                    display_name: format!("Agent {}", i + 1),
                    role: Role::Agent,
                    password: None,
                    extension: Some(extension.clone()),
                    sip: Some(SipHa1::new(md5.as_hex(), sha.as_hex()).expect("ha1")),
                    enabled: true,
                },
                1,
            )
            .await
            .expect("user");
        t.set_queue_member(sales, user.id, 0).await.expect("member");
        t.set_queue_member(support, user.id, 0)
            .await
            .expect("member");
        agents.push(Agent {
            id: user.id,
            username,
            extension,
            password,
        });
    }
    let menu = t.save_flow("menu", MENU_FLOW, 1, true).await.expect("flow");
    t.set_number(MENU_NUMBER, menu.flow_id, 1)
        .await
        .expect("number");
    let direct = t
        .save_flow("direct", DIRECT_FLOW, 1, true)
        .await
        .expect("flow");
    t.set_number(SALES_NUMBER, direct.flow_id, 1)
        .await
        .expect("number");
    store.close().await;
    (tenant.id, agents)
}

impl TestServer {
    /// A seeded server, started.
    pub async fn start(setup: Setup) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let (tenant, agents) = seed(dir.path(), &setup).await;
        let mut server = TestServer {
            dir,
            running: None,
            tenant,
            agents,
            setup,
        };
        server.launch().await;
        server
    }

    pub async fn launch(&mut self) {
        let config = test_config(self.dir.path(), &self.setup);
        let listeners = Listeners::bind(&config).await.expect("bind");
        let running = launch(config, listeners, Shutdown::new(), Switchboard)
            .await
            .expect("launch");
        self.running = Some(running);
    }

    pub fn running(&self) -> &Running {
        self.running.as_ref().expect("running")
    }

    /// SIP over UDP.
    pub fn sip(&self) -> SocketAddr {
        self.running().addresses().sip_udp
    }

    /// SIP over TCP.
    pub fn sip_tcp(&self) -> SocketAddr {
        self.running().addresses().sip_tcp
    }

    pub fn store(&self) -> &Store {
        self.running().store()
    }

    /// Stops the server (drain and all), returning its stop report.
    pub async fn stop(&mut self) -> plateau::launch::StopReport {
        let running = self.running.take().expect("running");
        running.shutdown().await.expect("clean stop")
    }

    /// Stops and starts again on the same data directory.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.launch().await;
    }

    /// Makes an agent ready through the control plane, as the API would.
    pub async fn ready(&self, agent: &Agent) {
        self.running()
            .control()
            .set_agent_state(
                self.tenant,
                agent.id,
                plateau::control::RequestedState::Ready,
                None,
            )
            .await
            .expect("control plane answers")
            .expect("agent made ready");
    }

    /// The interaction's events (kinds in order).
    pub async fn events(&self, interaction: InteractionId) -> Vec<store::Event> {
        let t = self.store().tenant(self.tenant).await.expect("tenant");
        t.events(interaction).await.expect("events")
    }

    /// Waits until the interaction has an event of `kind`.
    pub async fn wait_event(
        &self,
        interaction: InteractionId,
        kind: EventKind,
    ) -> Vec<store::Event> {
        wait_for(|| async {
            let events = self.events(interaction).await;
            events.iter().any(|e| e.kind == kind).then_some(events)
        })
        .await
        .unwrap_or_else(|| panic!("no {kind:?} event for {interaction}"))
    }

    /// The interactions of the tenant, oldest first.
    pub async fn interactions(&self) -> Vec<store::Interaction> {
        let t = self.store().tenant(self.tenant).await.expect("tenant");
        let mut all = t
            .interactions(&store::InteractionQuery {
                limit: 500,
                ..Default::default()
            })
            .await
            .expect("interactions");
        all.reverse();
        all
    }

    /// The newest interaction, waiting for one to appear after `known` of them.
    pub async fn next_interaction(&self, known: usize) -> InteractionId {
        wait_for(|| async {
            let all = self.interactions().await;
            (all.len() > known).then(|| all[known].id)
        })
        .await
        .expect("a new interaction")
    }

    /// The agent's state as the control plane sees it.
    pub async fn agent_state(&self, agent: &Agent) -> plateau::control::AgentLive {
        self.running()
            .control()
            .agent_states(self.tenant)
            .await
            .expect("control plane answers")
            .into_iter()
            .find(|a| a.user_id == agent.id)
            .expect("agent listed")
    }
}

/// Polls `check` until it gives a value, for up to [`WAIT`].
pub async fn wait_for<T, F, Fut>(mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A unique token for branches, tags and Call-IDs.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}

/// How a phone talks to the server.
enum Link {
    Udp(UdpSocket),
    Tcp {
        stream: Mutex<TcpStream>,
        buffer: Mutex<Vec<u8>>,
    },
}

/// A SIP user agent on one socket.
pub struct Phone {
    link: Link,
    pub local: SocketAddr,
    pub server: SocketAddr,
    /// Messages received while waiting for others.
    backlog: Mutex<Vec<Message>>,
}

impl Phone {
    /// A UDP phone on 127.0.0.1.
    pub async fn udp(server: SocketAddr) -> Phone {
        Phone::udp_on(IpAddr::V4(Ipv4Addr::LOCALHOST), server).await
    }

    /// A UDP phone on `ip` (another loopback address is another source).
    pub async fn udp_on(ip: IpAddr, server: SocketAddr) -> Phone {
        let socket = UdpSocket::bind((ip, 0)).await.expect("bind phone");
        let local = socket.local_addr().expect("local");
        Phone {
            link: Link::Udp(socket),
            local,
            server,
            backlog: Mutex::new(Vec::new()),
        }
    }

    /// A TCP phone.
    pub async fn tcp(server: SocketAddr) -> Phone {
        let stream = TcpStream::connect(server).await.expect("connect");
        let local = stream.local_addr().expect("local");
        Phone {
            link: Link::Tcp {
                stream: Mutex::new(stream),
                buffer: Mutex::new(Vec::new()),
            },
            local,
            server,
            backlog: Mutex::new(Vec::new()),
        }
    }

    fn transport(&self) -> &'static str {
        match self.link {
            Link::Udp(_) => "UDP",
            Link::Tcp { .. } => "TCP",
        }
    }

    /// Sends raw bytes.
    pub async fn send_raw(&self, bytes: &[u8]) {
        match &self.link {
            Link::Udp(socket) => {
                socket.send_to(bytes, self.server).await.expect("send");
            }
            Link::Tcp { stream, .. } => {
                stream.lock().await.write_all(bytes).await.expect("send");
            }
        }
    }

    /// Sends a message.
    pub async fn send(&self, message: impl Into<Message>) {
        let bytes = message.into().to_bytes();
        self.send_raw(&bytes).await;
    }

    async fn read_one(&self) -> Option<Message> {
        match &self.link {
            Link::Udp(socket) => {
                let mut buf = vec![0u8; 65_535];
                let (n, _) = socket.recv_from(&mut buf).await.ok()?;
                Message::parse(Bytes::copy_from_slice(&buf[..n])).ok()
            }
            Link::Tcp { stream, buffer } => {
                let mut buffer = buffer.lock().await;
                loop {
                    match sip::framing::frame(&buffer, 1 << 20) {
                        Ok(sip::framing::Frame::Message { len }) => {
                            let bytes: Vec<u8> = buffer.drain(..len).collect();
                            return Message::parse(Bytes::from(bytes)).ok();
                        }
                        Ok(
                            sip::framing::Frame::Ping { len }
                            | sip::framing::Frame::Keepalive { len },
                        ) => {
                            buffer.drain(..len);
                        }
                        Ok(sip::framing::Frame::Incomplete) => {
                            let mut chunk = [0u8; 8192];
                            let n = stream.lock().await.read(&mut chunk).await.ok()?;
                            if n == 0 {
                                return None;
                            }
                            buffer.extend_from_slice(&chunk[..n]);
                        }
                        Err(_) => return None,
                    }
                }
            }
        }
    }

    /// The next message matching `wanted`, within `wait`; others are kept for later.
    pub async fn recv_matching(
        &self,
        wait: Duration,
        wanted: impl Fn(&Message) -> bool,
    ) -> Option<Message> {
        {
            let mut backlog = self.backlog.lock().await;
            if let Some(at) = backlog.iter().position(&wanted) {
                return Some(backlog.remove(at));
            }
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = tokio::time::timeout(left, self.read_one()).await.ok()??;
            if wanted(&message) {
                return Some(message);
            }
            self.backlog.lock().await.push(message);
        }
    }

    /// The next response to the request with this Call-ID and CSeq method.
    pub async fn response(&self, call_id: &str, method: Method) -> Response {
        self.try_response(call_id, method.clone(), WAIT)
            .await
            .unwrap_or_else(|| panic!("no response to {method} {call_id}"))
    }

    pub async fn try_response(
        &self,
        call_id: &str,
        method: Method,
        wait: Duration,
    ) -> Option<Response> {
        let message = self
            .recv_matching(wait, |m| match m {
                Message::Response(r) => {
                    r.headers.call_id() == Ok(call_id)
                        && r.headers.cseq().is_ok_and(|c| c.method == method)
                }
                Message::Request(_) => false,
            })
            .await?;
        match message {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }

    /// The next final response (skipping provisional ones).
    pub async fn final_response(&self, call_id: &str, method: Method) -> Response {
        loop {
            let response = self.response(call_id, method.clone()).await;
            if response.status.is_final() {
                return response;
            }
        }
    }

    /// The next request of `method`.
    pub async fn request(&self, method: Method) -> Request {
        self.try_request(method.clone(), WAIT)
            .await
            .unwrap_or_else(|| panic!("no {method} received"))
    }

    pub async fn try_request(&self, method: Method, wait: Duration) -> Option<Request> {
        let message = self
            .recv_matching(
                wait,
                |m| matches!(m, Message::Request(r) if r.method == method),
            )
            .await?;
        match message {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    /// Our Via.
    pub fn via(&self) -> String {
        format!(
            "SIP/2.0/{} {};branch={};rport",
            self.transport(),
            self.local,
            unique("z9hG4bK")
        )
    }

    /// Our Contact URI.
    pub fn contact_uri(&self, user: &str) -> String {
        match self.link {
            Link::Udp(_) => format!("sip:{user}@{}", self.local),
            Link::Tcp { .. } => format!("sip:{user}@{};transport=tcp", self.local),
        }
    }

    /// Builds a request from text lines (Via, Max-Forwards and Content-Length added).
    pub fn build(&self, method: &str, uri: &str, headers: &[String], body: &str) -> Request {
        let mut text = format!(
            "{method} {uri} SIP/2.0\r\nVia: {}\r\nMax-Forwards: 70\r\n",
            self.via()
        );
        for header in headers {
            text.push_str(header);
            text.push_str("\r\n");
        }
        if !body.is_empty() {
            text.push_str("Content-Type: application/sdp\r\n");
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        match Message::parse(Bytes::from(text)).expect("test request parses") {
            Message::Request(r) => r,
            Message::Response(_) => unreachable!(),
        }
    }

    /// A REGISTER for `extension` (no credentials).
    pub fn register_request(
        &self,
        extension: &str,
        call_id: &str,
        cseq: u32,
        contact: Option<&str>,
        expires: Option<u32>,
    ) -> Request {
        let mut headers = vec![
            format!("From: <sip:{extension}@{DOMAIN}>;tag={}", unique("t")),
            format!("To: <sip:{extension}@{DOMAIN}>"),
            format!("Call-ID: {call_id}"),
            format!("CSeq: {cseq} REGISTER"),
        ];
        if let Some(contact) = contact {
            headers.push(format!("Contact: {contact}"));
        }
        if let Some(expires) = expires {
            headers.push(format!("Expires: {expires}"));
        }
        self.build("REGISTER", &format!("sip:{DOMAIN}"), &headers, "")
    }

    /// Registers `extension` with `password` (answering the challenge); the final response.
    pub async fn register(
        &self,
        extension: &str,
        password: &str,
        expires: Option<u32>,
    ) -> Response {
        let contact = format!("<{}>", self.contact_uri(extension));
        self.register_with(extension, password, Some(&contact), expires)
            .await
    }

    /// A REGISTER with any Contact value, answering the challenge.
    pub async fn register_with(
        &self,
        extension: &str,
        password: &str,
        contact: Option<&str>,
        expires: Option<u32>,
    ) -> Response {
        let call_id = unique("reg");
        let first = self.register_request(extension, &call_id, 1, contact, expires);
        self.send(first.clone()).await;
        let challenge = self.final_response(&call_id, Method::Register).await;
        if challenge.status != StatusCode::UNAUTHORIZED {
            return challenge;
        }
        let mut second = self.register_request(extension, &call_id, 2, contact, expires);
        second.headers.push(
            HeaderName::Authorization,
            authorization(&challenge, &second, extension, password),
        );
        self.send(second).await;
        self.final_response(&call_id, Method::Register).await
    }
}

/// The Authorization value answering a 401's challenge.
pub fn authorization(
    challenge: &Response,
    request: &Request,
    user: &str,
    password: &str,
) -> String {
    let challenges: Vec<Challenge> = challenge
        .headers
        .get_all(&HeaderName::WwwAuthenticate)
        .filter_map(|v| v.to_str()?.parse().ok())
        .collect();
    let chosen = auth::choose_challenge(&challenges).expect("a digest challenge");
    let uri = request.uri.to_string();
    let credentials = auth::respond(
        chosen,
        &ResponseInput {
            method: request.method.as_str(),
            uri: &uri,
            username: user,
            secret: Secret::Password(password),
            cnonce: &unique("c"),
            nc: 1,
        },
    )
    .expect("credentials");
    credentials.to_string()
}

/// An SDP offer or answer for PCMA with telephone-event at `rtp`.
pub fn sdp(rtp: SocketAddr) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
        ip = rtp.ip(),
        port = rtp.port()
    )
}

/// The RTP address of an SDP body.
pub fn sdp_address(body: &[u8]) -> SocketAddr {
    let sdp = sip::sdp::SessionDescription::parse(body).expect("SDP parses");
    let view = sdp.media_views().next().expect("an m= line");
    let ip = view.connection().and_then(|c| c.ip()).expect("c= address");
    SocketAddr::new(ip, view.media().port)
}

/// A call placed by a caller phone: the dialog, once the 200 came.
pub struct Outgoing {
    pub call_id: String,
    pub from: String,
    pub to: String,
    pub cseq: u32,
    /// The server's RTP address (from its answer).
    pub remote_rtp: SocketAddr,
    pub response: Response,
}

impl Phone {
    /// An INVITE to `number` from `caller` offering RTP at `rtp`, with the given body.
    pub fn invite_request(&self, number: &str, caller: &str, call_id: &str, body: &str) -> Request {
        let headers = vec![
            format!(
                "From: <sip:{caller}@{}>;tag={}",
                self.local.ip(),
                unique("c")
            ),
            format!("To: <sip:{number}@{DOMAIN}>"),
            format!("Call-ID: {call_id}"),
            "CSeq: 1 INVITE".to_owned(),
            format!("Contact: <{}>", self.contact_uri(caller)),
        ];
        self.build(
            "INVITE",
            &format!("sip:{number}@{}", self.server),
            &headers,
            body,
        )
    }

    /// Calls `number` with an SDP offer for `rtp`; answers the 200 with an ACK. Fails the
    /// test unless the call is answered.
    pub async fn call(&self, number: &str, caller: &str, rtp: SocketAddr) -> Outgoing {
        let call_id = unique("call");
        let invite = self.invite_request(number, caller, &call_id, &sdp(rtp));
        self.send(invite.clone()).await;
        let response = self.final_response(&call_id, Method::Invite).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "call answered: {response:?}"
        );
        let outgoing = Outgoing {
            call_id: call_id.clone(),
            from: invite
                .headers
                .get(&HeaderName::From)
                .and_then(|v| v.to_str())
                .expect("from")
                .to_owned(),
            to: response
                .headers
                .get(&HeaderName::To)
                .and_then(|v| v.to_str())
                .expect("to")
                .to_owned(),
            cseq: 1,
            remote_rtp: sdp_address(&response.body),
            response,
        };
        self.send(self.in_dialog(&outgoing, "ACK", 1)).await;
        outgoing
    }

    /// A request in the dialog of a call we placed.
    pub fn in_dialog(&self, call: &Outgoing, method: &str, cseq: u32) -> Request {
        let target = call
            .response
            .headers
            .contacts()
            .ok()
            .and_then(|c| match c {
                sip::header::Contacts::Addresses(a) => {
                    a.into_iter().next().map(|a| a.uri.to_string())
                }
                sip::header::Contacts::Wildcard => None,
            })
            .expect("the 200 has a Contact");
        let headers = vec![
            format!("From: {}", call.from),
            format!("To: {}", call.to),
            format!("Call-ID: {}", call.call_id),
            format!("CSeq: {cseq} {method}"),
        ];
        self.build(method, &target, &headers, "")
    }

    /// Hangs up a call we placed; the BYE's final response.
    pub async fn hang_up(&self, call: &Outgoing) -> Response {
        self.send(self.in_dialog(call, "BYE", 2)).await;
        self.final_response(&call.call_id, Method::Bye).await
    }

    /// Answers a request with `status` (our tag added), optionally with an SDP body.
    pub async fn reply(
        &self,
        request: &Request,
        status: StatusCode,
        body: Option<&str>,
    ) -> Response {
        let mut response = Response::for_request(request, status, Some("agenttag"));
        if status.is_success() && request.method == Method::Invite {
            response.headers.push(
                HeaderName::Contact,
                format!("<{}>", self.contact_uri("agent")),
            );
        }
        if let Some(body) = body {
            response.set_body("application/sdp", Bytes::from(body.to_owned()));
        }
        self.send(response.clone()).await;
        response
    }

    /// Answers an INVITE 200 with SDP for `rtp` and waits for the ACK.
    pub async fn answer(&self, invite: &Request, rtp: SocketAddr) {
        self.reply(invite, StatusCode::RINGING, None).await;
        self.reply(invite, StatusCode::OK, Some(&sdp(rtp))).await;
        let call_id = invite.headers.call_id().expect("call id").to_owned();
        self.recv_matching(WAIT, |m| {
            matches!(m, Message::Request(r) if r.method == Method::Ack && r.headers.call_id() == Ok(&call_id))
        })
        .await
        .expect("ACK of the agent's 200");
    }
}

/// An RTP endpoint: sends G.711 A-law and RFC 4733 events, counts what it receives.
pub struct Rtp {
    socket: Arc<UdpSocket>,
    pub local: SocketAddr,
    received: Arc<AtomicU64>,
    seq: std::sync::atomic::AtomicU32,
    ssrc: u32,
    reader: tokio::task::JoinHandle<()>,
}

impl Rtp {
    pub async fn new() -> Rtp {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("rtp bind"));
        let local = socket.local_addr().expect("local");
        let received = Arc::new(AtomicU64::new(0));
        let (s, r) = (Arc::clone(&socket), Arc::clone(&received));
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            while let Ok((n, _)) = s.recv_from(&mut buf).await {
                if n >= 12 {
                    r.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Rtp {
            socket,
            local,
            received,
            seq: std::sync::atomic::AtomicU32::new(1),
            ssrc: 0x1234_5678 ^ local.port() as u32,
            reader,
        }
    }

    /// RTP packets received so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn packet(&self, payload_type: u8, marker: bool, timestamp: u32, payload: &[u8]) -> Vec<u8> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) as u16;
        let mut p = Vec::with_capacity(12 + payload.len());
        p.push(0x80);
        p.push(payload_type | if marker { 0x80 } else { 0 });
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&timestamp.to_be_bytes());
        p.extend_from_slice(&self.ssrc.to_be_bytes());
        p.extend_from_slice(payload);
        p
    }

    /// Sends `count` packets of A-law audio (a 400 Hz tone), 20 ms apart.
    pub async fn send_audio(&self, to: SocketAddr, count: u32) {
        for _ in 0..count {
            let seq = self.seq.load(Ordering::Relaxed);
            let payload: Vec<u8> = (0..160)
                .map(|i| {
                    let t = (seq * 160 + i) as f32 / 8000.0;
                    let s = (t * 400.0 * std::f32::consts::TAU).sin() * 8000.0;
                    alaw(s as i16)
                })
                .collect();
            let packet = self.packet(8, false, seq.wrapping_mul(160), &payload);
            let _ = self.socket.send_to(&packet, to).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends the RFC 4733 events of one key press (payload type 101): 5 packets of 20 ms,
    /// then the end packet three times.
    pub async fn send_dtmf(&self, to: SocketAddr, digit: char) {
        let event = match digit {
            '0'..='9' => digit as u8 - b'0',
            '*' => 10,
            '#' => 11,
            _ => panic!("not a key"),
        };
        let timestamp = self
            .seq
            .load(Ordering::Relaxed)
            .wrapping_mul(160)
            .wrapping_add(80_000);
        for i in 0..5u16 {
            let duration = (i + 1) * 160;
            let payload = [event, 10, (duration >> 8) as u8, duration as u8];
            let packet = self.packet(101, i == 0, timestamp, &payload);
            let _ = self.socket.send_to(&packet, to).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for _ in 0..3 {
            let duration = 6 * 160u16;
            let payload = [event, 0x80 | 10, (duration >> 8) as u8, duration as u8];
            let packet = self.packet(101, false, timestamp, &payload);
            let _ = self.socket.send_to(&packet, to).await;
        }
    }
}

impl Drop for Rtp {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// G.711 A-law of a linear sample.
fn alaw(sample: i16) -> u8 {
    let mut pcm = i32::from(sample);
    let sign = if pcm >= 0 { 0x80 } else { 0 };
    if pcm < 0 {
        pcm = -pcm - 1;
    }
    let pcm = pcm.min(32_767) >> 3;
    let (exponent, mantissa) = if pcm < 32 {
        (0, pcm >> 1)
    } else {
        let mut exp = 1;
        while pcm >> (exp + 4) > 1 && exp < 7 {
            exp += 1;
        }
        (exp, (pcm >> exp) & 0x0f)
    };
    ((sign | (exponent << 4) | mantissa) as u8) ^ 0x55
}

/// The kinds of a list of events.
pub fn kinds(events: &[store::Event]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

/// The agent user id of an `offered`/`answered` event.
pub fn event_agent(event: &store::Event) -> Option<i64> {
    event.data.get("user_id")?.as_i64()
}

/// The data directory's file of a stored recording path.
pub fn recording_file(dir: &Path, stored: &str) -> PathBuf {
    dir.join(stored)
}

/// Everything an agent phone does for one offered call, by extension.
pub type Phones = HashMap<String, Phone>;

impl Phone {
    /// Hangs up, as the agent, a call we answered (`invite` is the INVITE we got); the BYE's
    /// final response.
    pub async fn hang_up_as_agent(&self, invite: &Request) -> Response {
        let target = match invite.headers.contacts().expect("contact") {
            sip::header::Contacts::Addresses(a) => a[0].uri.to_string(),
            sip::header::Contacts::Wildcard => panic!("no contact"),
        };
        let value = |name: &HeaderName| {
            invite
                .headers
                .get(name)
                .and_then(|v| v.to_str())
                .expect("header")
                .to_owned()
        };
        let call_id = value(&HeaderName::CallId);
        let headers = vec![
            format!("From: {};tag=agenttag", value(&HeaderName::To)),
            format!("To: {}", value(&HeaderName::From)),
            format!("Call-ID: {call_id}"),
            "CSeq: 1 BYE".to_owned(),
        ];
        self.send(self.build("BYE", &target, &headers, "")).await;
        self.final_response(&call_id, Method::Bye).await
    }
}
