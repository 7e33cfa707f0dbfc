//! Property tests: random sequences of inputs on a simulated clock, checked against a model
//! built only from the inputs accepted and the outputs seen.
//!
//! Checked after every output or step: no contact is lost or duplicated (each is answered, has
//! left, or is in exactly one queue); an agent never holds two offers and a contact is never
//! offered twice at once; an offered agent was available, a member of the contact's queue and
//! qualified for it; the offered contact is the best one the agent could serve (their routing
//! profile's first queues, then highest effective priority with aging, then longest waiting,
//! among the contacts they qualify for); announced positions are right; no queue keeps a
//! waiting contact while a qualified member is available; a refused input changes nothing.
//!
//! The floor mixes every feature the order depends on: queue 0 rings all and ages priorities
//! every 20 s,
//! queue 1 requires `tier` 2 relaxed to 1 after 30 s and to anyone after 60 s, queue 2 ages
//! every 10 s and routes by best skill match, queue 3 is weighted random, a queue added later is
//! linear; agents have `tier` 1–3, half speak French, and every agent's second queue has
//! membership priority 2. Some callers require French. Queue 3 overflows to queue 0 after 45 s
//! and turns callers away when nobody is logged in; queue 2's callers leave when its last agent
//! logs out. Waiting callers may turn into callbacks, which keep their place, are dialled in
//! turn and retried 2 minutes after a failed attempt, 3 attempts at most.

mod common;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use acd::{
    AcdError, AgentId, AgentState, AgentStateKind, ContactId, Input, Membership, OfferFailure,
    Output, Overflow, QueueConfig, QueueId, Relaxation, StrategyKind,
};
use common::{Harness, agent, queue, secs};
use proptest::prelude::*;

const QUEUES: u64 = 4;
const AGENTS: u64 = 5;

#[derive(Debug, Clone)]
enum Op {
    Arrive {
        queue: u64,
        priority: i32,
        french: bool,
    },
    Callback {
        pick: usize,
    },
    CallbackOutcome {
        pick: usize,
        answered: bool,
    },
    ArriveDuplicate {
        pick: usize,
    },
    Abandon {
        pick: usize,
    },
    Answer {
        pick: usize,
    },
    Fail {
        pick: usize,
        reason: OfferFailure,
    },
    AnswerUnoffered {
        contact: u64,
        agent: u64,
    },
    CallEnd {
        agent: u64,
    },
    Login {
        agent: u64,
        not_ready: bool,
    },
    Ready {
        agent: u64,
    },
    NotReady {
        agent: u64,
        reason: usize,
    },
    Logout {
        agent: u64,
    },
    ExtendWrapUp {
        agent: u64,
        by: u64,
    },
    Move {
        pick: usize,
        queue: u64,
    },
    Join {
        agent: u64,
        queue: u64,
        priority: u32,
    },
    Leave {
        agent: u64,
        queue: u64,
    },
    RemoveQueue {
        queue: u64,
    },
    AddQueue {
        queue: u64,
    },
    Advance {
        secs: u64,
    },
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
        6 => (queue_id.clone(), -1i32..3, prop::bool::weighted(0.3))
            .prop_map(|(queue, priority, french)| Op::Arrive { queue, priority, french }),
        1 => any::<usize>().prop_map(|pick| Op::ArriveDuplicate { pick }),
        2 => any::<usize>().prop_map(|pick| Op::Callback { pick }),
        3 => (any::<usize>(), any::<bool>())
            .prop_map(|(pick, answered)| Op::CallbackOutcome { pick, answered }),
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
        1 => (agent_id.clone(), queue_id.clone(), 1..3u32)
            .prop_map(|(agent, queue, priority)| Op::Join { agent, queue, priority }),
        1 => (agent_id.clone(), queue_id.clone()).prop_map(|(agent, queue)| Op::Leave { agent, queue }),
        1 => queue_id.clone().prop_map(|queue| Op::RemoveQueue { queue }),
        1 => queue_id.prop_map(|queue| Op::AddQueue { queue }),
        5 => prop_oneof![0..5u64, 5..40u64].prop_map(|secs| Op::Advance { secs }),
    ]
}

fn queue_config(id: u64) -> QueueConfig {
    let mut q = queue(id);
    q.aging_step = aging_step(QueueId(id)).map(secs);
    match id {
        0 => {
            q.strategy = StrategyKind::RingAll;
            q.wrap_up = Duration::ZERO;
            q.max_length = Some(4);
        }
        1 => {
            q.strategy = StrategyKind::RoundRobin;
            q.missed_offers_limit = 2;
            q.max_wait = Some(secs(90));
            q.required_skills.insert("tier".into(), 2);
            q.relaxations = vec![
                Relaxation::skill(secs(30), "tier", 1),
                Relaxation::any_agent(secs(60)),
            ];
        }
        2 => {
            q.strategy = StrategyKind::BestSkillMatch;
            q.wrap_up = secs(5);
            q.announce_period = Some(secs(7));
            q.leave_empty = true;
        }
        3 => {
            q.strategy = StrategyKind::WeightedRandom;
            q.weights.insert(AgentId(3), 3);
            q.overflow = Some(Overflow {
                after: secs(45),
                to: QueueId(0),
            });
            q.join_empty = false;
        }
        _ => q.strategy = StrategyKind::Linear,
    }
    q
}

/// Whether a queue rings all its qualified available members at once.
fn ring_all(queue: QueueId) -> bool {
    queue.0 == 0
}

/// Seconds per priority level gained while waiting.
fn aging_step(queue: QueueId) -> Option<u64> {
    match queue.0 {
        0 => Some(20),
        2 => Some(10),
        _ => None,
    }
}

/// An agent's `tier` level and whether they speak French.
fn agent_skills(agent: u64) -> (u8, bool) {
    ((agent % 3) as u8 + 1, agent.is_multiple_of(2))
}

#[derive(Debug, Clone)]
struct Waiter {
    queue: QueueId,
    priority: i32,
    seq: u64,
    /// Seconds since the origin.
    arrived: u64,
    french: bool,
    /// Agents ringing for it (several only in the ring-all queue).
    ringing: BTreeSet<AgentId>,
    /// Set for a callback: failed attempts so far, and not routed before this second.
    callback: Option<(u32, u64)>,
}

impl Waiter {
    /// The order within its queue; smaller is served first. With aging, a priority level is
    /// worth one aging step of waiting.
    fn rank(&self) -> (i64, i64, u64) {
        let priority = i64::from(self.priority);
        match aging_step(self.queue) {
            None => (-priority, self.arrived as i64, self.seq),
            Some(step) => (0, self.arrived as i64 - priority * step as i64, self.seq),
        }
    }

    /// Effective priority at `t` as a fraction: `priority + waited / step`.
    fn urgency(&self, t: u64) -> (i64, i64) {
        let priority = i64::from(self.priority);
        match aging_step(self.queue) {
            None => (priority, 1),
            Some(step) => (
                priority * step as i64 + (t - self.arrived) as i64,
                step as i64,
            ),
        }
    }

    /// Whether it may be offered at `t` (a callback pauses between attempts).
    fn routable(&self, t: u64) -> bool {
        self.callback.is_none_or(|(_, not_before)| not_before <= t)
    }

    /// Whether an agent qualifies at `t`: queue 1's `tier` 2 relaxes to 1 after 30 s and to
    /// nothing (French included) after 60 s; French callers need a French speaker.
    fn takes(&self, agent: AgentId, t: u64) -> bool {
        let (tier, french) = agent_skills(agent.0);
        let waited = t - self.arrived;
        if self.queue == QueueId(1) && waited >= 60 {
            return true;
        }
        let min_tier = match (self.queue.0, waited) {
            (1, 0..30) => 2,
            (1, _) => 1,
            _ => 0,
        };
        tier >= min_tier && (french || !self.french)
    }
}

/// Orders contacts as an agent must serve them at `t`: the lowest membership priority first,
/// then the highest effective priority, then the earliest arrival.
fn serve_order(a: (u32, &Waiter), b: (u32, &Waiter), t: u64) -> Ordering {
    let (an, ad) = a.1.urgency(t);
    let (bn, bd) = b.1.urgency(t);
    // Higher urgency first: compare b's to a's.
    let urgency = (i128::from(bn) * i128::from(ad)).cmp(&(i128::from(an) * i128::from(bd)));
    a.0.cmp(&b.0)
        .then(urgency)
        .then(a.1.arrived.cmp(&b.1.arrived))
        .then(a.1.seq.cmp(&b.1.seq))
}

/// What the engine must look like, rebuilt from accepted inputs and outputs only.
#[derive(Debug, Default)]
struct Model {
    contacts: BTreeMap<ContactId, Waiter>,
    states: BTreeMap<AgentId, AgentStateKind>,
    /// Each agent's queues with the membership priority.
    members: BTreeMap<AgentId, BTreeMap<QueueId, u32>>,
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
            .filter(move |(_, w)| w.queue == q && w.ringing.is_empty())
    }

    fn apply(&mut self, t: u64, output: &Output) -> Result<(), TestCaseError> {
        match output {
            Output::Offer {
                contact,
                agent,
                queue,
                ..
            }
            | Output::DialCallback {
                contact,
                agent,
                queue,
                ..
            } => {
                let dial = matches!(output, Output::DialCallback { .. });
                prop_assert_eq!(self.states.get(agent), Some(&AgentStateKind::Available));
                prop_assert!(!self.offers.contains_key(agent), "agent holds two offers");
                let Some(tier) = self.members[agent].get(queue).copied() else {
                    return Err(TestCaseError::fail("agent not a member"));
                };
                let Some(w) = self.contacts.get(contact).cloned() else {
                    return Err(TestCaseError::fail("offered contact unknown"));
                };
                prop_assert!(
                    w.ringing.is_empty() || (ring_all(w.queue) && w.callback.is_none()),
                    "contact offered twice at once outside ring-all"
                );
                prop_assert_eq!(w.queue, *queue);
                prop_assert!(w.takes(*agent, t), "{:?} does not qualify", agent);
                prop_assert_eq!(
                    dial,
                    w.callback.is_some(),
                    "callbacks are dialled, others offered"
                );
                prop_assert!(w.routable(t), "callback dialled before its retry");
                for (q, other_tier) in &self.members[agent] {
                    let candidates = self
                        .waiting_in(*q)
                        .filter(|(_, o)| o.takes(*agent, t) && o.routable(t));
                    for (other, o) in candidates {
                        prop_assert!(
                            serve_order((*other_tier, o), (tier, &w), t) != Ordering::Less,
                            "{:?} was served before the better {:?}",
                            contact,
                            other
                        );
                    }
                }
                self.offers.insert(*agent, *contact);
                if let Some(w) = self.contacts.get_mut(contact) {
                    w.ringing.insert(*agent);
                }
            }
            Output::OfferTimedOut { contact, agent } => {
                prop_assert_eq!(self.offers.remove(agent), Some(*contact));
                if let Some(w) = self.contacts.get_mut(contact) {
                    w.ringing.remove(agent);
                }
                self.callback_failed(*contact, t);
            }
            Output::OfferWithdrawn { contact, agent } => {
                prop_assert_eq!(self.offers.remove(agent), Some(*contact));
                if let Some(w) = self.contacts.get_mut(contact) {
                    w.ringing.remove(agent);
                }
            }
            Output::ContactOverflowed {
                contact, from, to, ..
            } => {
                let Some(w) = self.contacts.get_mut(contact) else {
                    return Err(TestCaseError::fail("unknown contact overflowed"));
                };
                prop_assert_eq!(w.queue, *from);
                prop_assert!(w.ringing.is_empty(), "overflowed while ringing");
                prop_assert_eq!((from.0, to.0), (3, 0));
                w.queue = *to;
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
                prop_assert!(w.ringing.is_empty(), "left while an offer rang");
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
                prop_assert!(w.ringing.is_empty(), "announced while ringing");
                prop_assert!(w.callback.is_none(), "announced to a callback");
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
        let t = h.at_secs();
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
            for (a, qs) in &self.members {
                let idle = qs.contains_key(&q) && self.states[a] == AgentStateKind::Available;
                let qualified = self
                    .waiting_in(q)
                    .any(|(_, w)| w.takes(*a, t) && w.routable(t));
                prop_assert!(
                    !(idle && qualified),
                    "{:?} idles while {:?} has a contact they qualify for",
                    a,
                    q
                );
            }
        }
        for (c, w) in &self.contacts {
            let Some(view) = h.acd.contact(*c) else {
                return Err(TestCaseError::fail(format!("{c:?} lost")));
            };
            prop_assert_eq!(view.queue, w.queue);
            match view.offered_to {
                Some(lead) => prop_assert!(w.ringing.contains(&lead), "lead not ringing"),
                None => prop_assert!(w.ringing.is_empty(), "ringing but no lead"),
            }
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
            for (at, output) in h.take_timed() {
                m.apply(since(h, at), &output)?;
            }
            return Ok(());
        }
        Op::Arrive {
            queue,
            priority,
            french,
        } => {
            m.next_contact += 1;
            let contact = ContactId(m.next_contact);
            let queue = QueueId(queue);
            match french {
                false => Input::ContactArrived {
                    contact,
                    queue,
                    priority,
                },
                true => Input::ContactArrivedWithSkills {
                    contact,
                    queue,
                    priority,
                    skills: [("language:fr".to_owned(), 5)].into(),
                },
            }
        }
        Op::Callback { pick: i } => Input::ConvertToCallback {
            contact: pick(&alive, i).unwrap_or(ContactId(999)),
            number: "+33100000000".into(),
        },
        Op::CallbackOutcome { pick: i, answered } => {
            let dialled: Vec<ContactId> = offers
                .iter()
                .map(|(_, c)| *c)
                .filter(|c| m.contacts.get(c).is_some_and(|w| w.callback.is_some()))
                .collect();
            let contact = pick(&dialled, i)
                .or(pick(&alive, i))
                .unwrap_or(ContactId(999));
            match answered {
                true => Input::CallbackAnswered { contact },
                false => Input::CallbackFailed { contact },
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
        Op::Join {
            agent,
            queue,
            priority,
        } => Input::JoinQueue {
            agent: AgentId(agent),
            queue: QueueId(queue),
            membership: Membership { priority },
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
    let t = h.at_secs();
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
            } => m.arrived(contact, queue, priority, false, t),
            Input::ContactArrivedWithSkills {
                contact,
                queue,
                priority,
                ..
            } => m.arrived(contact, queue, priority, true, t),
            Input::ConvertToCallback { contact, .. } => {
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.callback = Some((0, 0));
                }
            }
            Input::CallbackFailed { contact } => {
                m.offers.retain(|_, c| *c != contact);
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.ringing.clear();
                }
                m.callback_failed(contact, t);
            }
            Input::OfferFailed { contact, agent, .. } => {
                prop_assert_eq!(m.offers.remove(&agent), Some(contact));
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.ringing.remove(&agent);
                }
            }
            Input::MoveContact { contact, queue } => {
                if let Some(w) = m.contacts.get_mut(&contact) {
                    w.queue = queue;
                }
            }
            Input::JoinQueue {
                agent,
                queue,
                membership,
            } => {
                m.members
                    .entry(agent)
                    .or_default()
                    .insert(queue, membership.priority);
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
        m.apply(t, output)?;
    }
    Ok(())
}

/// Whole seconds from the harness's origin to `at`.
fn since(h: &Harness, at: Instant) -> u64 {
    (at - h.t0).as_secs()
}

impl Model {
    /// Records an accepted arrival; a full queue's refusal is an output the model applies.
    fn arrived(&mut self, contact: ContactId, queue: QueueId, priority: i32, french: bool, t: u64) {
        self.next_seq += 1;
        self.contacts.insert(
            contact,
            Waiter {
                queue,
                priority,
                seq: self.next_seq,
                arrived: t,
                french,
                ringing: BTreeSet::new(),
                callback: None,
            },
        );
    }

    /// A callback attempt failed at `t`: the next is 120 s later (the default retry delay);
    /// the last attempt's `ContactLeft` follows as an output.
    fn callback_failed(&mut self, contact: ContactId, t: u64) {
        if let Some(w) = self.contacts.get_mut(&contact)
            && let Some((failed, _)) = w.callback
        {
            w.callback = Some((failed + 1, t + 120));
        }
    }
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
        .map(|(a, qs)| {
            let (tier, french) = agent_skills(a as u64);
            let mut config = agent(a as u64, qs).with_skill("tier", tier);
            if french {
                config = config.with_skill("language:fr", 6);
            }
            if let Some(second) = qs.get(1) {
                config = config.with_priority(QueueId(*second), 2);
            }
            config
        })
        .collect();
    let h = Harness::new(queues, agents);
    let mut m = Model {
        queues: (0..QUEUES).map(QueueId).collect(),
        ..Model::default()
    };
    for (a, qs) in memberships.iter().enumerate() {
        let id = AgentId(a as u64);
        m.states.insert(id, AgentStateKind::LoggedOut);
        let profile = qs
            .iter()
            .enumerate()
            .map(|(i, q)| (QueueId(*q), i as u32 + 1))
            .collect();
        m.members.insert(id, profile);
    }
    (h, m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_keep_every_invariant(ops in proptest::collection::vec(op(), 1..250)) {
        exercise(&ops)?;
    }
}

/// Runs the ops, checking the model after each, then drains the floor: every agent logs in and
/// joins every queue, offers are answered and calls end until no contact is left.
fn exercise(ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut h, mut m) = floor();
    for op in ops {
        run(&mut h, &mut m, op)?;
        m.check(&h)?;
    }
    // Drain: everyone answers, calls end, nothing stays lost.
    for agent in 0..AGENTS {
        let _ = h.send(Input::Login {
            agent: AgentId(agent),
            not_ready: None,
        });
        let _ = h.send(Input::Ready {
            agent: AgentId(agent),
        });
        let t = h.at_secs();
        for o in &h.take() {
            m.apply(t, o)?;
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
                m.members.entry(AgentId(a)).or_default().insert(q, 0);
            }
            let t = h.at_secs();
            for o in h.take() {
                m.apply(t, &o)?;
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
    prop_assert!(
        m.contacts.is_empty(),
        "contacts never served: {:?}",
        m.contacts
    );
    Ok(())
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
