//! The engine's timer table: every deadline it owns, in one ordered set.
//!
//! One entry per (kind, subject): arming a timer again replaces its deadline. The earliest entry
//! is what [`Acd::poll_timeout`](crate::Acd::poll_timeout) reports; entries are popped in
//! deadline order (then by kind and id, so same-instant timers fire deterministically).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use crate::ids::{AgentId, ContactId};

/// What happens when a deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Timer {
    /// The contact's required skills relax one step. First in the order, so a requirement
    /// relaxing at the same instant as an agent becomes available is already relaxed when the
    /// agent looks for a contact.
    Relax(ContactId),
    /// The offer of this contact has rung for the queue's ring timeout.
    Offer(ContactId),
    /// The agent's wrap-up time is over.
    WrapUp(AgentId),
    /// The contact is due its next position announcement.
    Announce(ContactId),
    /// The contact has waited the queue's maximum wait.
    MaxWait(ContactId),
    /// The contact has waited the queue's overflow time.
    Overflow(ContactId),
    /// A callback's pause between attempts is over.
    Retry(ContactId),
}

/// Deadlines by time, and by timer for cancelling.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    by_deadline: BTreeSet<(Instant, Timer)>,
    deadline: HashMap<Timer, Instant>,
}

impl Timers {
    /// Arms `timer` at `at`, replacing any earlier deadline it had.
    pub(crate) fn arm(&mut self, at: Instant, timer: Timer) {
        self.cancel(timer);
        self.by_deadline.insert((at, timer));
        self.deadline.insert(timer, at);
    }

    /// Disarms `timer` if armed.
    pub(crate) fn cancel(&mut self, timer: Timer) {
        if let Some(at) = self.deadline.remove(&timer) {
            self.by_deadline.remove(&(at, timer));
        }
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.by_deadline.first().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest timer whose deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        let (at, timer) = *self.by_deadline.first()?;
        if at > now {
            return None;
        }
        self.by_deadline.remove(&(at, timer));
        self.deadline.remove(&timer);
        Some(timer)
    }

    /// How many timers are armed.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.deadline.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn t0() -> Instant {
        #[allow(clippy::disallowed_methods)] // tests need one real Instant as the clock's origin
        Instant::now()
    }

    #[test]
    fn pops_in_deadline_order_and_only_when_due() {
        let t = t0();
        let mut timers = Timers::default();
        timers.arm(t + Duration::from_secs(5), Timer::WrapUp(AgentId(1)));
        timers.arm(t + Duration::from_secs(2), Timer::Offer(ContactId(1)));
        assert_eq!(timers.next(), Some(t + Duration::from_secs(2)));
        assert_eq!(timers.pop_due(t + Duration::from_secs(1)), None);
        assert_eq!(
            timers.pop_due(t + Duration::from_secs(9)),
            Some(Timer::Offer(ContactId(1)))
        );
        assert_eq!(
            timers.pop_due(t + Duration::from_secs(9)),
            Some(Timer::WrapUp(AgentId(1)))
        );
        assert_eq!(timers.pop_due(t + Duration::from_secs(9)), None);
    }

    #[test]
    fn arming_again_replaces_the_deadline() {
        let t = t0();
        let mut timers = Timers::default();
        timers.arm(t + Duration::from_secs(2), Timer::Announce(ContactId(1)));
        timers.arm(t + Duration::from_secs(7), Timer::Announce(ContactId(1)));
        assert_eq!(timers.len(), 1);
        assert_eq!(timers.next(), Some(t + Duration::from_secs(7)));
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let t = t0();
        let mut timers = Timers::default();
        timers.arm(t, Timer::MaxWait(ContactId(1)));
        timers.cancel(Timer::MaxWait(ContactId(1)));
        timers.cancel(Timer::MaxWait(ContactId(2)));
        assert_eq!(timers.pop_due(t), None);
        assert_eq!(timers.next(), None);
    }
}
