//! Read-only views for the API, the wallboard and tests: live counts per queue, state and time
//! in state per agent, where a contact is. Nothing here changes the engine.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::agent::AgentStats;
use crate::agent_state::{AgentState, AgentStateKind};
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId, QueueId};
use crate::strategy::StrategyKind;

/// A queue's live figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueView {
    /// The queue.
    pub id: QueueId,
    /// Its name.
    pub name: String,
    /// Its routing strategy.
    pub strategy: StrategyKind,
    /// Contacts waiting for an agent.
    pub waiting: usize,
    /// Contacts being offered to an agent whose phone rings (not the report's "offered", which
    /// counts every contact that entered the queue).
    pub ringing: usize,
    /// How long the oldest contact present (waiting or ringing) has been in the queue.
    pub longest_wait: Option<Duration>,
    /// Members available right now.
    pub available_agents: usize,
    /// Members logged in (any state but logged out).
    pub logged_in_agents: usize,
    /// Members.
    pub members: usize,
    /// Estimated wait of a contact joining now ([`Acd::estimated_wait`](crate::Acd::estimated_wait)).
    pub estimated_wait: Option<Duration>,
    /// Of the waiting contacts, the callbacks (callers who hung up and keep their place).
    pub waiting_callbacks: usize,
    /// Callers who hung up while in this queue, since the engine started.
    pub abandoned: u64,
    /// Of those, the ones who hung up within the queue's short-abandon threshold.
    pub short_abandoned: u64,
}

/// An agent's live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    /// The agent.
    pub id: AgentId,
    /// Their name.
    pub name: String,
    /// Their state.
    pub state: AgentState,
    /// When that state began (`None`: never logged in).
    pub since: Option<Instant>,
    /// How long they have been in it.
    pub time_in_state: Duration,
    /// Routing statistics.
    pub stats: AgentStats,
    /// The queues they belong to.
    pub queues: Vec<QueueId>,
}

/// Where a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactView {
    /// The contact.
    pub id: ContactId,
    /// Its queue.
    pub queue: QueueId,
    /// Its priority (as given; aging does not change it).
    pub priority: i32,
    /// When it entered the queue.
    pub arrived_at: Instant,
    /// The agent being offered it (or reserved for its callback), or `None` while it waits.
    pub offered_to: Option<AgentId>,
    /// Whether it waits as a callback (the caller hung up and keeps their place).
    pub callback: bool,
}

/// Everything at once, sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Every queue.
    pub queues: Vec<QueueView>,
    /// Every agent.
    pub agents: Vec<AgentView>,
    /// Agents per state.
    pub agents_by_state: BTreeMap<AgentStateKind, usize>,
}

impl crate::Acd {
    /// One queue's figures at `now`.
    pub fn queue_view(&self, queue_id: QueueId, now: Instant) -> Result<QueueView, AcdError> {
        let queue = self
            .queues
            .get(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        let logged_in_agents = queue
            .members
            .iter()
            .filter_map(|a| self.agents.get(a))
            .filter(|a| a.state != AgentState::LoggedOut)
            .count();
        Ok(QueueView {
            id: queue_id,
            name: queue.config.name.clone(),
            strategy: queue.config.strategy,
            waiting: queue.waiting.len(),
            ringing: queue.len() - queue.waiting.len(),
            longest_wait: queue
                .oldest_arrival()
                .map(|at| now.saturating_duration_since(at)),
            available_agents: queue.strategy.len(),
            logged_in_agents,
            members: queue.members.len(),
            estimated_wait: self.estimated_wait_at(queue_id, queue.waiting.len() + 1),
            waiting_callbacks: queue
                .waiting
                .iter()
                .filter(|k| {
                    self.contacts
                        .get(&k.contact)
                        .is_some_and(|c| c.callback.is_some())
                })
                .count(),
            abandoned: queue.abandoned,
            short_abandoned: queue.short_abandoned,
        })
    }

    /// One agent's state at `now`.
    pub fn agent_view(&self, agent_id: AgentId, now: Instant) -> Result<AgentView, AcdError> {
        let agent = self
            .agents
            .get(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        Ok(AgentView {
            id: agent_id,
            name: agent.config.name.clone(),
            state: agent.state.clone(),
            since: agent.since,
            time_in_state: agent
                .since
                .map_or(Duration::ZERO, |s| now.saturating_duration_since(s)),
            stats: agent.stats,
            queues: agent.config.queues.keys().copied().collect(),
        })
    }

    /// An agent's state.
    pub fn agent_state(&self, agent_id: AgentId) -> Result<&AgentState, AcdError> {
        self.agents
            .get(&agent_id)
            .map(|a| &a.state)
            .ok_or(AcdError::UnknownAgent(agent_id))
    }

    /// Where a contact is; `None` once answered or gone.
    pub fn contact(&self, contact_id: ContactId) -> Option<ContactView> {
        let contact = self.contacts.get(&contact_id)?;
        Some(ContactView {
            id: contact_id,
            queue: contact.queue,
            priority: contact.priority(),
            arrived_at: contact.key.arrived_at,
            offered_to: contact.offered_to,
            callback: contact.callback.is_some(),
        })
    }

    /// A waiting contact's 1-based position; `None` if it is not waiting.
    pub fn position(&self, contact_id: ContactId) -> Option<usize> {
        let contact = self.contacts.get(&contact_id)?;
        if contact.offered_to.is_some() {
            return None;
        }
        Some(self.queues.get(&contact.queue)?.position(&contact.key))
    }

    /// Estimated wait of a contact joining `queue` now: see
    /// [`contact_estimated_wait`](Self::contact_estimated_wait), at the position after the
    /// last waiting contact.
    pub fn estimated_wait(&self, queue_id: QueueId) -> Result<Option<Duration>, AcdError> {
        let queue = self
            .queues
            .get(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        Ok(self.estimated_wait_at(queue_id, queue.waiting.len() + 1))
    }

    /// Estimated wait of a waiting contact from now: its position times the queue's average
    /// handle time (talk plus wrap-up over the last [`EWT_SAMPLES`](crate::EWT_SAMPLES) calls
    /// answered from it), shared among the members staffing it (logged in and not "not
    /// ready"). `None` while it is being offered, before any call from the queue has ended, or
    /// with nobody staffing. A rough, Erlang-free estimate: it ignores skills and members
    /// shared with other queues, and is meant for announcements, not planning.
    pub fn contact_estimated_wait(&self, contact_id: ContactId) -> Option<Duration> {
        let contact = self.contacts.get(&contact_id)?;
        let position = self.position(contact_id)?;
        self.estimated_wait_at(contact.queue, position)
    }

    pub(crate) fn estimated_wait_at(&self, queue_id: QueueId, position: usize) -> Option<Duration> {
        let queue = self.queues.get(&queue_id)?;
        let handle = queue.average_handle_time()?;
        let staffed = queue
            .members
            .iter()
            .filter_map(|a| self.agents.get(a))
            .filter(|a| {
                !matches!(
                    a.state.kind(),
                    AgentStateKind::LoggedOut | AgentStateKind::NotReady
                )
            })
            .count();
        let staffed = u32::try_from(staffed).ok().filter(|n| *n > 0)?;
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        handle.checked_mul(position).map(|total| total / staffed)
    }

    /// A queue's waiting contacts in order of service (offered ones excluded).
    pub fn waiting_contacts(&self, queue_id: QueueId) -> Result<Vec<ContactId>, AcdError> {
        let queue = self
            .queues
            .get(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        Ok(queue.waiting.iter().map(|k| k.contact).collect())
    }

    /// The skills a contact requires now (its own and its queue's, relaxed for its wait).
    pub fn required_skills(&self, contact_id: ContactId) -> Option<&crate::Skills> {
        self.contacts.get(&contact_id).map(|c| &c.required)
    }

    /// Contacts in the engine (waiting or offered).
    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    /// Every queue and agent at `now`, sorted by id.
    pub fn snapshot(&self, now: Instant) -> Snapshot {
        let mut queue_ids: Vec<_> = self.queues.keys().copied().collect();
        queue_ids.sort_unstable();
        let mut agent_ids: Vec<_> = self.agents.keys().copied().collect();
        agent_ids.sort_unstable();
        let queues: Vec<_> = queue_ids
            .into_iter()
            .filter_map(|q| self.queue_view(q, now).ok())
            .collect();
        let agents: Vec<_> = agent_ids
            .into_iter()
            .filter_map(|a| self.agent_view(a, now).ok())
            .collect();
        let mut agents_by_state: BTreeMap<_, _> =
            AgentStateKind::ALL.into_iter().map(|k| (k, 0)).collect();
        for agent in &agents {
            *agents_by_state.entry(agent.state.kind()).or_insert(0) += 1;
        }
        Snapshot {
            queues,
            agents,
            agents_by_state,
        }
    }

    /// Ids of every queue, sorted.
    pub fn queue_ids(&self) -> Vec<QueueId> {
        let mut ids: Vec<_> = self.queues.keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}
