//! Queue policies (overflow, no agents, short abandons) and callbacks that keep the caller's
//! place, on a simulated clock.

mod common;

use acd::{
    AcdError, AgentId, AgentStateKind, ContactId, Input, LeaveReason, Output, Overflow, QueueId,
};
use common::{Harness, agent, queue, secs};

/// Queue 1 overflows to queue 2 after 30 s.
fn overflowing() -> Vec<acd::QueueConfig> {
    let mut first = queue(1);
    first.overflow = Some(Overflow {
        after: secs(30),
        to: QueueId(2),
    });
    vec![first, queue(2)]
}

fn left(outputs: &[Output]) -> Vec<(u64, LeaveReason)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::ContactLeft {
                contact, reason, ..
            } => Some((contact.0, *reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_contact_overflows_to_the_target_queue_after_the_wait() {
    let mut h = Harness::new(overflowing(), vec![]);
    h.arrive(10, 1);
    h.advance(29);
    assert_eq!(
        h.acd.contact(ContactId(10)).map(|c| c.queue),
        Some(QueueId(1))
    );
    h.advance(1);
    let overflowed: Vec<_> = h
        .take()
        .into_iter()
        .filter_map(|o| match o {
            Output::ContactOverflowed {
                contact,
                from,
                to,
                waited,
            } => Some((contact.0, from.0, to.0, waited)),
            _ => None,
        })
        .collect();
    assert_eq!(overflowed, [(10, 1, 2, secs(30))]);
    assert_eq!(
        h.acd.contact(ContactId(10)).map(|c| c.queue),
        Some(QueueId(2))
    );
}

#[test]
fn an_overflowed_contact_is_offered_to_an_agent_of_the_target_queue() {
    let mut h = Harness::new(overflowing(), vec![agent(2, &[2])]);
    h.login(2);
    h.arrive(10, 1);
    h.advance(30);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

#[test]
fn an_overflowed_contact_keeps_its_place_ahead_of_later_arrivals() {
    let mut h = Harness::new(overflowing(), vec![]);
    h.arrive(10, 1);
    h.advance(10);
    h.arrive(20, 2);
    h.advance(20);
    assert_eq!(
        h.acd.waiting_contacts(QueueId(2)),
        Ok(vec![ContactId(10), ContactId(20)])
    );
}

#[test]
fn a_ringing_contact_overflows_when_its_offer_fails() {
    let mut h = Harness::new(overflowing(), vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(20);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
    h.advance(15); // rings out at 35 s, past the overflow time
    assert_eq!(
        h.acd.contact(ContactId(10)).map(|c| c.queue),
        Some(QueueId(2))
    );
}

#[test]
fn a_queue_that_refuses_empty_joins_turns_callers_away_without_agents() {
    let mut q = queue(1);
    q.join_empty = false;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    assert_eq!(left(&h.take()), [(10, LeaveReason::NoAgents)]);
    h.login(1);
    h.send(Input::NotReady {
        agent: AgentId(1),
        reason: "break".into(),
    })
    .expect("not ready");
    // Logged in, even not ready, is enough to join.
    h.arrive(11, 1);
    assert!(left(&h.take()).is_empty());
}

#[test]
fn waiting_callers_leave_when_the_last_agent_logs_out() {
    let mut q = queue(1);
    q.leave_empty = true;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.login(1);
    h.send(Input::NotReady {
        agent: AgentId(1),
        reason: "break".into(),
    })
    .expect("not ready");
    h.arrive(10, 1);
    h.send(Input::Logout { agent: AgentId(1) }).expect("logout");
    assert_eq!(left(&h.take()), [(10, LeaveReason::NoAgents)]);
}

#[test]
fn waiting_callers_stay_by_default_when_the_last_agent_logs_out() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.send(Input::Login {
        agent: AgentId(1),
        not_ready: Some("break".into()),
    })
    .expect("login");
    h.arrive(10, 1);
    h.send(Input::Logout { agent: AgentId(1) }).expect("logout");
    assert!(left(&h.take()).is_empty());
    assert_eq!(h.acd.contact_count(), 1);
}

#[test]
fn abandons_under_the_threshold_count_as_short() {
    let mut q = queue(1);
    q.short_abandon = Some(secs(5));
    let mut h = Harness::new(vec![q], vec![]);
    h.arrive(10, 1);
    h.arrive(11, 1);
    h.advance(3);
    h.send(Input::ContactAbandoned {
        contact: ContactId(10),
    })
    .expect("abandon");
    h.advance(7);
    h.send(Input::ContactAbandoned {
        contact: ContactId(11),
    })
    .expect("abandon");
    let view = h.acd.queue_view(QueueId(1), h.now).expect("queue");
    assert_eq!((view.abandoned, view.short_abandoned), (2, 1));
}

fn callback(h: &mut Harness, contact: u64) -> Result<(), AcdError> {
    h.send(Input::ConvertToCallback {
        contact: ContactId(contact),
        number: "+33123456789".into(),
    })
}

fn dials(outputs: &[Output]) -> Vec<(u64, u64, u32)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::DialCallback {
                contact,
                agent,
                attempt,
                ..
            } => Some((contact.0, agent.0, *attempt)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_callback_keeps_its_place_and_is_dialled_in_turn() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.arrive(11, 1);
    callback(&mut h, 10).expect("callback");
    h.advance(5);
    h.arrive(12, 1);
    assert_eq!(
        h.acd.waiting_contacts(QueueId(1)),
        Ok(vec![ContactId(10), ContactId(11), ContactId(12)])
    );
    h.login(1);
    let outputs = h.take();
    assert_eq!(dials(&outputs), [(10, 1, 1)]);
    assert_eq!(h.state(1).kind(), AgentStateKind::Ringing);
}

#[test]
fn a_waiting_callback_is_visible_in_the_queue_view() {
    let mut h = Harness::new(vec![queue(1)], vec![]);
    h.arrive(10, 1);
    h.arrive(11, 1);
    callback(&mut h, 11).expect("callback");
    let view = h.acd.queue_view(QueueId(1), h.now).expect("queue");
    assert_eq!((view.waiting, view.waiting_callbacks), (2, 1));
    assert!(h.acd.contact(ContactId(11)).is_some_and(|c| c.callback));
}

#[test]
fn an_answered_callback_connects_the_reserved_agent() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.login(1);
    h.take();
    h.send(Input::CallbackAnswered {
        contact: ContactId(10),
    })
    .expect("answered");
    assert!(h.take().iter().any(|o| matches!(
        o,
        Output::ContactAnswered {
            contact: ContactId(10),
            agent: AgentId(1),
            ..
        }
    )));
    assert_eq!(h.state(1).kind(), AgentStateKind::OnCall);
}

#[test]
fn a_failed_callback_is_retried_after_the_delay_keeping_its_place() {
    let mut q = queue(1);
    q.callback.retry_delay = secs(60);
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.login(1);
    h.take();
    h.send(Input::CallbackFailed {
        contact: ContactId(10),
    })
    .expect("failed");
    // The agent is free again (no miss) and the callback waits out the delay.
    assert_eq!(h.state(1).kind(), AgentStateKind::Available);
    h.advance(59);
    assert!(dials(&h.take()).is_empty());
    h.advance(1);
    assert_eq!(dials(&h.take()), [(10, 1, 2)]);
}

#[test]
fn live_callers_are_served_while_a_callback_waits_to_retry() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.arrive(11, 1);
    h.login(1);
    h.take();
    h.send(Input::CallbackFailed {
        contact: ContactId(10),
    })
    .expect("failed");
    assert_eq!(h.take_offers(), [(11, 1)]);
}

#[test]
fn a_callback_leaves_after_its_last_failed_attempt() {
    let mut q = queue(1);
    q.callback.max_attempts = 2;
    q.callback.retry_delay = secs(10);
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.login(1);
    h.send(Input::CallbackFailed {
        contact: ContactId(10),
    })
    .expect("first failure");
    h.advance(10);
    h.send(Input::CallbackFailed {
        contact: ContactId(10),
    })
    .expect("second failure");
    assert_eq!(left(&h.take()), [(10, LeaveReason::CallbackFailed)]);
    assert_eq!(h.acd.contact_count(), 0);
}

#[test]
fn an_unanswered_callback_dial_counts_as_a_failed_attempt() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.login(1);
    h.advance(15);
    let outputs = h.take();
    assert!(
        outputs
            .iter()
            .any(|o| matches!(o, Output::OfferTimedOut { .. }))
    );
    // No miss against the agent: still available, not "missed offers".
    assert_eq!(h.state(1).kind(), AgentStateKind::Available);
    assert!(
        h.acd
            .contact(ContactId(10))
            .is_some_and(|c| c.offered_to.is_none())
    );
}

#[test]
fn a_callback_never_reaches_max_wait() {
    let mut q = queue(1);
    q.max_wait = Some(secs(60));
    let mut h = Harness::new(vec![q], vec![]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.advance(600);
    assert_eq!(h.acd.contact_count(), 1);
}

#[test]
fn a_callback_hears_no_announcements() {
    let mut h = Harness::new(vec![queue(1)], vec![]);
    h.arrive(10, 1);
    callback(&mut h, 10).expect("callback");
    h.advance(120);
    assert!(
        !h.take()
            .iter()
            .any(|o| matches!(o, Output::AnnouncePosition { .. }))
    );
}

#[test]
fn only_a_waiting_contact_can_become_a_callback() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    assert_eq!(
        callback(&mut h, 10),
        Err(AcdError::ContactNotWaiting(ContactId(10)))
    );
    assert_eq!(
        callback(&mut h, 99),
        Err(AcdError::UnknownContact(ContactId(99)))
    );
}

#[test]
fn a_callback_outcome_for_a_live_call_is_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    assert_eq!(
        h.send(Input::CallbackAnswered {
            contact: ContactId(10)
        }),
        Err(AcdError::NotACallback(ContactId(10)))
    );
}
