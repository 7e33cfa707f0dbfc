//! A contact as the engine keeps it while it is in a queue, and the order contacts are served in.

use std::cmp::Reverse;
use std::time::Instant;

use crate::ids::{AgentId, ContactId, QueueId};

/// The order of service: highest priority first, then earliest arrival, then arrival sequence
/// (same-instant arrivals keep input order). A contact keeps its key for its whole stay, so after
/// a failed offer it goes back exactly where it was: ahead of everyone who came after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WaitKey {
    pub(crate) priority: Reverse<i32>,
    pub(crate) arrived_at: Instant,
    pub(crate) seq: u64,
    pub(crate) contact: ContactId,
}

/// A contact waiting in, or being offered from, a queue.
#[derive(Debug)]
pub(crate) struct Contact {
    pub(crate) queue: QueueId,
    pub(crate) key: WaitKey,
    /// The agent whose phone is ringing for it, if any.
    pub(crate) offered_to: Option<AgentId>,
    /// When it leaves for having waited too long (checked on return from an offer too).
    pub(crate) leave_at: Option<Instant>,
}

impl Contact {
    pub(crate) fn priority(&self) -> i32 {
        self.key.priority.0
    }
}

/// Why a contact left its queue without being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaveReason {
    /// The caller hung up (while waiting or while an agent's phone rang).
    Abandoned,
    /// The queue was at its maximum length and no agent was free.
    QueueFull,
    /// The contact waited the queue's maximum wait.
    MaxWait,
}

impl LeaveReason {
    /// The snake_case name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveReason::Abandoned => "abandoned",
            LeaveReason::QueueFull => "queue_full",
            LeaveReason::MaxWait => "max_wait",
        }
    }
}
