//! The figures as reports and the wallboard show them (serialisable as they are).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Thresholds;
use crate::tally::{Counts, Handling};

/// Everything for the day so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// The day's first instant, unix ms.
    pub day_start_ms: i64,
    /// The instant the figures are for, unix ms.
    pub at_ms: i64,
    /// All queues together: each contact counted once, where it first entered a queue, with
    /// its outcome measured from then.
    pub total: QueueFigures,
    /// Per queue, by name. A contact that overflows or is transferred to a queue is offered
    /// in each queue it enters.
    pub queues: Vec<QueueFigures>,
    /// Per agent, by id.
    pub agents: Vec<AgentFigures>,
    /// The day's series at the configured interval length.
    pub intervals: IntervalSeries,
}

/// One queue's figures (or all queues': then `queue` and the thresholds are `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueFigures {
    /// The queue's name.
    pub queue: Option<String>,
    /// Its service-level threshold T, seconds.
    pub service_level_threshold_secs: Option<f64>,
    /// Its short-abandon threshold, seconds.
    pub short_abandon_threshold_secs: Option<f64>,
    /// Contacts that entered the queue.
    pub offered: u64,
    /// Reached an agent.
    pub answered: u64,
    /// Reached an agent within T.
    pub answered_within_threshold: u64,
    /// The caller hung up while queued.
    pub abandoned: u64,
    /// Of those, within the short-abandon threshold.
    pub short_abandoned: u64,
    /// Moved to another queue after waiting too long.
    pub overflowed: u64,
    /// Answered within T ÷ (offered − short abandons), 0 to 1; `null` when nothing counts.
    pub service_level: Option<f64>,
    /// (abandoned − short abandons) ÷ (offered − short abandons); `null` when nothing counts.
    pub abandonment_rate: Option<f64>,
    /// Mean wait of the answered, seconds.
    pub asa_secs: Option<f64>,
    /// (talk + hold + wrap-up) ÷ handled, seconds.
    pub aht_secs: Option<f64>,
    /// The longest wait of an answered contact, seconds.
    pub longest_answered_wait_secs: Option<f64>,
    /// Handling totals.
    #[serde(flatten)]
    pub handling: Handling,
}

impl QueueFigures {
    pub(crate) fn new(
        queue: Option<&str>,
        thresholds: Option<Thresholds>,
        counts: &Counts,
        handling: &Handling,
    ) -> Self {
        QueueFigures {
            queue: queue.map(str::to_owned),
            service_level_threshold_secs: thresholds.map(|t| t.service_level.as_secs_f64()),
            short_abandon_threshold_secs: thresholds.map(|t| t.short_abandon.as_secs_f64()),
            offered: counts.offered,
            answered: counts.answered,
            answered_within_threshold: counts.answered_within,
            abandoned: counts.abandoned,
            short_abandoned: counts.short_abandoned,
            overflowed: counts.overflowed,
            service_level: counts.service_level(),
            abandonment_rate: counts.abandonment_rate(),
            asa_secs: counts.asa_secs(),
            aht_secs: handling.aht_secs(),
            longest_answered_wait_secs: counts.longest_answer_wait_ms.map(|ms| ms as f64 / 1000.0),
            handling: *handling,
        }
    }
}

/// One agent's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentFigures {
    /// The agent (user id).
    pub agent: i64,
    /// (talk + hold + wrap-up) ÷ handled, seconds.
    pub aht_secs: Option<f64>,
    /// Handling totals.
    #[serde(flatten)]
    pub handling: Handling,
    /// Time in each state today (state name → ms), the current state counted up to `at_ms`.
    pub state_ms: BTreeMap<&'static str, u64>,
}

/// One interval of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalFigures {
    /// Its first instant, unix ms.
    pub start_ms: i64,
    /// Contacts offered in it (entered a queue during it).
    pub offered: u64,
    /// Of those, answered (whenever the answer came).
    pub answered: u64,
    /// Of those, within T.
    pub answered_within_threshold: u64,
    /// Of those offered in it, abandoned.
    pub abandoned: u64,
    /// Of the abandoned, short abandons.
    pub short_abandoned: u64,
    /// SL of the contacts offered in it; `null` when nothing counts.
    pub service_level: Option<f64>,
}

impl IntervalFigures {
    pub(crate) fn new(start_ms: i64, counts: &Counts) -> Self {
        IntervalFigures {
            start_ms,
            offered: counts.offered,
            answered: counts.answered,
            answered_within_threshold: counts.answered_within,
            abandoned: counts.abandoned,
            short_abandoned: counts.short_abandoned,
            service_level: counts.service_level(),
        }
    }
}

/// The day cut in intervals, for all queues and per queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalSeries {
    /// The intervals' length.
    pub minutes: u32,
    /// All queues (contacts counted once, in the interval they first entered a queue).
    pub total: Vec<IntervalFigures>,
    /// Per queue name.
    pub queues: BTreeMap<String, Vec<IntervalFigures>>,
}
