//! The INVITE client transaction (RFC 3261 §17.1.1, figure 5, with RFC 6026's Accepted
//! state): Calling, Proceeding, Completed, Accepted, Terminated.
//!
//! Timer A retransmits the INVITE over unreliable transports until a response arrives,
//! timer B gives up. A non-2xx final response is ACKed here (the ACK re-sent for each
//! retransmission of it until timer D); a 2xx moves to Accepted, where every 2xx (forks'
//! included) goes to the TU, which ACKs it, until timer M. Timer C ends a Proceeding
//! transaction that never gets a final response by asking for a CANCEL; the CANCEL guard
//! (§9.1, 64·T1) then gives up on it.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::ctx::Ctx;
use super::{ClientKey, Label, Peer, TxEvent, TxKey, TxState};
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;
use crate::timer::{Armed, Timer};

/// States of figure 5 plus Accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Calling,
    Proceeding,
    Completed,
    Accepted,
    Terminated,
}

/// Where a CANCEL of this INVITE stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cancel {
    NotAsked,
    /// Asked for before any provisional response; sent on the first one (§9.1).
    Pending,
    /// The layer should send it now.
    Due,
    Sent,
}

#[derive(Debug)]
pub(crate) struct ClientInvite {
    key: ClientKey,
    state: State,
    peer: Peer,
    request: Request,
    bytes: Bytes,
    /// The current A interval.
    interval: Duration,
    armed: Armed,
    /// The ACK of the non-2xx final response, re-sent for its retransmissions.
    ack: Option<Bytes>,
    cancel: Cancel,
}

impl ClientInvite {
    /// Sends the INVITE and starts timers A and B.
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        key: ClientKey,
        peer: Peer,
        request: Request,
        bytes: Bytes,
    ) -> ClientInvite {
        let mut tx = ClientInvite {
            key,
            state: State::Calling,
            peer,
            request,
            bytes,
            interval: Duration::ZERO,
            armed: Armed::default(),
            ack: None,
            cancel: Cancel::NotAsked,
        };
        ctx.send(
            &tx.peer,
            tx.bytes.clone(),
            Label::Request(Method::Invite),
            false,
        );
        if let Some(a) = ctx.timers.initial(Timer::A, tx.peer.is_reliable()) {
            tx.interval = a;
            ctx.arm(tx.owner(), &mut tx.armed, Timer::A, a);
        }
        let b = ctx.timers.t1_64();
        ctx.arm(tx.owner(), &mut tx.armed, Timer::B, b);
        tx
    }

    fn owner(&self) -> TxKey {
        TxKey::Client(self.key)
    }

    pub(crate) fn state(&self) -> TxState {
        match self.state {
            State::Calling => TxState::Calling,
            State::Proceeding => TxState::Proceeding,
            State::Completed => TxState::Completed,
            State::Accepted => TxState::Accepted,
            State::Terminated => TxState::Terminated,
        }
    }

    pub(crate) fn peer(&self) -> &Peer {
        &self.peer
    }

    pub(crate) fn request(&self) -> &Request {
        &self.request
    }

    pub(crate) fn armed(&self) -> &Armed {
        &self.armed
    }

    pub(crate) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    /// The TU asks to cancel. Returns false if it is too late (a final response came).
    pub(crate) fn ask_cancel(&mut self) -> bool {
        match (self.state, self.cancel) {
            (State::Calling, Cancel::NotAsked) => {
                self.cancel = Cancel::Pending;
                true
            }
            (State::Proceeding, Cancel::NotAsked) => {
                self.cancel = Cancel::Due;
                true
            }
            (State::Calling | State::Proceeding, _) => true,
            _ => false,
        }
    }

    /// True when the layer must send the CANCEL now (until it calls [`Self::cancel_sent`]).
    pub(crate) fn cancel_due(&self) -> bool {
        self.cancel == Cancel::Due
    }

    /// The layer sent the CANCEL: wait 64·T1 for a final response, then give up (§9.1).
    pub(crate) fn cancel_sent(&mut self, ctx: &mut Ctx<'_>) {
        self.cancel = Cancel::Sent;
        self.armed.clear(Timer::C);
        let guard = ctx.timers.t1_64();
        ctx.arm(self.owner(), &mut self.armed, Timer::CancelGuard, guard);
    }

    pub(crate) fn on_response(&mut self, ctx: &mut Ctx<'_>, response: Response) {
        let status = response.status;
        match self.state {
            State::Calling | State::Proceeding if status.is_provisional() => {
                if self.state == State::Calling {
                    self.armed.clear(Timer::A);
                    self.armed.clear(Timer::B);
                    self.state = State::Proceeding;
                    if self.cancel == Cancel::Pending {
                        self.cancel = Cancel::Due;
                    }
                }
                if self.cancel != Cancel::Sent {
                    let c = ctx.timers.initial(Timer::C, true).unwrap_or_default();
                    ctx.arm(self.owner(), &mut self.armed, Timer::C, c);
                }
                self.pass_up(ctx, response);
            }
            State::Calling | State::Proceeding if status.is_success() => {
                self.armed.clear_all();
                self.state = State::Accepted;
                let m = ctx.timers.t1_64();
                ctx.arm(self.owner(), &mut self.armed, Timer::M, m);
                self.pass_up(ctx, response);
            }
            State::Calling | State::Proceeding => {
                self.armed.clear_all();
                self.send_ack(ctx, &response);
                match ctx.timers.initial(Timer::D, self.peer.is_reliable()) {
                    Some(d) if !d.is_zero() => {
                        self.state = State::Completed;
                        ctx.arm(self.owner(), &mut self.armed, Timer::D, d);
                    }
                    _ => self.state = State::Terminated,
                }
                self.pass_up(ctx, response);
            }
            State::Completed if status.is_final() && !status.is_success() => {
                if let Some(ack) = &self.ack {
                    ctx.send(&self.peer, ack.clone(), Label::Request(Method::Ack), true);
                }
            }
            State::Accepted if status.is_success() => self.pass_up(ctx, response),
            _ => {}
        }
    }

    fn send_ack(&mut self, ctx: &mut Ctx<'_>, response: &Response) {
        // A final response without To cannot be ACKed; the server's timer H will end its side.
        if let Ok(ack) = self.request.ack_for(response) {
            let bytes = ack.to_bytes();
            ctx.send(
                &self.peer,
                bytes.clone(),
                Label::Request(Method::Ack),
                false,
            );
            self.ack = Some(bytes);
        }
    }

    fn pass_up(&self, ctx: &mut Ctx<'_>, response: Response) {
        ctx.event(TxEvent::Response {
            key: self.key,
            response,
        });
    }

    /// A timer entry came due; stale ones (disarmed or re-armed since) are ignored.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer, at: Instant) {
        if !self.armed.fire(timer, at) {
            return;
        }
        match (self.state, timer) {
            (State::Calling, Timer::A) => {
                ctx.send(
                    &self.peer,
                    self.bytes.clone(),
                    Label::Request(Method::Invite),
                    true,
                );
                self.interval = ctx.timers.backoff(Timer::A, self.interval);
                let interval = self.interval;
                ctx.arm(self.owner(), &mut self.armed, Timer::A, interval);
            }
            (State::Calling, Timer::B) | (State::Proceeding, Timer::CancelGuard) => {
                self.terminate();
                ctx.event(TxEvent::Timeout { key: self.owner() });
            }
            (State::Proceeding, Timer::C) if self.cancel == Cancel::NotAsked => {
                self.cancel = Cancel::Due;
            }
            (State::Completed, Timer::D) | (State::Accepted, Timer::M) => self.terminate(),
            _ => {}
        }
    }

    pub(crate) fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.state, State::Calling | State::Proceeding) {
            ctx.event(TxEvent::TransportError { key: self.owner() });
        }
        self.terminate();
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.armed.clear_all();
    }
}
