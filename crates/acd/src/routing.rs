//! Matching contacts and agents: the two routing decisions, the offer, and state changes.
//!
//! Invariant: no waiting contact has an available member of its queue who qualifies for it
//! (the two would have been matched). So each moment looks only where a match can appear:
//! - a contact joins a queue, comes back from a failed offer, or its required skills relax →
//!   the queue's strategy picks among the available members who qualify;
//! - an agent becomes available → they take the best contact they qualify for among their
//!   queues (routing profile first, then effective priority, then longest waiting); with none
//!   they join their queues' strategy indexes.

use std::cmp::Reverse;
use std::time::{Duration, Instant};

use crate::agent::Agent;
use crate::agent_state::{AgentState, ChangeCause};
use crate::contact::Urgency;
use crate::ids::{AgentId, ContactId, QueueId};
use crate::output::Output;
use crate::skills::qualifies;
use crate::strategy::{Member, Pick, Roster};
use crate::timers::Timer;

/// `now + d`, or `None` past the end of representable time (then the deadline never comes).
/// Settings are bounded (see `QueueConfig::validate`), so this only matters for absurd clocks.
pub(crate) fn after(now: Instant, d: Duration) -> Option<Instant> {
    now.checked_add(d)
}

impl crate::Acd {
    /// Changes an agent's state and records the change. An agent leaving `Available` leaves its
    /// queues' strategy indexes; entering `Available` does not join them: call
    /// [`dispatch_agent`](Self::dispatch_agent), which either offers a contact or joins them.
    pub(crate) fn set_state(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        to: AgentState,
        cause: ChangeCause,
    ) {
        let Some(agent) = self.agents.get_mut(&agent_id) else {
            return;
        };
        let from = std::mem::replace(&mut agent.state, to.clone());
        agent.since = Some(now);
        if from == AgentState::Available {
            for queue_id in agent.config.queues.keys() {
                if let Some(queue) = self.queues.get_mut(queue_id) {
                    queue.strategy.agent_unavailable(agent_id);
                }
            }
        }
        self.outputs.push_back(Output::AgentStateChanged {
            agent: agent_id,
            from,
            to,
            cause,
            at: now,
        });
    }

    /// Sets an agent available (idle since `now` unless `keep_idle_since`) and routes to them.
    pub(crate) fn become_available(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        cause: ChangeCause,
        keep_idle_since: bool,
    ) {
        if let Some(agent) = self.agents.get_mut(&agent_id)
            && !keep_idle_since
        {
            agent.stats.idle_since = Some(now);
        }
        self.set_state(now, agent_id, AgentState::Available, cause);
        self.dispatch_agent(now, agent_id);
    }

    /// An available agent takes the best waiting contact they qualify for, or, with none,
    /// joins their queues' strategy indexes.
    pub(crate) fn dispatch_agent(&mut self, now: Instant, agent_id: AgentId) {
        let Some(agent) = self.agents.get(&agent_id) else {
            return;
        };
        if agent.state != AgentState::Available {
            return;
        }
        match self.best_contact_for(now, agent) {
            Some(contact) => self.offer(now, contact, agent_id),
            None => {
                for (queue_id, membership) in &agent.config.queues {
                    if let Some(queue) = self.queues.get_mut(queue_id) {
                        let member = Member {
                            priority: membership.priority,
                            weight: queue.config.weights.get(&agent_id).copied().unwrap_or(1),
                        };
                        queue
                            .strategy
                            .member_available(agent_id, &agent.stats, member);
                    }
                }
            }
        }
    }

    /// The contact an agent should take: from the queues of their routing profile with the
    /// lowest membership priority number that hold a contact they qualify for, the most urgent
    /// one (effective priority at `now`, then longest waiting, then arrival order).
    ///
    /// Within a queue the waiting order is the urgency order, so the first contact the agent
    /// qualifies for is that queue's candidate; without required skills it is the head.
    fn best_contact_for(&self, now: Instant, agent: &Agent) -> Option<ContactId> {
        let mut best: Option<(u32, Reverse<Urgency>, Instant, u64, ContactId)> = None;
        for (queue_id, membership) in &agent.config.queues {
            let Some(queue) = self.queues.get(queue_id) else {
                continue;
            };
            let candidate = queue.waiting.iter().find_map(|key| {
                let contact = self.contacts.get(&key.contact)?;
                let takes =
                    contact.routable(now) && qualifies(&agent.config.skills, &contact.required);
                takes.then_some((key, contact))
            });
            let Some((key, contact)) = candidate else {
                continue;
            };
            let waited = now.saturating_duration_since(key.arrived_at);
            let urgency = Urgency::new(contact.priority, waited, queue.config.aging_step);
            let rank = (
                membership.priority,
                Reverse(urgency),
                key.arrived_at,
                key.seq,
                key.contact,
            );
            if best.as_ref().is_none_or(|b| rank < *b) {
                best = Some(rank);
            }
        }
        best.map(|(.., contact)| contact)
    }

    /// Offers one waiting contact to the agent its queue's strategy picks among the available
    /// members who qualify; with none it keeps waiting.
    pub(crate) fn dispatch_contact(&mut self, now: Instant, contact_id: ContactId) {
        let Some(contact) = self.contacts.get(&contact_id) else {
            return;
        };
        if contact.offered_to.is_some() || !contact.routable(now) {
            return;
        }
        let Some(queue) = self.queues.get_mut(&contact.queue) else {
            return;
        };
        // A callback reserves one agent: a person, not a phone, must take it.
        let ring_all = queue.strategy.rings_all() && contact.callback.is_none();
        loop {
            if queue.strategy.is_empty() {
                return;
            }
            let mut pick = Pick {
                contact: contact_id,
                queue: contact.queue,
                priority: contact.priority,
                arrived_at: contact.key.arrived_at,
                now,
                rng: &mut self.rng,
                roster: Roster::new(&self.agents),
                required: &contact.required,
            };
            if ring_all {
                let chosen = queue.strategy.choose_all(&mut pick);
                let (ready, stale): (Vec<AgentId>, Vec<AgentId>) =
                    chosen.into_iter().partition(|a| {
                        self.agents
                            .get(a)
                            .is_some_and(|a| a.state == AgentState::Available)
                    });
                for agent_id in stale {
                    queue.strategy.agent_unavailable(agent_id);
                }
                self.offer_all(now, contact_id, &ready);
                return;
            }
            let Some(agent_id) = queue.strategy.choose(&mut pick) else {
                return;
            };
            let available = self
                .agents
                .get(&agent_id)
                .is_some_and(|a| a.state == AgentState::Available);
            if available {
                self.offer(now, contact_id, agent_id);
                return;
            }
            // Cannot happen while the indexes follow the states; dropping the stale entry
            // keeps the loop finite if it ever does.
            queue.strategy.agent_unavailable(agent_id);
        }
    }

    /// Routes the queue's waiting contacts, most urgent first, until no available member is
    /// left; for changes that may match many at once (new settings, a new strategy).
    pub(crate) fn dispatch_queue(&mut self, now: Instant, queue_id: QueueId) {
        let Some(queue) = self.queues.get(&queue_id) else {
            return;
        };
        let waiting: Vec<ContactId> = queue.waiting.iter().map(|k| k.contact).collect();
        self.dispatch_in_order(now, waiting);
    }

    /// Routes these contacts one by one, stopping early once their queues have no available
    /// member left.
    pub(crate) fn dispatch_in_order(&mut self, now: Instant, contacts: Vec<ContactId>) {
        for contact_id in contacts {
            let Some(queue) = self.contacts.get(&contact_id).map(|c| c.queue) else {
                continue;
            };
            if self
                .queues
                .get(&queue)
                .is_some_and(|q| !q.strategy.is_empty())
            {
                self.dispatch_contact(now, contact_id);
            }
        }
    }

    /// Offers a waiting contact to an available agent: the contact leaves the waiting order
    /// (keeping its key for a return), the agent rings, the ring timeout is armed.
    pub(crate) fn offer(&mut self, now: Instant, contact_id: ContactId, agent_id: AgentId) {
        self.offer_all(now, contact_id, &[agent_id]);
    }

    /// Offers a waiting contact to these available agents at once (one, except for ring-all):
    /// the first is the contact's lead offer, the others ring beside it; one ring timeout
    /// covers them all.
    pub(crate) fn offer_all(&mut self, now: Instant, contact_id: ContactId, agents: &[AgentId]) {
        let Some((lead, others)) = agents.split_first() else {
            return;
        };
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        let queue_id = contact.queue;
        let Some(queue) = self.queues.get_mut(&queue_id) else {
            return;
        };
        queue.waiting.remove(&contact.key);
        contact.offered_to = Some(*lead);
        contact.also_ringing = others.to_vec();
        let ring_until = after(now, queue.config.ring_timeout);
        if let Some(at) = ring_until {
            self.timers.arm(at, Timer::Offer(contact_id));
        }
        let ring_until = ring_until.unwrap_or(now);
        for agent_id in agents {
            let Some(contact) = self.contacts.get(&contact_id) else {
                return;
            };
            let output = match &contact.callback {
                Some(callback) => Output::DialCallback {
                    contact: contact_id,
                    agent: *agent_id,
                    queue: queue_id,
                    number: callback.number.clone(),
                    attempt: callback.failed_attempts + 1,
                    give_up_at: ring_until,
                },
                None => Output::Offer {
                    contact: contact_id,
                    agent: *agent_id,
                    queue: queue_id,
                    ring_until,
                },
            };
            if let Some(queue) = self.queues.get_mut(&queue_id) {
                queue.strategy.offered(*agent_id);
            }
            if let Some(agent) = self.agents.get_mut(agent_id) {
                agent.stats.last_offered = Some(now);
            }
            self.outputs.push_back(output);
            let ringing = AgentState::Ringing {
                contact: contact_id,
                queue: queue_id,
            };
            self.set_state(now, *agent_id, ringing, ChangeCause::Offered);
        }
    }
}
