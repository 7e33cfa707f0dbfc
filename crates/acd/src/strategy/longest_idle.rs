//! Longest idle: the agent who has been available longest gets the contact.
//!
//! The fairest default for inbound voice (Asterisk `leastrecent`, Genesys and Connect's default).
//! "Idle since" is when the agent last became available: at login, after not ready, after
//! wrap-up, and after a failed offer (so an agent who misses a call goes to the back of the
//! line). Ties go to the lower agent id.

use std::time::Instant;

use super::StrategyKind;
use super::ordered::Ranked;
use crate::agent::AgentStats;

/// Available agents ordered by idle-since time.
pub type LongestIdle = Ranked<Option<Instant>>;

impl Default for LongestIdle {
    fn default() -> Self {
        Ranked::new(StrategyKind::LongestIdle, |stats: &AgentStats| {
            stats.idle_since
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AgentId;
    use crate::rng::Rng;
    use crate::strategy::Strategy;
    use crate::strategy::test_support::{
        choose, choose_among, idle_since, origin, requires, skilled,
    };

    #[test]
    fn picks_the_agent_idle_longest() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(1), &idle_since(t0, 20));
        s.agent_available(AgentId(2), &idle_since(t0, 5));
        s.agent_available(AgentId(3), &idle_since(t0, 10));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn ties_go_to_the_lower_agent_id() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(8), &idle_since(t0, 5));
        s.agent_available(AgentId(4), &idle_since(t0, 5));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(4)));
    }

    #[test]
    fn an_unavailable_agent_is_not_chosen() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(1), &idle_since(t0, 1));
        s.agent_available(AgentId(2), &idle_since(t0, 2));
        s.agent_unavailable(AgentId(1));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
        s.agent_unavailable(AgentId(2));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), None);
    }

    #[test]
    fn becoming_available_again_moves_the_agent_to_the_back() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(1), &idle_since(t0, 1));
        s.agent_available(AgentId(2), &idle_since(t0, 2));
        s.agent_unavailable(AgentId(1));
        s.agent_available(AgentId(1), &idle_since(t0, 60));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn picks_the_longest_idle_among_qualified_agents() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(1), &idle_since(t0, 1));
        s.agent_available(AgentId(2), &idle_since(t0, 2));
        s.agent_available(AgentId(3), &idle_since(t0, 3));
        let agents = skilled(&[
            (1, &[("tier", 1)]),
            (2, &[("tier", 3)]),
            (3, &[("tier", 5)]),
        ]);
        let required = requires(&[("tier", 3)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }

    #[test]
    fn nobody_is_chosen_when_no_available_agent_qualifies() {
        let t0 = origin();
        let mut s = LongestIdle::default();
        s.agent_available(AgentId(1), &idle_since(t0, 1));
        let agents = skilled(&[(1, &[("tier", 1)])]);
        let required = requires(&[("language:fr", 1)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, None);
    }
}
