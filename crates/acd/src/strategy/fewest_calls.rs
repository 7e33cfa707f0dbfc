//! Fewest calls: the agent who has taken the fewest calls gets the contact.
//!
//! Evens out call counts across a shift (Asterisk `fewestcalls`). Ties go to the agent idle
//! longest, then the lower id. Calls are counted when answered.

use std::time::Instant;

use super::StrategyKind;
use super::ordered::Ranked;
use crate::agent::AgentStats;

/// Available agents ordered by calls taken, then idle-since time.
pub type FewestCalls = Ranked<(u64, Option<Instant>)>;

impl Default for FewestCalls {
    fn default() -> Self {
        Ranked::new(StrategyKind::FewestCalls, |stats: &AgentStats| {
            (stats.calls_taken, stats.idle_since)
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
    fn picks_the_agent_with_fewest_calls() {
        let t0 = origin();
        let mut s = FewestCalls::default();
        let busy = AgentStats {
            calls_taken: 9,
            ..idle_since(t0, 0)
        };
        let quiet = AgentStats {
            calls_taken: 2,
            ..idle_since(t0, 50)
        };
        s.agent_available(AgentId(1), &busy);
        s.agent_available(AgentId(2), &quiet);
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn equal_counts_go_to_the_agent_idle_longest() {
        let t0 = origin();
        let mut s = FewestCalls::default();
        s.agent_available(AgentId(1), &idle_since(t0, 30));
        s.agent_available(AgentId(2), &idle_since(t0, 10));
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn an_unqualified_agent_is_passed_over_even_when_first() {
        let t0 = origin();
        let mut s = FewestCalls::default();
        s.agent_available(AgentId(1), &idle_since(t0, 0));
        let busier = AgentStats {
            calls_taken: 1,
            ..idle_since(t0, 0)
        };
        s.agent_available(AgentId(2), &busier);
        let agents = skilled(&[(1, &[]), (2, &[("product:billing", 3)])]);
        let required = requires(&[("product:billing", 3)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }
}
