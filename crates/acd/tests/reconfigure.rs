//! Configuration changes at runtime keep every waiting contact and route at once when they can.

mod common;

use acd::{
    Acd, AcdConfig, AcdError, AgentId, AgentStateKind, ContactId, Input, Membership, QueueId,
    StrategyKind,
};
use common::{Harness, agent, queue};

#[test]
fn joining_a_queue_while_available_takes_its_waiting_contact() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 2);
    assert!(h.take_offers().is_empty());
    h.send(Input::JoinQueue {
        agent: AgentId(1),
        queue: QueueId(2),
        membership: Membership { priority: 1 },
    })
    .unwrap();
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn joining_an_empty_queue_makes_the_agent_available_there() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1])]);
    h.login(1);
    h.send(Input::JoinQueue {
        agent: AgentId(1),
        queue: QueueId(2),
        membership: Membership::default(),
    })
    .unwrap();
    h.arrive(10, 2);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn leaving_a_queue_stops_its_offers() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1, 2])]);
    h.login(1);
    h.send(Input::LeaveQueue {
        agent: AgentId(1),
        queue: QueueId(2),
    })
    .unwrap();
    h.arrive(10, 2);
    assert!(h.take_offers().is_empty());
    assert_eq!(
        h.send(Input::LeaveQueue {
            agent: AgentId(1),
            queue: QueueId(2)
        }),
        Err(AcdError::NotAMember {
            agent: AgentId(1),
            queue: QueueId(2)
        })
    );
}

#[test]
fn a_queue_holding_contacts_cannot_be_removed() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    assert_eq!(
        h.send(Input::RemoveQueue { queue: QueueId(1) }),
        Err(AcdError::QueueNotEmpty(QueueId(1)))
    );
    assert_eq!(h.acd.waiting_contacts(QueueId(1)).unwrap(), [ContactId(10)]);
}

#[test]
fn moving_contacts_out_lets_a_queue_be_removed_and_keeps_their_place() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1, 2])]);
    h.arrive(10, 1);
    h.advance(5);
    h.arrive(11, 2);
    h.send(Input::MoveContact {
        contact: ContactId(10),
        queue: QueueId(2),
    })
    .unwrap();
    h.send(Input::RemoveQueue { queue: QueueId(1) }).unwrap();
    assert_eq!(
        h.acd.waiting_contacts(QueueId(2)).unwrap(),
        [ContactId(10), ContactId(11)]
    );
    let view = h.acd.agent_view(AgentId(1), h.now).unwrap();
    assert_eq!(view.queues, [QueueId(2)]);
}

#[test]
fn a_ringing_contact_cannot_be_moved() {
    let mut h = Harness::new(vec![queue(1), queue(2)], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    assert_eq!(
        h.send(Input::MoveContact {
            contact: ContactId(10),
            queue: QueueId(2)
        }),
        Err(AcdError::ContactNotWaiting(ContactId(10)))
    );
}

#[test]
fn a_new_strategy_starts_from_the_available_members() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(2);
    h.advance(1);
    h.login(1);
    let mut q = queue(1);
    q.strategy = StrategyKind::RoundRobin;
    h.send(Input::UpdateQueue(q)).unwrap();
    h.arrive(10, 1);
    assert_eq!(
        h.take_offers(),
        [(10, 1)],
        "round robin starts at the lowest id"
    );
    let view = h.acd.queue_view(QueueId(1), h.now).unwrap();
    assert_eq!(view.strategy, StrategyKind::RoundRobin);
    assert_eq!(view.available_agents, 1);
}

#[test]
fn invalid_queue_settings_are_refused_and_the_old_ones_stay() {
    let mut h = Harness::new(vec![queue(1)], vec![]);
    let mut q = queue(1);
    q.ring_timeout = std::time::Duration::ZERO;
    assert!(matches!(
        h.send(Input::UpdateQueue(q)),
        Err(AcdError::InvalidQueueConfig { .. })
    ));
    assert!(h.send(Input::UpdateQueue(queue(1))).is_ok());
}

#[test]
fn only_logged_out_agents_can_be_removed() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    assert_eq!(
        h.send(Input::RemoveAgent { agent: AgentId(1) }),
        Err(AcdError::AgentLoggedIn(AgentId(1)))
    );
    h.send(Input::Logout { agent: AgentId(1) }).unwrap();
    h.send(Input::RemoveAgent { agent: AgentId(1) }).unwrap();
    assert_eq!(
        h.acd.agent_state(AgentId(1)),
        Err(AcdError::UnknownAgent(AgentId(1)))
    );
    assert_eq!(h.acd.queue_view(QueueId(1), h.now).unwrap().members, 0);
}

#[test]
fn added_agents_and_queues_take_part_in_routing() {
    let mut h = Harness::new(vec![], vec![]);
    h.send(Input::AddQueue(queue(7))).unwrap();
    h.send(Input::AddAgent(agent(3, &[7]))).unwrap();
    h.login(3);
    h.arrive(10, 7);
    assert_eq!(h.take_offers(), [(10, 3)]);
    assert_eq!(
        h.acd.agent_state(AgentId(3)).unwrap().kind(),
        AgentStateKind::Ringing
    );
}

#[test]
fn duplicates_and_unknown_queues_are_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    assert_eq!(
        h.send(Input::AddQueue(queue(1))),
        Err(AcdError::DuplicateQueue(QueueId(1)))
    );
    assert_eq!(
        h.send(Input::AddAgent(agent(1, &[1]))),
        Err(AcdError::DuplicateAgent(AgentId(1)))
    );
    assert_eq!(
        h.send(Input::AddAgent(agent(2, &[9]))),
        Err(AcdError::UnknownQueue(QueueId(9)))
    );
    h.arrive(10, 1);
    assert_eq!(
        h.send(Input::ContactArrived {
            contact: ContactId(10),
            queue: QueueId(1),
            priority: 0
        }),
        Err(AcdError::DuplicateContact(ContactId(10)))
    );
}

#[test]
fn a_configuration_with_a_membership_in_an_unknown_queue_is_refused() {
    let result = Acd::new(AcdConfig {
        queues: vec![queue(1)],
        agents: vec![agent(1, &[2])],
        seed: 0,
    });
    assert_eq!(result.err(), Some(AcdError::UnknownQueue(QueueId(2))));
}

#[test]
fn the_snapshot_counts_queues_and_agents() {
    let mut h = Harness::new(
        vec![queue(1), queue(2)],
        vec![agent(1, &[1]), agent(2, &[1]), agent(3, &[2])],
    );
    h.login(1);
    h.login(3);
    h.arrive(10, 1);
    h.arrive(11, 1);
    h.advance(12);
    let snap = h.acd.snapshot(h.now);
    let q1 = &snap.queues[0];
    assert_eq!((q1.id, q1.waiting, q1.ringing), (QueueId(1), 1, 1));
    assert_eq!(q1.longest_wait, Some(common::secs(12)));
    assert_eq!((q1.logged_in_agents, q1.members), (1, 2));
    assert_eq!(snap.queues[1].available_agents, 1);
    assert_eq!(snap.agents_by_state[&AgentStateKind::Ringing], 1);
    assert_eq!(snap.agents_by_state[&AgentStateKind::Available], 1);
    assert_eq!(snap.agents_by_state[&AgentStateKind::LoggedOut], 1);
}
