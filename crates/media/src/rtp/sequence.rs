//! Sequence-number and timestamp arithmetic with wrap-around, the source validation of
//! RFC 3550 Appendix A.1, and the memory of a replaced source.

use std::time::{Duration, Instant};

/// A.1: a forward jump of more than this many packets is a restart, not loss.
pub const MAX_DROPOUT: u16 = 3000;
/// A.1: a packet at most this many behind the highest is late, not a restart.
pub const MAX_MISORDER: u16 = 100;
/// A.1: sequential packets needed before a new source is believed.
pub const MIN_SEQUENTIAL: u32 = 2;

const SEQ_MOD: i64 = 1 << 16;

/// How long packets of a replaced SSRC are taken for stragglers still in flight; after this the
/// same SSRC may start a source again (a call taken back from hold by the same phone).
pub const STALE_SOURCE_GRACE: Duration = Duration::from_secs(2);

/// A source replaced by another, remembered for [`STALE_SOURCE_GRACE`] so that its late packets
/// are dropped instead of switching the stream back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplacedSource {
    ssrc: u32,
    since: Instant,
}

impl ReplacedSource {
    /// Source `ssrc` was replaced at `since`.
    pub fn new(ssrc: u32, since: Instant) -> Self {
        ReplacedSource { ssrc, since }
    }

    /// True when a packet of `ssrc` arriving at `now` is a straggler of the replaced source.
    pub fn is_straggler(&self, now: Instant, ssrc: u32) -> bool {
        self.ssrc == ssrc && now.saturating_duration_since(self.since) < STALE_SOURCE_GRACE
    }
}

/// `b - a` in sequence-number space: positive when `b` is newer, within ±32767.
pub fn seq_delta(a: u16, b: u16) -> i16 {
    b.wrapping_sub(a) as i16
}

/// `b - a` in timestamp space: positive when `b` is later, within ±2^31.
pub fn timestamp_delta(a: u32, b: u32) -> i32 {
    b.wrapping_sub(a) as i32
}

/// Extends 32-bit RTP timestamps to 64 bits, assuming consecutive inputs are less than 2^31
/// apart (about 3 days at 8 kHz).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimestampUnwrapper {
    last: Option<i64>,
}

impl TimestampUnwrapper {
    /// An unwrapper that has seen nothing; the first timestamp is taken as is.
    pub fn new() -> Self {
        TimestampUnwrapper { last: None }
    }

    /// The extended value of `timestamp`, near the previous one.
    pub fn unwrap(&mut self, timestamp: u32) -> i64 {
        let extended = match self.last {
            None => i64::from(timestamp),
            // `last as u32` keeps the low 32 bits, which is what the wrapping delta needs.
            Some(last) => last + i64::from(timestamp_delta(last as u32, timestamp)),
        };
        self.last = Some(extended);
        extended
    }
}

/// What [`SequenceTracker::update`] made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqOutcome {
    /// The source is new and not yet believed; the packet is not counted.
    Probation,
    /// The packet is the newest so far; `gap` sequence numbers were skipped before it.
    Newer {
        /// Extended sequence number.
        extended: i64,
        /// Sequence numbers missing between the previous highest and this one.
        gap: u32,
    },
    /// The packet is at or behind the highest so far: reordered or duplicated.
    Older {
        /// Extended sequence number.
        extended: i64,
    },
    /// A jump too large to be loss; dropped until the next packet confirms a restart.
    Jump,
    /// The next packet after a [`SeqOutcome::Jump`] followed it: the source restarted and
    /// counting began again from the jump.
    Restarted {
        /// Extended sequence number (counting restarts from 0 cycles).
        extended: i64,
    },
}

/// One source's sequence state, RFC 3550 Appendix A.1.
///
/// One deliberate difference: when probation ends (or a restart is confirmed) the packets that
/// proved the source are counted, rather than dropped from the statistics, so a clean stream of
/// N packets reports N received and N expected.
#[derive(Debug, Clone)]
pub struct SequenceTracker {
    min_sequential: u32,
    probation: u32,
    max_seq: u16,
    /// Wrap count, already multiplied by 2^16.
    cycles: i64,
    /// Extended number of the first counted packet.
    base: i64,
    /// The sequence number that would confirm a restart.
    bad_seq: Option<u16>,
    /// Packets counted (including duplicates, as A.1 does).
    received: u64,
    started: bool,
}

impl SequenceTracker {
    /// A tracker that believes a source after `min_sequential` in-order packets (A.1 uses 2;
    /// 0 or 1 believes the first packet).
    pub fn new(min_sequential: u32) -> Self {
        SequenceTracker {
            min_sequential,
            probation: 0,
            max_seq: 0,
            cycles: 0,
            base: 0,
            bad_seq: None,
            received: 0,
            started: false,
        }
    }

    fn init(&mut self, seq: u16, already_seen: u32) {
        self.max_seq = seq;
        self.cycles = 0;
        self.base = i64::from(seq) - i64::from(already_seen);
        self.bad_seq = None;
        self.received = u64::from(already_seen) + 1;
    }

    /// Feeds one packet's sequence number.
    pub fn update(&mut self, seq: u16) -> SeqOutcome {
        if !self.started {
            self.started = true;
            self.max_seq = seq;
            if self.min_sequential <= 1 {
                self.probation = 0;
                self.init(seq, 0);
                return SeqOutcome::Newer {
                    extended: i64::from(seq),
                    gap: 0,
                };
            }
            self.probation = self.min_sequential - 1;
            return SeqOutcome::Probation;
        }
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if udelta == 1 {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init(seq, self.min_sequential - 1);
                    return SeqOutcome::Newer {
                        extended: i64::from(seq),
                        gap: 0,
                    };
                }
            } else {
                self.probation = self.min_sequential - 1;
                self.max_seq = seq;
            }
            return SeqOutcome::Probation;
        }
        if udelta == 0 {
            self.received += 1;
            return SeqOutcome::Older {
                extended: self.extended_max(),
            };
        }
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = seq;
            self.received += 1;
            return SeqOutcome::Newer {
                extended: self.extended_max(),
                gap: u32::from(udelta) - 1,
            };
        }
        if udelta <= u16::MAX - MAX_MISORDER {
            if self.bad_seq == Some(seq) {
                // Two sequential packets after a jump: the sender restarted its numbering.
                self.init(seq, 1);
                return SeqOutcome::Restarted {
                    extended: i64::from(seq),
                };
            }
            self.bad_seq = Some(seq.wrapping_add(1));
            return SeqOutcome::Jump;
        }
        // Within MAX_MISORDER behind the highest: late or duplicate.
        self.received += 1;
        SeqOutcome::Older {
            extended: self.extended_max() + i64::from(seq_delta(self.max_seq, seq)),
        }
    }

    /// True once the source has passed probation.
    pub fn is_valid(&self) -> bool {
        self.started && self.probation == 0
    }

    /// Highest extended sequence number seen (cycles + highest sequence number).
    pub fn extended_max(&self) -> i64 {
        self.cycles + i64::from(self.max_seq)
    }

    /// Extended number of the first counted packet.
    pub fn base(&self) -> i64 {
        self.base
    }

    /// Packets expected: highest − first + 1 (0 before the source is valid).
    pub fn expected(&self) -> u64 {
        if !self.is_valid() {
            return 0;
        }
        u64::try_from(self.extended_max() - self.base + 1).unwrap_or(0)
    }

    /// Packets counted, duplicates included (RFC 3550 counts them).
    pub fn received(&self) -> u64 {
        self.received
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)] // tests need an Instant origin; only offsets matter
    fn origin() -> Instant {
        Instant::now()
    }

    #[test]
    fn replaced_source_is_a_straggler_only_during_the_grace() {
        let t0 = origin();
        let replaced = ReplacedSource::new(7, t0);
        assert!(replaced.is_straggler(t0 + Duration::from_millis(500), 7));
        assert!(!replaced.is_straggler(t0 + Duration::from_millis(500), 8));
        assert!(!replaced.is_straggler(t0 + STALE_SOURCE_GRACE, 7));
    }

    #[test]
    fn deltas_wrap_around() {
        assert_eq!(seq_delta(65535, 0), 1);
        assert_eq!(seq_delta(0, 65535), -1);
        assert_eq!(timestamp_delta(u32::MAX - 79, 80), 160);
        assert_eq!(timestamp_delta(80, u32::MAX - 79), -160);
    }

    #[test]
    fn timestamps_unwrap_across_the_wrap() {
        let mut u = TimestampUnwrapper::new();
        assert_eq!(u.unwrap(u32::MAX - 159), i64::from(u32::MAX) - 159);
        assert_eq!(u.unwrap(0), i64::from(u32::MAX) + 1);
        assert_eq!(u.unwrap(u32::MAX), i64::from(u32::MAX)); // a late packet goes back
    }

    #[test]
    fn new_source_needs_two_sequential_packets() {
        let mut t = SequenceTracker::new(MIN_SEQUENTIAL);
        assert_eq!(t.update(100), SeqOutcome::Probation);
        assert!(!t.is_valid());
        assert_eq!(
            t.update(101),
            SeqOutcome::Newer {
                extended: 101,
                gap: 0
            }
        );
        assert!(t.is_valid());
        assert_eq!((t.expected(), t.received()), (2, 2));
    }

    #[test]
    fn probation_restarts_on_a_gap() {
        let mut t = SequenceTracker::new(3);
        assert_eq!(t.update(10), SeqOutcome::Probation);
        assert_eq!(t.update(12), SeqOutcome::Probation);
        assert_eq!(t.update(13), SeqOutcome::Probation);
        assert_eq!(
            t.update(14),
            SeqOutcome::Newer {
                extended: 14,
                gap: 0
            }
        );
        assert_eq!(t.expected(), 3);
    }

    #[test]
    fn sequence_wrap_adds_a_cycle() {
        let mut t = SequenceTracker::new(1);
        t.update(65534);
        t.update(65535);
        assert_eq!(
            t.update(0),
            SeqOutcome::Newer {
                extended: 65536,
                gap: 0
            }
        );
        assert_eq!(t.update(65535), SeqOutcome::Older { extended: 65535 });
        assert_eq!(t.expected(), 3);
        assert_eq!(t.received(), 4);
    }

    #[test]
    fn loss_shows_as_a_gap() {
        let mut t = SequenceTracker::new(1);
        t.update(1);
        assert_eq!(
            t.update(5),
            SeqOutcome::Newer {
                extended: 5,
                gap: 3
            }
        );
        assert_eq!((t.expected(), t.received()), (5, 2));
    }

    #[test]
    fn large_jump_is_confirmed_by_the_next_packet() {
        let mut t = SequenceTracker::new(1);
        t.update(1);
        t.update(2);
        assert_eq!(t.update(20_000), SeqOutcome::Jump);
        assert_eq!(t.update(20_001), SeqOutcome::Restarted { extended: 20_001 });
        assert_eq!((t.expected(), t.received()), (2, 2));
        assert_eq!(
            t.update(20_002),
            SeqOutcome::Newer {
                extended: 20_002,
                gap: 0
            }
        );
    }

    #[test]
    fn a_single_stray_jump_is_ignored() {
        let mut t = SequenceTracker::new(1);
        t.update(1);
        assert_eq!(t.update(40_000), SeqOutcome::Jump);
        assert_eq!(
            t.update(2),
            SeqOutcome::Newer {
                extended: 2,
                gap: 0
            }
        );
        assert_eq!((t.expected(), t.received()), (2, 2));
    }
}
