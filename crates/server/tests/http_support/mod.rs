//! What the HTTP tests share: a server launched on 127.0.0.1 port 0 over a SQLite store in a
//! temporary directory, a small control plane answering from a table the test fills, and a
//! minimal HTTP/1.1 client (one request per connection).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use plateau::config::{Config, PromptSource};
use plateau::control::{
    AgentLive, AgentStateKind, CallLive, Command, ControlContext, ControlFailure, ControlPlane,
    ControlTask, DrainReport, QueueLive, RequestedState, SetStateError,
};
use plateau::launch::{Listeners, Running, launch};
use plateau::shutdown::Shutdown;
use store::{InteractionId, NewUser, Role, TenantId, TenantStore, UserId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// Live state the test control plane answers with.
#[derive(Debug, Default)]
pub struct Live {
    pub agents: HashMap<(TenantId, UserId), AgentLive>,
    pub calls: HashMap<(TenantId, InteractionId), CallLive>,
    pub queues: HashMap<TenantId, Vec<QueueLive>>,
}

/// A control plane for exercising the HTTP layer: answers from [`Live`], changes agent states
/// as asked (refusing to log out an agent on a call), and on a drain first tells the test and
/// waits for its go-ahead when `hold_drain` is set.
#[derive(Debug, Clone, Default)]
pub struct TestPlane {
    pub live: Arc<Mutex<Live>>,
    pub hold_drain: Arc<Mutex<Option<DrainHold>>>,
}

/// Told when the drain starts; the drain ends when the other side fires.
pub type DrainHold = (oneshot::Sender<()>, oneshot::Receiver<()>);

impl TestPlane {
    async fn answer(&self, command: Command, store: &store::Store) {
        match command {
            Command::AgentStates { tenant, reply } => {
                let live = self.live.lock().expect("test lock");
                let agents = live
                    .agents
                    .iter()
                    .filter(|((t, _), _)| *t == tenant)
                    .map(|(_, a)| a.clone())
                    .collect();
                let _ = reply.send(agents);
            }
            Command::SetAgentState {
                tenant,
                agent,
                state,
                reason,
                reply,
            } => {
                let is_agent = match store.tenant(tenant).await {
                    Ok(t) => matches!(t.user(agent).await, Ok(Some(u)) if u.role == Role::Agent),
                    Err(_) => false,
                };
                if !is_agent {
                    let _ = reply.send(Err(SetStateError::UnknownAgent));
                    return;
                }
                let mut live = self.live.lock().expect("test lock");
                let entry = live
                    .agents
                    .entry((tenant, agent))
                    .or_insert_with(|| AgentLive {
                        user_id: agent,
                        state: AgentStateKind::LoggedOut,
                        reason: None,
                        since_ms: 0,
                        interaction: None,
                        registered: false,
                    });
                if entry.state == AgentStateKind::OnCall && state == RequestedState::LoggedOut {
                    let _ = reply.send(Err(SetStateError::Refused(
                        "cannot log out during a call".to_owned(),
                    )));
                    return;
                }
                entry.state = match state {
                    RequestedState::Ready => AgentStateKind::Available,
                    RequestedState::NotReady => AgentStateKind::NotReady,
                    RequestedState::LoggedOut => AgentStateKind::LoggedOut,
                };
                entry.reason = reason;
                entry.since_ms = plateau::log::now_ms();
                let _ = reply.send(Ok(entry.clone()));
            }
            Command::QueueCounts { tenant, reply } => {
                let live = self.live.lock().expect("test lock");
                let _ = reply.send(live.queues.get(&tenant).cloned().unwrap_or_default());
            }
            Command::LiveCall {
                tenant,
                interaction,
                reply,
            } => {
                let live = self.live.lock().expect("test lock");
                let _ = reply.send(live.calls.get(&(tenant, interaction)).cloned());
            }
            Command::ActiveCalls { tenant, reply } => {
                let live = self.live.lock().expect("test lock");
                let calls = live
                    .calls
                    .iter()
                    .filter(|((t, _), _)| *t == tenant)
                    .map(|(_, c)| c.clone())
                    .collect();
                let _ = reply.send(calls);
            }
            // No calls to transfer here: dropping the reply answers "unavailable".
            Command::Transfer { .. } | Command::Consult { .. } => {}
            // No call is ever up here.
            Command::Monitor { reply, .. } => {
                let _ = reply.send(Err(plateau::control::MonitorError::UnknownCall));
            }
            // No prompts here: flows cannot be checked (the flows API answers 503).
            Command::PromptLibrary { .. } => {}
            // Nothing is cached here: the store is always current.
            Command::Reload { reply } => {
                let _ = reply.send(());
            }
            // No phones here.
            Command::BindWebPhone { .. } | Command::UnbindWebPhone { .. } => {}
            Command::Drain { .. } => unreachable!("handled by the loop"),
        }
    }
}

impl ControlPlane for TestPlane {
    async fn start(self, ctx: ControlContext) -> Result<ControlTask, ControlFailure> {
        let ControlContext {
            mut commands,
            store,
            stop,
            ..
        } = ctx;
        Ok(tokio::spawn(async move {
            loop {
                let command = tokio::select! {
                    command = commands.recv() => command,
                    () = stop.cancelled() => None,
                };
                match command {
                    Some(Command::Drain { reply, .. }) => {
                        let hold = self.hold_drain.lock().expect("test lock").take();
                        if let Some((started, go)) = hold {
                            let _ = started.send(());
                            let _ = go.await;
                        }
                        let _ = reply.send(DrainReport::default());
                        return Ok(());
                    }
                    Some(command) => self.answer(command, &store).await,
                    None => return Ok(()),
                }
            }
        }))
    }
}

/// A configuration on 127.0.0.1, any free ports, data in `dir`, bundled prompts in English.
pub fn test_config(dir: &Path) -> Config {
    let mut config = Config {
        data_dir: dir.to_owned(),
        ..Config::default()
    };
    let localhost = "127.0.0.1".parse().expect("test setup");
    config.sip.bind = localhost;
    config.sip.udp_port = 0;
    config.sip.tcp_port = 0;
    config.http.bind = localhost;
    config.http.port = 0;
    config.rtp.ip = localhost;
    config.prompts.source = PromptSource::Bundled;
    config.prompts.languages = vec!["en".to_owned()];
    config
}

/// Launches `config` with `plane`.
pub async fn launch_with<C: ControlPlane>(config: Config, plane: C) -> Running {
    let listeners = Listeners::bind(&config).await.expect("test setup");
    launch(config, listeners, Shutdown::new(), plane)
        .await
        .expect("test setup")
}

/// A tenant with an admin, a supervisor, two agents and a queue, and a token for each user.
pub struct Tenant {
    pub store: TenantStore,
    pub admin: (UserId, String),
    pub supervisor: (UserId, String),
    pub agents: Vec<(UserId, String)>,
    pub queue: store::QueueId,
}

pub async fn make_tenant(store: &store::Store, slug: &str) -> Tenant {
    let tenant = store
        .create_tenant(slug, slug, 1)
        .await
        .expect("test setup");
    let t = store.tenant(tenant.id).await.expect("test setup");
    let user = |name: &str, role| NewUser {
        username: name.to_owned(),
        display_name: format!("{name} {slug}"),
        role,
        password: None,
        extension: None,
        sip: None,
        enabled: true,
    };
    let token = async |name: &str, role| {
        let u = t
            .create_user(&user(name, role), 1)
            .await
            .expect("test setup");
        let (_, secret) = t
            .create_api_token(u.id, "test", 1)
            .await
            .expect("test setup");
        (u.id, secret.expose().to_owned())
    };
    let admin = token("admin", Role::Admin).await;
    let supervisor = token("sup", Role::Supervisor).await;
    let agents = vec![
        token("ann", Role::Agent).await,
        token("bob", Role::Agent).await,
    ];
    let queue = t
        .create_queue("sales", &store::QueueSettings::default(), 1)
        .await
        .expect("test setup")
        .id;
    Tenant {
        store: t,
        admin,
        supervisor,
        agents,
        queue,
    }
}

/// Logs a complete call of `tenant` through `log` (waiting for it to be durable): queued in
/// `sales` 1 s after `at`, answered by the tenant's first agent 3 s later, 60 s of talk.
pub async fn log_answered_call(
    log: &plateau::log::LogWriter,
    tenant: &Tenant,
    at: i64,
    caller: &str,
) -> InteractionId {
    use plateau::log::LogEntry;
    use store::{EndCause, NewEvent, NewInteraction};
    let id = InteractionId::generate(at).expect("test setup");
    let (agent, _) = tenant.agents[0];
    let tenant = tenant.store.id();
    log.try_log(LogEntry::Interaction {
        tenant,
        interaction: NewInteraction::inbound_call(id, caller, "+33100000000", at),
    })
    .expect("test setup");
    for event in [
        NewEvent::arrived(id, at),
        NewEvent::queued(id, at + 1_000, "sales"),
        NewEvent::answered(id, at + 4_000, "ann", agent),
    ] {
        log.try_log(LogEntry::Event { tenant, event })
            .expect("test setup");
    }
    log.try_log_acked(LogEntry::Event {
        tenant,
        event: NewEvent::ended(id, at + 64_000, EndCause::AgentHangup),
    })
    .expect("test setup")
    .await
    .expect("test setup");
    id
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request (`Connection: close`) and reads the whole response.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let body = body.map(|b| ("application/json", b));
    request_typed(addr, method, path, token, body).await
}

/// [`request`] with a body of the given `Content-Type`.
pub async fn request_typed(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("test setup");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some((content_type, body)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("test setup");
    if let Some((_, body)) = body {
        stream.write_all(body.as_bytes()).await.expect("test setup");
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("test setup");
    parse(&raw)
}

pub async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Reply {
    request(addr, "GET", path, token, None).await
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = std::str::from_utf8(&raw[..split]).expect("test setup");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("test setup");
        let size =
            usize::from_str_radix(size_text.split(';').next().expect("test setup").trim(), 16)
                .expect("test setup");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
