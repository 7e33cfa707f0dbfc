//! Configuration of queues and agents, with the defaults a new queue gets.
//!
//! Plain data: the server builds it from its database or config file and hands it to
//! [`Acd::new`](crate::Acd::new), or changes it at runtime through the configuration inputs
//! ([`Input::AddQueue`](crate::Input::AddQueue), [`Input::JoinQueue`](crate::Input::JoinQueue)...).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::AcdError;
use crate::ids::{AgentId, QueueId};
use crate::skills::{MAX_LEVEL, Relaxation, Skills, levels_are_valid};
use crate::strategy::StrategyKind;

/// Wrap-up time a new queue gets.
pub const DEFAULT_WRAP_UP: Duration = Duration::from_secs(10);
/// How long an offer rings before the engine gives up on it.
pub const DEFAULT_RING_TIMEOUT: Duration = Duration::from_secs(15);
/// Missed offers in a row before an agent is set not ready.
///
/// One: an agent who lets a call ring out has most likely left the desk, and every further offer
/// to them costs a caller another ring timeout. A queue that prefers leniency raises it.
pub const DEFAULT_MISSED_OFFERS_LIMIT: u32 = 1;
/// How often a waiting caller hears their position.
pub const DEFAULT_ANNOUNCE_PERIOD: Duration = Duration::from_secs(30);

/// The longest any duration setting may be (one day): longer ones are surely mistakes, and the
/// bound keeps deadline arithmetic far from the end of representable time.
pub const MAX_SETTING: Duration = Duration::from_secs(24 * 3600);

/// One queue's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// The queue's identity.
    pub id: QueueId,
    /// Display name (`sales`, `support`).
    pub name: String,
    /// How an agent is chosen among the available members.
    pub strategy: StrategyKind,
    /// After-call work time for calls from this queue; zero makes the agent available at once.
    pub wrap_up: Duration,
    /// How long an offer rings before it counts as not answered.
    pub ring_timeout: Duration,
    /// Missed offers in a row (from this queue's offers) before the agent is set not ready;
    /// at least 1.
    pub missed_offers_limit: u32,
    /// How often a waiting contact hears its position; `None` never.
    pub announce_period: Option<Duration>,
    /// A contact still waiting after this long leaves with [`LeaveReason::MaxWait`](crate::LeaveReason::MaxWait).
    pub max_wait: Option<Duration>,
    /// A contact arriving when this many are already waiting (and no agent is free) leaves at
    /// once with [`LeaveReason::QueueFull`](crate::LeaveReason::QueueFull).
    pub max_length: Option<usize>,
    /// Skills every contact of this queue requires, at minimum levels (merged with the
    /// contact's own; the higher level wins). Empty: any member qualifies.
    pub required_skills: Skills,
    /// How the requirements widen as the wait grows (see [`Relaxation`]).
    pub relaxations: Vec<Relaxation>,
    /// Priority aging: a waiting contact gains one priority level per step waited, so low
    /// priority is not starved. `None`: priority alone orders, then arrival.
    pub aging_step: Option<Duration>,
    /// Weights of members for [`StrategyKind::WeightedRandom`] (absent: 1).
    pub weights: BTreeMap<AgentId, u32>,
    /// A contact still waiting this long after entering the queue moves to another queue
    /// (keeping its original arrival for its place in line).
    pub overflow: Option<Overflow>,
    /// Whether a contact may join while no member is logged in (`false`: it leaves at once
    /// with [`LeaveReason::NoAgents`](crate::LeaveReason::NoAgents)).
    pub join_empty: bool,
    /// Whether waiting contacts leave ([`LeaveReason::NoAgents`](crate::LeaveReason::NoAgents))
    /// when the last logged-in member logs out or leaves the queue.
    pub leave_empty: bool,
    /// Callers hanging up within this wait count as short abandons (misdials, not lost
    /// customers), kept apart in [`QueueView`](crate::QueueView).
    pub short_abandon: Option<Duration>,
    /// Callbacks: how many times the customer is dialled before giving up, and the pause
    /// between attempts.
    pub callback: CallbackPolicy,
}

/// Where a queue sends contacts that waited too long in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    /// Wait in this queue (from entering it) before moving on.
    pub after: Duration,
    /// The queue it moves to (a team leaders' tier, a wider team...).
    pub to: QueueId,
}

/// How a queue retries callbacks ("virtual hold") the customer does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackPolicy {
    /// Dial attempts before the callback is given up; at least 1.
    pub max_attempts: u32,
    /// Pause before the next attempt; the callback keeps its place meanwhile.
    pub retry_delay: Duration,
}

impl Default for CallbackPolicy {
    /// Three attempts, two minutes apart.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            retry_delay: Duration::from_secs(120),
        }
    }
}

impl QueueConfig {
    /// A queue with the default settings: longest-idle routing, 10 s wrap-up, 15 s ring
    /// timeout, not ready after 1 missed offer, position every 30 s, no wait or length limit,
    /// no required skills, no aging, no overflow, joinable without agents, callbacks tried 3
    /// times 2 minutes apart.
    pub fn new(id: QueueId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            strategy: StrategyKind::LongestIdle,
            wrap_up: DEFAULT_WRAP_UP,
            ring_timeout: DEFAULT_RING_TIMEOUT,
            missed_offers_limit: DEFAULT_MISSED_OFFERS_LIMIT,
            announce_period: Some(DEFAULT_ANNOUNCE_PERIOD),
            max_wait: None,
            max_length: None,
            required_skills: Skills::new(),
            relaxations: Vec::new(),
            aging_step: None,
            weights: BTreeMap::new(),
            overflow: None,
            join_empty: true,
            leave_empty: false,
            short_abandon: None,
            callback: CallbackPolicy::default(),
        }
    }

    /// Refuses settings that would make the engine spin on one instant (zero ring timeout or
    /// announcement period, a missed-offer limit of zero) and durations over [`MAX_SETTING`].
    pub(crate) fn validate(&self) -> Result<(), AcdError> {
        let invalid = |why: &'static str| {
            Err(AcdError::InvalidQueueConfig {
                queue: self.id,
                why,
            })
        };
        if self.ring_timeout.is_zero() {
            return invalid("ring timeout must be longer than zero");
        }
        if self.missed_offers_limit == 0 {
            return invalid("missed offers limit must be at least 1");
        }
        if self.announce_period.is_some_and(|p| p.is_zero()) {
            return invalid("announcement period must be longer than zero");
        }
        if self.max_wait.is_some_and(|w| w.is_zero()) {
            return invalid("max wait must be longer than zero");
        }
        if self.aging_step.is_some_and(|s| s.is_zero()) {
            return invalid("aging step must be longer than zero");
        }
        if !levels_are_valid(&self.required_skills) {
            return invalid("required skill levels must be 1 to 10");
        }
        if self.relaxations.iter().any(|r| r.level > MAX_LEVEL) {
            return invalid("relaxed skill levels must be 0 to 10");
        }
        if self.weights.values().any(|w| *w == 0) {
            return invalid("weights must be at least 1");
        }
        if let Some(overflow) = self.overflow {
            if overflow.after.is_zero() {
                return invalid("overflow must wait longer than zero");
            }
            if overflow.to == self.id {
                return invalid("a queue cannot overflow into itself");
            }
        }
        if self.callback.max_attempts == 0 {
            return invalid("callbacks need at least one attempt");
        }
        let settings = [
            Some(self.wrap_up),
            Some(self.ring_timeout),
            self.announce_period,
            self.max_wait,
            self.aging_step,
            self.overflow.map(|o| o.after),
            self.short_abandon,
            Some(self.callback.retry_delay),
        ];
        let steps = self.relaxations.iter().map(|r| r.after);
        if settings
            .into_iter()
            .flatten()
            .chain(steps)
            .any(|d| d > MAX_SETTING)
        {
            return invalid("durations must not exceed one day");
        }
        Ok(())
    }
}

/// An agent's membership in one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Membership {
    /// Rank of this queue in the agent's routing profile: an agent becoming available serves
    /// the queues with the lowest number first (1 = primary), then the most urgent contact.
    pub priority: u32,
}

/// One agent's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    /// The agent's identity.
    pub id: AgentId,
    /// Display name.
    pub name: String,
    /// The queues the agent takes contacts from.
    pub queues: BTreeMap<QueueId, Membership>,
    /// Skills with proficiency 1–10 (`language:fr` → 8), matched against contacts' required
    /// skills.
    pub skills: BTreeMap<String, u8>,
}

impl AgentConfig {
    /// An agent in the given queues, all with priority 1, without skills.
    pub fn new(id: AgentId, name: impl Into<String>, queues: &[QueueId]) -> Self {
        Self {
            id,
            name: name.into(),
            queues: queues
                .iter()
                .map(|q| (*q, Membership { priority: 1 }))
                .collect(),
            skills: BTreeMap::new(),
        }
    }

    /// The same agent with one more skill at `level` (1–10).
    pub fn with_skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.skills.insert(skill.into(), level);
        self
    }

    /// The same agent with the given membership priority in `queue` (joining it if needed).
    pub fn with_priority(mut self, queue: QueueId, priority: u32) -> Self {
        self.queues.insert(queue, Membership { priority });
        self
    }
}

/// Everything the engine starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AcdConfig {
    /// The queues.
    pub queues: Vec<QueueConfig>,
    /// The agents (all start logged out).
    pub agents: Vec<AgentConfig>,
    /// Seed of the engine's random numbers (random strategies).
    pub seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(QueueConfig::new(QueueId(1), "sales").validate().is_ok());
    }

    #[test]
    fn zero_ring_timeout_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.ring_timeout = Duration::ZERO;
        assert!(matches!(
            q.validate(),
            Err(AcdError::InvalidQueueConfig { .. })
        ));
    }

    #[test]
    fn zero_missed_offers_limit_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.missed_offers_limit = 0;
        assert!(q.validate().is_err());
    }

    #[test]
    fn durations_over_a_day_are_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.wrap_up = MAX_SETTING + Duration::from_secs(1);
        assert!(q.validate().is_err());
    }

    #[test]
    fn required_skill_level_over_ten_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.required_skills.insert("tier".into(), 11);
        assert!(q.validate().is_err());
    }

    #[test]
    fn overflow_into_itself_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.overflow = Some(Overflow {
            after: Duration::from_secs(30),
            to: QueueId(1),
        });
        assert!(q.validate().is_err());
    }

    #[test]
    fn zero_callback_attempts_are_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.callback.max_attempts = 0;
        assert!(q.validate().is_err());
    }

    #[test]
    fn zero_aging_step_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.aging_step = Some(Duration::ZERO);
        assert!(q.validate().is_err());
    }

    #[test]
    fn zero_weight_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.weights.insert(AgentId(1), 0);
        assert!(q.validate().is_err());
    }

    #[test]
    fn zero_announce_period_is_refused() {
        let mut q = QueueConfig::new(QueueId(1), "sales");
        q.announce_period = Some(Duration::ZERO);
        assert!(q.validate().is_err());
    }
}
