//! What the server tells the engine: contacts, offer outcomes, agents' requests, configuration.

use std::time::Duration;

use crate::agent_state::OfferFailure;
use crate::config::{AgentConfig, Membership, QueueConfig};
use crate::ids::{AgentId, ContactId, QueueId};
use crate::skills::Skills;

/// One input to [`Acd::handle_input`](crate::Acd::handle_input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    // Contacts.
    /// A contact enters a queue (served by effective priority, then arrival; see the queue's
    /// `aging_step`).
    ContactArrived {
        /// A new contact id.
        contact: ContactId,
        /// The queue it joins.
        queue: QueueId,
        /// Higher is served first; 0 is the usual value.
        priority: i32,
    },
    /// A contact that requires skills of its own enters a queue (the IVR chose French, a CRM
    /// look-up said billing): only agents with every skill at or above the level take it, until
    /// the queue's relaxations lower the levels.
    ContactArrivedWithSkills {
        /// A new contact id.
        contact: ContactId,
        /// The queue it joins.
        queue: QueueId,
        /// Higher is served first; 0 is the usual value.
        priority: i32,
        /// Skill → minimum level (1–10), merged with the queue's required skills.
        skills: Skills,
    },
    /// The caller hung up while waiting or while an agent's phone rang.
    ContactAbandoned {
        /// The contact.
        contact: ContactId,
    },
    /// The waiting caller chose to be called back and hangs up: the contact keeps its place
    /// and is dialled when its turn comes ([`Output::DialCallback`](crate::Output::DialCallback)).
    ConvertToCallback {
        /// The contact (must be waiting, not being offered).
        contact: ContactId,
        /// The number to call back (as confirmed by the caller).
        number: String,
    },
    /// The customer answered the callback and is connected to the reserved agent: the
    /// contact is answered.
    CallbackAnswered {
        /// The contact.
        contact: ContactId,
    },
    /// The callback dial failed (no answer, busy, unreachable): retried after the queue's
    /// retry delay, up to its maximum attempts.
    CallbackFailed {
        /// The contact.
        contact: ContactId,
    },
    /// A waiting contact moves to another queue, keeping its place in the order of service
    /// (priority and arrival). Drains a queue before removing it; overflow builds on it.
    MoveContact {
        /// The contact (must be waiting, not being offered).
        contact: ContactId,
        /// The queue it moves to.
        queue: QueueId,
    },

    // Offer outcomes.
    /// The agent answered the offer: the agent goes on call, the contact leaves the queue.
    OfferAnswered {
        /// The contact offered.
        contact: ContactId,
        /// The agent it was offered to.
        agent: AgentId,
    },
    /// The offer failed: the contact goes back to its place, the agent's missed count grows.
    OfferFailed {
        /// The contact offered.
        contact: ContactId,
        /// The agent it was offered to.
        agent: AgentId,
        /// What happened on the agent's leg.
        reason: OfferFailure,
    },
    /// The agent's connected call ended: wrap-up starts.
    CallEnded {
        /// The agent.
        agent: AgentId,
    },

    // Agents' requests.
    /// The agent logs in, available at once or not ready with a reason.
    Login {
        /// The agent.
        agent: AgentId,
        /// `Some(reason)` to log in not ready.
        not_ready: Option<String>,
    },
    /// The agent becomes available (from not ready, or ends wrap-up early).
    Ready {
        /// The agent.
        agent: AgentId,
    },
    /// The agent stops taking contacts (or changes the reason).
    NotReady {
        /// The agent.
        agent: AgentId,
        /// A reason code: `break`, `lunch`, `training`...
        reason: String,
    },
    /// The agent logs out.
    Logout {
        /// The agent.
        agent: AgentId,
    },
    /// The agent needs more after-call time.
    ExtendWrapUp {
        /// The agent (must be in wrap-up).
        agent: AgentId,
        /// Added to the current wrap-up deadline.
        by: Duration,
    },

    /// The reason codes agents may give for not ready (`break`, `lunch`, `training`,
    /// `coaching`, `meeting`...); others are refused with [`AcdError::UnknownReason`](crate::AcdError::UnknownReason).
    /// An empty list accepts any code (the default). Agents already not ready keep theirs.
    SetNotReadyReasons {
        /// The accepted codes.
        reasons: Vec<String>,
    },

    // Configuration at runtime.
    /// A new queue.
    AddQueue(QueueConfig),
    /// New settings for a queue; a new strategy is rebuilt from the available members. Ring
    /// timeout and max wait apply to later offers and arrivals.
    UpdateQueue(QueueConfig),
    /// Removes an empty queue (move its contacts away first) and every membership in it.
    RemoveQueue {
        /// The queue.
        queue: QueueId,
    },
    /// A new agent, logged out.
    AddAgent(AgentConfig),
    /// Removes a logged-out agent.
    RemoveAgent {
        /// The agent.
        agent: AgentId,
    },
    /// Makes the agent a member of the queue (or changes the membership's priority).
    JoinQueue {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
        /// The membership's settings.
        membership: Membership,
    },
    /// Ends the agent's membership; an offer already ringing from that queue carries on.
    LeaveQueue {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
    },
}
