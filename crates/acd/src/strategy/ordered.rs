//! An index of available agents sorted by a strategy's key, then by agent id.
//!
//! The strategies that always take "the smallest" agent by some measure (idle since, calls
//! taken, talk time) are this index with a different key. Insert, remove and first are
//! O(log n); the key is remembered so removal needs only the agent's id.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use super::{Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents ordered by `(key, agent id)`.
#[derive(Debug, Clone)]
pub struct OrderedAgents<K> {
    order: BTreeSet<(K, AgentId)>,
    keys: HashMap<AgentId, K>,
}

impl<K> Default for OrderedAgents<K> {
    fn default() -> Self {
        Self {
            order: BTreeSet::new(),
            keys: HashMap::new(),
        }
    }
}

impl<K: Ord + Copy> OrderedAgents<K> {
    /// Adds `agent` under `key`, replacing the key it had.
    pub fn insert(&mut self, agent: AgentId, key: K) {
        self.remove(agent);
        self.order.insert((key, agent));
        self.keys.insert(agent, key);
    }

    /// Removes `agent` if present.
    pub fn remove(&mut self, agent: AgentId) {
        if let Some(key) = self.keys.remove(&agent) {
            self.order.remove(&(key, agent));
        }
    }

    /// The agent with the smallest key (ties: smallest id).
    pub fn first(&self) -> Option<AgentId> {
        self.order.first().map(|(_, agent)| *agent)
    }

    /// Agents in order.
    pub fn iter(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.order.iter().map(|(_, agent)| *agent)
    }

    /// How many agents are in the index.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether `agent` is in the index.
    pub fn contains(&self, agent: AgentId) -> bool {
        self.keys.contains_key(&agent)
    }
}

/// A strategy that offers to the first eligible agent in the order of a key drawn from their
/// statistics: longest idle, fewest calls and least talk time are this with different keys.
pub struct Ranked<K> {
    kind: StrategyKind,
    key: fn(&AgentStats) -> K,
    index: OrderedAgents<K>,
}

impl<K> Ranked<K> {
    /// A strategy of `kind` ordering agents by `key` (smallest first).
    pub fn new(kind: StrategyKind, key: fn(&AgentStats) -> K) -> Self {
        Ranked {
            kind,
            key,
            index: OrderedAgents::default(),
        }
    }
}

impl<K: Ord + Copy> fmt::Debug for Ranked<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ranked")
            .field("kind", &self.kind)
            .field("available", &self.index.len())
            .finish()
    }
}

impl<K: Ord + Copy + Send> Strategy for Ranked<K> {
    fn kind(&self) -> StrategyKind {
        self.kind
    }

    fn agent_available(&mut self, agent: AgentId, stats: &AgentStats) {
        self.index.insert(agent, (self.key)(stats));
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        self.index.remove(agent);
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        pick.first_eligible(self.index.iter())
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn contains(&self, agent: AgentId) -> bool {
        self.index.contains(agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_smallest_key_then_smallest_id() {
        let mut idx = OrderedAgents::default();
        idx.insert(AgentId(3), 5);
        idx.insert(AgentId(2), 5);
        idx.insert(AgentId(9), 7);
        assert_eq!(idx.first(), Some(AgentId(2)));
        assert_eq!(
            idx.iter().collect::<Vec<_>>(),
            [AgentId(2), AgentId(3), AgentId(9)]
        );
    }

    #[test]
    fn reinserting_replaces_the_key() {
        let mut idx = OrderedAgents::default();
        idx.insert(AgentId(1), 1);
        idx.insert(AgentId(2), 2);
        idx.insert(AgentId(1), 3);
        assert_eq!(idx.first(), Some(AgentId(2)));
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn removing_an_unknown_agent_changes_nothing() {
        let mut idx = OrderedAgents::default();
        idx.insert(AgentId(1), 1);
        idx.remove(AgentId(7));
        assert_eq!(idx.len(), 1);
        idx.remove(AgentId(1));
        assert!(idx.is_empty());
        assert_eq!(idx.first(), None);
    }
}
