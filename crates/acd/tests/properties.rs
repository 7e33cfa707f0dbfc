//! Property tests: random sequences of inputs on a simulated clock, checked against a model
//! built only from the inputs accepted and the outputs seen.
//!
//! Checked after every output or step: no contact is lost or duplicated (each is answered, has
//! left, or is in exactly one queue); an agent never holds two offers and a contact is never
//! offered twice at once; an offered agent was available and a member of the contact's queue;
//! the offered contact is the best one the agent could serve (highest priority, then longest
//! waiting); announced positions are right; no queue keeps a waiting contact while a member is
//! available; a refused input changes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use acd::{
    AcdError, AgentId, AgentState, AgentStateKind, ContactId, Input, Membership, OfferFailure,
    Output, QueueConfig, QueueId, StrategyKind,
};
use common::{Harness, agent, queue, secs};
use proptest::prelude::*;

const QUEUES: u64 = 3;
const AGENTS: u64 = 5;

#[derive(Debug, Clone)]
enum Op {
    Arrive { queue: u64, priority: i32 },
    ArriveDuplicate { pick: usize },
    Abandon { pick: usize },
    Answer { pick: usize },
    Fail { pick: usize, reason: OfferFailure },
    AnswerUnoffered { contact: u64, agent: u64 },
    CallEnd { agent: u64 },
    Login { agent: u64, not_ready: bool },
    Ready { agent: u64 },
    NotReady { agent: u64, reason: usize },
    Logout { agent: u64 },
    ExtendWrapUp { agent: u64, by: u64 },
    Move { pick: usize, queue: u64 },
    Join { agent: u64, queue: u64 },
    Leave { agent: u64, queue: u64 },
    RemoveQueue { queue: u64 },
    AddQueue { queue: u64 },
    Advance { secs: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let agent_id = 0..AGENTS + 1; // AGENTS itself is unknown
    let queue_id = 0..QUEUES + 1; // QUEUES itself is unknown
    let reason = prop_oneof![
        Just(OfferFailure::NoAnswer),
        Just(OfferFailure::Busy),
        Just(OfferFailure::Rejected),
        Just(OfferFailure::Unreachable),
    ];
    prop_oneof![
        6 => (queue_id.clone(), -1i32..3).prop_map(|(queue, priority)| Op::Arrive { queue, priority }),
        1 => any::<usize>().prop_map(|pick| Op::ArriveDuplicate { pick }),
        2 => any::<usize>().prop_map(|pick| Op::Abandon { pick }),
        5 => any::<usize>().prop_map(|pick| Op::Answer { pick }),
        2 => (any::<usize>(), reason).prop_map(|(pick, reason)| Op::Fail { pick, reason }),
        1 => (0..20u64, agent_id.clone()).prop_map(|(contact, agent)| Op::AnswerUnoffered { contact, agent }),
        4 => agent_id.clone().prop_map(|agent| Op::CallEnd { agent }),
        3 => (agent_id.clone(), any::<bool>()).prop_map(|(agent, not_ready)| Op::Login { agent, not_ready }),
        3 => agent_id.clone().prop_map(|agent| Op::Ready { agent }),
        2 => (agent_id.clone(), 0..3usize).prop_map(|(agent, reason)| Op::NotReady { agent, reason }),
        1 => agent_id.clone().prop_map(|agent| Op::Logout { agent }),
        1 => (agent_id.clone(), 0..20u64).prop_map(|(agent, by)| Op::ExtendWrapUp { agent, by }),
        1 => (any::<usize>(), queue_id.clone()).prop_map(|(pick, queue)| Op::Move { pick, queue }),
        1 => (agent_id.clone(), queue_id.clone()).prop_map(|(agent, queue)| Op::Join { agent, queue }),
        1 => (agent_id.clone(), queue_id.clone()).prop_map(|(agent, queue)| Op::Leave { agent, queue }),
        1 => queue_id.clone().prop_map(|queue| Op::RemoveQueue { queue }),
        1 => queue_id.prop_map(|queue| Op::AddQueue { queue }),
        5 => prop_oneof![0..5u64, 5..40u64].prop_map(|secs| Op::Advance { secs }),
    ]
}

fn queue_config(id: u64) -> QueueConfig {
    let mut q = queue(id);
    match id {
        0 => {
            q.wrap_up = Duration::ZERO;
            q.max_length = Some(4);
        }
        1 => {
            q.strategy = StrategyKind::RoundRobin;
            q.missed_offers_limit = 2;
            q.max_wait = Some(secs(90));
        }
        _ => {
            q.strategy = StrategyKind::Random;
            q.wrap_up = secs(5);
            q.announce_period = Some(secs(7));
        }
    }
    q
}

#[derive(Debug, Clone)]
struct Waiter {
    queue: QueueId,
    priority: i32,
    seq: u64,
    offered_to: Option<AgentId>,
}

impl Waiter {
    /// Smaller is served first.
    fn rank(&self) -> (i32, u64) {
        (-self.priority, self.seq)
    }
}

/// What the engine must look like, rebuilt from accepted inputs and outputs only.
#[derive(Debug, Default)]
struct Model {
    contacts: BTreeMap<ContactId, Waiter>,
    states: BTreeMap<AgentId, AgentStateKind>,
    members: BTreeMap<AgentId, BTreeSet<QueueId>>,
    queues: BTreeSet<QueueId>,
    offers: BTreeMap<AgentId, ContactId>,
    next_contact: u64,
    next_seq: u64,
    finished: u64,
}

impl Model {
    fn waiting_in(&self, q: QueueId) -> impl Iterator<Item = (&ContactId, &Waiter)> {
        self.contacts
            .iter()
            .filter(move |(_, w)| w.queue == q && w.offered_to.is_none())
    }

    fn apply(&mut self, output: &Output) -> Result<(), TestCaseError> {
        match output {
            Output::Offer {
                contact,
                agent,
                queue,
                ..
            } => {
                prop_assert_eq!(self.states.get(agent), Some(&AgentStateKind::Available));
                prop_assert!(!self.offers.contains_key(agent), "agent holds two offers");
                prop_assert!(self.members[agent].contains(queue), "agent not a member");
                let Some(w) = self.contacts.get(contact).cloned() else {
                    return Err(TestCaseError::fail("offered contact unknown"));
                };
                prop_assert_eq!(w.offered_to, None, "contact offered twice at once");
                prop_assert_eq!(w.queue, *queue);
                for q in &self.members[agent] {
                    for (other, o) in self.waiting_in(*q) {
                        prop_assert!(
                            o.rank() >= w.rank(),
                            "{:?} was served before the better {:?}",
                            contact,
                            other
                        );
                    }
                }
                self.offers.insert(*agent, *contact);
                if let Some(w) = self.contacts.get_mut(contact) {
                    w.offered_to = Some(*agent);
                }
            }
            Output::OfferTimedOut { contact, agent }
            | Output::OfferWithdrawn { contact, agent } => {
                prop_assert_eq!(self.offers.remove(agent), Some(*contact));
                if let Some(w) = self.contacts.get_mut(contact) {
                    w.offered_to = None;
                }
            }
            Output::ContactAnswered {
                contact,
                agent,
                queue,
                ..
            } => {
                prop_assert_eq!(self.offers.remove(agent), Some(*contact));
                let w = self.contacts.remove(contact);
                prop_assert_eq!(w.map(|w| w.queue), Some(*queue));
                self.finished += 1;
            }
            Output::ContactLeft { contact, queue, .. } => {
                let Some(w) = self.contacts.remove(contact) else {
                    return Err(TestCaseError::fail("unknown contact left"));
                };
                prop_assert_eq!(w.queue, *queue);
                prop_assert_eq!(w.offered_to, None, "left while an offer rang");
                self.finished += 1;
            }
            Output::AnnouncePosition {
                contact,
                queue,
                position,
                ..
            } => {
                let Some(w) = self.contacts.get(contact).cloned() else {
                    return Err(TestCaseError::fail("unknown contact announced"));
                };
                prop_assert_eq!(w.queue, *queue);
                prop_assert_eq!(w.offered_to, None, "announced while ringing");
                let ahead = self
                    .waiting_in(*queue)
                    .filter(|(_, o)| o.rank() < w.rank())
                    .count();
                prop_assert_eq!(*position, ahead + 1);
            }
            Output::AgentStateChanged {
                agent, from, to, ..
            } => {
                prop_assert_eq!(self.states.get(agent), Some(&from.kind()));
                if from.kind() == AgentStateKind::Ringing {
                    prop_assert!(!self.offers.contains_key(agent), "offer still outstanding");
                }
                if let AgentState::Ringing { contact, .. } = to {
                    prop_assert_eq!(self.offers.get(agent), Some(contact));
                }
                self.states.insert(*agent, to.kind());
            }
            Output::WrapUpExtended { agent, .. } => {
                prop_assert_eq!(self.states.get(agent), Some(&AgentStateKind::WrapUp));
            }
        }
        Ok(())
    }

    /// The engine's views agree with the model.
    fn check(&self, h: &Harness) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            h.acd.contact_count(),
            self.contacts.len(),
            "contact lost or invented"
        );
        let mut seen = BTreeSet::new();
        for q in h.acd.queue_ids() {
            let waiting = h.acd.waiting_contacts(q).expect("listed queue exists");
            let mut expected: Vec<_> = self.waiting_in(q).collect();
            expected.sort_by_key(|(_, w)| w.rank());
            let expected: Vec<ContactId> = expected.into_iter().map(|(c, _)| *c).collect();
            prop_assert_eq!(&waiting, &expected, "queue {:?} order", q);
            for c in &waiting {
                prop_assert!(seen.insert(*c), "{:?} waits in two queues", c);
            }
            if !waiting.is_empty() {
                for (a, qs) in &self.members {
                    prop_assert!(
                        !(qs.contains(&q) && self.states[a] == AgentStateKind::Available),
                        "{:?} idles while {:?} has waiting contacts",
                        a,
                        q
                    );
                }
            }
        }
        for (c, w) in &self.contacts {
            let Some(view) = h.acd.contact(*c) else {
                return Err(TestCaseError::fail(format!("{c:?} lost")));
            };
            prop_assert_eq!(view.queue, w.queue);
            prop_assert_eq!(view.offered_to, w.offered_to);
        }
        for (a, kind) in &self.states {
            let state = h.acd.agent_state(*a).expect("modelled agent exists");
            prop_assert_eq!(state.kind(), *kind);
            if let AgentState::Ringing { contact, .. } = state {
                prop_assert_eq!(self.offers.get(a), Some(contact));
            }
        }
        Ok(())
    }
}

fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()])
}

/// Runs one op: the input, if any, and what the model expects it to change when accepted.
fn run(h: &mut Harness, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let alive: Vec<ContactId> = m.contacts.keys().copied().collect();
    let offers: Vec<(AgentId, ContactId)> = m.offers.iter().map(|(a, c)| (*a, *c)).collect();
    let input = match *op {
        Op::Advance { secs } => {
            h.advance(secs);
            for output in h.take() {
                m.apply(&output)?;
            }
            return Ok(());
        }
        Op::Arrive { queue, priority } => {
            m.next_contact += 1;
            Input::ContactArrived {
                contact: ContactId(m.next_contact),
                queue: QueueId(queue),
                priority,
            }
        }
        Op::ArriveDuplicate { pick: i } => match pick(&alive, i) {
            Some(contact) => Input::ContactArrived {
                contact,
                queue: QueueId(0),
                priority: 0,
            },
            None => return Ok(()),
        },
        Op::Abandon { pick: i } => Input::ContactAbandoned {
            contact: pick(&alive, i).unwrap_or(ContactId(999)),
        },
        Op::Answer { pick: i } => match pick(&offers, i) {
            Some((agent, contact)) => Input::OfferAnswered { contact, agent },
            None => return Ok(()),
        },
        Op::Fail { pick: i, reason } => match pick(&offers, i) {
            Some((agent, contact)) => Input::OfferFailed {
                contact,
                agent,
                reason,
            },
            None => return Ok(()),
        },
        Op::AnswerUnoffered { contact, agent } => Input::OfferAnswered {
            contact: ContactId(contact),
            agent: AgentId(agent),
        },
        Op::CallEnd { agent } => Input::CallEnded {
            agent: AgentId(agent),
        },
        Op::Login { agent, not_ready } => Input::Login {
            agent: AgentId(agent),
            not_ready: not_ready.then(|| "training".to_owned()),
        },
        Op::Ready { agent } => Input::Ready {
            agent: AgentId(agent),
        },
        Op::NotReady { agent, reason } => Input::NotReady {
            agent: AgentId(agent),
            reason: ["break", "lunch", ""][reason].to_owned(),
        },
        Op::Logout { agent } => Input::Logout {
            agent: AgentId(agent),
        },
        Op::ExtendWrapUp { agent, by } => Input::ExtendWrapUp {
            agent: AgentId(agent),
            by: secs(by),
        },
        Op::Move { pick: i, queue } => Input::MoveContact {
            contact: pick(&alive, i).unwrap_or(ContactId(999)),
            queue: QueueId(queue),
        },
        Op::Join { agent, queue } => Input::JoinQueue {
            agent: AgentId(agent),
            queue: QueueId(queue),
            membership: Membership { priority: 2 },
        },
        Op::Leave { agent, queue } => Input::LeaveQueue {
            agent: AgentId(agent),
            queue: QueueId(queue),
        },
        Op::RemoveQueue { queue } => Input::RemoveQueue {
            queue: QueueId(queue),
        },
        Op::AddQueue { queue } => Input::AddQueue(queue_config(queue)),
    };

    let before = h.acd.snapshot(h.now);
    let result = h.send(input.clone());
    let outputs = h.take();
    match result {
        Err(err) => {
            prop_assert!(outputs.is_empty(), "{:?} refused with outputs", err);
            prop_assert_eq!(
                &h.acd.snapshot(h.now),
                &before,
                "{:?} refused but changed",
                err
            );
            return Ok(());
        }
        Ok(()) => match input {
            Input::ContactArrived {
                contact,
                queue,
                priority,
            } => {
                m.next_seq += 1;
                m.contacts.insert(
                    contact,
                    Waiter {
                        queue,
                        priority,
                        seq: m.next_seq,
                        offered_to: None,
                    },
                );
            }
            Input::OfferFailed { contact, agent, .. } => {
                prop_assert_eq!(m.offers.remove(&agent), Some(contact));
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.offered_to = None;
                }
            }
            Input::MoveContact { contact, queue } => {
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.queue = queue;
                }
            }
            Input::JoinQueue { agent, queue, .. } => {
                m.members.entry(agent).or_default().insert(queue);
            }
            Input::LeaveQueue { agent, queue } => {
                m.members.entry(agent).or_default().remove(&queue);
            }
            Input::RemoveQueue { queue } => {
                m.queues.remove(&queue);
                for qs in m.members.values_mut() {
                    qs.remove(&queue);
                }
            }
            Input::AddQueue(config) => {
                m.queues.insert(config.id);
            }
            _ => {}
        },
    }
    for output in &outputs {
        m.apply(output)?;
    }
    Ok(())
}

fn floor() -> (Harness, Model) {
    let queues: Vec<_> = (0..QUEUES).map(queue_config).collect();
    let memberships: Vec<Vec<u64>> = (0..AGENTS)
        .map(|a| match a {
            0 => vec![0],
            a => vec![a % QUEUES, (a + 1) % QUEUES],
        })
        .collect();
    let agents = memberships
        .iter()
        .enumerate()
        .map(|(a, qs)| agent(a as u64, qs))
        .collect();
    let h = Harness::new(queues, agents);
    let mut m = Model {
        queues: (0..QUEUES).map(QueueId).collect(),
        ..Model::default()
    };
    for (a, qs) in memberships.iter().enumerate() {
        let id = AgentId(a as u64);
        m.states.insert(id, AgentStateKind::LoggedOut);
        m.members
            .insert(id, qs.iter().map(|q| QueueId(*q)).collect());
    }
    (h, m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_keep_every_invariant(ops in proptest::collection::vec(op(), 1..250)) {
        let (mut h, mut m) = floor();
        for op in &ops {
            run(&mut h, &mut m, op)?;
            m.check(&h)?;
        }
        // Drain: everyone answers, calls end, nothing stays lost.
        for agent in 0..AGENTS {
            let _ = h.send(Input::Login { agent: AgentId(agent), not_ready: None });
            let _ = h.send(Input::Ready { agent: AgentId(agent) });
            let outputs = h.take();
            for o in &outputs {
                m.apply(o)?;
            }
        }
        for q in h.acd.queue_ids() {
            for a in 0..AGENTS {
                let input = Input::JoinQueue {
                    agent: AgentId(a),
                    queue: q,
                    membership: Membership::default(),
                };
                if h.send(input).is_ok() {
                    m.members.entry(AgentId(a)).or_default().insert(q);
                }
                for o in h.take() {
                    m.apply(&o)?;
                }
            }
        }
        for _ in 0..2_000 {
            if m.contacts.is_empty() {
                break;
            }
            for _ in 0..m.offers.len() {
                run(&mut h, &mut m, &Op::Answer { pick: 0 })?;
            }
            for agent in 0..AGENTS {
                if m.states[&AgentId(agent)] == AgentStateKind::OnCall {
                    run(&mut h, &mut m, &Op::CallEnd { agent })?;
                }
            }
            run(&mut h, &mut m, &Op::Advance { secs: 5 })?;
            m.check(&h)?;
        }
        prop_assert!(m.contacts.is_empty(), "contacts never served: {:?}", m.contacts);
    }
}

#[test]
fn a_refused_input_reports_why() {
    let (mut h, _) = floor();
    assert_eq!(
        h.send(Input::CallEnded {
            agent: AgentId(AGENTS)
        }),
        Err(AcdError::UnknownAgent(AgentId(AGENTS)))
    );
}
