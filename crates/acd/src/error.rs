//! The errors the engine returns for inputs it refuses; the state is unchanged when it does.

use crate::agent_state::{AgentStateKind, Request};
use crate::ids::{AgentId, ContactId, QueueId};

/// An input the engine refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcdError {
    /// No agent with this id.
    #[error("unknown agent {0}")]
    UnknownAgent(AgentId),
    /// No queue with this id.
    #[error("unknown queue {0}")]
    UnknownQueue(QueueId),
    /// No contact with this id is waiting or being offered.
    #[error("unknown contact {0}")]
    UnknownContact(ContactId),
    /// An agent with this id exists already.
    #[error("agent {0} exists already")]
    DuplicateAgent(AgentId),
    /// A queue with this id exists already.
    #[error("queue {0} exists already")]
    DuplicateQueue(QueueId),
    /// A contact with this id is already in a queue.
    #[error("contact {0} is already queued")]
    DuplicateContact(ContactId),
    /// The request is not valid from the agent's current state.
    #[error("agent {agent} cannot {request} while {from}")]
    InvalidTransition {
        /// The agent.
        agent: AgentId,
        /// Its current state.
        from: AgentStateKind,
        /// What was asked.
        request: Request,
    },
    /// A call ended for an agent who is not on a call.
    #[error("agent {agent} is not on a call but {state}")]
    NotOnCall {
        /// The agent.
        agent: AgentId,
        /// Its current state.
        state: AgentStateKind,
    },
    /// A wrap-up extension longer than [`MAX_WRAP_UP_EXTENSION`](crate::MAX_WRAP_UP_EXTENSION).
    #[error("wrap-up extension of {0:?} is too long")]
    ExtensionTooLong(std::time::Duration),
    /// A not-ready request without a reason code.
    #[error("a not-ready reason must not be empty")]
    EmptyReason,
    /// The contact is not currently offered to that agent (answered, failed, withdrawn or timed
    /// out already: the server should hang up the agent's leg).
    #[error("{contact} is not offered to {agent}")]
    NotOffered {
        /// The contact named in the input.
        contact: ContactId,
        /// The agent named in the input.
        agent: AgentId,
    },
    /// The contact is being offered, and only a waiting contact can be moved.
    #[error("{0} is being offered, not waiting")]
    ContactNotWaiting(ContactId),
    /// The agent is not a member of the queue.
    #[error("{agent} is not a member of {queue}")]
    NotAMember {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
    },
    /// Contacts are still in the queue; move them elsewhere first.
    #[error("{0} still holds contacts")]
    QueueNotEmpty(QueueId),
    /// Only a logged-out agent can be removed.
    #[error("{0} is logged in")]
    AgentLoggedIn(AgentId),
    /// A strategy name that is not one of [`StrategyKind::ALL`](crate::StrategyKind::ALL).
    #[error("unknown routing strategy {0:?}")]
    UnknownStrategy(String),
    /// A skill level outside 1–10 in a contact's requirements.
    #[error("{0} requires a skill level outside 1 to 10")]
    InvalidSkillLevel(ContactId),
    /// A skill level outside 1–10 in an agent's skills.
    #[error("{0} has a skill level outside 1 to 10")]
    InvalidAgentSkill(AgentId),
    /// A not-ready reason code that is not in the configured list.
    #[error("unknown not-ready reason {0:?}")]
    UnknownReason(String),
    /// A callback without a number to dial.
    #[error("a callback needs a number")]
    EmptyCallbackNumber,
    /// The contact is a callback already.
    #[error("{0} is a callback already")]
    AlreadyACallback(ContactId),
    /// A callback outcome for a contact that is not a callback being dialled.
    #[error("{0} is not a callback")]
    NotACallback(ContactId),
    /// Simulation settings out of range.
    #[error("invalid simulated traffic: {0}")]
    InvalidTraffic(&'static str),
    /// A queue setting the engine cannot work with.
    #[error("invalid settings for {queue}: {why}")]
    InvalidQueueConfig {
        /// The queue.
        queue: QueueId,
        /// What is wrong.
        why: &'static str,
    },
}
