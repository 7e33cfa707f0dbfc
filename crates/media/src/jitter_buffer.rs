//! Adaptive playout buffer for one incoming G.711 stream: packets in as they arrive, 20 ms frames
//! out on the caller's playout clock.
//!
//! Drive loop (the server's media task; `now` from its clock):
//!
//! ```
//! # use std::time::{Duration, Instant};
//! # use media::jitter_buffer::{JitterBuffer, JitterBufferConfig};
//! # use media::g711::Codec;
//! # use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
//! # #[allow(clippy::disallowed_methods)] let start = Instant::now();
//! let mut jb = JitterBuffer::new(JitterBufferConfig::default());
//! let mut buf = [0u8; 200];
//! for n in 0..10u16 {
//!     let now = start + Duration::from_millis(20 * u64::from(n));
//!     // A datagram arrived: hand it over with the codec its payload type maps to.
//!     let header = RtpHeader { sequence_number: n, timestamp: 160 * u32::from(n), ..Default::default() };
//!     let len = RtpBuilder::new(header, &[0xFF; 160]).write(&mut buf)?;
//!     jb.push(now, &RtpPacket::parse(&buf[..len])?, Codec::Pcmu);
//!     // Every 20 ms: take one frame for the mixer, recorder or detectors.
//!     let playout = jb.pop(now);
//!     let _ = (playout.frame, playout.kind);
//! }
//! # Ok::<(), media::rtp::RtpError>(())
//! ```
//!
//! How it works:
//! - Packets are kept (encoded, at most `max_packets`, memory allocated once) sorted by their
//!   extended timestamp; a frame is cut from whatever packets cover its 160 samples, so 10, 30,
//!   40 or 60 ms packets come out as 20 ms frames.
//! - Each packet's transit (arrival − timestamp, in samples) goes into a window of the last 64;
//!   the target delay is the spread of that window ignoring its single worst value (the delay
//!   that would have played 63 of the last 64 packets in time), plus the wait a packet time that
//!   does not divide 20 ms imposes, clamped to `[min_delay, max_delay]`.
//! - The frame that should be playing at `now` is `now − min transit − target`. When playout runs
//!   ahead of that, a concealment frame is inserted; a frame or more behind, a frame is skipped; more than `max_delay` behind, playout jumps forward to it. Playout never
//!   moves backwards, so frames come out in timestamp order.
//! - Missing samples are concealed by repeating the last frame, fading to silence over 60 ms.
//! - A new SSRC, or a timestamp jump confirmed by the next packet, re-syncs: the buffer empties
//!   and playout restarts on the new timeline after the target delay (concealment bridges it).
//!   Stragglers of the replaced SSRC are dropped as late for a grace period.

use std::time::{Duration, Instant};

use crate::frame::{FRAME_SAMPLES, Frame, SAMPLE_RATE};
use crate::g711::Codec;
use crate::rtp::{ReplacedSource, RtpPacket, TimestampUnwrapper};

/// Longest packet accepted: 60 ms of 8 kHz G.711.
pub const MAX_PACKET_SAMPLES: usize = 480;
/// Concealment fades the repeated audio to silence over this many samples (60 ms).
const FADE_SAMPLES: usize = 3 * FRAME_SAMPLES;
/// Transit times remembered for the delay estimate.
const TRANSIT_WINDOW: usize = 64;
/// Below this many transit samples the worst one is not yet treated as an outlier.
const OUTLIER_MIN_SAMPLES: usize = 16;
const FRAME: i64 = FRAME_SAMPLES as i64;

/// Tuning of a [`JitterBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitterBufferConfig {
    /// Smallest playout delay (20 ms by default).
    pub min_delay: Duration,
    /// Largest playout delay (200 ms by default).
    pub max_delay: Duration,
    /// Packets held at most; the oldest gives way when full (32 by default).
    pub max_packets: usize,
    /// A change of transit time larger than this is a timestamp jump, not jitter (1 s).
    pub jump_threshold: Duration,
}

impl Default for JitterBufferConfig {
    fn default() -> Self {
        JitterBufferConfig {
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_packets: 32,
            jump_threshold: Duration::from_secs(1),
        }
    }
}

/// What [`JitterBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Stored for playout.
    Buffered,
    /// Stored, after dropping the oldest packet because the buffer was full.
    BufferedDroppingOldest,
    /// Dropped: the buffer is full of newer packets.
    Overflow,
    /// Dropped: its audio was already played or it straggles from a replaced source.
    Late,
    /// Dropped: a packet with the same timestamp is buffered.
    Duplicate,
    /// Dropped: its timestamp jumped; the next packet will confirm a re-sync or not.
    Jump,
    /// Dropped: empty payload or longer than [`MAX_PACKET_SAMPLES`].
    Rejected,
}

/// What a frame from [`JitterBuffer::pop`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Received audio only.
    Audio,
    /// Some or all samples concealed (repeated audio fading out).
    Concealed,
    /// Nothing to play: not started, or concealment has faded out.
    Silence,
}

/// One 20 ms frame of playout.
#[derive(Debug, Clone, Copy)]
pub struct Playout<'a> {
    /// The samples.
    pub frame: &'a Frame,
    /// Where they came from.
    pub kind: FrameKind,
}

/// Counters of a [`JitterBuffer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterBufferStats {
    /// Packets offered to `push`.
    pub pushed: u64,
    /// Packets dropped as late.
    pub late: u64,
    /// Packets dropped as duplicates.
    pub duplicates: u64,
    /// Packets dropped because the buffer was full.
    pub overflow: u64,
    /// Packets dropped as unusable.
    pub rejected: u64,
    /// Packets dropped on an unconfirmed timestamp jump.
    pub jumps: u64,
    /// Re-syncs (new SSRC or confirmed timestamp jump).
    pub resyncs: u64,
    /// Frames played from received audio only.
    pub frames_audio: u64,
    /// Frames with concealed samples.
    pub frames_concealed: u64,
    /// Silent frames (not started or faded out).
    pub frames_silent: u64,
    /// Frames inserted to grow the delay.
    pub frames_inserted: u64,
    /// Frames skipped to shrink the delay.
    pub frames_skipped: u64,
}

#[derive(Clone)]
struct Slot {
    timestamp: i64,
    len: usize,
    codec: Codec,
    payload: [u8; MAX_PACKET_SAMPLES],
}

impl Slot {
    fn end(&self) -> i64 {
        self.timestamp + self.len as i64
    }
}

/// The playout buffer of one incoming stream. See the module documentation.
pub struct JitterBuffer {
    config: JitterBufferConfig,
    slots: Vec<Slot>,
    /// Occupied slot indices, sorted by timestamp.
    order: Vec<usize>,
    free: Vec<usize>,
    source: Option<u32>,
    replaced: Option<ReplacedSource>,
    unwrapper: TimestampUnwrapper,
    epoch: Option<Instant>,
    transits: [i64; TRANSIT_WINDOW],
    transit_len: usize,
    transit_next: usize,
    /// Transit of a packet that jumped, awaiting confirmation.
    pending_jump: Option<i64>,
    base_transit: i64,
    target: i64,
    packet_samples: usize,
    /// Extended timestamp of the next sample to play; `None` until playout starts.
    play_ts: Option<i64>,
    frame: Frame,
    /// The last frame played, the source of concealment.
    history: Frame,
    /// Samples concealed in a row.
    concealed_run: usize,
    stats: JitterBufferStats,
}

fn units(d: Duration) -> i64 {
    i64::try_from(d.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000).unwrap_or(i64::MAX)
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl JitterBuffer {
    /// An empty buffer; all its memory is allocated here.
    pub fn new(config: JitterBufferConfig) -> Self {
        let capacity = config.max_packets.max(1);
        let empty = Slot {
            timestamp: 0,
            len: 0,
            codec: Codec::Pcmu,
            payload: [0; MAX_PACKET_SAMPLES],
        };
        JitterBuffer {
            slots: vec![empty; capacity],
            order: Vec::with_capacity(capacity),
            free: (0..capacity).rev().collect(),
            source: None,
            replaced: None,
            unwrapper: TimestampUnwrapper::new(),
            epoch: None,
            transits: [0; TRANSIT_WINDOW],
            transit_len: 0,
            transit_next: 0,
            pending_jump: None,
            base_transit: 0,
            target: units(config.min_delay),
            packet_samples: FRAME_SAMPLES,
            play_ts: None,
            frame: Frame::SILENCE,
            history: Frame::SILENCE,
            concealed_run: FADE_SAMPLES,
            stats: JitterBufferStats::default(),
            config,
        }
    }

    /// The counters.
    pub fn stats(&self) -> &JitterBufferStats {
        &self.stats
    }

    /// Packets currently held (never more than `max_packets`).
    pub fn buffered_packets(&self) -> usize {
        self.order.len()
    }

    /// The playout delay the buffer aims at.
    pub fn target_delay(&self) -> Duration {
        Duration::from_micros(
            u64::try_from(self.target).unwrap_or(0) * 1_000_000 / u64::from(SAMPLE_RATE),
        )
    }

    /// Duration of the last packet received (its ptime).
    pub fn packet_time(&self) -> Duration {
        Duration::from_micros(self.packet_samples as u64 * 1_000_000 / u64::from(SAMPLE_RATE))
    }

    fn arrival(&mut self, now: Instant) -> i64 {
        let epoch = *self.epoch.get_or_insert(now);
        units(now.saturating_duration_since(epoch))
    }

    /// Takes a packet that arrived at `now`, its payload coded with `codec`.
    pub fn push(&mut self, now: Instant, packet: &RtpPacket<'_>, codec: Codec) -> PushOutcome {
        self.stats.pushed += 1;
        let payload = packet.payload();
        if payload.is_empty() || payload.len() > MAX_PACKET_SAMPLES {
            self.stats.rejected += 1;
            return PushOutcome::Rejected;
        }
        let ssrc = packet.ssrc();
        if self.source != Some(ssrc) {
            if self.replaced.is_some_and(|r| r.is_straggler(now, ssrc)) {
                self.stats.late += 1;
                return PushOutcome::Late;
            }
            if let Some(old) = self.source {
                self.resync();
                self.replaced = Some(ReplacedSource::new(old, now));
            }
            self.source = Some(ssrc);
            self.unwrapper = TimestampUnwrapper::new();
        }
        let timestamp = self.unwrapper.unwrap(packet.timestamp());
        let transit = self.arrival(now) - timestamp;
        if self.transit_len > 0
            && (transit - self.base_transit).abs() > units(self.config.jump_threshold)
        {
            let confirmed = self
                .pending_jump
                .is_some_and(|p| (transit - p).abs() <= units(self.config.max_delay));
            if !confirmed {
                self.pending_jump = Some(transit);
                self.stats.jumps += 1;
                return PushOutcome::Jump;
            }
            self.resync();
        }
        self.pending_jump = None;
        self.packet_samples = payload.len();
        self.record_transit(transit);

        if let Some(play) = self.play_ts
            && timestamp + payload.len() as i64 <= play
        {
            self.stats.late += 1;
            return PushOutcome::Late;
        }
        let position = match self
            .order
            .binary_search_by_key(&timestamp, |&i| self.slots[i].timestamp)
        {
            Ok(_) => {
                self.stats.duplicates += 1;
                return PushOutcome::Duplicate;
            }
            Err(position) => position,
        };
        let (slot, position, outcome) = match self.free.pop() {
            Some(slot) => (slot, position, PushOutcome::Buffered),
            None if position == 0 => {
                self.stats.overflow += 1;
                return PushOutcome::Overflow;
            }
            None => {
                // Full: the oldest packet gives way (its slot is reused).
                self.stats.overflow += 1;
                (
                    self.order.remove(0),
                    position - 1,
                    PushOutcome::BufferedDroppingOldest,
                )
            }
        };
        let s = &mut self.slots[slot];
        s.timestamp = timestamp;
        s.len = payload.len();
        s.codec = codec;
        s.payload[..payload.len()].copy_from_slice(payload);
        self.order.insert(position, slot);
        outcome
    }

    fn record_transit(&mut self, transit: i64) {
        self.transits[self.transit_next] = transit;
        self.transit_next = (self.transit_next + 1) % TRANSIT_WINDOW;
        self.transit_len = (self.transit_len + 1).min(TRANSIT_WINDOW);
        let window = &self.transits[..self.transit_len];
        let (mut min, mut max, mut second) = (i64::MAX, i64::MIN, i64::MIN);
        for &t in window {
            min = min.min(t);
            if t > max {
                second = max;
                max = t;
            } else if t > second {
                second = t;
            }
        }
        let worst = if window.len() >= OUTLIER_MIN_SAMPLES {
            second
        } else {
            max
        };
        // A packet time that does not divide 20 ms makes some frames wait for the next packet.
        let packet = self.packet_samples as i64;
        let alignment = FRAME - gcd(packet, FRAME);
        self.base_transit = min;
        self.target = (worst - min + alignment)
            .clamp(units(self.config.min_delay), units(self.config.max_delay));
    }

    /// Forgets the current timeline: buffered packets and transit history.
    fn resync(&mut self) {
        self.stats.resyncs += 1;
        for slot in self.order.drain(..) {
            self.free.push(slot);
        }
        self.transit_len = 0;
        self.transit_next = 0;
        self.pending_jump = None;
        self.play_ts = None;
        self.target = units(self.config.min_delay);
    }

    /// The next 20 ms frame, for playout at `now`; call once per frame period.
    pub fn pop(&mut self, now: Instant) -> Playout<'_> {
        let kind = self.next_frame(now);
        match kind {
            FrameKind::Audio => self.stats.frames_audio += 1,
            FrameKind::Concealed => self.stats.frames_concealed += 1,
            FrameKind::Silence => self.stats.frames_silent += 1,
        }
        Playout {
            frame: &self.frame,
            kind,
        }
    }

    fn next_frame(&mut self, now: Instant) -> FrameKind {
        if self.epoch.is_none() {
            return self.conceal();
        }
        let desired = self.arrival(now) - self.base_transit - self.target;
        let play = match self.play_ts {
            Some(play) => play,
            None => {
                let first = self.order.first().map(|&i| self.slots[i].timestamp);
                match first {
                    Some(first) if desired >= first => first,
                    _ => return self.conceal(),
                }
            }
        };
        let mut play = play;
        let drift = play - desired;
        if drift < -(units(self.config.max_delay) + FRAME) {
            // Far behind (the caller stopped polling): jump forward, keeping the frame grid
            // aligned to the packets. Playout never moves backwards, so frames stay in order.
            let frames = (-drift).div_euclid(FRAME);
            play += frames * FRAME;
            self.stats.frames_skipped += frames as u64;
        } else if drift <= -FRAME {
            play += FRAME;
            self.stats.frames_skipped += 1;
        } else if drift > 0 {
            // Playing ahead of the target: wait one frame. (Skipping waits for a whole frame
            // of excess, so the delay settles in [target, target + 20 ms).)
            self.play_ts = Some(play);
            self.stats.frames_inserted += 1;
            return self.conceal();
        }
        self.discard_before(play);
        self.play_ts = Some(play + FRAME);
        let kind = self.assemble(play);
        self.discard_before(play + FRAME);
        kind
    }

    /// Frees packets whose audio ends before `ts`.
    fn discard_before(&mut self, ts: i64) {
        while let Some(&first) = self.order.first() {
            if self.slots[first].end() > ts {
                break;
            }
            self.order.remove(0);
            self.free.push(first);
        }
    }

    /// Cuts the frame `[start, start + 160)` from the buffered packets, concealing gaps.
    fn assemble(&mut self, start: i64) -> FrameKind {
        let mut covered = [false; FRAME_SAMPLES];
        let mut real = 0;
        let end = start + FRAME;
        for &i in &self.order {
            let slot = &self.slots[i];
            if slot.timestamp >= end {
                break;
            }
            let from = slot.timestamp.max(start);
            let to = slot.end().min(end);
            if from >= to {
                continue;
            }
            let table = slot.codec.decode_table();
            // Offsets are in 0..=160 and 0..=len by the max/min above.
            let out = (from - start) as usize..(to - start) as usize;
            let src = (from - slot.timestamp) as usize..(to - slot.timestamp) as usize;
            for ((sample, flag), &code) in self.frame.samples[out.clone()]
                .iter_mut()
                .zip(&mut covered[out])
                .zip(&slot.payload[src])
            {
                *sample = table[usize::from(code)];
                *flag = true;
                real += 1;
            }
        }
        if real == FRAME_SAMPLES {
            self.concealed_run = 0;
            self.history.clone_from(&self.frame);
            return FrameKind::Audio;
        }
        let faded_before = self.concealed_run >= FADE_SAMPLES;
        for (n, (sample, &flag)) in self.frame.samples.iter_mut().zip(&covered).enumerate() {
            if !flag {
                *sample = concealment_sample(&self.history, self.concealed_run, n);
            }
        }
        if real > 0 {
            self.concealed_run = 0;
            self.history.clone_from(&self.frame);
            FrameKind::Concealed
        } else {
            self.concealed_run = (self.concealed_run + FRAME_SAMPLES).min(FADE_SAMPLES);
            if faded_before {
                FrameKind::Silence
            } else {
                FrameKind::Concealed
            }
        }
    }

    /// A whole frame of concealment (no packet to play).
    fn conceal(&mut self) -> FrameKind {
        let faded_before = self.concealed_run >= FADE_SAMPLES;
        for (n, sample) in self.frame.samples.iter_mut().enumerate() {
            *sample = concealment_sample(&self.history, self.concealed_run, n);
        }
        self.concealed_run = (self.concealed_run + FRAME_SAMPLES).min(FADE_SAMPLES);
        if faded_before {
            FrameKind::Silence
        } else {
            FrameKind::Concealed
        }
    }
}

/// The `n`th sample of `history`, faded by how long concealment has run (`run` samples before
/// this frame): a linear ramp from full level to silence over [`FADE_SAMPLES`].
fn concealment_sample(history: &Frame, run: usize, n: usize) -> i16 {
    let run = run + n;
    if run >= FADE_SAMPLES {
        return 0;
    }
    let gain = (FADE_SAMPLES - run) as i32;
    // |sample * gain / FADE| <= |sample|, so the result fits an i16.
    (i32::from(history.samples[n]) * gain / FADE_SAMPLES as i32) as i16
}

impl std::fmt::Debug for JitterBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitterBuffer")
            .field("buffered", &self.order.len())
            .field("target_delay", &self.target_delay())
            .field("play_ts", &self.play_ts)
            .field("stats", &self.stats)
            .finish()
    }
}
