//! A contact as the engine keeps it while it is in a queue, and the order contacts are served in.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use crate::ids::{AgentId, ContactId, QueueId};
use crate::skills::Skills;

/// The order of service: highest effective priority first, then earliest arrival, then arrival
/// sequence (same-instant arrivals keep input order).
///
/// Without aging the effective priority is the priority: `class` is minus the priority and
/// `rank` the arrival. With aging, effective priority is `priority + waited / aging_step`;
/// comparing two contacts at any instant, `now` cancels out, so the order is that of a fixed
/// "virtual arrival" `arrival - priority × aging_step` (`rank`, with `class` 0): a contact of
/// priority 1 ranks as if it had arrived one step earlier. The order never changes while
/// contacts wait, so it stays a sorted set. A contact keeps its key for its whole stay in a
/// queue, so after a failed offer it goes back exactly where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WaitKey {
    pub(crate) class: i64,
    /// Nanoseconds from the engine's epoch (first instant seen), minus the priority head start.
    pub(crate) rank: i128,
    pub(crate) arrived_at: Instant,
    pub(crate) seq: u64,
    pub(crate) contact: ContactId,
}

impl WaitKey {
    /// The key of a contact of `priority` that arrived at `arrived_at`, in a queue that ages
    /// priorities by `aging_step` (or not at all).
    pub(crate) fn new(
        epoch: Instant,
        priority: i32,
        aging_step: Option<Duration>,
        arrived_at: Instant,
        seq: u64,
        contact: ContactId,
    ) -> Self {
        let since_epoch = arrived_at.saturating_duration_since(epoch).as_nanos() as i128;
        let (class, rank) = match aging_step {
            None => (-i64::from(priority), since_epoch),
            Some(step) => {
                let head_start = i128::from(priority).saturating_mul(step.as_nanos() as i128);
                (0, since_epoch.saturating_sub(head_start))
            }
        };
        Self {
            class,
            rank,
            arrived_at,
            seq,
            contact,
        }
    }
}

/// A contact's effective priority at one instant, comparable across queues with different
/// aging steps: `priority + waited / step`, compared exactly by cross-multiplying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Urgency {
    priority: i128,
    waited: i128,
    /// Aging step in nanoseconds; 0 for a queue without aging.
    step: i128,
}

impl Urgency {
    pub(crate) fn new(priority: i32, waited: Duration, aging_step: Option<Duration>) -> Self {
        Self {
            priority: i128::from(priority),
            waited: waited.as_nanos() as i128,
            step: aging_step.map_or(0, |s| s.as_nanos() as i128),
        }
    }

    /// `priority × step + waited` over `step`, as a fraction (numerator, denominator).
    fn fraction(self) -> (i128, i128) {
        if self.step == 0 {
            (self.priority, 1)
        } else {
            (
                self.priority
                    .saturating_mul(self.step)
                    .saturating_add(self.waited),
                self.step,
            )
        }
    }
}

impl PartialEq for Urgency {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Urgency {}

impl PartialOrd for Urgency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Urgency {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = self.fraction();
        let (c, d) = other.fraction();
        // Settings are at most a day and priorities 32-bit, so the products stay within i128;
        // saturation only guards absurd waits.
        a.saturating_mul(d).cmp(&c.saturating_mul(b))
    }
}

/// A contact waiting in, or being offered from, a queue.
#[derive(Debug)]
pub(crate) struct Contact {
    pub(crate) queue: QueueId,
    pub(crate) key: WaitKey,
    /// The priority it was given (the key holds the order, not the value).
    pub(crate) priority: i32,
    /// Skills it requires by itself (from the IVR or a CRM look-up), before its queue's.
    pub(crate) own_skills: Skills,
    /// The requirements in force now: own and queue's merged, relaxed for the wait so far.
    pub(crate) required: Skills,
    /// The agent whose phone is ringing for it, if any (for ring-all, the first of them).
    pub(crate) offered_to: Option<AgentId>,
    /// Ring-all: the other agents ringing for it at the same time; empty when `offered_to`
    /// is `None`.
    pub(crate) also_ringing: Vec<AgentId>,
    /// When it leaves for having waited too long (checked on return from an offer too).
    pub(crate) leave_at: Option<Instant>,
    /// When it entered its current queue (overflow counts from there).
    pub(crate) entered_at: Instant,
    /// When it overflows to another queue (checked on return from an offer too).
    pub(crate) overflow_at: Option<Instant>,
    /// Set once the caller chose to be called back: they hung up, their place is kept.
    pub(crate) callback: Option<Callback>,
}

/// A contact waiting as a callback ("virtual hold").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Callback {
    /// The number to dial.
    pub(crate) number: String,
    /// Dial attempts that failed so far.
    pub(crate) failed_attempts: u32,
    /// Not routed before this instant (the pause after a failed attempt).
    pub(crate) not_before: Option<Instant>,
}

impl Contact {
    pub(crate) fn priority(&self) -> i32 {
        self.priority
    }

    /// Every agent ringing for it, the lead first.
    pub(crate) fn ringing(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.offered_to
            .into_iter()
            .chain(self.also_ringing.iter().copied())
    }

    /// Stops ringing `agent` while others still ring; the next one leads if it led. Returns
    /// whether the contact is still ringing anyone.
    pub(crate) fn stop_ringing(&mut self, agent: AgentId) -> bool {
        if self.offered_to == Some(agent) {
            self.offered_to = (!self.also_ringing.is_empty()).then(|| self.also_ringing.remove(0));
        } else {
            self.also_ringing.retain(|a| *a != agent);
        }
        self.offered_to.is_some()
    }

    /// Whether it may be offered at `now`: a callback pausing between attempts may not.
    pub(crate) fn routable(&self, now: Instant) -> bool {
        self.callback
            .as_ref()
            .and_then(|c| c.not_before)
            .is_none_or(|at| at <= now)
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
    /// No member of the queue was logged in (the queue's `join_empty` / `leave_empty`).
    NoAgents,
    /// A callback whose every dial attempt failed.
    CallbackFailed,
}

impl LeaveReason {
    /// The snake_case name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveReason::Abandoned => "abandoned",
            LeaveReason::QueueFull => "queue_full",
            LeaveReason::MaxWait => "max_wait",
            LeaveReason::NoAgents => "no_agents",
            LeaveReason::CallbackFailed => "callback_failed",
        }
    }
}
