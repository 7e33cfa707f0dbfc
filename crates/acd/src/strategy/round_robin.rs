//! Round robin with memory: the next available agent after the last one offered, by agent id.
//!
//! Like Asterisk's `rrmemory`: the queue remembers who it offered last (whoever chose them), and
//! the next contact goes to the first available agent with a higher id, wrapping around to the
//! lowest. The memory survives the remembered agent leaving the available set.

use std::collections::BTreeSet;
use std::ops::Bound;

use super::{Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents by id, and the last agent offered.
#[derive(Debug, Default)]
pub struct RoundRobin {
    available: BTreeSet<AgentId>,
    last: Option<AgentId>,
}

impl Strategy for RoundRobin {
    fn kind(&self) -> StrategyKind {
        StrategyKind::RoundRobin
    }

    fn agent_available(&mut self, agent: AgentId, _stats: &AgentStats) {
        self.available.insert(agent);
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        self.available.remove(&agent);
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        let after = match self.last {
            Some(last) => pick.first_eligible(
                self.available
                    .range((Bound::Excluded(last), Bound::Unbounded))
                    .copied(),
            ),
            None => None,
        };
        after.or_else(|| pick.first_eligible(self.available.iter().copied()))
    }

    fn offered(&mut self, agent: AgentId) {
        self.last = Some(agent);
    }

    fn len(&self) -> usize {
        self.available.len()
    }

    fn contains(&self, agent: AgentId) -> bool {
        self.available.contains(&agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    fn three_agents() -> RoundRobin {
        let t0 = origin();
        let mut s = RoundRobin::default();
        for id in [3, 1, 2] {
            s.agent_available(AgentId(id), &idle_since(t0, 0));
        }
        s
    }

    #[test]
    fn rotates_through_agents_in_id_order() {
        let t0 = origin();
        let mut rng = Rng::new(0);
        let mut s = three_agents();
        let mut picked = Vec::new();
        for _ in 0..4 {
            let agent = choose(&mut s, t0, &mut rng).unwrap();
            s.offered(agent);
            picked.push(agent.0);
        }
        assert_eq!(picked, [1, 2, 3, 1]);
    }

    #[test]
    fn remembers_the_last_agent_even_when_they_leave() {
        let t0 = origin();
        let mut rng = Rng::new(0);
        let mut s = three_agents();
        s.offered(AgentId(2));
        s.agent_unavailable(AgentId(2));
        assert_eq!(choose(&mut s, t0, &mut rng), Some(AgentId(3)));
    }

    #[test]
    fn memory_includes_offers_it_did_not_choose() {
        let t0 = origin();
        let mut rng = Rng::new(0);
        let mut s = three_agents();
        s.offered(AgentId(3));
        assert_eq!(choose(&mut s, t0, &mut rng), Some(AgentId(1)));
    }

    #[test]
    fn skips_agents_without_the_required_skill_and_wraps() {
        let t0 = origin();
        let mut s = three_agents();
        s.offered(AgentId(1));
        let agents = skilled(&[(1, &[("tier", 2)]), (2, &[]), (3, &[])]);
        let required = requires(&[("tier", 1)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(1)));
    }
}
