//! Counters readable while calls run, without asking the media tasks: per call
//! ([`LiveCounters`], behind each [`super::MediaHandle`]) and for the whole server
//! ([`MediaTotals`], for the metrics endpoint).
//!
//! Only the owning media task writes them, with relaxed stores of its own running totals (a
//! plain store, no locked read-modify-write on the packet path); readers may see one leg's
//! figures a packet apart from another's, which no reader cares about.

use std::sync::atomic::{AtomicU64, Ordering};

use media::bridge::{LegCounters, LegId};

/// One leg's traffic counters.
#[derive(Debug, Default)]
pub struct LiveLeg {
    packets_in: AtomicU64,
    bytes_in: AtomicU64,
    packets_out: AtomicU64,
    bytes_out: AtomicU64,
    dropped: AtomicU64,
}

impl LiveLeg {
    pub(super) fn publish_in(&self, counters: &LegCounters) {
        self.packets_in
            .store(counters.packets_in, Ordering::Relaxed);
        self.bytes_in.store(counters.bytes_in, Ordering::Relaxed);
    }

    pub(super) fn publish_out(&self, counters: &LegCounters) {
        self.packets_out
            .store(counters.packets_out, Ordering::Relaxed);
        self.bytes_out.store(counters.bytes_out, Ordering::Relaxed);
    }

    pub(super) fn publish_dropped(&self, counters: &LegCounters) {
        self.dropped.store(counters.dropped, Ordering::Relaxed);
    }

    /// The counters as last published.
    pub fn snapshot(&self) -> LegCounters {
        LegCounters {
            packets_in: self.packets_in.load(Ordering::Relaxed),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            packets_out: self.packets_out.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

/// A call's per-leg RTP counters, updated by its media task on every packet.
#[derive(Debug, Default)]
pub struct LiveCounters {
    legs: [LiveLeg; 2],
}

impl LiveCounters {
    /// The counters of `leg`.
    pub fn leg(&self, leg: LegId) -> &LiveLeg {
        match leg {
            LegId::A => &self.legs[0],
            LegId::B => &self.legs[1],
        }
    }

    /// Both legs' counters, A then B.
    pub fn snapshot(&self) -> [LegCounters; 2] {
        [self.legs[0].snapshot(), self.legs[1].snapshot()]
    }
}

/// Server-wide RTP totals over every call, ended ones included. Each task adds what it
/// counted about once a second and when it stops, so the figures lag by up to a second.
#[derive(Debug, Default)]
pub struct MediaTotals {
    packets_in: AtomicU64,
    packets_out: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    dropped: AtomicU64,
    calls_active: AtomicU64,
}

/// The server-wide RTP totals, from [`super::MediaService::totals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TotalsSnapshot {
    /// RTP packets received on every leg.
    pub packets_in: u64,
    /// RTP packets sent on every leg.
    pub packets_out: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets sent.
    pub bytes_out: u64,
    /// Packets received and not relayed or used (bad, unknown payload, wrong source).
    pub dropped: u64,
    /// Media tasks running.
    pub calls_active: u64,
}

impl MediaTotals {
    /// The totals now.
    pub fn snapshot(&self) -> TotalsSnapshot {
        TotalsSnapshot {
            packets_in: self.packets_in.load(Ordering::Relaxed),
            packets_out: self.packets_out.load(Ordering::Relaxed),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            calls_active: self.calls_active.load(Ordering::Relaxed),
        }
    }

    /// Adds the difference between `now` and `before` (both one call's running totals).
    pub(super) fn add_delta(&self, before: &LegCounters, now: &LegCounters) {
        let add = |counter: &AtomicU64, old: u64, new: u64| {
            if new > old {
                counter.fetch_add(new - old, Ordering::Relaxed);
            }
        };
        add(&self.packets_in, before.packets_in, now.packets_in);
        add(&self.packets_out, before.packets_out, now.packets_out);
        add(&self.bytes_in, before.bytes_in, now.bytes_in);
        add(&self.bytes_out, before.bytes_out, now.bytes_out);
        add(&self.dropped, before.dropped, now.dropped);
    }

    pub(super) fn call_started(&self) {
        self.calls_active.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn call_ended(&self) {
        self.calls_active.fetch_sub(1, Ordering::Relaxed);
    }
}
