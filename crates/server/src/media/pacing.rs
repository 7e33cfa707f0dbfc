//! Our RTP stream toward one leg ([`OutStream`]) and the 20 ms clock of the audio we generate
//! for it ourselves ([`Pacer`]).
//!
//! A leg hears either packets relayed from the other leg (numbered by the bridge) or frames
//! we play (prompts, music). The stream must stay one stream across those switches: same
//! SSRC, sequence numbers following on, timestamps that advance with real time. So the
//! stream remembers the last packet sent whoever sent it, and whichever takes over next
//! starts from [`OutStream::continuation`].
//!
//! The pacer numbers frames from its epoch: frame `k` is due at `epoch + 20 ms · k` and
//! carries timestamp `start + 160 · k`, whether or not it is sent (nothing to play) and
//! however late the timer fired. A late timer makes several frames due at once: up to
//! `max_catch_up` are sent back to back, the rest skipped, so the timestamps always follow
//! the clock and a stall never floods the phone's jitter buffer.

use std::time::{Duration, Instant};

use media::bridge::StreamSeed;
use media::rtp::seq_delta;
use media::{FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE};

const FRAME: Duration = Duration::from_millis(FRAME_MS as u64);

/// What went out last on our stream toward one leg.
#[derive(Debug, Clone)]
pub(super) struct OutStream {
    pub(super) ssrc: u32,
    /// Sequence number of the next packet.
    next_seq: u16,
    /// Timestamp of the newest packet sent (or of the seed before any).
    last_ts: u32,
    /// When the newest packet was sent; `None` before the first.
    last_at: Option<Instant>,
}

impl OutStream {
    pub(super) fn new(seed: StreamSeed) -> OutStream {
        OutStream {
            ssrc: seed.ssrc,
            next_seq: seed.sequence_number,
            last_ts: seed.timestamp,
            last_at: None,
        }
    }

    /// Where a new sender of this stream starts at `now`: the next sequence number, and a
    /// timestamp moved on by the time since the last packet (at least one frame).
    pub(super) fn continuation(&self, now: Instant) -> StreamSeed {
        let timestamp = match self.last_at {
            None => self.last_ts,
            Some(at) => {
                let units = samples_in(now.saturating_duration_since(at));
                self.last_ts.wrapping_add(units.max(FRAME_SAMPLES as u32))
            }
        };
        StreamSeed {
            ssrc: self.ssrc,
            sequence_number: self.next_seq,
            timestamp,
        }
    }

    /// Takes the next sequence number for a packet we build.
    pub(super) fn take_seq(&mut self) -> u16 {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        seq
    }

    /// Notes a packet sent with `seq` and `timestamp` (reordered relays may send an older
    /// number: only newer ones move the stream on).
    pub(super) fn sent(&mut self, now: Instant, seq: u16, timestamp: u32) {
        let newest = self.next_seq.wrapping_sub(1);
        if self.last_at.is_none() || seq_delta(newest, seq) >= 0 {
            self.next_seq = seq.wrapping_add(1);
            self.last_ts = timestamp;
            self.last_at = Some(now);
        }
    }
}

fn samples_in(duration: Duration) -> u32 {
    let samples = duration.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000;
    u32::try_from(samples).unwrap_or(u32::MAX)
}

/// The 20 ms clock of locally generated audio toward one leg.
#[derive(Debug, Clone)]
pub(super) struct Pacer {
    epoch: Instant,
    first_ts: u32,
    /// Frames produced or skipped so far.
    frames: u64,
    /// The last frame was sent: the next one sent continues the talkspurt (no marker).
    talking: bool,
}

/// One frame slot of a [`Pacer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// When the frame is due.
    pub(super) at: Instant,
    /// Its RTP timestamp.
    pub(super) timestamp: u32,
}

impl Pacer {
    /// A clock whose frame 0 is due at `now`, carrying `first_ts`.
    pub(super) fn start(now: Instant, first_ts: u32) -> Pacer {
        Pacer {
            epoch: now,
            first_ts,
            frames: 0,
            talking: false,
        }
    }

    /// The slots to fill at `now`, oldest first: the frames due and not yet produced, at most
    /// `max_catch_up` (older ones are skipped).
    pub(super) fn due(
        &mut self,
        now: Instant,
        max_catch_up: u32,
    ) -> impl Iterator<Item = Slot> + use<> {
        let elapsed = now.saturating_duration_since(self.epoch);
        let due = u64::try_from(elapsed.as_micros() / FRAME.as_micros())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let limit = u64::from(max_catch_up.max(1));
        if due.saturating_sub(self.frames) > limit {
            // Skipped frames are a silence: the next frame sent starts a talkspurt.
            self.frames = due - limit;
            self.talking = false;
        }
        let (from, to) = (self.frames, due.max(self.frames));
        self.frames = to;
        let (epoch, first_ts) = (self.epoch, self.first_ts);
        (from..to).map(move |k| Slot {
            at: epoch + FRAME * u32::try_from(k).unwrap_or(u32::MAX),
            timestamp: first_ts.wrapping_add((k as u32).wrapping_mul(FRAME_SAMPLES as u32)),
        })
    }

    /// Whether a frame sent now needs the marker bit (first of a talkspurt); call once per
    /// slot with whether it was sent.
    pub(super) fn note_slot(&mut self, sent: bool) -> bool {
        let marker = sent && !self.talking;
        self.talking = sent;
        marker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)] // one real origin for simulated times
    fn origin() -> Instant {
        Instant::now()
    }

    fn seed() -> StreamSeed {
        StreamSeed {
            ssrc: 9,
            sequence_number: 65_535,
            timestamp: 1_000,
        }
    }

    #[test]
    fn frames_are_due_every_20_ms_with_timestamps_160_apart() {
        let t0 = origin();
        let mut pacer = Pacer::start(t0, 500);
        let first: Vec<_> = pacer.due(t0, 3).collect();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].timestamp, 500);
        let next: Vec<_> = pacer.due(t0 + Duration::from_millis(41), 3).collect();
        assert_eq!(
            next.iter().map(|s| s.timestamp).collect::<Vec<_>>(),
            [660, 820]
        );
        assert_eq!(pacer.due(t0 + Duration::from_millis(55), 3).count(), 0);
    }

    #[test]
    fn a_long_stall_skips_frames_but_timestamps_follow_the_clock() {
        let t0 = origin();
        let mut pacer = Pacer::start(t0, 0);
        assert_eq!(pacer.due(t0, 3).count(), 1);
        assert!(pacer.note_slot(true));
        let late: Vec<_> = pacer.due(t0 + Duration::from_millis(1_000), 3).collect();
        assert_eq!(
            late.iter().map(|s| s.timestamp).collect::<Vec<_>>(),
            [48 * 160, 49 * 160, 50 * 160]
        );
        assert!(
            pacer.note_slot(true),
            "the first frame after a skip is marked"
        );
        assert!(!pacer.note_slot(true));
    }

    #[test]
    fn a_continuation_follows_on_in_sequence_and_time() {
        let t0 = origin();
        let mut stream = OutStream::new(seed());
        assert_eq!(stream.continuation(t0).timestamp, 1_000);
        let seq = stream.take_seq();
        stream.sent(t0, seq, 1_000);
        let next = stream.continuation(t0 + Duration::from_millis(100));
        assert_eq!(next.sequence_number, 0);
        assert_eq!(next.timestamp, 1_800);
        // Even at once, the timestamp moves on by one frame.
        assert_eq!(stream.continuation(t0).timestamp, 1_160);
    }

    #[test]
    fn an_older_relayed_packet_does_not_move_the_stream_back() {
        let t0 = origin();
        let mut stream = OutStream::new(seed());
        stream.sent(t0, 10, 3_200);
        stream.sent(t0, 9, 3_040);
        assert_eq!(stream.continuation(t0).sequence_number, 11);
    }
}
