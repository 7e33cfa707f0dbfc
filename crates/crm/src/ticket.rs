//! The ticket's life cycle: states, the actions agents and customers take, and which action is
//! allowed in which state. The store keeps the history; this module only decides.
//!
//! | from \ action       | open | reply | wait | customer replied | escalate | resolve | close | reopen | assign |
//! |---------------------|------|-------|------|------------------|----------|---------|-------|--------|--------|
//! | New                 | Open | Open  | Pend | New              | Esc      | Res     | –     | –      | New    |
//! | Open                | –    | Open  | Pend | Open             | Esc      | Res     | –     | –      | Open   |
//! | PendingCustomer     | Open | Pend  | Pend | Open             | Esc      | Res     | –     | –      | Pend   |
//! | Escalated           | Open | Esc   | Pend | Esc              | Esc      | Res     | –     | –      | Esc    |
//! | Resolved            | –    | –     | –    | Reopened         | –        | –       | Closed| Reopened| Res   |
//! | Closed              | –    | –     | –    | –                | –        | –       | –     | –      | –      |
//! | Reopened            | Open | Open  | Pend | Reopened         | Esc      | Res     | –     | –      | Reopened |
//!
//! "–" is a [`TransitionError`]. A closed ticket is final: a customer writing again gets a new
//! ticket. Escalating an escalated ticket moves it up a tier; [`Tier::escalate_to`] refuses a
//! tier that is not higher. Assignment changes who works on the ticket, never its state.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A ticket's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub i64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Created, nobody has acted on it yet.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer's answer; the resolution SLA clock is paused.
    PendingCustomer,
    /// Handed to a higher support tier.
    Escalated,
    /// Solved; the customer may still come back.
    Resolved,
    /// Final.
    Closed,
    /// Resolved, then the problem came back.
    Reopened,
}

impl TicketState {
    /// Every state, in life-cycle order.
    pub const ALL: [TicketState; 7] = [
        TicketState::New,
        TicketState::Open,
        TicketState::PendingCustomer,
        TicketState::Escalated,
        TicketState::Resolved,
        TicketState::Closed,
        TicketState::Reopened,
    ];

    /// The name used in the API and the store (`pending_customer`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TicketState::New => "new",
            TicketState::Open => "open",
            TicketState::PendingCustomer => "pending_customer",
            TicketState::Escalated => "escalated",
            TicketState::Resolved => "resolved",
            TicketState::Closed => "closed",
            TicketState::Reopened => "reopened",
        }
    }

    /// Whether the ticket still needs work (not resolved or closed).
    pub fn is_active(&self) -> bool {
        !matches!(self, TicketState::Resolved | TicketState::Closed)
    }
}

from_str_by_name!(TicketState);

impl fmt::Display for TicketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent a ticket is; picks its SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// The default.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    /// The name used in the API and the store (`urgent`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

from_str_by_name!(Priority);

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state, priority or status name that does not exist (reading the store's text columns).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name {0:?}")]
pub struct UnknownName(pub String);

/// A support tier, 1 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Tier(u8);

impl Tier {
    /// First line.
    pub const ONE: Tier = Tier(1);
    /// Second line.
    pub const TWO: Tier = Tier(2);
    /// Third line (experts, engineering).
    pub const THREE: Tier = Tier(3);

    /// The number, 1 to 3.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The tier after escalating from `self` to `target`; it must be higher.
    pub fn escalate_to(self, target: Tier) -> Result<Tier, TransitionError> {
        if target > self {
            Ok(target)
        } else {
            Err(TransitionError::NotHigherTier {
                from: self,
                to: target,
            })
        }
    }
}

impl TryFrom<u8> for Tier {
    type Error = TransitionError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        if (1..=3).contains(&n) {
            Ok(Tier(n))
        } else {
            Err(TransitionError::NoSuchTier(n))
        }
    }
}

impl From<Tier> for u8 {
    fn from(t: Tier) -> u8 {
        t.0
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tier {}", self.0)
    }
}

/// Who a ticket is assigned to; ids are the store's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum Assignee {
    /// One agent.
    Agent(i64),
    /// A team.
    Team(i64),
    /// Whoever works the tier's queue.
    Tier(Tier),
    /// Nobody.
    Nobody,
}

/// Something that happens to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketAction {
    /// An agent starts working on it.
    Open,
    /// An agent answers the customer (the first one stops the first-response clock).
    ReplyToCustomer,
    /// An agent needs the customer's answer before going on.
    WaitForCustomer,
    /// The customer wrote or called back about it.
    CustomerReplied,
    /// Hand it to a higher tier, saying why.
    Escalate {
        /// The tier it goes to.
        tier: Tier,
        /// Why; kept in the history.
        reason: String,
    },
    /// Solved.
    Resolve,
    /// Closed for good.
    Close,
    /// An agent reopens a resolved ticket.
    Reopen,
    /// Change who works on it.
    Assign {
        /// The new assignee.
        assignee: Assignee,
    },
}

impl TicketAction {
    /// The action's name (`reply_to_customer`), for errors and history rows.
    pub fn name(&self) -> &'static str {
        match self {
            TicketAction::Open => "open",
            TicketAction::ReplyToCustomer => "reply_to_customer",
            TicketAction::WaitForCustomer => "wait_for_customer",
            TicketAction::CustomerReplied => "customer_replied",
            TicketAction::Escalate { .. } => "escalate",
            TicketAction::Resolve => "resolve",
            TicketAction::Close => "close",
            TicketAction::Reopen => "reopen",
            TicketAction::Assign { .. } => "assign",
        }
    }
}

/// A refused action or tier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action is not allowed in this state (see the module's table).
    #[error("cannot {action} a ticket that is {state}")]
    NotAllowed {
        /// The ticket's state.
        state: TicketState,
        /// The refused action's name.
        action: &'static str,
    },
    /// Tiers are 1 to 3.
    #[error("no tier {0}: tiers are 1 to 3")]
    NoSuchTier(u8),
    /// Escalation must go up.
    #[error("cannot escalate from {from} to {to}")]
    NotHigherTier {
        /// The current tier.
        from: Tier,
        /// The requested one.
        to: Tier,
    },
}

/// The state after `action`, following the module's table.
pub fn apply(state: TicketState, action: &TicketAction) -> Result<TicketState, TransitionError> {
    use TicketAction as A;
    use TicketState as S;
    let next = match (state, action) {
        (S::Closed, _) => None,
        (_, A::Assign { .. }) => Some(state),
        (S::Resolved, A::CustomerReplied | A::Reopen) => Some(S::Reopened),
        (S::Resolved, A::Close) => Some(S::Closed),
        (S::Resolved, _) => None,
        // From here on the ticket is active: New, Open, PendingCustomer, Escalated, Reopened.
        (_, A::Close | A::Reopen) => None,
        (S::Open, A::Open) => None,
        (_, A::Open) => Some(S::Open),
        (S::PendingCustomer | S::Escalated, A::ReplyToCustomer) => Some(state),
        (_, A::ReplyToCustomer) => Some(S::Open),
        (_, A::WaitForCustomer) => Some(S::PendingCustomer),
        (S::PendingCustomer, A::CustomerReplied) => Some(S::Open),
        (_, A::CustomerReplied) => Some(state),
        (_, A::Escalate { .. }) => Some(S::Escalated),
        (_, A::Resolve) => Some(S::Resolved),
    };
    next.ok_or(TransitionError::NotAllowed {
        state,
        action: action.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketAction as A;
    use TicketState as S;

    const ALL: [S; 7] = S::ALL;

    fn escalate(tier: u8) -> A {
        A::Escalate {
            tier: Tier::try_from(tier).unwrap(),
            reason: "needs a technician".into(),
        }
    }

    #[test]
    fn a_ticket_goes_from_new_to_closed_through_the_usual_path() {
        let mut s = S::New;
        for action in [
            A::Open,
            A::WaitForCustomer,
            A::CustomerReplied,
            escalate(2),
            A::Resolve,
            A::Close,
        ] {
            s = apply(s, &action).unwrap();
        }
        assert_eq!(s, S::Closed);
    }

    #[test]
    fn closed_tickets_refuse_everything() {
        let actions = [
            A::Open,
            A::ReplyToCustomer,
            A::CustomerReplied,
            A::Reopen,
            A::Resolve,
            escalate(3),
        ];
        for action in actions {
            assert!(apply(S::Closed, &action).is_err(), "{action:?}");
        }
        assert!(
            apply(
                S::Closed,
                &A::Assign {
                    assignee: Assignee::Nobody
                }
            )
            .is_err()
        );
    }

    #[test]
    fn only_resolved_tickets_close_or_reopen() {
        for s in ALL {
            assert_eq!(apply(s, &A::Close).is_ok(), s == S::Resolved, "{s}");
            assert_eq!(apply(s, &A::Reopen).is_ok(), s == S::Resolved, "{s}");
        }
    }

    #[test]
    fn a_customer_writing_after_resolution_reopens_the_ticket() {
        assert_eq!(apply(S::Resolved, &A::CustomerReplied), Ok(S::Reopened));
        assert_eq!(apply(S::Reopened, &A::ReplyToCustomer), Ok(S::Open));
    }

    #[test]
    fn the_customers_answer_ends_the_wait() {
        assert_eq!(apply(S::PendingCustomer, &A::CustomerReplied), Ok(S::Open));
        assert_eq!(
            apply(S::PendingCustomer, &A::ReplyToCustomer),
            Ok(S::PendingCustomer)
        );
    }

    #[test]
    fn escalated_tickets_stay_escalated_while_the_tier_talks_to_the_customer() {
        assert_eq!(apply(S::Escalated, &A::ReplyToCustomer), Ok(S::Escalated));
        assert_eq!(apply(S::Escalated, &A::CustomerReplied), Ok(S::Escalated));
        assert_eq!(apply(S::Escalated, &escalate(3)), Ok(S::Escalated));
    }

    #[test]
    fn assignment_never_changes_the_state() {
        let assign = A::Assign {
            assignee: Assignee::Tier(Tier::TWO),
        };
        for s in ALL.into_iter().filter(|s| *s != S::Closed) {
            assert_eq!(apply(s, &assign), Ok(s));
        }
    }

    #[test]
    fn opening_an_open_ticket_is_refused_with_names() {
        let e = apply(S::Open, &A::Open).unwrap_err();
        assert_eq!(e.to_string(), "cannot open a ticket that is open");
    }

    #[test]
    fn escalation_only_goes_up_within_three_tiers() {
        assert_eq!(Tier::ONE.escalate_to(Tier::TWO), Ok(Tier::TWO));
        assert!(Tier::TWO.escalate_to(Tier::TWO).is_err());
        assert!(Tier::THREE.escalate_to(Tier::ONE).is_err());
        assert!(Tier::try_from(0).is_err());
        assert!(Tier::try_from(4).is_err());
        assert!(serde_json::from_str::<Tier>("4").is_err());
    }

    #[test]
    fn names_read_back_as_the_same_values() {
        for s in TicketState::ALL {
            assert_eq!(s.as_str().parse::<TicketState>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("pending".parse::<TicketState>().is_err());
    }

    #[test]
    fn actions_use_snake_case_json() {
        let json = serde_json::to_string(&escalate(2)).unwrap();
        assert_eq!(
            json,
            r#"{"action":"escalate","tier":2,"reason":"needs a technician"}"#
        );
        assert_eq!(
            serde_json::to_string(&S::PendingCustomer).unwrap(),
            "\"pending_customer\""
        );
    }
}
