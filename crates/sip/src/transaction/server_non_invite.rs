//! The non-INVITE server transaction (RFC 3261 §17.2.2, figure 8): Trying, Proceeding,
//! Completed, Terminated. A retransmitted request gets the last response again; timer J
//! absorbs retransmissions after the final response (zero over reliable transports). A TU
//! that never answers is given 64·T1 (the client has given up by then: timer F) and the
//! transaction ends without a response, since RFC 4320 §4.2 forbids a 408 here.

use std::time::Instant;

use bytes::Bytes;

use super::ctx::Ctx;
use super::{Label, Peer, ServerKey, TxError, TxEvent, TxKey, TxState};
use crate::response::Response;
use crate::status::StatusCode;
use crate::timer::{Armed, Timer};

/// States of figure 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct ServerNonInvite {
    key: ServerKey,
    state: State,
    peer: Peer,
    last: Option<(Bytes, StatusCode)>,
    armed: Armed,
}

impl ServerNonInvite {
    pub(crate) fn start(ctx: &mut Ctx<'_>, key: ServerKey, peer: Peer) -> ServerNonInvite {
        let mut tx = ServerNonInvite {
            key,
            state: State::Trying,
            peer,
            last: None,
            armed: Armed::default(),
        };
        let guard = ctx.timers.t1_64();
        ctx.arm(tx.owner(), &mut tx.armed, Timer::Unanswered, guard);
        tx
    }

    fn owner(&self) -> TxKey {
        TxKey::Server(self.key)
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

    pub(crate) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    pub(crate) fn send_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        response: &Response,
    ) -> Result<(), TxError> {
        if !matches!(self.state, State::Trying | State::Proceeding) {
            return Err(TxError::InvalidState);
        }
        let status = response.status;
        let bytes = response.to_bytes();
        ctx.send(&self.peer, bytes.clone(), Label::Response(status), false);
        self.last = Some((bytes, status));
        if status.is_provisional() {
            self.state = State::Proceeding;
            return Ok(());
        }
        self.armed.clear_all();
        match ctx.timers.initial(Timer::J, self.peer.is_reliable()) {
            Some(j) if !j.is_zero() => {
                self.state = State::Completed;
                ctx.arm(self.owner(), &mut self.armed, Timer::J, j);
            }
            _ => self.state = State::Terminated,
        }
        Ok(())
    }

    /// The request arrived again: the last response, if any, goes out again.
    pub(crate) fn on_retransmission(&mut self, ctx: &mut Ctx<'_>) {
        if let Some((bytes, status)) = &self.last {
            ctx.send(&self.peer, bytes.clone(), Label::Response(*status), true);
        }
    }

    /// A timer entry came due; stale ones (disarmed or re-armed since) are ignored.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer, at: Instant) {
        if !self.armed.fire(timer, at) {
            return;
        }
        match (self.state, timer) {
            (State::Trying | State::Proceeding, Timer::Unanswered) => {
                self.terminate();
                ctx.event(TxEvent::Timeout { key: self.owner() });
            }
            (State::Completed, Timer::J) => self.terminate(),
            _ => {}
        }
    }

    pub(crate) fn on_transport_error(&mut self, ctx: &mut Ctx<'_>) {
        ctx.event(TxEvent::TransportError { key: self.owner() });
        self.terminate();
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.armed.clear_all();
    }
}
