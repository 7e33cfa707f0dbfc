//! What a state machine may touch while it handles one input: the clock reading, the timer
//! table, the shared deadline heap and the layer's output queues.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{Label, Peer, Transmit, TxEvent, TxKey};
use crate::timer::{Armed, Timer, TimerConfig, TimerQueue};

pub(crate) struct Ctx<'a> {
    pub(crate) now: Instant,
    pub(crate) timers: &'a TimerConfig,
    pub(crate) queue: &'a mut TimerQueue<TxKey>,
    pub(crate) transmits: &'a mut VecDeque<Transmit>,
    pub(crate) events: &'a mut VecDeque<TxEvent>,
}

impl Ctx<'_> {
    /// Arms `timer` of `owner` to fire `after` from now.
    pub(crate) fn arm(&mut self, owner: TxKey, armed: &mut Armed, timer: Timer, after: Duration) {
        let at = self.now + after;
        if armed.set(timer, at) {
            self.queue.push(at, owner, timer);
        }
    }

    pub(crate) fn send(&mut self, peer: &Peer, bytes: Bytes, label: Label, retransmission: bool) {
        self.transmits.push_back(Transmit {
            peer: peer.clone(),
            bytes,
            label,
            retransmission,
        });
    }

    pub(crate) fn event(&mut self, event: TxEvent) {
        self.events.push_back(event);
    }
}
