//! Ring all: every available member who qualifies rings at once; the first to answer takes the
//! contact and the others' phones stop.
//!
//! Like Asterisk's `ringall` and FreeSWITCH's `ring-all`: the fastest pick-up for small teams
//! and help desks, at the cost of disturbing everyone. Each agent still holds at most one
//! offer: only *available* agents ring, and a ringing agent is not available. A callback
//! reserves one agent only (the one idle longest), since a person, not a phone, must take it.

use std::time::Instant;

use super::{OrderedAgents, Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents by idle-since time (the order offers are sent in).
#[derive(Debug, Default)]
pub struct RingAll {
    index: OrderedAgents<Option<Instant>>,
}

impl Strategy for RingAll {
    fn kind(&self) -> StrategyKind {
        StrategyKind::RingAll
    }

    fn agent_available(&mut self, agent: AgentId, stats: &AgentStats) {
        self.index.insert(agent, stats.idle_since);
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        self.index.remove(agent);
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        pick.first_eligible(self.index.iter())
    }

    fn rings_all(&self) -> bool {
        true
    }

    fn choose_all(&mut self, pick: &mut Pick<'_>) -> Vec<AgentId> {
        self.index.iter().filter(|a| pick.eligible(*a)).collect()
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
    use crate::rng::Rng;
    use crate::strategy::test_support::{idle_since, origin, requires, skilled};
    use crate::strategy::{Roster, test_support};

    fn three() -> RingAll {
        let t0 = origin();
        let mut s = RingAll::default();
        s.agent_available(AgentId(3), &idle_since(t0, 1));
        s.agent_available(AgentId(1), &idle_since(t0, 2));
        s.agent_available(AgentId(2), &idle_since(t0, 3));
        s
    }

    fn choose_all(s: &mut RingAll, required: &crate::Skills) -> Vec<AgentId> {
        let t0 = origin();
        let agents = skilled(&[(1, &[("tier", 1)]), (2, &[("tier", 2)]), (3, &[])]);
        let mut rng = Rng::new(0);
        let mut pick = test_support::pick(t0, &mut rng, Roster::new(&agents), required);
        s.choose_all(&mut pick)
    }

    #[test]
    fn every_available_agent_rings_longest_idle_first() {
        let mut s = three();
        assert_eq!(
            choose_all(&mut s, &crate::Skills::new()),
            [AgentId(3), AgentId(1), AgentId(2)]
        );
    }

    #[test]
    fn only_qualified_agents_ring() {
        let mut s = three();
        assert_eq!(
            choose_all(&mut s, &requires(&[("tier", 1)])),
            [AgentId(1), AgentId(2)]
        );
    }

    #[test]
    fn an_unavailable_agent_does_not_ring() {
        let mut s = three();
        s.agent_unavailable(AgentId(1));
        assert_eq!(
            choose_all(&mut s, &crate::Skills::new()),
            [AgentId(3), AgentId(2)]
        );
    }

    #[test]
    fn it_says_it_rings_all() {
        assert!(RingAll::default().rings_all());
    }
}
