//! The highest nonce count seen per nonce, in bounded memory, for replay rejection
//! (RFC 7616 §3.4: a server rejects a repeated `nc`).
//!
//! When the table is full the oldest entry is evicted, and its issue time becomes a watermark:
//! a nonce issued at or before the watermark that is no longer in the table may have been seen
//! before, so it is answered as stale (the client retries with a fresh nonce) rather than
//! accepted. Eviction therefore never opens a replay window; it only costs an extra round trip.

use std::collections::VecDeque;

use crate::hash::{FastMap, fast_map};

/// What the table says about a nonce count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NcCheck {
    /// Higher than any count seen for this nonce: accepted and remembered.
    Fresh,
    /// Not higher than the last count seen: a replay.
    Replay,
    /// The nonce may have been evicted: its history is unknown.
    Forgotten,
}

#[derive(Debug)]
pub(crate) struct NonceCounts {
    capacity: usize,
    highest: FastMap<String, u32>,
    /// Nonces in insertion order with their issue time, oldest first.
    order: VecDeque<(String, u64)>,
    /// Latest issue time among evicted nonces.
    watermark: Option<u64>,
}

impl NonceCounts {
    pub(crate) fn new(capacity: usize) -> NonceCounts {
        NonceCounts {
            capacity: capacity.max(1),
            highest: fast_map(),
            order: VecDeque::new(),
            watermark: None,
        }
    }

    /// Checks `nc` for a nonce (already authenticated, issued at `issued`) and records it.
    /// `expired_before`: entries issued before this time are stale anyway and can be dropped.
    pub(crate) fn check(
        &mut self,
        nonce: &str,
        issued: u64,
        nc: u32,
        expired_before: u64,
    ) -> NcCheck {
        self.drop_expired(expired_before);
        if let Some(last) = self.highest.get_mut(nonce) {
            if nc <= *last {
                return NcCheck::Replay;
            }
            *last = nc;
            return NcCheck::Fresh;
        }
        if self.watermark.is_some_and(|w| issued <= w) {
            return NcCheck::Forgotten;
        }
        while self.order.len() >= self.capacity {
            let Some((evicted, evicted_issued)) = self.order.pop_front() else {
                break;
            };
            self.highest.remove(&evicted);
            self.watermark = Some(
                self.watermark
                    .map_or(evicted_issued, |w| w.max(evicted_issued)),
            );
        }
        self.highest.insert(nonce.to_owned(), nc);
        self.order.push_back((nonce.to_owned(), issued));
        NcCheck::Fresh
    }

    /// Number of nonces tracked.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    fn drop_expired(&mut self, expired_before: u64) {
        while let Some((nonce, issued)) = self.order.front() {
            if *issued >= expired_before {
                break;
            }
            self.highest.remove(nonce);
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_count_is_fresh_and_equal_count_is_replay() {
        let mut t = NonceCounts::new(4);
        assert_eq!(t.check("a", 10, 1, 0), NcCheck::Fresh);
        assert_eq!(t.check("a", 10, 2, 0), NcCheck::Fresh);
        assert_eq!(t.check("a", 10, 2, 0), NcCheck::Replay);
        assert_eq!(t.check("a", 10, 1, 0), NcCheck::Replay);
    }

    #[test]
    fn full_table_evicts_the_oldest_and_forgets_it_safely() {
        let mut t = NonceCounts::new(2);
        assert_eq!(t.check("a", 10, 1, 0), NcCheck::Fresh);
        assert_eq!(t.check("b", 11, 1, 0), NcCheck::Fresh);
        assert_eq!(t.check("c", 12, 1, 0), NcCheck::Fresh);
        assert_eq!(t.len(), 2);
        // "a" was evicted: replaying its nc must not be accepted.
        assert_eq!(t.check("a", 10, 1, 0), NcCheck::Forgotten);
        // The survivors keep their history.
        assert_eq!(t.check("b", 11, 1, 0), NcCheck::Replay);
        assert_eq!(t.check("c", 12, 2, 0), NcCheck::Fresh);
    }

    #[test]
    fn nonce_issued_after_the_watermark_is_accepted() {
        let mut t = NonceCounts::new(1);
        t.check("a", 10, 1, 0);
        t.check("b", 11, 1, 0);
        assert_eq!(t.check("c", 12, 1, 0), NcCheck::Fresh);
    }

    #[test]
    fn expired_entries_are_dropped_without_raising_the_watermark() {
        let mut t = NonceCounts::new(2);
        t.check("a", 10, 1, 0);
        t.check("b", 20, 1, 15);
        assert_eq!(t.len(), 1);
        assert_eq!(t.check("c", 12, 1, 0), NcCheck::Fresh);
    }
}
