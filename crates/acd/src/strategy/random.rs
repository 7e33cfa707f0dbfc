//! Random: any available agent, uniformly, drawn from the engine's seeded generator.
//!
//! Reproducible for a given seed and input sequence. The index is a vector with a position map,
//! so insert, remove (swap-remove) and choose are O(1).

use std::collections::HashMap;

use super::{Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents in a vector, for uniform choice.
#[derive(Debug, Default)]
pub struct Random {
    agents: Vec<AgentId>,
    position: HashMap<AgentId, usize>,
}

impl Strategy for Random {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Random
    }

    fn agent_available(&mut self, agent: AgentId, _stats: &AgentStats) {
        if !self.position.contains_key(&agent) {
            self.position.insert(agent, self.agents.len());
            self.agents.push(agent);
        }
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        if let Some(at) = self.position.remove(&agent) {
            self.agents.swap_remove(at);
            if let Some(moved) = self.agents.get(at) {
                self.position.insert(*moved, at);
            }
        }
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        if pick.required.is_empty() {
            let at = pick.rng.below(self.agents.len() as u64);
            return self.agents.get(at as usize).copied();
        }
        // Required skills: uniform among the qualified, at the cost of a scan.
        let qualified: Vec<AgentId> = self
            .agents
            .iter()
            .copied()
            .filter(|a| pick.eligible(*a))
            .collect();
        let at = pick.rng.below(qualified.len() as u64);
        qualified.get(at as usize).copied()
    }

    fn len(&self) -> usize {
        self.agents.len()
    }

    fn contains(&self, agent: AgentId) -> bool {
        self.position.contains_key(&agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    #[test]
    fn chooses_only_available_agents_and_reaches_each() {
        let t0 = origin();
        let mut s = Random::default();
        for id in 1..=4 {
            s.agent_available(AgentId(id), &idle_since(t0, 0));
        }
        s.agent_unavailable(AgentId(2));
        let mut rng = Rng::new(9);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            seen.insert(choose(&mut s, t0, &mut rng).unwrap());
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [AgentId(1), AgentId(3), AgentId(4)]
        );
    }

    #[test]
    fn same_seed_chooses_the_same_agents() {
        let t0 = origin();
        let mut s = Random::default();
        for id in 1..=10 {
            s.agent_available(AgentId(id), &idle_since(t0, 0));
        }
        let run = |s: &mut Random| {
            let mut rng = Rng::new(5);
            (0..20)
                .map(|_| choose(s, t0, &mut rng).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(&mut s), run(&mut s));
    }

    #[test]
    fn empty_index_chooses_nobody() {
        let t0 = origin();
        let mut s = Random::default();
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), None);
    }

    #[test]
    fn chooses_only_qualified_agents_when_skills_are_required() {
        let t0 = origin();
        let mut s = Random::default();
        for id in 1..=4 {
            s.agent_available(AgentId(id), &idle_since(t0, 0));
        }
        let agents = skilled(&[(1, &[]), (2, &[("language:fr", 6)]), (3, &[]), (4, &[])]);
        let required = requires(&[("language:fr", 5)]);
        let mut rng = Rng::new(4);
        for _ in 0..50 {
            let chosen = choose_among(&mut s, t0, &mut rng, &agents, &required);
            assert_eq!(chosen, Some(AgentId(2)));
        }
    }
}
