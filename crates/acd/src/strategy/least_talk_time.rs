//! Least talk time: the agent who has spent the least time on calls gets the contact.
//!
//! Evens out workload when call lengths vary a lot. Ties go to the agent idle longest, then the
//! lower id. Talk time is added when a call ends.

use std::time::{Duration, Instant};

use super::StrategyKind;
use super::ordered::Ranked;
use crate::agent::AgentStats;

/// Available agents ordered by talk time, then idle-since time.
pub type LeastTalkTime = Ranked<(Duration, Option<Instant>)>;

impl Default for LeastTalkTime {
    fn default() -> Self {
        Ranked::new(StrategyKind::LeastTalkTime, |stats: &AgentStats| {
            (stats.talk_time, stats.idle_since)
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
    fn picks_the_agent_with_least_talk_time() {
        let t0 = origin();
        let mut s = LeastTalkTime::default();
        let talker = AgentStats {
            talk_time: Duration::from_secs(600),
            ..idle_since(t0, 0)
        };
        let quiet = AgentStats {
            talk_time: Duration::from_secs(60),
            ..idle_since(t0, 40)
        };
        s.agent_available(AgentId(1), &talker);
        s.agent_available(AgentId(2), &quiet);
        assert_eq!(choose(&mut s, t0, &mut Rng::new(0)), Some(AgentId(2)));
    }

    #[test]
    fn an_unqualified_agent_is_passed_over_even_when_first() {
        let t0 = origin();
        let mut s = LeastTalkTime::default();
        s.agent_available(AgentId(1), &idle_since(t0, 0));
        let busier = AgentStats {
            talk_time: std::time::Duration::from_secs(60),
            ..idle_since(t0, 0)
        };
        s.agent_available(AgentId(2), &busier);
        let agents = skilled(&[(1, &[]), (2, &[("product:billing", 3)])]);
        let required = requires(&[("product:billing", 3)]);
        let chosen = choose_among(&mut s, t0, &mut Rng::new(0), &agents, &required);
        assert_eq!(chosen, Some(AgentId(2)));
    }
}
