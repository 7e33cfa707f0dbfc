//! Linear (top-down): agents are hunted in a fixed order, the first available one gets the
//! contact.
//!
//! Like Asterisk's `linear` and FreeSWITCH's `top-down`: the order is the membership priority in
//! this queue (1 first), then the agent id, so the server lists a team's primary people first
//! and the overflow staff after. Unfair by design: the first agents take most contacts.

use super::{Member, OrderedAgents, Pick, Strategy, StrategyKind};
use crate::agent::AgentStats;
use crate::ids::AgentId;

/// Available agents in hunt order.
#[derive(Debug, Default)]
pub struct Linear {
    index: OrderedAgents<u32>,
}

impl Strategy for Linear {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Linear
    }

    /// Without a membership the agent is hunted among the primaries (priority 1).
    fn agent_available(&mut self, agent: AgentId, _stats: &AgentStats) {
        self.index.insert(agent, 1);
    }

    fn member_available(&mut self, agent: AgentId, _stats: &AgentStats, member: Member) {
        self.index.insert(agent, member.priority);
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
    use crate::rng::Rng;
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    fn member(priority: u32) -> Member {
        Member {
            priority,
            weight: 1,
        }
    }

    #[test]
    fn hunts_by_membership_priority_before_idle_time() {
        let t0 = origin();
        let mut s = Linear::default();
        s.member_available(AgentId(1), &idle_since(t0, 0), member(2));
        s.member_available(AgentId(2), &idle_since(t0, 90), member(1));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn same_priority_hunts_by_agent_id() {
        let t0 = origin();
        let mut s = Linear::default();
        s.member_available(AgentId(9), &idle_since(t0, 0), member(1));
        s.member_available(AgentId(3), &idle_since(t0, 50), member(1));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(3)));
    }

    #[test]
    fn the_first_agent_takes_every_contact_while_available() {
        let t0 = origin();
        let mut s = Linear::default();
        s.member_available(AgentId(1), &idle_since(t0, 0), member(1));
        s.member_available(AgentId(2), &idle_since(t0, 0), member(1));
        for _ in 0..3 {
            let chosen = choose(&mut s, t0, &mut Rng::new(0));
            s.offered(AgentId(1));
            assert_eq!(chosen, Some(AgentId(1)));
        }
    }

    #[test]
    fn skips_down_the_list_to_a_qualified_agent() {
        let t0 = origin();
        let mut s = Linear::default();
        s.member_available(AgentId(1), &idle_since(t0, 0), member(1));
        s.member_available(AgentId(2), &idle_since(t0, 0), member(2));
        let agents = skilled(&[(1, &[]), (2, &[("product:billing", 4)])]);
        let required = requires(&[("product:billing", 2)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }
}
