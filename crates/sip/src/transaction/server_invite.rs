//! The INVITE server transaction (RFC 3261 §17.2.1, figure 7, with RFC 6026's Accepted
//! state): Proceeding, Completed, Confirmed, Accepted, Terminated.
//!
//! In Proceeding a retransmitted INVITE gets the last provisional response again. A non-2xx
//! final response moves to Completed, where timer G retransmits it over unreliable transports
//! until the ACK arrives (absorbed here: Confirmed, then timer I) or timer H gives up. A 2xx
//! moves to Accepted: retransmitted INVITEs are absorbed, ACKs and further 2xx pass between
//! the TU and the transport (the dialog retransmits the 2xx), until timer L.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::ctx::Ctx;
use super::{Label, Peer, ServerKey, Trying, TxError, TxEvent, TxKey, TxState};
use crate::header::NameAddr;
use crate::header_name::HeaderName;
use crate::headers::{HeaderValue, Headers};
use crate::response::Response;
use crate::status::StatusCode;
use crate::timer::{Armed, Timer};

/// States of figure 7 plus Accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// What became of an ACK that matched this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    Absorbed,
    /// In Accepted: the ACK of the 2xx, for the TU.
    PassUp,
}

#[derive(Debug)]
pub(crate) struct ServerInvite {
    key: ServerKey,
    state: State,
    peer: Peer,
    /// Via, From, To, Call-ID, CSeq and Timestamp of the INVITE, for the responses the
    /// transaction makes itself (100, 408).
    mirror: Headers,
    last: Option<(Bytes, StatusCode)>,
    /// The current G interval.
    interval: Duration,
    armed: Armed,
    /// The To header of the TU's latest response: its tag goes into the 200 to a CANCEL
    /// (§9.2) and must be on an RFC 2543 ACK (§17.2.3). Parsed only when needed.
    to: Option<HeaderValue>,
}

impl ServerInvite {
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        key: ServerKey,
        peer: Peer,
        mirror: Headers,
        trying: Trying,
    ) -> ServerInvite {
        let mut tx = ServerInvite {
            key,
            state: State::Proceeding,
            peer,
            mirror,
            last: None,
            interval: Duration::ZERO,
            armed: Armed::default(),
            to: None,
        };
        match trying {
            Trying::Immediately => tx.send_own(ctx, StatusCode::TRYING),
            Trying::After(delay) => ctx.arm(tx.owner(), &mut tx.armed, Timer::Trying, delay),
            Trying::Never => {}
        }
        let guard = ctx
            .timers
            .initial(Timer::Unanswered, false)
            .unwrap_or_default();
        ctx.arm(tx.owner(), &mut tx.armed, Timer::Unanswered, guard);
        tx
    }

    fn owner(&self) -> TxKey {
        TxKey::Server(self.key)
    }

    pub(crate) fn state(&self) -> TxState {
        match self.state {
            State::Proceeding => TxState::Proceeding,
            State::Completed => TxState::Completed,
            State::Confirmed => TxState::Confirmed,
            State::Accepted => TxState::Accepted,
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

    /// True while the TU may still send a final response.
    pub(crate) fn awaits_final(&self) -> bool {
        self.state == State::Proceeding
    }

    /// The To tag of the TU's latest response.
    pub(crate) fn to_tag(&self) -> Option<String> {
        let to = self.to.as_ref()?.to_str()?;
        NameAddr::parse(to).ok()?.tag().map(str::to_owned)
    }

    /// Sends a response the transaction makes itself (100 Trying, 408).
    fn send_own(&mut self, ctx: &mut Ctx<'_>, status: StatusCode) {
        let reason = status.canonical_reason().unwrap_or_default().to_owned();
        let response = Response::mirroring(&self.mirror, status, reason, None);
        self.respond(ctx, &response, response.to_bytes());
    }

    /// The TU's response.
    pub(crate) fn send_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        response: &Response,
    ) -> Result<(), TxError> {
        match self.state {
            State::Proceeding => {}
            State::Accepted if response.status.is_success() => {
                ctx.send(
                    &self.peer,
                    response.to_bytes(),
                    Label::Response(response.status),
                    true,
                );
                return Ok(());
            }
            _ => return Err(TxError::InvalidState),
        }
        if let Some(to) = response.headers.get(&HeaderName::To) {
            self.to = Some(to.clone());
        }
        self.respond(ctx, response, response.to_bytes());
        Ok(())
    }

    fn respond(&mut self, ctx: &mut Ctx<'_>, response: &Response, bytes: Bytes) {
        let status = response.status;
        ctx.send(&self.peer, bytes.clone(), Label::Response(status), false);
        if status.is_provisional() {
            self.armed.clear(Timer::Trying);
            self.last = Some((bytes, status));
            return;
        }
        self.armed.clear_all();
        if status.is_success() {
            self.state = State::Accepted;
            self.last = None;
            let l = ctx.timers.t1_64();
            ctx.arm(self.owner(), &mut self.armed, Timer::L, l);
            return;
        }
        self.state = State::Completed;
        self.last = Some((bytes, status));
        if let Some(g) = ctx.timers.initial(Timer::G, self.peer.is_reliable()) {
            self.interval = g;
            ctx.arm(self.owner(), &mut self.armed, Timer::G, g);
        }
        let h = ctx.timers.t1_64();
        ctx.arm(self.owner(), &mut self.armed, Timer::H, h);
    }

    fn resend_last(&self, ctx: &mut Ctx<'_>) {
        if let Some((bytes, status)) = &self.last {
            ctx.send(&self.peer, bytes.clone(), Label::Response(*status), true);
        }
    }

    /// The INVITE arrived again.
    pub(crate) fn on_retransmission(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.state, State::Proceeding | State::Completed) {
            self.resend_last(ctx);
        }
    }

    pub(crate) fn on_ack(&mut self, ctx: &mut Ctx<'_>) -> AckOutcome {
        match self.state {
            State::Completed => {
                self.armed.clear_all();
                match ctx.timers.initial(Timer::I, self.peer.is_reliable()) {
                    Some(i) if !i.is_zero() => {
                        self.state = State::Confirmed;
                        ctx.arm(self.owner(), &mut self.armed, Timer::I, i);
                    }
                    _ => self.state = State::Terminated,
                }
                AckOutcome::Absorbed
            }
            State::Accepted => AckOutcome::PassUp,
            _ => AckOutcome::Absorbed,
        }
    }

    /// A timer entry came due; stale ones (disarmed or re-armed since) are ignored.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer, at: Instant) {
        if !self.armed.fire(timer, at) {
            return;
        }
        match (self.state, timer) {
            (State::Proceeding, Timer::Trying) if self.last.is_none() => {
                self.send_own(ctx, StatusCode::TRYING);
            }
            (State::Proceeding, Timer::Unanswered) => {
                self.send_own(ctx, StatusCode::REQUEST_TIMEOUT);
                ctx.event(TxEvent::Timeout { key: self.owner() });
            }
            (State::Completed, Timer::G) => {
                self.resend_last(ctx);
                self.interval = ctx.timers.backoff(Timer::G, self.interval);
                let interval = self.interval;
                ctx.arm(self.owner(), &mut self.armed, Timer::G, interval);
            }
            (State::Completed, Timer::H) => {
                self.terminate();
                ctx.event(TxEvent::Timeout { key: self.owner() });
            }
            (State::Confirmed, Timer::I) | (State::Accepted, Timer::L) => self.terminate(),
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
