//! Configuration at runtime: queues and agents come and go, memberships change, and no waiting
//! contact is lost on the way (a queue holding contacts cannot be removed; move them first).

use std::time::Instant;

use crate::agent::Agent;
use crate::agent_state::AgentState;
use crate::config::{AgentConfig, Membership, QueueConfig};
use crate::error::AcdError;
use crate::ids::{AgentId, QueueId};
use crate::queue::Queue;
use crate::skills::levels_are_valid;
use crate::strategy::Member;

impl crate::Acd {
    pub(crate) fn add_queue(&mut self, config: QueueConfig) -> Result<(), AcdError> {
        config.validate()?;
        if self.queues.contains_key(&config.id) {
            return Err(AcdError::DuplicateQueue(config.id));
        }
        self.queues.insert(config.id, Queue::new(config));
        Ok(())
    }

    /// New settings; the strategy index is rebuilt from the queue's available members (a round
    /// robin's memory starts afresh when the strategy changes). The contacts in the queue are
    /// fitted to the new aging, skills and max wait, then routed: a widened requirement may
    /// match an available member at once.
    pub(crate) fn update_queue(
        &mut self,
        now: Instant,
        config: QueueConfig,
    ) -> Result<(), AcdError> {
        config.validate()?;
        let queue_id = config.id;
        let queue = self
            .queues
            .get_mut(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        let mut strategy = if queue.config.strategy == config.strategy {
            std::mem::replace(&mut queue.strategy, config.strategy.build())
        } else {
            config.strategy.build()
        };
        // Weights and hunt order may have changed: index every available member again.
        for agent_id in &queue.members {
            strategy.agent_unavailable(*agent_id);
            if let Some(agent) = self.agents.get(agent_id)
                && agent.state == AgentState::Available
            {
                let member = Member {
                    priority: agent.config.queues.get(&queue_id).map_or(1, |m| m.priority),
                    weight: config.weights.get(agent_id).copied().unwrap_or(1),
                };
                strategy.member_available(*agent_id, &agent.stats, member);
            }
        }
        queue.strategy = strategy;
        queue.config = config;
        let present: Vec<_> = self
            .contacts
            .iter()
            .filter(|(_, c)| c.queue == queue_id)
            .map(|(id, _)| *id)
            .collect();
        for contact in present {
            self.settle(now, contact);
        }
        self.dispatch_queue(now, queue_id);
        Ok(())
    }

    pub(crate) fn remove_queue(&mut self, queue_id: QueueId) -> Result<(), AcdError> {
        let queue = self
            .queues
            .get(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        if queue.len() > 0 {
            return Err(AcdError::QueueNotEmpty(queue_id));
        }
        let Some(queue) = self.queues.remove(&queue_id) else {
            return Err(AcdError::UnknownQueue(queue_id));
        };
        for agent_id in &queue.members {
            if let Some(agent) = self.agents.get_mut(agent_id) {
                agent.config.queues.remove(&queue_id);
            }
        }
        Ok(())
    }

    pub(crate) fn add_agent(&mut self, config: AgentConfig) -> Result<(), AcdError> {
        if self.agents.contains_key(&config.id) {
            return Err(AcdError::DuplicateAgent(config.id));
        }
        if !levels_are_valid(&config.skills) {
            return Err(AcdError::InvalidAgentSkill(config.id));
        }
        if let Some(unknown) = config.queues.keys().find(|q| !self.queues.contains_key(q)) {
            return Err(AcdError::UnknownQueue(*unknown));
        }
        for queue_id in config.queues.keys() {
            if let Some(queue) = self.queues.get_mut(queue_id) {
                queue.members.insert(config.id);
            }
        }
        self.agents.insert(config.id, Agent::new(config));
        Ok(())
    }

    pub(crate) fn remove_agent(&mut self, agent_id: AgentId) -> Result<(), AcdError> {
        let agent = self
            .agents
            .get(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        if agent.state != AgentState::LoggedOut {
            return Err(AcdError::AgentLoggedIn(agent_id));
        }
        for queue_id in agent.config.queues.keys() {
            if let Some(queue) = self.queues.get_mut(queue_id) {
                queue.members.remove(&agent_id);
            }
        }
        self.agents.remove(&agent_id);
        Ok(())
    }

    /// Joining while available routes at once: the new queue may hold the best waiting contact.
    pub(crate) fn join_queue(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        queue_id: QueueId,
        membership: Membership,
    ) -> Result<(), AcdError> {
        let queue = self
            .queues
            .get_mut(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        let agent = self
            .agents
            .get_mut(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        agent.config.queues.insert(queue_id, membership);
        queue.members.insert(agent_id);
        if agent.state == AgentState::Available {
            // The new queue may hold a contact this agent qualifies for, and a new priority
            // changes their hunt order: leave every index, then route as if just available.
            for other in agent.config.queues.keys() {
                if let Some(q) = self.queues.get_mut(other) {
                    q.strategy.agent_unavailable(agent_id);
                }
            }
            self.dispatch_agent(now, agent_id);
        }
        Ok(())
    }

    pub(crate) fn leave_queue(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        queue_id: QueueId,
    ) -> Result<(), AcdError> {
        let agent = self
            .agents
            .get_mut(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        if agent.config.queues.remove(&queue_id).is_none() {
            return Err(AcdError::NotAMember {
                agent: agent_id,
                queue: queue_id,
            });
        }
        if let Some(queue) = self.queues.get_mut(&queue_id) {
            queue.members.remove(&agent_id);
            queue.strategy.agent_unavailable(agent_id);
        }
        self.leave_if_unstaffed(now, &[queue_id]);
        Ok(())
    }
}
