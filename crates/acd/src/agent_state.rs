//! An agent's state, what may change it, and which requested changes are valid.
//!
//! The engine moves agents between these states; the server logs every change
//! (`Output::AgentStateChanged`) as an `agent_state_changed` event. Requests from the agent's
//! desktop or the API (log in, ready, not ready, log out, extend wrap-up) are checked against
//! [`AgentState::accepts`]; the engine's own moves (offer, answer, call end, timers) are made only
//! from the states they apply to.

use std::fmt;
use std::time::Instant;

use crate::ids::{ContactId, QueueId};

/// The not-ready reason the engine sets after too many missed offers in a row.
pub const MISSED_OFFERS: &str = "missed_offers";

/// Where an agent is in their working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentState {
    /// Not working; receives nothing.
    LoggedOut,
    /// Ready for a contact (idle).
    Available,
    /// A contact is being offered (the agent's phone rings).
    Ringing {
        /// The contact offered.
        contact: ContactId,
        /// The queue it was offered from.
        queue: QueueId,
    },
    /// Talking to a contact.
    OnCall {
        /// The contact connected.
        contact: ContactId,
        /// The queue it came from.
        queue: QueueId,
    },
    /// After-call work; ends by itself at `until`, or earlier on request.
    WrapUp {
        /// The queue whose wrap-up time applies.
        queue: QueueId,
        /// When the wrap-up ends and the agent becomes available.
        until: Instant,
    },
    /// Logged in but not taking contacts.
    NotReady {
        /// A reason code such as `break`, `lunch` or [`MISSED_OFFERS`].
        reason: String,
    },
}

/// The state's name without its data, for errors, counts and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentStateKind {
    /// See [`AgentState::LoggedOut`].
    LoggedOut,
    /// See [`AgentState::Available`].
    Available,
    /// See [`AgentState::Ringing`].
    Ringing,
    /// See [`AgentState::OnCall`].
    OnCall,
    /// See [`AgentState::WrapUp`].
    WrapUp,
    /// See [`AgentState::NotReady`].
    NotReady,
}

impl AgentStateKind {
    /// Every kind, in declaration order (for per-state counts).
    pub const ALL: [AgentStateKind; 6] = [
        AgentStateKind::LoggedOut,
        AgentStateKind::Available,
        AgentStateKind::Ringing,
        AgentStateKind::OnCall,
        AgentStateKind::WrapUp,
        AgentStateKind::NotReady,
    ];

    /// The snake_case name used in logs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStateKind::LoggedOut => "logged_out",
            AgentStateKind::Available => "available",
            AgentStateKind::Ringing => "ringing",
            AgentStateKind::OnCall => "on_call",
            AgentStateKind::WrapUp => "wrap_up",
            AgentStateKind::NotReady => "not_ready",
        }
    }
}

impl fmt::Display for AgentStateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change an agent (or a supervisor for them) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Log in.
    Login,
    /// Become available (from not ready, or end wrap-up early).
    Ready,
    /// Stop taking contacts, with a reason (also switches from one reason to another).
    NotReady,
    /// Log out.
    Logout,
    /// Lengthen the current wrap-up.
    ExtendWrapUp,
}

impl Request {
    /// The snake_case name used in errors and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Request::Login => "login",
            Request::Ready => "ready",
            Request::NotReady => "not_ready",
            Request::Logout => "logout",
            Request::ExtendWrapUp => "extend_wrap_up",
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AgentState {
    /// The state's name without its data.
    pub fn kind(&self) -> AgentStateKind {
        match self {
            AgentState::LoggedOut => AgentStateKind::LoggedOut,
            AgentState::Available => AgentStateKind::Available,
            AgentState::Ringing { .. } => AgentStateKind::Ringing,
            AgentState::OnCall { .. } => AgentStateKind::OnCall,
            AgentState::WrapUp { .. } => AgentStateKind::WrapUp,
            AgentState::NotReady { .. } => AgentStateKind::NotReady,
        }
    }

    /// Whether `request` is valid from this state.
    ///
    /// Ringing and on-call agents refuse every request: the offer or the call must end first
    /// (the server rejects the INVITE or hangs up, and the engine hears about it). Asking for the
    /// state one is already in is refused too, so every accepted request is a real change.
    /// `not_ready_reason` is the reason carried by a [`Request::NotReady`].
    pub fn accepts(&self, request: Request, not_ready_reason: Option<&str>) -> bool {
        use AgentStateKind as K;
        match (self.kind(), request) {
            (K::LoggedOut, Request::Login) => true,
            (K::Available | K::WrapUp, Request::NotReady | Request::Logout) => true,
            (K::WrapUp, Request::Ready | Request::ExtendWrapUp) => true,
            (K::NotReady, Request::Ready | Request::Logout) => true,
            (K::NotReady, Request::NotReady) => match self {
                AgentState::NotReady { reason } => Some(reason.as_str()) != not_ready_reason,
                _ => false,
            },
            _ => false,
        }
    }
}

/// Why the engine changed an agent's state (logged beside the change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCause {
    /// The agent or a supervisor asked (login, ready, not ready, logout, end of wrap-up).
    Requested,
    /// A contact was offered to the agent.
    Offered,
    /// The agent answered the offer.
    Answered,
    /// The offer failed (no answer, busy, rejected, unreachable, or the ring timeout).
    OfferFailed(OfferFailure),
    /// The caller hung up while the agent's phone rang.
    OfferWithdrawn,
    /// The call ended.
    CallEnded,
    /// The wrap-up time ran out.
    WrapUpExpired,
}

impl ChangeCause {
    /// The snake_case name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeCause::Requested => "requested",
            ChangeCause::Offered => "offered",
            ChangeCause::Answered => "answered",
            ChangeCause::OfferFailed(OfferFailure::NoAnswer) => "offer_no_answer",
            ChangeCause::OfferFailed(OfferFailure::Busy) => "offer_busy",
            ChangeCause::OfferFailed(OfferFailure::Rejected) => "offer_rejected",
            ChangeCause::OfferFailed(OfferFailure::Unreachable) => "offer_unreachable",
            ChangeCause::OfferWithdrawn => "offer_withdrawn",
            ChangeCause::CallEnded => "call_ended",
            ChangeCause::WrapUpExpired => "wrap_up_expired",
        }
    }
}

/// How an offer failed, as the server saw it on the agent's leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfferFailure {
    /// The phone rang until the ring timeout (or the phone gave up: 408/480).
    NoAnswer,
    /// The phone was busy (486/600).
    Busy,
    /// The agent declined (603, or a reject button on the desktop).
    Rejected,
    /// No registered contact, or the INVITE failed at transport level.
    Unreachable,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states() -> Vec<AgentState> {
        #[allow(clippy::disallowed_methods)] // tests need one real Instant as the clock's origin
        let t = Instant::now();
        vec![
            AgentState::LoggedOut,
            AgentState::Available,
            AgentState::Ringing {
                contact: ContactId(1),
                queue: QueueId(1),
            },
            AgentState::OnCall {
                contact: ContactId(1),
                queue: QueueId(1),
            },
            AgentState::WrapUp {
                queue: QueueId(1),
                until: t,
            },
            AgentState::NotReady {
                reason: "break".into(),
            },
        ]
    }

    fn accepted(request: Request, reason: Option<&str>) -> Vec<AgentStateKind> {
        states()
            .into_iter()
            .filter(|s| s.accepts(request, reason))
            .map(|s| s.kind())
            .collect()
    }

    #[test]
    fn login_is_valid_only_when_logged_out() {
        assert_eq!(accepted(Request::Login, None), [AgentStateKind::LoggedOut]);
    }

    #[test]
    fn ready_is_valid_from_wrap_up_and_not_ready() {
        assert_eq!(
            accepted(Request::Ready, None),
            [AgentStateKind::WrapUp, AgentStateKind::NotReady]
        );
    }

    #[test]
    fn not_ready_is_valid_from_available_wrap_up_and_another_reason() {
        assert_eq!(
            accepted(Request::NotReady, Some("lunch")),
            [
                AgentStateKind::Available,
                AgentStateKind::WrapUp,
                AgentStateKind::NotReady
            ]
        );
    }

    #[test]
    fn not_ready_with_the_same_reason_is_refused() {
        assert!(!accepted(Request::NotReady, Some("break")).contains(&AgentStateKind::NotReady));
    }

    #[test]
    fn logout_is_refused_while_ringing_or_on_call() {
        assert_eq!(
            accepted(Request::Logout, None),
            [
                AgentStateKind::Available,
                AgentStateKind::WrapUp,
                AgentStateKind::NotReady
            ]
        );
    }

    #[test]
    fn extend_wrap_up_is_valid_only_in_wrap_up() {
        assert_eq!(
            accepted(Request::ExtendWrapUp, None),
            [AgentStateKind::WrapUp]
        );
    }

    #[test]
    fn kinds_have_distinct_names() {
        let mut names: Vec<_> = AgentStateKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AgentStateKind::ALL.len());
    }
}
