//! What the engine asks the server to do or record.

use std::time::{Duration, Instant};

use crate::agent_state::{AgentState, ChangeCause};
use crate::contact::LeaveReason;
use crate::ids::{AgentId, ContactId, QueueId};

/// One output from [`Acd::poll_output`](crate::Acd::poll_output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Offer the contact to the agent (INVITE their phone). Answer with
    /// [`Input::OfferAnswered`](crate::Input::OfferAnswered) or
    /// [`Input::OfferFailed`](crate::Input::OfferFailed); the engine times the offer out itself
    /// at `ring_until`.
    Offer {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The queue it comes from.
        queue: QueueId,
        /// When the engine will give up on this offer.
        ring_until: Instant,
    },
    /// A callback's turn came: `agent` is reserved (ringing state); dial the customer at
    /// `number` and connect them to the agent. Answer with
    /// [`Input::CallbackAnswered`](crate::Input::CallbackAnswered) or
    /// [`Input::CallbackFailed`](crate::Input::CallbackFailed); at `give_up_at` the engine
    /// counts a failed attempt itself and sends [`Output::OfferTimedOut`].
    DialCallback {
        /// The contact.
        contact: ContactId,
        /// The agent reserved for it.
        agent: AgentId,
        /// The queue it comes from.
        queue: QueueId,
        /// The number to dial.
        number: String,
        /// 1 for the first attempt.
        attempt: u32,
        /// When the engine gives up on this attempt (the queue's ring timeout).
        give_up_at: Instant,
    },
    /// The contact waited the queue's overflow time and moved to another queue, keeping its
    /// original arrival time (its place in line). Still queued: nothing to do for the call.
    ContactOverflowed {
        /// The contact.
        contact: ContactId,
        /// The queue it left.
        from: QueueId,
        /// The queue it joined.
        to: QueueId,
        /// From first entering a queue to now.
        waited: Duration,
    },
    /// The offer rang out: cancel the agent's leg (CANCEL). The engine already treated it as
    /// [`OfferFailure::NoAnswer`](crate::OfferFailure::NoAnswer).
    OfferTimedOut {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
    },
    /// The caller hung up while the agent's phone rang: cancel the agent's leg.
    OfferWithdrawn {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
    },
    /// The contact was answered and left the queue.
    ContactAnswered {
        /// The contact.
        contact: ContactId,
        /// The agent who answered.
        agent: AgentId,
        /// The queue it left.
        queue: QueueId,
        /// From entering the queue to the answer (ringing included).
        waited: Duration,
    },
    /// The contact left the queue unanswered.
    ContactLeft {
        /// The contact.
        contact: ContactId,
        /// The queue it left.
        queue: QueueId,
        /// Why.
        reason: LeaveReason,
        /// From entering the queue to leaving it.
        waited: Duration,
    },
    /// Tell the waiting caller their position.
    AnnouncePosition {
        /// The contact.
        contact: ContactId,
        /// Its queue.
        queue: QueueId,
        /// 1-based position among the queue's waiting contacts.
        position: usize,
        /// Estimated wait (see [`Acd::contact_estimated_wait`](crate::Acd::contact_estimated_wait));
        /// `None` before the queue has handled a call or with nobody staffing it.
        estimated_wait: Option<Duration>,
    },
    /// An agent's state changed (log `agent_state_changed`).
    AgentStateChanged {
        /// The agent.
        agent: AgentId,
        /// The state left.
        from: AgentState,
        /// The state entered.
        to: AgentState,
        /// Why.
        cause: ChangeCause,
        /// When (the engine's clock).
        at: Instant,
    },
    /// An agent's wrap-up was extended (they stay in wrap-up).
    WrapUpExtended {
        /// The agent.
        agent: AgentId,
        /// The new end of wrap-up.
        until: Instant,
    },
}
