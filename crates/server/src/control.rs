//! The interface between the control plane (the switchboard: the task that owns calls, the
//! `acd` and the IVR sessions) and the rest of the server.
//!
//! [`crate::launch`] starts a [`ControlPlane`] with a [`ControlContext`] holding everything it
//! needs (settings, store, log writer, metrics, the bound SIP sockets, the stop token and the
//! receiving end of the [`Command`] channel). The HTTP API asks it for live state through a
//! [`ControlHandle`]: each [`Command`] carries a oneshot sender for its reply, so the
//! switchboard answers between two SIP messages without ever waiting on the asker.
//!
//! Contract for implementations:
//! - answer every command, or drop its reply sender when it cannot (the asker then gets
//!   [`ControlError::Unavailable`]); never block the loop on a reply (`send` on a oneshot
//!   does not block);
//! - on [`Command::Drain`]: refuse new calls (503), let calls in progress go on until
//!   `deadline`, end the rest then (logging `ended{cause: drained}`), reply with a
//!   [`DrainReport`], and return from the task;
//! - return at the latest when [`ControlContext::stop`] is cancelled.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use store::{InteractionId, QueueId, Store, TenantId, UserId};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::log::LogWriter;
use crate::metrics::Metrics;

pub use acd::AgentStateKind;

/// Errors a control plane's task may end with.
pub type ControlFailure = Box<dyn std::error::Error + Send + Sync>;

/// A running control plane: its task ends after a drain, at the stop, or on failure.
pub type ControlTask = JoinHandle<Result<(), ControlFailure>>;

/// A control plane [`crate::launch::launch`] can start: the switchboard implements it.
pub trait ControlPlane: Send + 'static {
    /// Loads what it needs (numbers, flows, queues, agents, registrations), spawns its
    /// task(s) and returns once it is ready to take commands and SIP traffic. An error here
    /// fails the launch with its message.
    fn start(
        self,
        ctx: ControlContext,
    ) -> impl Future<Output = Result<ControlTask, ControlFailure>> + Send;
}

/// What the control plane is started with.
#[derive(Debug)]
pub struct ControlContext {
    /// The settings.
    pub config: Arc<Config>,
    /// The store (migrated; interactions left open by a crash already closed).
    pub store: Store,
    /// The interaction-log writer.
    pub log: LogWriter,
    /// The metrics to update.
    pub metrics: Metrics,
    /// The bound SIP UDP socket.
    pub sip_udp: UdpSocket,
    /// The bound SIP TCP listener.
    pub sip_tcp: TcpListener,
    /// Commands from the HTTP API and from the shutdown sequence.
    pub commands: mpsc::Receiver<Command>,
    /// Cancelled when the server stops; return by then at the latest.
    pub stop: CancellationToken,
}

/// An agent state the API may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedState {
    /// Logged in and available (logs in first if needed; ends wrap-up early).
    Ready,
    /// Logged in, not taking calls (logs in first if needed), with a reason.
    NotReady,
    /// Logged out.
    LoggedOut,
}

/// One agent's live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLive {
    /// The agent.
    pub user_id: UserId,
    /// Its state in the `acd`.
    pub state: AgentStateKind,
    /// The not-ready reason, when not ready.
    pub reason: Option<String>,
    /// Since when it is in this state (unix ms).
    pub since_ms: i64,
    /// The call it is ringing for, talking on or wrapping up.
    pub interaction: Option<InteractionId>,
    /// Whether its phone has a live registration.
    pub registered: bool,
}

/// Agents of a queue by state, as the queue sees its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AgentCounts {
    /// Idle and ready.
    pub available: u32,
    /// Being offered a call.
    pub ringing: u32,
    /// Talking.
    pub on_call: u32,
    /// In after-call work.
    pub wrap_up: u32,
    /// Logged in, not taking calls.
    pub not_ready: u32,
}

/// One queue's live counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueLive {
    /// The queue.
    pub queue_id: QueueId,
    /// Calls waiting (callbacks included: a caller called back keeps their place).
    pub waiting: u32,
    /// Of `waiting`, the callbacks (callers who hung up to be called back).
    pub waiting_callbacks: u32,
    /// How long the oldest waiting call has waited (ms).
    pub longest_wait_ms: Option<u64>,
    /// How long a call arriving now would wait, from recent handle times and staffed agents
    /// (`None` before the queue has handled a call or with nobody staffing it).
    pub estimated_wait_secs: Option<u64>,
    /// Its members by state.
    pub agents: AgentCounts,
}

/// Where a live call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// Answered, in the IVR.
    Ivr,
    /// Waiting in a queue.
    Queued,
    /// Waiting, and offered to an agent whose phone rings.
    Ringing,
    /// Bridged to an agent.
    Connected,
    /// Being torn down.
    Ending,
}

/// Which side of a call a leg is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegRole {
    /// Leg A: the customer.
    Caller,
    /// Leg B: the agent.
    Agent,
}

/// One leg's RTP counters since the leg started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LegCounters {
    /// Packets received from the leg.
    pub packets_in: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Packets sent to the leg.
    pub packets_out: u64,
    /// Octets sent.
    pub bytes_out: u64,
    /// Packets received and not used (bad, unknown payload, wrong source).
    pub dropped: u64,
}

impl From<media::bridge::LegCounters> for LegCounters {
    fn from(c: media::bridge::LegCounters) -> Self {
        LegCounters {
            packets_in: c.packets_in,
            bytes_in: c.bytes_in,
            packets_out: c.packets_out,
            bytes_out: c.bytes_out,
            dropped: c.dropped,
        }
    }
}

/// One leg of a live call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LegLive {
    /// Which side.
    pub role: LegRole,
    /// Its counters.
    pub counters: LegCounters,
}

/// A call in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallLive {
    /// Its interaction.
    pub interaction: InteractionId,
    /// Where it is.
    pub phase: CallPhase,
    /// The queue it waits in or came from.
    pub queue: Option<QueueId>,
    /// The agent offered or connected.
    pub agent: Option<UserId>,
    /// Its legs (the caller's first).
    pub legs: Vec<LegLive>,
    /// The caller booked a callback (hung up, keeping their place; or being called back).
    pub callback: bool,
}

/// Why an agent's state was not changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetStateError {
    /// No agent with this id in the tenant.
    #[error("no such agent")]
    UnknownAgent,
    /// The `acd` refused the change in the agent's current state (e.g. logging out during a
    /// call).
    #[error("{0}")]
    Refused(String),
}

/// Where a transferred caller goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    /// An agent, by extension: their phone is called directly (not through the queue).
    Agent(String),
    /// A queue, by name: the caller joins it ahead of the callers waiting there.
    Queue(String),
    /// An outside number, called through the trunk.
    Number(String),
}

impl TransferTarget {
    /// As logs show it: a number is redacted (see [`crate::redact`]).
    pub fn for_log(&self) -> String {
        match self {
            TransferTarget::Number(number) => format!("number:{}", crate::redact::phone(number)),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for TransferTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferTarget::Agent(extension) => write!(f, "agent:{extension}"),
            TransferTarget::Queue(name) => write!(f, "queue:{name}"),
            TransferTarget::Number(number) => write!(f, "number:{number}"),
        }
    }
}

/// Why a transfer was not started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// No call up with this interaction in the tenant.
    #[error("no such call up")]
    UnknownCall,
    /// The call is not talking to an agent (in the IVR, queued, ringing, ending).
    #[error("the call is not connected to an agent")]
    NotConnected,
    /// The asker is an agent and not the one on the call.
    #[error("not your call")]
    NotYourCall,
    /// No agent with this extension, or no queue with this name.
    #[error("no such transfer target")]
    UnknownTarget,
    /// The target agent is the one on the call, or has no reachable phone.
    #[error("the target agent cannot take the call")]
    TargetUnavailable,
    /// A number, and no trunk is configured to call it.
    #[error("no trunk is configured: numbers cannot be called")]
    NoTrunk,
}

/// How a supervisor is on a call (`POST /api/v1/calls/{id}/monitor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Hears caller and agent; nobody hears the supervisor.
    Listen,
    /// Hears both; only the agent hears the supervisor (coaching).
    Whisper,
    /// Everyone hears everyone.
    Barge,
}

impl MonitorMode {
    /// The name in events and audit entries.
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }

    /// Who hears whom in the media task's mix.
    pub fn mix(self) -> media::mixer::MixMode {
        match self {
            MonitorMode::Listen => media::mixer::MixMode::Monitor,
            MonitorMode::Whisper => media::mixer::MixMode::Whisper,
            MonitorMode::Barge => media::mixer::MixMode::Barge,
        }
    }
}

/// What a supervisor (or, for a conference, the call's agent) asks of a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorAction {
    /// Ring the supervisor's phone and join the call in `mode` when it answers.
    Start(MonitorMode),
    /// Switch mode.
    Mode(MonitorMode),
    /// Leave the call (the supervisor's leg gets BYE).
    Stop,
    /// Take the call over: the agent's leg ends and the supervisor's becomes the call's.
    TakeOver,
    /// Ring agent `to` (an extension) and join them to the call: everyone hears everyone.
    /// `only_agent`: the asker is this agent, who may only do it on their own call.
    Conference {
        /// The extension of the agent added.
        to: String,
        /// The asking agent, if an agent asks.
        only_agent: Option<UserId>,
    },
    /// The third party of a conference leaves (gets BYE).
    LeaveConference {
        /// The asking agent, if an agent asks.
        only_agent: Option<UserId>,
    },
}

/// Why a supervisor action on a call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitorError {
    /// No such call up in the tenant.
    #[error("no such call up")]
    UnknownCall,
    /// The call is not talking to an agent.
    #[error("the call is not connected to an agent")]
    NotConnected,
    /// Someone already monitors it.
    #[error("the call is already monitored")]
    AlreadyMonitored,
    /// Nobody monitors it.
    #[error("the call is not monitored")]
    NotMonitored,
    /// The supervisor's phone has not answered yet.
    #[error("the supervisor's phone has not answered yet")]
    NotAnswered,
    /// The asker has no phone registered (or no extension).
    #[error("no registered phone to ring for you")]
    NoPhone,
    /// An agent asked about another agent's call.
    #[error("not your call")]
    NotYourCall,
    /// No agent of the tenant has that extension.
    #[error("no agent with that extension")]
    UnknownTarget,
    /// The agent to add has no reachable phone, or is the call's agent.
    #[error("that agent cannot be reached")]
    TargetUnavailable,
    /// The call has no conference.
    #[error("the call has no conference")]
    NoConference,
}

/// What is asked of a consultation (`POST /api/v1/calls/{id}/consult...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultAction {
    /// Hold the caller and ring the agent with this extension.
    Start {
        /// The extension.
        to: String,
    },
    /// The caller joins the consulted agent (an attended transfer).
    Complete,
    /// The consulted agent's leg ends; the caller is back with their agent.
    Cancel,
}

/// Why a consultation step was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsultError {
    /// The call, its agent or the target, as for a transfer.
    #[error(transparent)]
    Transfer(#[from] TransferError),
    /// A consultation is already under way for the call.
    #[error("a consultation is already under way")]
    InProgress,
    /// No consultation is under way for the call.
    #[error("no consultation under way")]
    NoConsult,
    /// The consulted agent has not answered yet.
    #[error("the consulted agent has not answered yet")]
    NotAnswered,
}

/// What a drain came to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrainReport {
    /// Calls that ended by themselves during the drain.
    pub finished: Vec<InteractionId>,
    /// Calls still up at the deadline, ended by the server (`ended{cause: drained}`).
    pub cut: Vec<InteractionId>,
}

/// A request to the control plane, with where to send the answer.
#[derive(Debug)]
pub enum Command {
    /// The live state of every agent of a tenant.
    AgentStates {
        /// The tenant.
        tenant: TenantId,
        /// The answer.
        reply: oneshot::Sender<Vec<AgentLive>>,
    },
    /// Change an agent's state (the API checked the asker may).
    SetAgentState {
        /// The tenant.
        tenant: TenantId,
        /// The agent.
        agent: UserId,
        /// What to become.
        state: RequestedState,
        /// Why (for not ready: `break`, `lunch`, `training`...).
        reason: Option<String>,
        /// The agent's state after the change, or why not.
        reply: oneshot::Sender<Result<AgentLive, SetStateError>>,
    },
    /// Live counts of every queue of a tenant.
    QueueCounts {
        /// The tenant.
        tenant: TenantId,
        /// The answer.
        reply: oneshot::Sender<Vec<QueueLive>>,
    },
    /// One call, if it is up.
    LiveCall {
        /// The tenant.
        tenant: TenantId,
        /// The call's interaction.
        interaction: InteractionId,
        /// The answer (`None`: not up, or not this tenant's).
        reply: oneshot::Sender<Option<CallLive>>,
    },
    /// Every call of a tenant that is up.
    ActiveCalls {
        /// The tenant.
        tenant: TenantId,
        /// The answer.
        reply: oneshot::Sender<Vec<CallLive>>,
    },
    /// Blind-transfer a connected call: its agent's leg ends, the caller goes to `to`.
    Transfer {
        /// The tenant.
        tenant: TenantId,
        /// The call's interaction.
        interaction: InteractionId,
        /// Where the caller goes.
        to: TransferTarget,
        /// `Some(agent)`: only if this agent is the one on the call (an agent transferring
        /// their own call); `None`: a supervisor, any call of the tenant.
        only_agent: Option<UserId>,
        /// Started, or why not.
        reply: oneshot::Sender<Result<(), TransferError>>,
    },
    /// A consultation step on a connected call (see `call::consult`).
    Consult {
        /// The tenant.
        tenant: TenantId,
        /// The call's interaction.
        interaction: InteractionId,
        /// What to do.
        action: ConsultAction,
        /// As for [`Command::Transfer`].
        only_agent: Option<UserId>,
        /// Done, or why not.
        reply: oneshot::Sender<Result<(), ConsultError>>,
    },
    /// A supervisor's action on a live call (listen, whisper, barge, leave, take over).
    Monitor {
        /// The asker's tenant.
        tenant: TenantId,
        /// The call.
        interaction: InteractionId,
        /// The supervisor asking (their phone is the one rung).
        by: UserId,
        /// What they ask.
        action: MonitorAction,
        /// Done (or, for a start, their phone rung), or why not.
        reply: oneshot::Sender<Result<(), MonitorError>>,
    },
    /// The prompt library flows are checked against: the one calls play from, so a flow the
    /// API accepts is one the switchboard loads.
    PromptLibrary {
        /// The answer.
        reply: oneshot::Sender<Arc<media::prompt::PromptLibrary>>,
    },
    /// Read the directory (numbers, flows, queues, agents and their skills, time zones) from
    /// the store now, not at the next periodic refresh, and apply it; the reply comes once new
    /// calls see it (dropped if the store could not be read).
    Reload {
        /// Sent once applied.
        reply: oneshot::Sender<()>,
    },
    /// An agent's browser softphone is up: ring `contact` (the gateway's loopback SIP
    /// address, reached at `source`) for `agent`, before any registered phone. An in-memory
    /// binding, not persisted and not lapsing until [`Command::UnbindWebPhone`].
    BindWebPhone {
        /// The agent's tenant.
        tenant: TenantId,
        /// The agent.
        agent: UserId,
        /// The Contact URI to ring.
        contact: String,
        /// Where requests to it go.
        source: std::net::SocketAddr,
    },
    /// The browser softphone of `agent` is gone: forget its binding.
    UnbindWebPhone {
        /// The agent's tenant.
        tenant: TenantId,
        /// The agent.
        agent: UserId,
        /// The Contact bound.
        contact: String,
    },
    /// Stop taking calls; end those still up at `deadline`; reply when none is left, then
    /// return.
    Drain {
        /// When calls still up are cut.
        deadline: Instant,
        /// The answer.
        reply: oneshot::Sender<DrainReport>,
    },
}

/// Why a command got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The control plane is not running, or dropped the request.
    #[error("the control plane is not available")]
    Unavailable,
    /// No answer within [`ControlHandle::REPLY_TIMEOUT`].
    #[error("the control plane did not answer in time")]
    Timeout,
}

/// Sends [`Command`]s to the control plane; cheap to clone.
#[derive(Debug, Clone)]
pub struct ControlHandle {
    commands: mpsc::Sender<Command>,
}

impl ControlHandle {
    /// How long an API request waits for the control plane before answering 503.
    pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

    /// A handle and the receiving end to give the control plane.
    pub fn channel(capacity: usize) -> (ControlHandle, mpsc::Receiver<Command>) {
        let (commands, receiver) = mpsc::channel(capacity.max(1));
        (ControlHandle { commands }, receiver)
    }

    /// Completes when the control plane has dropped its receiver (its task ended).
    pub async fn closed(&self) {
        self.commands.closed().await;
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
        timeout: Duration,
    ) -> Result<T, ControlError> {
        let (reply, answer) = oneshot::channel();
        let exchange = async {
            self.commands
                .send(make(reply))
                .await
                .map_err(|_| ControlError::Unavailable)?;
            answer.await.map_err(|_| ControlError::Unavailable)
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| ControlError::Timeout)?
    }

    /// Every agent's live state.
    pub async fn agent_states(&self, tenant: TenantId) -> Result<Vec<AgentLive>, ControlError> {
        self.ask(
            |reply| Command::AgentStates { tenant, reply },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Changes an agent's state.
    pub async fn set_agent_state(
        &self,
        tenant: TenantId,
        agent: UserId,
        state: RequestedState,
        reason: Option<String>,
    ) -> Result<Result<AgentLive, SetStateError>, ControlError> {
        self.ask(
            |reply| Command::SetAgentState {
                tenant,
                agent,
                state,
                reason,
                reply,
            },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Sends a command without waiting (the web phone gateway's bindings); false when the
    /// control plane is gone or its queue is full.
    pub fn try_send(&self, command: Command) -> bool {
        self.commands.try_send(command).is_ok()
    }

    /// Every queue's live counts.
    pub async fn queue_counts(&self, tenant: TenantId) -> Result<Vec<QueueLive>, ControlError> {
        self.ask(
            |reply| Command::QueueCounts { tenant, reply },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// One call, if up.
    pub async fn live_call(
        &self,
        tenant: TenantId,
        interaction: InteractionId,
    ) -> Result<Option<CallLive>, ControlError> {
        self.ask(
            |reply| Command::LiveCall {
                tenant,
                interaction,
                reply,
            },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Every call up.
    pub async fn active_calls(&self, tenant: TenantId) -> Result<Vec<CallLive>, ControlError> {
        self.ask(
            |reply| Command::ActiveCalls { tenant, reply },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Starts a blind transfer of a connected call.
    pub async fn transfer(
        &self,
        tenant: TenantId,
        interaction: InteractionId,
        to: TransferTarget,
        only_agent: Option<UserId>,
    ) -> Result<Result<(), TransferError>, ControlError> {
        self.ask(
            |reply| Command::Transfer {
                tenant,
                interaction,
                to,
                only_agent,
                reply,
            },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Starts, completes or cancels a consultation on a connected call.
    pub async fn consult(
        &self,
        tenant: TenantId,
        interaction: InteractionId,
        action: ConsultAction,
        only_agent: Option<UserId>,
    ) -> Result<Result<(), ConsultError>, ControlError> {
        self.ask(
            |reply| Command::Consult {
                tenant,
                interaction,
                action,
                only_agent,
                reply,
            },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// A supervisor's action on a live call.
    pub async fn monitor(
        &self,
        tenant: TenantId,
        interaction: InteractionId,
        by: UserId,
        action: MonitorAction,
    ) -> Result<Result<(), MonitorError>, ControlError> {
        self.ask(
            |reply| Command::Monitor {
                tenant,
                interaction,
                by,
                action,
                reply,
            },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// The prompt library flows are checked against.
    pub async fn prompt_library(&self) -> Result<Arc<media::prompt::PromptLibrary>, ControlError> {
        self.ask(
            |reply| Command::PromptLibrary { reply },
            Self::REPLY_TIMEOUT,
        )
        .await
    }

    /// Reads the directory from the store and applies it; returns once applied.
    pub async fn reload(&self) -> Result<(), ControlError> {
        self.ask(|reply| Command::Reload { reply }, Self::REPLY_TIMEOUT)
            .await
    }

    /// Drains: waits until the control plane reports, up to `deadline` plus `grace`.
    pub async fn drain(
        &self,
        deadline: Instant,
        grace: Duration,
    ) -> Result<DrainReport, ControlError> {
        let wait = deadline.saturating_duration_since(Instant::now()) + grace;
        self.ask(|reply| Command::Drain { deadline, reply }, wait)
            .await
    }
}

/// A control plane that handles no calls: SIP traffic is not read (the sockets are held
/// until the stop), live queries get [`ControlError::Unavailable`], and a drain ends at once.
/// For running the API over a database without taking calls (a reporting node), and what
/// `plateau demo`/`serve` start until the switchboard is wired in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl ControlPlane for Offline {
    async fn start(self, ctx: ControlContext) -> Result<ControlTask, ControlFailure> {
        tracing::warn!("control plane offline: SIP is not answered, live state is unavailable");
        let ControlContext {
            mut commands,
            stop,
            sip_udp,
            sip_tcp,
            ..
        } = ctx;
        Ok(tokio::spawn(async move {
            // Held so the ports stay ours (and the addresses printed stay true) until the stop.
            let _sockets = (sip_udp, sip_tcp);
            loop {
                let command = tokio::select! {
                    command = commands.recv() => command,
                    () = stop.cancelled() => None,
                };
                match command {
                    Some(Command::Drain { reply, .. }) => {
                        let _ = reply.send(DrainReport::default());
                        return Ok(());
                    }
                    // Dropping the reply sender answers "unavailable".
                    Some(_) => {}
                    None => return Ok(()),
                }
            }
        }))
    }
}
