//! What the figures depend on besides the events: the day they cover, the interval length of
//! the series, and each queue's service-level and short-abandon thresholds.

use std::collections::BTreeMap;
use std::time::Duration;

/// Service-level threshold a queue has unless configured otherwise (the "20" of "80/20").
pub const DEFAULT_SERVICE_LEVEL: Duration = Duration::from_secs(20);
/// Short-abandon threshold a queue has unless configured otherwise.
pub const DEFAULT_SHORT_ABANDON: Duration = Duration::from_secs(5);

/// The smallest interval; the day is kept in buckets of this length, and longer intervals are
/// sums of them.
pub const BASE_INTERVAL_MS: i64 = 15 * 60 * 1000;

/// Base buckets a day may have at most (26 hours).
const MAX_BUCKETS: u64 = 26 * 4;

/// Interval lengths reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IntervalLength {
    /// 15 minutes.
    Minutes15,
    /// 30 minutes.
    #[default]
    Minutes30,
    /// 60 minutes.
    Minutes60,
}

impl IntervalLength {
    /// From a number of minutes (15, 30 or 60).
    pub fn from_minutes(minutes: u32) -> Option<Self> {
        match minutes {
            15 => Some(Self::Minutes15),
            30 => Some(Self::Minutes30),
            60 => Some(Self::Minutes60),
            _ => None,
        }
    }

    /// Its length in minutes.
    pub fn minutes(self) -> u32 {
        match self {
            Self::Minutes15 => 15,
            Self::Minutes30 => 30,
            Self::Minutes60 => 60,
        }
    }

    /// How many base (15-minute) buckets make one interval.
    pub(crate) fn buckets(self) -> usize {
        match self {
            Self::Minutes15 => 1,
            Self::Minutes30 => 2,
            Self::Minutes60 => 4,
        }
    }
}

/// A queue's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Answered within this wait (inclusive) counts toward the service level.
    pub service_level: Duration,
    /// Abandoned before this wait (exclusive, as `acd` counts it) is a short abandon.
    pub short_abandon: Duration,
}

impl Default for Thresholds {
    /// 20 s and 5 s.
    fn default() -> Self {
        Thresholds {
            service_level: DEFAULT_SERVICE_LEVEL,
            short_abandon: DEFAULT_SHORT_ABANDON,
        }
    }
}

/// The day to count and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The day's first instant (midnight in the tenant's zone), unix ms.
    pub day_start_ms: i64,
    /// The next day's first instant, unix ms (23 or 25 hours later on a clock change).
    pub day_end_ms: i64,
    /// The length of the series [`crate::Day::figures`] gives.
    pub interval: IntervalLength,
    /// Thresholds of queues not named in `queues`.
    pub default_thresholds: Thresholds,
    /// Thresholds by queue name.
    pub queues: BTreeMap<String, Thresholds>,
}

impl Config {
    /// A day from `day_start_ms` to `day_end_ms`, 30-minute intervals, default thresholds.
    pub fn new(day_start_ms: i64, day_end_ms: i64) -> Self {
        Config {
            day_start_ms,
            day_end_ms,
            interval: IntervalLength::default(),
            default_thresholds: Thresholds::default(),
            queues: BTreeMap::new(),
        }
    }

    /// The thresholds of `queue`.
    pub fn thresholds(&self, queue: &str) -> Thresholds {
        self.queues
            .get(queue)
            .copied()
            .unwrap_or(self.default_thresholds)
    }

    /// Whether `at_ms` falls in the day.
    pub fn contains(&self, at_ms: i64) -> bool {
        (self.day_start_ms..self.day_end_ms).contains(&at_ms)
    }

    /// Base buckets in the day (at least one).
    pub(crate) fn bucket_count(&self) -> usize {
        let span = u64::try_from(self.day_end_ms.saturating_sub(self.day_start_ms)).unwrap_or(0);
        let base = BASE_INTERVAL_MS.unsigned_abs();
        // A day is 23 to 25 hours; the cap keeps a mistaken config from allocating much.
        usize::try_from(span.div_ceil(base).clamp(1, MAX_BUCKETS)).unwrap_or(1)
    }

    /// The base bucket `at_ms` falls in, if in the day.
    pub(crate) fn bucket(&self, at_ms: i64) -> Option<usize> {
        if !self.contains(at_ms) {
            return None;
        }
        usize::try_from((at_ms - self.day_start_ms) / BASE_INTERVAL_MS).ok()
    }
}
