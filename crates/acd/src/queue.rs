//! A queue as the engine keeps it: settings, members, waiting contacts and the strategy's index
//! of available members.
//!
//! Invariant kept by the routing code: a queue never has both a waiting contact and an available
//! member who qualifies for it (the two would have been matched), so a newly available agent
//! only looks at their queues' waiting orders, and a new contact only at its queue's strategy.

/// How many recent handle times (talk plus wrap-up) the estimated wait averages.
pub const EWT_SAMPLES: usize = 20;

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::config::QueueConfig;
use crate::contact::WaitKey;
use crate::ids::AgentId;
use crate::strategy::Strategy;

#[derive(Debug)]
pub(crate) struct Queue {
    pub(crate) config: QueueConfig,
    /// Index of the available members, in the strategy's order.
    pub(crate) strategy: Box<dyn Strategy>,
    pub(crate) members: BTreeSet<AgentId>,
    /// Contacts waiting for an agent, in order of service.
    pub(crate) waiting: BTreeSet<WaitKey>,
    /// Every contact in the queue (waiting or being offered) by arrival, for the longest wait.
    pub(crate) present: BTreeSet<(Instant, u64)>,
    /// Handle times of the last [`EWT_SAMPLES`] calls answered from this queue, oldest first.
    pub(crate) handle_times: VecDeque<Duration>,
    /// Callers who hung up while in this queue, since the engine started.
    pub(crate) abandoned: u64,
    /// Of those, the ones who hung up within the queue's short-abandon threshold.
    pub(crate) short_abandoned: u64,
}

impl Queue {
    pub(crate) fn new(config: QueueConfig) -> Self {
        Self {
            strategy: config.strategy.build(),
            config,
            members: BTreeSet::new(),
            waiting: BTreeSet::new(),
            present: BTreeSet::new(),
            handle_times: VecDeque::new(),
            abandoned: 0,
            short_abandoned: 0,
        }
    }

    pub(crate) fn record_handle_time(&mut self, handle: Duration) {
        if self.handle_times.len() == EWT_SAMPLES {
            self.handle_times.pop_front();
        }
        self.handle_times.push_back(handle);
    }

    /// Mean of the recent handle times; `None` before the first call ends.
    pub(crate) fn average_handle_time(&self) -> Option<Duration> {
        let n = u32::try_from(self.handle_times.len())
            .ok()
            .filter(|n| *n > 0)?;
        Some(self.handle_times.iter().sum::<Duration>() / n)
    }

    /// 1-based position of a waiting contact. Counts those ahead: O(position), paid once per
    /// announcement; an order-statistic tree would make it O(log n) if queues grow long.
    pub(crate) fn position(&self, key: &WaitKey) -> usize {
        self.waiting.range(..key).count() + 1
    }

    /// Contacts present (waiting or being offered).
    pub(crate) fn len(&self) -> usize {
        self.present.len()
    }

    pub(crate) fn oldest_arrival(&self) -> Option<Instant> {
        self.present.first().map(|(at, _)| *at)
    }
}
