//! Matching contacts and agents: the two routing decisions, the offer, and state changes.
//!
//! Two moments need a decision, and each looks only where the queue invariant (no queue holds a
//! waiting contact and an available member at once) says a match can be:
//! - a contact joins a queue → the queue's strategy picks among its available members;
//! - an agent becomes available → they take the best head among their queues (highest priority,
//!   then longest waiting); with no contact waiting they join their queues' strategy indexes.

use std::time::{Duration, Instant};

use crate::agent_state::{AgentState, ChangeCause};
use crate::ids::{AgentId, ContactId, QueueId};
use crate::output::Output;
use crate::strategy::{Pick, Roster};
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

    /// An available agent takes the best waiting contact of their queues, or, with none
    /// waiting, joins their queues' strategy indexes.
    pub(crate) fn dispatch_agent(&mut self, now: Instant, agent_id: AgentId) {
        let Some(agent) = self.agents.get(&agent_id) else {
            return;
        };
        if agent.state != AgentState::Available {
            return;
        }
        let best = agent
            .config
            .queues
            .keys()
            .filter_map(|q| self.queues.get(q)?.waiting.first())
            .min()
            .copied();
        match best {
            Some(head) => self.offer(now, head.contact, agent_id),
            None => {
                for queue_id in agent.config.queues.keys() {
                    if let Some(queue) = self.queues.get_mut(queue_id) {
                        queue.strategy.agent_available(agent_id, &agent.stats);
                    }
                }
            }
        }
    }

    /// Offers the queue's waiting contacts, best first, to the agents its strategy picks, until
    /// one side runs out.
    pub(crate) fn dispatch_queue(&mut self, now: Instant, queue_id: QueueId) {
        loop {
            let Some(queue) = self.queues.get_mut(&queue_id) else {
                return;
            };
            let Some(head) = queue.waiting.first().copied() else {
                return;
            };
            if queue.strategy.is_empty() {
                return;
            }
            let mut pick = Pick {
                contact: head.contact,
                queue: queue_id,
                priority: head.priority.0,
                arrived_at: head.arrived_at,
                now,
                rng: &mut self.rng,
                roster: Roster::new(&self.agents),
            };
            let Some(agent_id) = queue.strategy.choose(&mut pick) else {
                return;
            };
            let available = self
                .agents
                .get(&agent_id)
                .is_some_and(|a| a.state == AgentState::Available);
            if available {
                self.offer(now, head.contact, agent_id);
            } else {
                // Cannot happen while the indexes follow the states; dropping the stale entry
                // keeps the loop finite if it ever does.
                queue.strategy.agent_unavailable(agent_id);
            }
        }
    }

    /// Offers a waiting contact to an available agent: the contact leaves the waiting order
    /// (keeping its key for a return), the agent rings, the ring timeout is armed.
    fn offer(&mut self, now: Instant, contact_id: ContactId, agent_id: AgentId) {
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        let queue_id = contact.queue;
        let Some(queue) = self.queues.get_mut(&queue_id) else {
            return;
        };
        queue.waiting.remove(&contact.key);
        contact.offered_to = Some(agent_id);
        queue.strategy.offered(agent_id);
        let ring_until = after(now, queue.config.ring_timeout);
        if let Some(at) = ring_until {
            self.timers.arm(at, Timer::Offer(contact_id));
        }
        if let Some(agent) = self.agents.get_mut(&agent_id) {
            agent.stats.last_offered = Some(now);
        }
        self.outputs.push_back(Output::Offer {
            contact: contact_id,
            agent: agent_id,
            queue: queue_id,
            ring_until: ring_until.unwrap_or(now),
        });
        self.set_state(
            now,
            agent_id,
            AgentState::Ringing {
                contact: contact_id,
                queue: queue_id,
            },
            ChangeCause::Offered,
        );
    }
}
