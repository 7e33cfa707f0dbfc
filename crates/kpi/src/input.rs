//! What the figures are computed from: interaction events and agent state changes, each with
//! its time (unix ms). The server maps its stored log (`store::EventKind`) to these.

/// An interaction (a call), as the log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId(pub u128);

/// An agent (the user id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(pub i64);

/// One input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// Something happened to a contact.
    Contact(ContactEvent),
    /// An agent changed state.
    Agent(AgentEvent),
}

impl Input {
    /// When it happened (unix ms).
    pub fn at_ms(&self) -> i64 {
        match self {
            Input::Contact(e) => e.at_ms,
            Input::Agent(e) => e.at_ms,
        }
    }
}

/// An event of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContactEvent {
    /// The contact.
    pub contact: ContactId,
    /// When (unix ms).
    pub at_ms: i64,
    /// What.
    pub what: ContactWhat,
}

/// What happened to a contact. Events the figures do not need (IVR steps, offers, digits...)
/// are not mapped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactWhat {
    /// It entered a queue (first time, or again after a transfer to a queue): offered there.
    Queued {
        /// The queue's name.
        queue: String,
    },
    /// It waited too long and moved to another queue: offered there too.
    Overflowed {
        /// The queue it moved to.
        to: String,
    },
    /// An agent answered (from a queue, or a transfer to the agent).
    Answered {
        /// The agent.
        agent: AgentId,
    },
    /// The caller was put on hold.
    Hold,
    /// The caller was taken off hold.
    Unhold,
    /// The agent's part ended with a transfer.
    Transferred,
    /// The agent hung up and the caller went on in the flow (a survey).
    AfterCall,
    /// The caller hung up while queued.
    Abandoned,
    /// The interaction is over.
    Ended,
}

/// An agent's state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgentEvent {
    /// The agent.
    pub agent: AgentId,
    /// When (unix ms).
    pub at_ms: i64,
    /// The state before, when known (the first change of the day seen tells how the agent
    /// spent the day until then).
    pub from: Option<AgentState>,
    /// The state after.
    pub to: AgentState,
}

/// An agent's state, as `acd` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentState {
    /// Not logged in.
    LoggedOut,
    /// Ready, idle.
    Available,
    /// Being offered a call.
    Ringing,
    /// Talking (or holding a caller).
    OnCall,
    /// After-call work.
    WrapUp,
    /// Logged in, not taking calls.
    NotReady,
}

impl AgentState {
    /// Every state, in display order.
    pub const ALL: &[AgentState] = &[
        AgentState::Available,
        AgentState::Ringing,
        AgentState::OnCall,
        AgentState::WrapUp,
        AgentState::NotReady,
        AgentState::LoggedOut,
    ];

    /// The name the log uses (`available`, `on_call`...).
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged_out",
            AgentState::Available => "available",
            AgentState::Ringing => "ringing",
            AgentState::OnCall => "on_call",
            AgentState::WrapUp => "wrap_up",
            AgentState::NotReady => "not_ready",
        }
    }

    /// From the log's name; `None` for a name this version does not know.
    pub fn from_name(name: &str) -> Option<Self> {
        AgentState::ALL.iter().copied().find(|s| s.as_str() == name)
    }
}
