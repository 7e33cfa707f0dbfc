//! Best skill match: among the agents who qualify, the one most proficient in the skills the
//! contact requires gets it; ties go to the agent idle longest, then the lower id.
//!
//! Proficiency is the sum of the agent's levels in the required skills (see
//! [`match_score`]), so a French 9 beats a French 6 for a `language:fr` contact. A contact that
//! requires nothing goes to the agent idle longest. Choosing with requirements walks the
//! available agents once (O(n)): the score depends on the contact, so no index can be sorted by
//! it in advance.

use std::cmp::Reverse;
use std::time::Instant;

use super::{OrderedAgents, Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;
use crate::skills::match_score;

/// Available agents by idle-since time (the tie-break, and the whole order without skills).
#[derive(Debug, Default)]
pub struct BestSkillMatch {
    index: OrderedAgents<Option<Instant>>,
}

impl Strategy for BestSkillMatch {
    fn kind(&self) -> StrategyKind {
        StrategyKind::BestSkillMatch
    }

    fn agent_available(&mut self, agent: AgentId, stats: &AgentStats) {
        self.index.insert(agent, stats.idle_since);
    }

    fn agent_unavailable(&mut self, agent: AgentId) {
        self.index.remove(agent);
    }

    fn choose(&mut self, pick: &mut Pick<'_>) -> Option<AgentId> {
        if pick.required.is_empty() {
            return self.index.first();
        }
        let roster = pick.roster;
        self.index
            .iter()
            .enumerate()
            .filter(|(_, agent)| pick.eligible(*agent))
            .min_by_key(|(idle_rank, agent)| {
                let score = roster
                    .skills(*agent)
                    .map_or(0, |skills| match_score(skills, pick.required));
                (Reverse(score), *idle_rank)
            })
            .map(|(_, agent)| agent)
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
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    fn three_idle() -> BestSkillMatch {
        let t0 = origin();
        let mut s = BestSkillMatch::default();
        s.agent_available(AgentId(1), &idle_since(t0, 1));
        s.agent_available(AgentId(2), &idle_since(t0, 2));
        s.agent_available(AgentId(3), &idle_since(t0, 3));
        s
    }

    #[test]
    fn the_most_proficient_qualified_agent_is_chosen() {
        let t0 = origin();
        let mut s = three_idle();
        let agents = skilled(&[
            (1, &[("language:fr", 6)]),
            (2, &[("language:fr", 9)]),
            (3, &[("language:fr", 7)]),
        ]);
        let required = requires(&[("language:fr", 5)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }

    #[test]
    fn equal_scores_go_to_the_agent_idle_longest() {
        let t0 = origin();
        let mut s = three_idle();
        let agents = skilled(&[
            (1, &[("tier", 1)]),
            (2, &[("tier", 4)]),
            (3, &[("tier", 4)]),
        ]);
        let required = requires(&[("tier", 2)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }

    #[test]
    fn a_high_score_without_qualifying_loses() {
        let t0 = origin();
        let mut s = three_idle();
        let agents = skilled(&[
            (1, &[("language:fr", 10), ("tier", 1)]),
            (2, &[("language:fr", 2), ("tier", 3)]),
            (3, &[]),
        ]);
        let required = requires(&[("language:fr", 1), ("tier", 3)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }

    #[test]
    fn without_requirements_the_longest_idle_is_chosen() {
        let t0 = origin();
        let mut s = three_idle();
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(1)));
    }
}
