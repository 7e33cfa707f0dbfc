//! Scenarios on a simulated clock: who gets which contact, when, and what the callers hear.

mod common;

use std::collections::BTreeMap;

use acd::{
    AcdError, AgentId, AgentState, AgentStateKind, ContactId, Input, LeaveReason, MISSED_OFFERS,
    OfferFailure, Output, QueueId, StrategyKind,
};
use common::{Harness, agent, queue, secs};

/// Drives a floor second by second: contacts arrive at the given seconds, every offer is
/// answered `answer_after` seconds later and talked for `talk(contact)` seconds.
/// Returns the offers in order as (contact, agent).
fn run_floor(
    h: &mut Harness,
    arrivals: &[(u64, u64)],
    answer_after: u64,
    talk: impl Fn(u64) -> u64,
    until: u64,
) -> Vec<(u64, u64)> {
    let mut answers: BTreeMap<u64, Vec<(u64, u64)>> = BTreeMap::new();
    let mut hangups: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut offers = Vec::new();
    for t in h.at_secs()..=until {
        h.run_to(t);
        for agent in hangups.remove(&t).unwrap_or_default() {
            h.end_call(agent);
        }
        for (contact, agent) in answers.remove(&t).unwrap_or_default() {
            h.answer(contact, agent);
            hangups.entry(t + talk(contact)).or_default().push(agent);
        }
        for (contact, _) in arrivals.iter().filter(|(_, at)| *at == t) {
            h.arrive(*contact, 1);
        }
        for (contact, agent) in h.take_offers() {
            offers.push((contact, agent));
            answers
                .entry(t + answer_after)
                .or_default()
                .push((contact, agent));
        }
    }
    offers
}

#[test]
fn thirty_contacts_go_to_the_longest_idle_agent_each_time() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]), agent(2, &[1]), agent(3, &[1])],
    );
    // Logged in 3, then 1, then 2: longest idle is neither id order nor chance.
    h.login(3);
    h.advance(1);
    h.login(1);
    h.advance(1);
    h.login(2);
    // One contact every 20 s; each agent is busy 41 s (1 s ring, 30 s talk, 10 s wrap-up), so
    // at each arrival the agent freed longest ago is the one who took the contact before last.
    let arrivals: Vec<(u64, u64)> = (0..30).map(|i| (100 + i, 10 + 20 * i)).collect();
    let offers = run_floor(&mut h, &arrivals, 1, |_| 30, 700);
    let expected: Vec<(u64, u64)> = (0..30)
        .map(|i| (100 + i, [3, 1, 2][i as usize % 3]))
        .collect();
    assert_eq!(offers, expected);
}

#[test]
fn agents_back_from_calls_queue_up_behind_those_idle_longer() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]), agent(2, &[1]), agent(3, &[1])],
    );
    for a in [1, 2, 3] {
        h.login(a); // all idle since 0: ties go to the lower id
    }
    // Contact 10 (t=1) talks 3 s, contact 11 (t=2) talks 1 s: agent 2 is free at 14, agent 1 at
    // 15 (10 s wrap-up), agent 3 has been idle since 0.
    let arrivals = [(10, 1), (11, 2), (12, 20), (13, 21), (14, 22)];
    let talk = |c| if c == 10 { 3 } else { 1 };
    let offers = run_floor(&mut h, &arrivals, 1, talk, 30);
    assert_eq!(offers, [(10, 1), (11, 2), (12, 3), (13, 2), (14, 1)]);
}

#[test]
fn an_offer_that_rings_out_sets_the_agent_not_ready_and_goes_to_the_next_agent() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.advance(1);
    h.login(2);
    h.arrive(10, 1);
    assert_eq!(h.take_offers(), [(10, 1)]);
    h.advance(14);
    assert!(h.take().is_empty());
    h.advance(1);
    let out = h.take();
    assert_eq!(
        out[0],
        Output::OfferTimedOut {
            contact: ContactId(10),
            agent: AgentId(1)
        }
    );
    assert!(out.contains(&Output::Offer {
        contact: ContactId(10),
        agent: AgentId(2),
        queue: QueueId(1),
        ring_until: h.now + acd::DEFAULT_RING_TIMEOUT,
    }));
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: MISSED_OFFERS.into()
        }
    );
}

#[test]
fn a_failed_offer_puts_the_contact_back_at_the_head_of_the_queue() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.login(2);
    h.arrive(10, 1); // to agent 1
    h.arrive(11, 1); // to agent 2
    h.answer(11, 2);
    h.advance(5);
    h.arrive(12, 1); // waits
    h.take();
    h.send(Input::OfferFailed {
        contact: ContactId(10),
        agent: AgentId(1),
        reason: OfferFailure::Unreachable,
    })
    .unwrap();
    assert_eq!(
        h.acd.waiting_contacts(QueueId(1)).unwrap(),
        [ContactId(10), ContactId(12)]
    );
    assert_eq!(h.acd.position(ContactId(10)), Some(1));
    // The contact kept its arrival: its wait counts from t=0.
    h.end_call(2);
    h.advance(10); // agent 2's wrap-up ends
    assert_eq!(h.take_offers(), [(10, 2)]);
    h.answer(10, 2);
    assert!(h.take().contains(&Output::ContactAnswered {
        contact: ContactId(10),
        agent: AgentId(2),
        queue: QueueId(1),
        waited: secs(15)
    }));
}

#[test]
fn with_a_limit_of_two_the_second_missed_offer_sets_not_ready() {
    let mut q = queue(1);
    q.missed_offers_limit = 2;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.advance(15);
    assert_eq!(h.state(1).kind(), AgentStateKind::Ringing, "offered again");
    h.advance(15);
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: MISSED_OFFERS.into()
        }
    );
    assert_eq!(h.acd.waiting_contacts(QueueId(1)).unwrap(), [ContactId(10)]);
}

#[test]
fn an_answer_after_the_timeout_is_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.advance(15);
    assert_eq!(
        h.send(Input::OfferAnswered {
            contact: ContactId(10),
            agent: AgentId(1)
        }),
        Err(AcdError::NotOffered {
            contact: ContactId(10),
            agent: AgentId(1)
        })
    );
}

#[test]
fn abandon_while_queued_is_recorded_with_its_wait() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(7);
    h.take();
    h.send(Input::ContactAbandoned {
        contact: ContactId(10),
    })
    .unwrap();
    assert_eq!(
        h.take(),
        [Output::ContactLeft {
            contact: ContactId(10),
            queue: QueueId(1),
            reason: LeaveReason::Abandoned,
            waited: secs(7)
        }]
    );
    h.login(1);
    assert!(h.take_offers().is_empty());
    assert_eq!(
        h.send(Input::ContactAbandoned {
            contact: ContactId(10)
        }),
        Err(AcdError::UnknownContact(ContactId(10)))
    );
}

#[test]
fn abandon_while_ringing_withdraws_the_offer_and_the_agent_keeps_their_place() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.advance(1);
    h.login(2);
    h.arrive(10, 1);
    h.advance(3);
    h.take();
    h.send(Input::ContactAbandoned {
        contact: ContactId(10),
    })
    .unwrap();
    let out = h.take();
    assert_eq!(
        out[..2],
        [
            Output::OfferWithdrawn {
                contact: ContactId(10),
                agent: AgentId(1)
            },
            Output::ContactLeft {
                contact: ContactId(10),
                queue: QueueId(1),
                reason: LeaveReason::Abandoned,
                waited: secs(3)
            }
        ]
    );
    assert_eq!(h.state(1), AgentState::Available);
    h.arrive(11, 1);
    assert_eq!(h.take_offers(), [(11, 1)], "still the longest idle");
}

#[test]
fn the_end_of_wrap_up_picks_up_the_waiting_contact() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.answer(10, 1);
    h.arrive(11, 1);
    h.advance(20);
    h.end_call(1);
    h.take();
    h.advance(9);
    assert!(h.take_offers().is_empty());
    h.advance(1);
    assert_eq!(h.take_offers(), [(11, 1)]);
}

#[test]
fn positions_are_announced_every_30_seconds() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    for (contact, at) in [(10, 0), (11, 5), (12, 10)] {
        h.run_to(at);
        h.arrive(contact, 1);
    }
    let mut heard = Vec::new();
    let mut listen = |h: &mut Harness| {
        for o in h.take() {
            if let Output::AnnouncePosition {
                contact, position, ..
            } = o
            {
                heard.push((h.at_secs(), contact.0, position));
            }
        }
    };
    for t in 11..=70 {
        h.run_to(t);
        if t == 40 {
            // Contact 10 hangs up; a priority caller jumps ahead of 11 and 12.
            h.send(Input::ContactAbandoned {
                contact: ContactId(10),
            })
            .unwrap();
            h.arrive_with_priority(13, 1, 5);
        }
        listen(&mut h);
    }
    assert_eq!(
        heard,
        [
            (30, 10, 1),
            (35, 11, 2),
            (40, 12, 3),
            (65, 11, 2),
            (70, 12, 3),
            (70, 13, 1)
        ]
    );
}

#[test]
fn higher_priority_is_served_first_then_longest_waiting() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive_with_priority(10, 1, 0);
    h.advance(1);
    h.arrive_with_priority(11, 1, 5);
    h.advance(1);
    h.arrive_with_priority(12, 1, 0);
    h.arrive_with_priority(13, 1, 5);
    assert_eq!(
        h.acd.waiting_contacts(QueueId(1)).unwrap(),
        [ContactId(11), ContactId(13), ContactId(10), ContactId(12)]
    );
    h.login(1);
    assert_eq!(h.take_offers(), [(11, 1)]);
}

#[test]
fn an_agent_in_two_queues_takes_the_oldest_waiting_contact() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1, 2])]);
    h.arrive(10, 2);
    h.advance(1);
    h.arrive(11, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn a_full_queue_turns_new_contacts_away() {
    let mut q = queue(1);
    q.max_length = Some(2);
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.arrive(11, 1);
    h.take();
    h.arrive(12, 1);
    assert_eq!(
        h.take(),
        [Output::ContactLeft {
            contact: ContactId(12),
            queue: QueueId(1),
            reason: LeaveReason::QueueFull,
            waited: secs(0)
        }]
    );
    assert_eq!(h.acd.contact(ContactId(12)), None);
}

#[test]
fn a_contact_leaves_after_the_maximum_wait() {
    let mut q = queue(1);
    q.max_wait = Some(secs(45));
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(44);
    assert_eq!(h.acd.contact_count(), 1);
    h.take();
    h.advance(1);
    assert_eq!(
        h.take(),
        [Output::ContactLeft {
            contact: ContactId(10),
            queue: QueueId(1),
            reason: LeaveReason::MaxWait,
            waited: secs(45)
        }]
    );
}

#[test]
fn a_contact_ringing_at_its_maximum_wait_leaves_when_the_offer_fails() {
    let mut q = queue(1);
    q.max_wait = Some(secs(10));
    let mut h = Harness::new(vec![q], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.advance(15); // rings out at 15, past the 10 s limit
    assert!(h.take().contains(&Output::ContactLeft {
        contact: ContactId(10),
        queue: QueueId(1),
        reason: LeaveReason::MaxWait,
        waited: secs(15)
    }));
    assert_eq!(h.acd.contact_count(), 0);
}

#[test]
fn a_round_robin_queue_rotates_with_memory() {
    let mut q = queue(1);
    q.strategy = StrategyKind::RoundRobin;
    q.wrap_up = std::time::Duration::ZERO;
    let mut h = Harness::new(
        vec![q],
        vec![agent(1, &[1]), agent(2, &[1]), agent(3, &[1])],
    );
    for a in [3, 2, 1] {
        h.login(a);
    }
    let mut offered = Vec::new();
    for c in 10..15 {
        h.arrive(c, 1);
        let (contact, agent) = h.take_offers()[0];
        offered.push(agent);
        h.answer(contact, agent);
        h.end_call(agent);
    }
    assert_eq!(offered, [1, 2, 3, 1, 2]);
}

#[test]
fn the_clock_never_runs_backwards() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.advance(10);
    h.arrive(10, 1);
    let earlier = h.t0;
    h.acd
        .handle_input(
            earlier,
            Input::Login {
                agent: AgentId(1),
                not_ready: None,
            },
        )
        .unwrap();
    let view = h.acd.agent_view(AgentId(1), h.now).unwrap();
    assert_eq!(
        view.since,
        Some(h.now),
        "treated as happening at the latest time seen"
    );
}
