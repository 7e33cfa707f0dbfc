//! The non-INVITE client transaction (RFC 3261 §17.1.2, figure 6): Trying, Proceeding,
//! Completed, Terminated. Timer E retransmits the request over unreliable transports
//! (doubling to T2, then every T2 once a provisional arrived), timer F gives up, timer K
//! absorbs retransmitted responses.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::ctx::Ctx;
use super::{ClientKey, Label, Peer, TxEvent, TxKey, TxState};
use crate::method::Method;
use crate::response::Response;
use crate::timer::{Armed, Timer};

/// States of figure 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ClientNonInvite {
    key: ClientKey,
    state: State,
    peer: Peer,
    method: Method,
    request: Bytes,
    /// The current E interval.
    interval: Duration,
    armed: Armed,
    /// A CANCEL the layer sent for its TU: its responses and timeouts concern nobody.
    silent: bool,
}

impl ClientNonInvite {
    /// Sends the request and starts timers E and F.
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        key: ClientKey,
        peer: Peer,
        method: Method,
        request: Bytes,
        silent: bool,
    ) -> ClientNonInvite {
        let mut tx = ClientNonInvite {
            key,
            state: State::Trying,
            peer,
            method,
            request,
            interval: Duration::ZERO,
            armed: Armed::default(),
            silent,
        };
        ctx.send(
            &tx.peer,
            tx.request.clone(),
            Label::Request(tx.method.clone()),
            false,
        );
        let reliable = tx.peer.is_reliable();
        if let Some(e) = ctx.timers.initial(Timer::E, reliable) {
            tx.interval = e;
            ctx.arm(tx.owner(), &mut tx.armed, Timer::E, e);
        }
        let f = ctx.timers.t1_64();
        ctx.arm(tx.owner(), &mut tx.armed, Timer::F, f);
        tx
    }

    fn owner(&self) -> TxKey {
        TxKey::Client(self.key)
    }

    pub(crate) fn state(&self) -> TxState {
        match self.state {
            State::Trying => TxState::Trying,
            State::Proceeding => TxState::Proceeding,
            State::Completed => TxState::Completed,
            State::Terminated => TxState::Terminated,
        }
    }

    pub(crate) fn peer(&self) -> &Peer {
        &self.peer
    }

    pub(crate) fn armed(&self) -> &Armed {
        &self.armed
    }

    pub(crate) fn is_silent(&self) -> bool {
        self.silent
    }

    pub(crate) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    fn tell(&self, ctx: &mut Ctx<'_>, event: TxEvent) {
        if !self.silent {
            ctx.event(event);
        }
    }

    pub(crate) fn on_response(&mut self, ctx: &mut Ctx<'_>, response: Response) {
        match self.state {
            State::Trying | State::Proceeding => {}
            State::Completed | State::Terminated => return,
        }
        if response.status.is_provisional() {
            self.state = State::Proceeding;
        } else {
            self.complete(ctx);
        }
        self.tell(
            ctx,
            TxEvent::Response {
                key: self.key,
                response,
            },
        );
    }

    fn complete(&mut self, ctx: &mut Ctx<'_>) {
        self.armed.clear_all();
        match ctx.timers.initial(Timer::K, self.peer.is_reliable()) {
            Some(k) if !k.is_zero() => {
                self.state = State::Completed;
                ctx.arm(self.owner(), &mut self.armed, Timer::K, k);
            }
            _ => self.state = State::Terminated,
        }
    }

    /// A timer entry came due; stale ones (disarmed or re-armed since) are ignored.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer, at: Instant) {
        if !self.armed.fire(timer, at) {
            return;
        }
        match (self.state, timer) {
            (State::Trying | State::Proceeding, Timer::E) => {
                ctx.send(
                    &self.peer,
                    self.request.clone(),
                    Label::Request(self.method.clone()),
                    true,
                );
                self.interval = if self.state == State::Proceeding {
                    ctx.timers.t2()
                } else {
                    ctx.timers.backoff(Timer::E, self.interval)
                };
                let interval = self.interval;
                ctx.arm(self.owner(), &mut self.armed, Timer::E, interval);
            }
            (State::Trying | State::Proceeding, Timer::F) => {
                self.terminate();
                self.tell(ctx, TxEvent::Timeout { key: self.owner() });
            }
            (State::Completed, Timer::K) => self.terminate(),
            _ => {}
        }
    }

    pub(crate) fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.state, State::Trying | State::Proceeding) {
            self.tell(ctx, TxEvent::TransportError { key: self.owner() });
        }
        self.terminate();
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.armed.clear_all();
    }
}
