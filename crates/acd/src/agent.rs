//! An agent as the engine keeps it: configuration, state, and the statistics strategies read.

use std::time::{Duration, Instant};

use crate::agent_state::AgentState;
use crate::config::AgentConfig;

/// What routing strategies know about an agent. While the agent is available these do not
/// change, so a strategy can key its index on them when the agent becomes available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgentStats {
    /// When the agent last became available: at login, on ready after not ready, after wrap-up
    /// and after a failed offer (to the back of the line). A withdrawn offer (caller hung up
    /// while ringing) does not reset it: the agent did nothing to lose their place.
    pub idle_since: Option<Instant>,
    /// Calls answered since the engine started.
    pub calls_taken: u64,
    /// Time spent on answered calls, added when each call ends.
    pub talk_time: Duration,
    /// When the agent was last offered a contact.
    pub last_offered: Option<Instant>,
    /// Offers missed in a row; reset by an answer and by the automatic not-ready.
    pub missed_offers: u32,
}

/// An agent in the engine.
#[derive(Debug)]
pub(crate) struct Agent {
    pub(crate) config: AgentConfig,
    pub(crate) state: AgentState,
    /// When the current state began; `None` for an agent never logged in.
    pub(crate) since: Option<Instant>,
    pub(crate) stats: AgentStats,
    /// Wrap-up to apply when the current call ends, fixed when the call was answered so a queue
    /// removed or reconfigured meanwhile does not change it.
    pub(crate) wrap_up_after_call: Duration,
}

impl Agent {
    pub(crate) fn new(config: AgentConfig) -> Self {
        Self {
            config,
            state: AgentState::LoggedOut,
            since: None,
            stats: AgentStats::default(),
            wrap_up_after_call: Duration::ZERO,
        }
    }
}
