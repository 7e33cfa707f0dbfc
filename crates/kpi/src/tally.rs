//! Counters of one queue, one interval or the whole day, and the ratios DESIGN.md defines over
//! them (service level, abandonment rate, ASA, AHT).

use serde::Serialize;

/// What happened to the contacts offered (counted where they were offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Contacts that entered.
    pub offered: u64,
    /// Of those, answered by an agent.
    pub answered: u64,
    /// Of the answered, within the service-level threshold.
    pub answered_within: u64,
    /// Callers who hung up while queued.
    pub abandoned: u64,
    /// Of the abandoned, those under the short-abandon threshold.
    pub short_abandoned: u64,
    /// Moved on to another queue after waiting too long (queues only).
    pub overflowed: u64,
    /// Sum of the answered contacts' waits.
    pub answer_wait_ms: u64,
    /// The longest wait of an answered contact.
    pub longest_answer_wait_ms: Option<u64>,
}

/// Handling time of the agents' work on contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Handling {
    /// Handled contacts: agent conversations that ended (a transferred call counts once per
    /// agent who talked to it).
    pub handled: u64,
    /// Talk time, hold excluded.
    pub talk_ms: u64,
    /// Hold time.
    pub hold_ms: u64,
    /// Wrap-up time (after-call work that has ended).
    pub wrap_up_ms: u64,
}

impl Handling {
    /// AHT: (talk + hold + wrap-up) ÷ handled, in seconds; `None` before anything was handled.
    pub fn aht_secs(&self) -> Option<f64> {
        let total = self
            .talk_ms
            .saturating_add(self.hold_ms)
            .saturating_add(self.wrap_up_ms);
        ratio(total, self.handled).map(|ms| ms / 1000.0)
    }
}

/// `numerator ÷ denominator`, `None` when the denominator is 0.
fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

impl Counts {
    /// Counts `answered` contact's wait.
    pub(crate) fn answer(&mut self, wait_ms: u64, within: bool) {
        self.answered += 1;
        self.answered_within += u64::from(within);
        self.answer_wait_ms = self.answer_wait_ms.saturating_add(wait_ms);
        self.longest_answer_wait_ms = self.longest_answer_wait_ms.max(Some(wait_ms));
    }

    /// Counts an abandon.
    pub(crate) fn abandon(&mut self, short: bool) {
        self.abandoned += 1;
        self.short_abandoned += u64::from(short);
    }

    /// Adds `other`'s counts (intervals made of base buckets).
    pub(crate) fn add(&mut self, other: &Counts) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.answered_within += other.answered_within;
        self.abandoned += other.abandoned;
        self.short_abandoned += other.short_abandoned;
        self.overflowed += other.overflowed;
        self.answer_wait_ms = self.answer_wait_ms.saturating_add(other.answer_wait_ms);
        self.longest_answer_wait_ms = self
            .longest_answer_wait_ms
            .max(other.longest_answer_wait_ms);
    }

    /// Offered minus short abandons: the denominator of SL and abandonment rate.
    fn counted(&self) -> u64 {
        self.offered.saturating_sub(self.short_abandoned)
    }

    /// SL: answered within T ÷ (offered − short abandons); `None` when that is 0.
    pub fn service_level(&self) -> Option<f64> {
        ratio(self.answered_within, self.counted())
    }

    /// (abandoned − short abandons) ÷ (offered − short abandons); `None` when that is 0.
    pub fn abandonment_rate(&self) -> Option<f64> {
        ratio(
            self.abandoned.saturating_sub(self.short_abandoned),
            self.counted(),
        )
    }

    /// ASA: mean wait of the answered, in seconds; `None` before the first answer.
    pub fn asa_secs(&self) -> Option<f64> {
        ratio(self.answer_wait_ms, self.answered).map(|ms| ms / 1000.0)
    }
}
