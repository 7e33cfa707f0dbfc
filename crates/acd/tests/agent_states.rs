//! One test per agent state transition, through the engine's public inputs and outputs.

mod common;

use std::time::Duration;

use acd::{
    AcdError, AgentId, AgentState, AgentStateKind, ChangeCause, ContactId, Input, MISSED_OFFERS,
    OfferFailure, Output, QueueId, Request,
};
use common::{Harness, agent, queue, secs};

fn one_agent() -> Harness {
    Harness::new(vec![queue(1)], vec![agent(1, &[1])])
}

fn changes(outputs: &[Output]) -> Vec<(AgentStateKind, AgentStateKind, ChangeCause)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::AgentStateChanged {
                from, to, cause, ..
            } => Some((from.kind(), to.kind(), *cause)),
            _ => None,
        })
        .collect()
}

/// Agent 1 logged in and ringing for contact 10.
fn ringing() -> Harness {
    let mut h = one_agent();
    h.login(1);
    h.arrive(10, 1);
    h.take();
    h
}

/// Agent 1 on a call with contact 10.
fn on_call() -> Harness {
    let mut h = ringing();
    h.answer(10, 1);
    h.take();
    h
}

fn not_ready(agent: u64, reason: &str) -> Input {
    Input::NotReady {
        agent: AgentId(agent),
        reason: reason.into(),
    }
}

#[test]
fn login_makes_the_agent_available() {
    let mut h = one_agent();
    h.login(1);
    assert_eq!(h.state(1), AgentState::Available);
    let out = h.take();
    assert_eq!(
        changes(&out),
        [(
            AgentStateKind::LoggedOut,
            AgentStateKind::Available,
            ChangeCause::Requested
        )]
    );
    assert!(matches!(out[0], Output::AgentStateChanged { at, .. } if at == h.now));
}

#[test]
fn login_not_ready_keeps_the_reason() {
    let mut h = one_agent();
    h.send(Input::Login {
        agent: AgentId(1),
        not_ready: Some("training".into()),
    })
    .unwrap();
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: "training".into()
        }
    );
}

#[test]
fn login_when_logged_in_is_refused_and_changes_nothing() {
    let mut h = one_agent();
    h.login(1);
    h.take();
    let err = h.send(Input::Login {
        agent: AgentId(1),
        not_ready: None,
    });
    assert_eq!(
        err,
        Err(AcdError::InvalidTransition {
            agent: AgentId(1),
            from: AgentStateKind::Available,
            request: Request::Login
        })
    );
    assert_eq!(h.state(1), AgentState::Available);
    assert!(h.take().is_empty());
}

#[test]
fn ready_from_not_ready_makes_the_agent_available() {
    let mut h = one_agent();
    h.login(1);
    h.send(not_ready(1, "break")).unwrap();
    h.take();
    h.send(Input::Ready { agent: AgentId(1) }).unwrap();
    assert_eq!(h.state(1), AgentState::Available);
    assert_eq!(
        changes(&h.take()),
        [(
            AgentStateKind::NotReady,
            AgentStateKind::Available,
            ChangeCause::Requested
        )]
    );
}

#[test]
fn ready_when_available_is_refused() {
    let mut h = one_agent();
    h.login(1);
    assert!(matches!(
        h.send(Input::Ready { agent: AgentId(1) }),
        Err(AcdError::InvalidTransition { .. })
    ));
}

#[test]
fn not_ready_from_available_records_the_reason() {
    let mut h = one_agent();
    h.login(1);
    h.send(not_ready(1, "lunch")).unwrap();
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: "lunch".into()
        }
    );
}

#[test]
fn not_ready_can_switch_to_another_reason() {
    let mut h = one_agent();
    h.login(1);
    h.send(not_ready(1, "break")).unwrap();
    h.send(not_ready(1, "coaching")).unwrap();
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: "coaching".into()
        }
    );
}

#[test]
fn not_ready_without_a_reason_is_refused() {
    let mut h = one_agent();
    h.login(1);
    assert_eq!(h.send(not_ready(1, "")), Err(AcdError::EmptyReason));
    assert_eq!(h.state(1), AgentState::Available);
}

#[test]
fn logout_from_available_or_not_ready() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.login(2);
    h.send(not_ready(2, "break")).unwrap();
    for a in [1, 2] {
        h.send(Input::Logout { agent: AgentId(a) }).unwrap();
        assert_eq!(h.state(a), AgentState::LoggedOut);
    }
}

#[test]
fn requests_while_ringing_are_refused() {
    let mut h = ringing();
    for input in [
        Input::Logout { agent: AgentId(1) },
        not_ready(1, "break"),
        Input::Ready { agent: AgentId(1) },
    ] {
        assert!(matches!(
            h.send(input),
            Err(AcdError::InvalidTransition {
                from: AgentStateKind::Ringing,
                ..
            })
        ));
    }
    assert_eq!(h.state(1).kind(), AgentStateKind::Ringing);
}

#[test]
fn logout_while_on_call_is_refused() {
    let mut h = on_call();
    assert!(h.send(Input::Logout { agent: AgentId(1) }).is_err());
    assert_eq!(h.state(1).kind(), AgentStateKind::OnCall);
}

#[test]
fn an_offer_makes_the_available_agent_ring() {
    let mut h = one_agent();
    h.login(1);
    h.take();
    h.arrive(10, 1);
    let out = h.take();
    assert!(matches!(
        out[0],
        Output::Offer { contact: ContactId(10), agent: AgentId(1), queue: QueueId(1), ring_until }
            if ring_until == h.now + acd::DEFAULT_RING_TIMEOUT
    ));
    assert_eq!(
        changes(&out),
        [(
            AgentStateKind::Available,
            AgentStateKind::Ringing,
            ChangeCause::Offered
        )]
    );
    assert_eq!(
        h.state(1),
        AgentState::Ringing {
            contact: ContactId(10),
            queue: QueueId(1)
        }
    );
}

#[test]
fn answering_puts_the_agent_on_call_and_the_contact_leaves_with_its_wait() {
    let mut h = ringing();
    h.advance(4);
    h.answer(10, 1);
    let out = h.take();
    assert_eq!(
        out[0],
        Output::ContactAnswered {
            contact: ContactId(10),
            agent: AgentId(1),
            queue: QueueId(1),
            waited: secs(4)
        }
    );
    assert_eq!(h.state(1).kind(), AgentStateKind::OnCall);
    assert_eq!(h.acd.contact(ContactId(10)), None);
    let stats = h.acd.agent_view(AgentId(1), h.now).unwrap().stats;
    assert_eq!(stats.calls_taken, 1);
}

#[test]
fn call_end_starts_the_queues_wrap_up() {
    let mut h = on_call();
    h.advance(60);
    h.end_call(1);
    assert_eq!(
        h.state(1),
        AgentState::WrapUp {
            queue: QueueId(1),
            until: h.now + acd::DEFAULT_WRAP_UP
        }
    );
    let stats = h.acd.agent_view(AgentId(1), h.now).unwrap().stats;
    assert_eq!(stats.talk_time, secs(60));
}

#[test]
fn wrap_up_ends_by_itself_and_the_agent_becomes_available() {
    let mut h = on_call();
    h.end_call(1);
    h.take();
    h.advance(9);
    assert_eq!(h.state(1).kind(), AgentStateKind::WrapUp);
    h.advance(1);
    assert_eq!(h.state(1), AgentState::Available);
    assert_eq!(
        changes(&h.take()),
        [(
            AgentStateKind::WrapUp,
            AgentStateKind::Available,
            ChangeCause::WrapUpExpired
        )]
    );
}

#[test]
fn zero_wrap_up_makes_the_agent_available_at_once() {
    let mut q = queue(1);
    q.wrap_up = Duration::ZERO;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.answer(10, 1);
    h.take();
    h.end_call(1);
    assert_eq!(h.state(1), AgentState::Available);
    assert_eq!(
        changes(&h.take()),
        [(
            AgentStateKind::OnCall,
            AgentStateKind::Available,
            ChangeCause::CallEnded
        )]
    );
}

#[test]
fn ready_during_wrap_up_ends_it_early() {
    let mut h = on_call();
    h.end_call(1);
    h.advance(3);
    h.send(Input::Ready { agent: AgentId(1) }).unwrap();
    assert_eq!(h.state(1), AgentState::Available);
    h.take();
    h.advance(20);
    assert!(
        changes(&h.take()).is_empty(),
        "the wrap-up timer was disarmed"
    );
}

#[test]
fn extending_wrap_up_moves_its_end() {
    let mut h = on_call();
    h.end_call(1);
    let until = h.now + acd::DEFAULT_WRAP_UP + secs(30);
    h.take();
    h.send(Input::ExtendWrapUp {
        agent: AgentId(1),
        by: secs(30),
    })
    .unwrap();
    assert_eq!(
        h.take(),
        [Output::WrapUpExtended {
            agent: AgentId(1),
            until
        }]
    );
    h.advance(39);
    assert_eq!(h.state(1).kind(), AgentStateKind::WrapUp);
    h.advance(1);
    assert_eq!(h.state(1), AgentState::Available);
}

#[test]
fn extending_wrap_up_outside_wrap_up_is_refused() {
    let mut h = one_agent();
    h.login(1);
    assert!(matches!(
        h.send(Input::ExtendWrapUp {
            agent: AgentId(1),
            by: secs(5)
        }),
        Err(AcdError::InvalidTransition {
            request: Request::ExtendWrapUp,
            ..
        })
    ));
}

#[test]
fn not_ready_during_wrap_up_stops_the_timer() {
    let mut h = on_call();
    h.end_call(1);
    h.send(not_ready(1, "break")).unwrap();
    h.advance(60);
    assert_eq!(h.state(1).kind(), AgentStateKind::NotReady);
}

#[test]
fn call_end_when_not_on_call_is_refused() {
    let mut h = one_agent();
    h.login(1);
    assert_eq!(
        h.send(Input::CallEnded { agent: AgentId(1) }),
        Err(AcdError::NotOnCall {
            agent: AgentId(1),
            state: AgentStateKind::Available
        })
    );
}

#[test]
fn unknown_agent_is_an_error() {
    let mut h = one_agent();
    assert_eq!(
        h.send(Input::Ready { agent: AgentId(99) }),
        Err(AcdError::UnknownAgent(AgentId(99)))
    );
}

#[test]
fn a_missed_offer_sets_the_agent_not_ready_by_default() {
    let mut h = ringing();
    h.send(Input::OfferFailed {
        contact: ContactId(10),
        agent: AgentId(1),
        reason: OfferFailure::Busy,
    })
    .unwrap();
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: MISSED_OFFERS.into()
        }
    );
    assert_eq!(
        changes(&h.take()),
        [(
            AgentStateKind::Ringing,
            AgentStateKind::NotReady,
            ChangeCause::OfferFailed(OfferFailure::Busy)
        )]
    );
}

#[test]
fn below_the_missed_offers_limit_the_agent_becomes_available_idle_from_now() {
    let mut q = queue(1);
    q.missed_offers_limit = 2;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.advance(1);
    h.login(2);
    h.arrive(10, 1);
    assert_eq!(h.take_offers(), [(10, 1)]);
    h.advance(2);
    h.send(Input::OfferFailed {
        contact: ContactId(10),
        agent: AgentId(1),
        reason: OfferFailure::Rejected,
    })
    .unwrap();
    assert_eq!(
        h.take_offers(),
        [(10, 2)],
        "the contact goes to the next agent"
    );
    assert_eq!(h.state(1), AgentState::Available);
    let stats = h.acd.agent_view(AgentId(1), h.now).unwrap().stats;
    assert_eq!(stats.idle_since, Some(h.now));
    assert_eq!(stats.missed_offers, 1);
}

#[test]
fn an_answer_resets_the_missed_offers_count() {
    let mut q = queue(1);
    q.missed_offers_limit = 2;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.advance(15); // rings out: first miss, offered again at once (only agent)
    h.answer(10, 1);
    let stats = h.acd.agent_view(AgentId(1), h.now).unwrap().stats;
    assert_eq!(stats.missed_offers, 0);
}

#[test]
fn idle_time_restarts_after_call_and_wrap_up() {
    let mut h = on_call();
    let first_idle = h
        .acd
        .agent_view(AgentId(1), h.now)
        .unwrap()
        .stats
        .idle_since;
    h.advance(30);
    h.end_call(1);
    h.advance(10);
    let view = h.acd.agent_view(AgentId(1), h.now).unwrap();
    assert_eq!(view.state, AgentState::Available);
    assert_eq!(view.stats.idle_since, Some(h.now));
    assert_ne!(view.stats.idle_since, first_idle);
}

#[test]
fn time_in_state_counts_from_the_last_change() {
    let mut h = one_agent();
    h.login(1);
    h.advance(42);
    let view = h.acd.agent_view(AgentId(1), h.now).unwrap();
    assert_eq!(view.time_in_state, secs(42));
}
