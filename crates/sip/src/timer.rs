//! The named SIP timers (RFC 3261 §17 and Table 4 of its appendix A, RFC 6026 §8.4) in one
//! table, and the deadline queue the transaction layer and the dialog set keep them in.
//!
//! | timer | value | reliable transport | meaning |
//! |---|---|---|---|
//! | T1 | 500 ms | | RTT estimate |
//! | T2 | 4 s | | cap on non-INVITE request and INVITE response retransmit intervals |
//! | T4 | 5 s | | longest a message stays in the network |
//! | A | T1, doubling | not used | INVITE request retransmit interval |
//! | B | 64·T1 | 64·T1 | INVITE transaction timeout |
//! | C | 180 s (> 3 min) | same | a proceeding INVITE client transaction gives up (CANCEL) |
//! | D | 32 s | 0 | wait time for response retransmissions (INVITE client) |
//! | E | T1, doubling to T2 | not used | non-INVITE request retransmit interval |
//! | F | 64·T1 | 64·T1 | non-INVITE transaction timeout |
//! | G | T1, doubling to T2 | not used | INVITE response retransmit interval |
//! | H | 64·T1 | 64·T1 | wait time for ACK receipt |
//! | I | T4 | 0 | wait time for ACK retransmissions |
//! | J | 64·T1 | 0 | wait time for non-INVITE request retransmissions |
//! | K | T4 | 0 | wait time for non-INVITE response retransmissions |
//! | L | 64·T1 | 64·T1 | wait time for INVITE request retransmits after a 2xx (RFC 6026) |
//! | M | 64·T1 | 64·T1 | wait time for 2xx retransmissions (RFC 6026) |
//!
//! Timer C is a proxy's timer in RFC 3261 (§16.6); here it guards the B2BUA's own INVITE
//! client transactions, which otherwise could wait in Proceeding forever. Four timers are not
//! in the RFC's table but come from its text: `Trying` (the 200 ms after which a UAS sends 100,
//! §17.2.1), `CancelGuard` (64·T1 after a CANCEL without final response, §9.1), `Unanswered`
//! (a server transaction whose TU never answers is ended so memory stays bounded), and the
//! dialog's `Retransmit2xx`/`AckWait` (§13.3.1.4: T1 doubling to T2, giving up at 64·T1).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// A named timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// INVITE request retransmit interval.
    A,
    /// INVITE transaction timeout.
    B,
    /// Proceeding INVITE client transaction gives up and CANCELs.
    C,
    /// Wait time for response retransmissions (INVITE client, Completed).
    D,
    /// Non-INVITE request retransmit interval.
    E,
    /// Non-INVITE transaction timeout.
    F,
    /// INVITE response retransmit interval.
    G,
    /// Wait time for ACK receipt.
    H,
    /// Wait time for ACK retransmissions.
    I,
    /// Wait time for non-INVITE request retransmissions.
    J,
    /// Wait time for non-INVITE response retransmissions.
    K,
    /// Wait time for INVITE retransmissions after a 2xx (server, Accepted).
    L,
    /// Wait time for 2xx retransmissions (client, Accepted).
    M,
    /// Delay before an automatic 100 Trying.
    Trying,
    /// Wait for the final response to a cancelled INVITE.
    CancelGuard,
    /// Longest a server transaction waits for its TU's final response.
    Unanswered,
    /// UAS 2xx retransmit interval.
    Retransmit2xx,
    /// UAS wait for the ACK of a 2xx.
    AckWait,
}

/// The timer values. Defaults are RFC 3261's; a deployment on a known network may lower T1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate (500 ms).
    pub t1: Duration,
    /// Cap on retransmit intervals (4 s).
    pub t2: Duration,
    /// Longest a message stays in the network (5 s).
    pub t4: Duration,
    /// Timer D over unreliable transports (32 s).
    pub d: Duration,
    /// Timer C (180 s).
    pub c: Duration,
    /// Delay before an automatic 100 Trying when the TU asks for a delayed one (200 ms).
    pub trying: Duration,
    /// Longest an INVITE server transaction waits for a final response before answering
    /// 408 itself (300 s). A non-INVITE one waits 64·T1 and ends silently (RFC 4320 §4.2
    /// forbids 408 to non-INVITE requests).
    pub unanswered_invite: Duration,
}

impl Default for TimerConfig {
    fn default() -> TimerConfig {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            d: Duration::from_secs(32),
            c: Duration::from_secs(180),
            trying: Duration::from_millis(200),
            unanswered_invite: Duration::from_secs(300),
        }
    }
}

/// The shortest interval a retransmit timer runs, so a zero T1 cannot spin the drive loop.
const FLOOR: Duration = Duration::from_millis(1);

impl TimerConfig {
    fn t1(&self) -> Duration {
        self.t1.max(FLOOR)
    }

    /// T2, never below T1.
    pub fn t2(&self) -> Duration {
        self.t2.max(self.t1())
    }

    /// 64·T1.
    pub fn t1_64(&self) -> Duration {
        self.t1().saturating_mul(64)
    }

    /// The first duration of `timer` on a transport of the given reliability; `None` when
    /// the timer is not run on it (retransmissions over a reliable transport). A zero means
    /// "at once" (the absorb windows D, I, J, K over reliable transports).
    pub fn initial(&self, timer: Timer, reliable: bool) -> Option<Duration> {
        let zero_if_reliable = |d: Duration| Some(if reliable { Duration::ZERO } else { d });
        match timer {
            Timer::A | Timer::E | Timer::G | Timer::Retransmit2xx => (!reliable).then(|| self.t1()),
            Timer::B | Timer::F | Timer::H | Timer::L | Timer::M => Some(self.t1_64()),
            Timer::CancelGuard | Timer::AckWait => Some(self.t1_64()),
            Timer::C => Some(self.c.max(FLOOR)),
            Timer::D => zero_if_reliable(self.d),
            Timer::I | Timer::K => zero_if_reliable(self.t4),
            Timer::J => zero_if_reliable(self.t1_64()),
            Timer::Trying => Some(self.trying),
            Timer::Unanswered => Some(self.unanswered_invite.max(FLOOR)),
        }
    }

    /// The interval after `previous` for a retransmit timer: A doubles without bound (§17.1.1.2),
    /// E, G and the 2xx retransmissions double up to T2.
    pub fn backoff(&self, timer: Timer, previous: Duration) -> Duration {
        let doubled = previous.max(FLOOR).saturating_mul(2);
        match timer {
            Timer::A => doubled,
            _ => doubled.min(self.t2()),
        }
    }
}

/// Deadlines of many owners' timers in one binary heap, with lazy deletion: disarming a
/// timer leaves its entry in the heap, and the owner tells stale entries apart when they
/// come due (see [`Armed`]). Entries due at the same instant come out in the order armed.
#[derive(Debug)]
pub(crate) struct TimerQueue<K> {
    heap: BinaryHeap<Reverse<(Instant, u64, K, Timer)>>,
    seq: u64,
}

impl<K: Ord + Copy> TimerQueue<K> {
    pub(crate) fn new() -> TimerQueue<K> {
        TimerQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    pub(crate) fn push(&mut self, at: Instant, owner: K, timer: Timer) {
        self.seq = self.seq.wrapping_add(1);
        self.heap.push(Reverse((at, self.seq, owner, timer)));
    }

    /// The earliest deadline (of a stale entry too, unless [`Self::prune_top`] ran since).
    pub(crate) fn peek(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, ..))| *at)
    }

    /// The next entry due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, K, Timer)> {
        if self.peek()? > now {
            return None;
        }
        self.heap
            .pop()
            .map(|Reverse((at, _, owner, timer))| (at, owner, timer))
    }

    /// Pops entries off the top while `live` says they are stale, so [`Self::peek`] gives
    /// the next deadline that will really fire.
    pub(crate) fn prune_top(&mut self, mut live: impl FnMut(K, Timer, Instant) -> bool) {
        while let Some(Reverse((at, _, owner, timer))) = self.heap.peek() {
            if live(*owner, *timer, *at) {
                return;
            }
            self.heap.pop();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Drops stale entries; called when the heap grows well past the number of live timers.
    pub(crate) fn retain(&mut self, mut live: impl FnMut(K, Timer, Instant) -> bool) {
        self.heap
            .retain(|Reverse((at, _, owner, timer))| live(*owner, *timer, *at));
    }
}

/// The timers one state machine has armed (at most [`Armed::SLOTS`] at a time), and their
/// deadlines: a heap entry is live only while its deadline is still the one recorded here.
#[derive(Debug, Clone, Default)]
pub(crate) struct Armed {
    slots: [Option<(Timer, Instant)>; Armed::SLOTS],
}

impl Armed {
    const SLOTS: usize = 3;

    /// Records `timer` due at `at`, replacing an earlier arming of it. Returns false (and
    /// records nothing) if every slot is taken, which the machines' designs rule out.
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) -> bool {
        let slot = match self
            .slots
            .iter()
            .position(|s| matches!(s, Some((t, _)) if *t == timer))
        {
            Some(i) => self.slots.get_mut(i),
            None => self.slots.iter_mut().find(|s| s.is_none()),
        };
        match slot {
            Some(slot) => {
                *slot = Some((timer, at));
                true
            }
            None => false,
        }
    }

    pub(crate) fn clear(&mut self, timer: Timer) {
        for slot in &mut self.slots {
            if matches!(slot, Some((t, _)) if *t == timer) {
                *slot = None;
            }
        }
    }

    pub(crate) fn clear_all(&mut self) {
        self.slots = Default::default();
    }

    /// True if the entry `(timer, at)` is live.
    pub(crate) fn is_live(&self, timer: Timer, at: Instant) -> bool {
        self.slots.contains(&Some((timer, at)))
    }

    /// True (and disarmed) if the entry `(timer, at)` is live: the timer fires.
    pub(crate) fn fire(&mut self, timer: Timer, at: Instant) -> bool {
        let live = self.is_live(timer, at);
        if live {
            self.clear(timer);
        }
        live
    }

    /// Whether `timer` is armed.
    #[cfg(test)]
    pub(crate) fn is_armed(&self, timer: Timer) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s, Some((t, _)) if *t == timer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retransmit_timers_are_not_run_over_reliable_transports() {
        let t = TimerConfig::default();
        for timer in [Timer::A, Timer::E, Timer::G, Timer::Retransmit2xx] {
            assert_eq!(t.initial(timer, true), None, "{timer:?}");
            assert_eq!(t.initial(timer, false), Some(t.t1), "{timer:?}");
        }
    }

    #[test]
    fn absorb_windows_are_zero_over_reliable_transports() {
        let t = TimerConfig::default();
        for timer in [Timer::D, Timer::I, Timer::J, Timer::K] {
            assert_eq!(t.initial(timer, true), Some(Duration::ZERO), "{timer:?}");
        }
        assert_eq!(t.initial(Timer::D, false), Some(Duration::from_secs(32)));
        assert_eq!(t.initial(Timer::I, false), Some(t.t4));
        assert_eq!(t.initial(Timer::K, false), Some(t.t4));
        assert_eq!(t.initial(Timer::J, false), Some(Duration::from_secs(32)));
    }

    #[test]
    fn timeouts_are_64_t1_on_every_transport() {
        let t = TimerConfig::default();
        for timer in [Timer::B, Timer::F, Timer::H, Timer::L, Timer::M] {
            for reliable in [false, true] {
                assert_eq!(
                    t.initial(timer, reliable),
                    Some(Duration::from_secs(32)),
                    "{timer:?}"
                );
            }
        }
    }

    #[test]
    fn timer_a_doubles_without_cap_and_e_caps_at_t2() {
        let t = TimerConfig::default();
        assert_eq!(
            t.backoff(Timer::A, Duration::from_secs(4)),
            Duration::from_secs(8)
        );
        assert_eq!(
            t.backoff(Timer::E, Duration::from_secs(2)),
            Duration::from_secs(4)
        );
        assert_eq!(
            t.backoff(Timer::E, Duration::from_secs(4)),
            Duration::from_secs(4)
        );
        assert_eq!(
            t.backoff(Timer::G, Duration::from_millis(500)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn a_zero_t1_cannot_make_a_zero_interval() {
        let t = TimerConfig {
            t1: Duration::ZERO,
            t2: Duration::ZERO,
            ..TimerConfig::default()
        };
        assert!(t.initial(Timer::A, false).unwrap() > Duration::ZERO);
        assert!(t.backoff(Timer::E, Duration::ZERO) > Duration::ZERO);
    }

    #[test]
    fn armed_knows_stale_entries() {
        #[allow(clippy::disallowed_methods)] // a test needs some Instant as origin
        let t0 = Instant::now();
        let mut armed = Armed::default();
        assert!(armed.set(Timer::A, t0));
        assert!(armed.set(Timer::A, t0 + Duration::from_secs(1)));
        assert!(!armed.fire(Timer::A, t0), "the first deadline was replaced");
        assert!(armed.fire(Timer::A, t0 + Duration::from_secs(1)));
        assert!(!armed.is_armed(Timer::A));
    }

    #[test]
    fn the_queue_yields_due_entries_in_deadline_order() {
        #[allow(clippy::disallowed_methods)] // a test needs some Instant as origin
        let t0 = Instant::now();
        let mut q = TimerQueue::new();
        q.push(t0 + Duration::from_secs(2), 1u32, Timer::B);
        q.push(t0 + Duration::from_secs(1), 2u32, Timer::A);
        q.push(t0 + Duration::from_secs(1), 3u32, Timer::E);
        assert_eq!(q.peek(), Some(t0 + Duration::from_secs(1)));
        let due = t0 + Duration::from_secs(1);
        assert_eq!(q.pop_due(due).map(|e| e.1), Some(2));
        assert_eq!(q.pop_due(due).map(|e| e.1), Some(3));
        assert_eq!(q.pop_due(due), None);
        assert_eq!(q.len(), 1);
    }
}
