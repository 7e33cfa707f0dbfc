//! Weighted random: any available agent, with odds proportional to their weight in the queue.
//!
//! For blending a team unevenly (a senior at weight 3 gets three times a trainee's share) while
//! keeping the spread of random routing. Weights come from
//! [`QueueConfig::weights`](crate::QueueConfig::weights), 1 when absent. Choosing walks the
//! available agents once (O(n)); queues using it are team-sized, not floor-sized.

use std::collections::BTreeMap;

use super::{Member, Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents with their weights, by id (so a seed gives the same walk every time).
#[derive(Debug, Default)]
pub struct WeightedRandom {
    weights: BTreeMap<AgentId, u32>,
}

impl Strategy for WeightedRandom {
    fn kind(&self) -> StrategyKind {
        StrategyKind::WeightedRandom
    }

    fn agent_available(&mut self, agent: AgentId, _stats: &AgentStats) {
        self.weights.insert(agent, 1);
    }

    fn member_available(&mut self, agent: AgentId, _stats: &AgentStats, member: Member) {
        self.weights.insert(agent, member.weight.max(1));
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        self.weights.remove(&agent);
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        let eligible: Vec<(AgentId, u32)> = self
            .weights
            .iter()
            .filter(|(agent, _)| pick.eligible(**agent))
            .map(|(agent, weight)| (*agent, *weight))
            .collect();
        let total: u64 = eligible.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut draw = pick.rng.below(total);
        for (agent, weight) in eligible {
            match draw.checked_sub(u64::from(weight)) {
                Some(rest) => draw = rest,
                None => return Some(agent),
            }
        }
        None
    }

    fn len(&self) -> usize {
        self.weights.len()
    }

    fn contains(&self, agent: AgentId) -> bool {
        self.weights.contains_key(&agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    fn weighted(weights: &[(u64, u32)]) -> WeightedRandom {
        let t0 = origin();
        let mut s = WeightedRandom::default();
        for (id, weight) in weights {
            let member = Member {
                priority: 1,
                weight: *weight,
            };
            s.member_available(AgentId(*id), &idle_since(t0, 0), member);
        }
        s
    }

    #[test]
    fn shares_follow_the_weights() {
        let t0 = origin();
        let mut s = weighted(&[(1, 1), (2, 3)]);
        let mut rng = Rng::new(11);
        let heavy = (0..4000)
            .filter(|_| choose(&mut s, t0, &mut rng) == Some(AgentId(2)))
            .count();
        // Expected 3000 of 4000; ±150 is over five standard deviations (σ ≈ 27).
        assert!((2850..=3150).contains(&heavy), "weight-3 agent got {heavy}");
    }

    #[test]
    fn an_unavailable_agent_is_never_chosen() {
        let t0 = origin();
        let mut s = weighted(&[(1, 5), (2, 1)]);
        s.agent_unavailable(AgentId(1));
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            assert_eq!(choose(&mut s, t0, &mut rng), Some(AgentId(2)));
        }
    }

    #[test]
    fn only_qualified_agents_are_drawn() {
        let t0 = origin();
        let mut s = weighted(&[(1, 9), (2, 1)]);
        let agents = skilled(&[(1, &[]), (2, &[("tier", 2)])]);
        let required = requires(&[("tier", 2)]);
        let mut rng = Rng::new(5);
        for _ in 0..100 {
            let chosen = choose_among(&mut s, t0, &mut rng, &agents, &required);
            assert_eq!(chosen, Some(AgentId(2)));
        }
    }

    #[test]
    fn empty_index_chooses_nobody() {
        let t0 = origin();
        let mut s = WeightedRandom::default();
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), None);
    }
}
