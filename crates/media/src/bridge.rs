//! RTP relay between the two legs of a bridged call (caller ↔ agent).
//!
//! Each leg has its negotiated codec and payload types and its own outgoing stream (SSRC,
//! sequence numbers, timestamps). A packet from one leg is rewritten for the other:
//! - same codec: the payload is copied and only the header rewritten;
//! - µ-law ↔ A-law: the payload goes through G.711's direct transcoding tables;
//! - telephone-event (RFC 4733): copied under the other leg's event payload type, or dropped if
//!   that leg negotiated none;
//! - anything else (comfort noise, unknown types): dropped and counted.
//!
//! Within one incoming source, sequence numbers and timestamps are shifted by fixed offsets, so
//! loss and reordering show through unchanged. When the source changes (new SSRC after a
//! re-INVITE or transfer, a restart of its numbering, or [`Bridge::replace_leg`]) the offsets are
//! re-chosen so the far side sees one continuous stream: the next sequence number follows the
//! highest sent, the timestamp moves on by the time elapsed since the last packet (at least one
//! packet time), and the marker bit flags the discontinuity. Stray packets of the replaced
//! source are dropped for [`STALE_SOURCE_GRACE`] after the change.
//!
//! The relay path allocates nothing. For recording, [`Bridge::relay_decoding`] also decodes the
//! incoming audio to linear samples through the decode table, tagged with the outgoing
//! timestamp, whose timeline stays continuous across source changes.
//!
//! ```
//! # use std::time::Instant;
//! use media::bridge::{Bridge, LegConfig, LegId, StreamSeed};
//! use media::g711::Codec;
//! # use media::rtp::{RtpBuilder, RtpHeader};
//! # #[allow(clippy::disallowed_methods)] let now = Instant::now();
//! // Seeds are random numbers the caller draws (RFC 3550 wants random initial values).
//! let mut bridge = Bridge::new(
//!     LegConfig::new(Codec::Pcma),
//!     LegConfig::new(Codec::Pcmu),
//!     [StreamSeed { ssrc: 0x1111, sequence_number: 100, timestamp: 5000 },
//!      StreamSeed { ssrc: 0x2222, sequence_number: 900, timestamp: 7000 }],
//! );
//! # let mut packet = [0u8; 200];
//! # let header = RtpHeader { payload_type: 8, sequence_number: 1, timestamp: 0, ssrc: 0xAAAA, marker: false };
//! # let n = RtpBuilder::new(header, &[0xD5; 160]).write(&mut packet)?;
//! let mut out = [0u8; 1500];
//! if let Some(relayed) = bridge.relay(now, LegId::A, &packet[..n], &mut out)? {
//!     // send &out[..relayed.len] to leg B's remote address
//!     assert_eq!(relayed.sequence_number, 900);
//! }
//! # Ok::<(), media::bridge::BridgeError>(())
//! ```

use std::time::{Duration, Instant};

use crate::frame::SAMPLE_RATE;
use crate::g711::Codec;
pub use crate::rtp::STALE_SOURCE_GRACE;
use crate::rtp::{
    HEADER_LEN, MAX_DROPOUT, MAX_MISORDER, ReplacedSource, RtpError, RtpHeader, RtpPacket,
    seq_delta,
};

/// One side of a bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegId {
    /// The first leg (by convention the caller).
    A,
    /// The second leg (by convention the agent).
    B,
}

impl LegId {
    /// The other leg.
    pub fn other(self) -> LegId {
        match self {
            LegId::A => LegId::B,
            LegId::B => LegId::A,
        }
    }

    fn index(self) -> usize {
        match self {
            LegId::A => 0,
            LegId::B => 1,
        }
    }
}

/// What was negotiated with one leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegConfig {
    /// The audio codec.
    pub codec: Codec,
    /// The payload type the leg uses for it (normally the codec's static type).
    pub payload_type: u8,
    /// The telephone-event payload type, if negotiated.
    pub telephone_event: Option<u8>,
}

impl LegConfig {
    /// A leg with `codec` under its static payload type and telephone-event on 101.
    pub fn new(codec: Codec) -> Self {
        LegConfig {
            codec,
            payload_type: codec.payload_type(),
            telephone_event: Some(101),
        }
    }
}

/// Initial values of an outgoing stream, drawn at random by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamSeed {
    /// Our SSRC toward the leg.
    pub ssrc: u32,
    /// First sequence number.
    pub sequence_number: u16,
    /// First timestamp.
    pub timestamp: u32,
}

/// Traffic counters of one leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LegCounters {
    /// Packets received from the leg.
    pub packets_in: u64,
    /// Octets received from the leg (whole RTP packets).
    pub bytes_in: u64,
    /// Packets sent to the leg.
    pub packets_out: u64,
    /// Octets sent to the leg (whole RTP packets).
    pub bytes_out: u64,
    /// Packets from the leg not relayed (malformed, unknown payload, stale source...).
    pub dropped: u64,
}

/// Why a packet could not be relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// The packet is not valid RTP.
    #[error("bad RTP packet: {0}")]
    Rtp(#[from] RtpError),
    /// The output buffer cannot hold the rewritten packet.
    #[error("output buffer too small: {needed} bytes needed, {len} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        len: usize,
    },
}

/// What a relayed packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayedKind {
    /// Audio, in the destination leg's codec.
    Audio,
    /// An RFC 4733 telephone-event.
    TelephoneEvent,
}

/// A packet written for the other leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    /// Length of the packet written to the output buffer.
    pub len: usize,
    /// Audio or telephone-event.
    pub kind: RelayedKind,
    /// Its sequence number in the destination's stream.
    pub sequence_number: u16,
    /// Its timestamp in the destination's stream (continuous across source changes).
    pub timestamp: u32,
    /// Its marker bit.
    pub marker: bool,
    /// Linear samples decoded into the caller's buffer by [`Bridge::relay_decoding`] (0 otherwise).
    pub samples: usize,
}

/// How one incoming source maps onto an outgoing stream.
#[derive(Debug, Clone, Copy)]
struct SourceMap {
    ssrc: u32,
    seq_offset: u16,
    ts_offset: u32,
    last_seq: u16,
    /// Mark the next packet: first of a new source.
    mark_next: bool,
}

/// The outgoing stream toward one leg, fed by the other leg's sources.
#[derive(Debug, Clone)]
struct Rewriter {
    ssrc: u32,
    seed: StreamSeed,
    source: Option<SourceMap>,
    /// The source replaced last.
    replaced: Option<ReplacedSource>,
    /// Highest sequence number and the newest timestamp sent, when it was sent, and how many
    /// samples that packet held.
    highest_seq: u16,
    newest_ts: u32,
    newest_at: Option<Instant>,
    newest_samples: u32,
}

/// Converts elapsed time to 8 kHz timestamp units, saturating.
fn elapsed_units(d: Duration) -> u32 {
    u32::try_from(d.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000).unwrap_or(u32::MAX)
}

impl Rewriter {
    fn new(seed: StreamSeed) -> Self {
        Rewriter {
            ssrc: seed.ssrc,
            seed,
            source: None,
            replaced: None,
            highest_seq: seed.sequence_number.wrapping_sub(1),
            newest_ts: seed.timestamp,
            newest_at: None,
            newest_samples: 0,
        }
    }

    /// Forgets the current source; its SSRC becomes stale.
    fn forget_source(&mut self, now: Instant) {
        if let Some(source) = self.source.take() {
            self.replaced = Some(ReplacedSource::new(source.ssrc, now));
        }
    }

    /// Maps an incoming `(ssrc, seq, ts)`; `None` for a packet of the replaced source.
    fn map(&mut self, now: Instant, ssrc: u32, seq: u16, ts: u32) -> Option<(u16, u32, bool)> {
        let same_stream = self.source.is_some_and(|s| {
            let d = seq_delta(s.last_seq, seq);
            s.ssrc == ssrc && d < MAX_DROPOUT as i16 && d > -(MAX_MISORDER as i16)
        });
        if !same_stream {
            if self.replaced.is_some_and(|r| r.is_straggler(now, ssrc)) {
                return None;
            }
            if self.source.is_some_and(|s| s.ssrc != ssrc) {
                self.forget_source(now);
            }
            self.start_source(now, ssrc, seq, ts);
        }
        let source = self.source.as_mut()?;
        if seq_delta(source.last_seq, seq) > 0 {
            source.last_seq = seq;
        }
        let marker = std::mem::take(&mut source.mark_next);
        Some((
            seq.wrapping_add(source.seq_offset),
            ts.wrapping_add(source.ts_offset),
            marker,
        ))
    }

    fn start_source(&mut self, now: Instant, ssrc: u32, seq: u16, ts: u32) {
        let (first_seq, first_ts) = match self.newest_at {
            None => (self.seed.sequence_number, self.seed.timestamp),
            Some(at) => {
                let elapsed = elapsed_units(now.saturating_duration_since(at));
                let step = elapsed.max(self.newest_samples).max(1);
                (
                    self.highest_seq.wrapping_add(1),
                    self.newest_ts.wrapping_add(step),
                )
            }
        };
        self.source = Some(SourceMap {
            ssrc,
            seq_offset: first_seq.wrapping_sub(seq),
            ts_offset: first_ts.wrapping_sub(ts),
            last_seq: seq,
            mark_next: self.newest_at.is_some(),
        });
    }

    /// Records a packet sent.
    fn sent(&mut self, now: Instant, seq: u16, ts: u32, samples: u32) {
        if self.newest_at.is_none() || seq_delta(self.highest_seq, seq) > 0 {
            self.highest_seq = seq;
            self.newest_ts = ts;
            self.newest_at = Some(now);
            self.newest_samples = samples;
        }
    }
}

/// A two-leg RTP relay. See the module documentation.
#[derive(Debug, Clone)]
pub struct Bridge {
    legs: [LegConfig; 2],
    /// Indexed by destination leg.
    rewriters: [Rewriter; 2],
    counters: [LegCounters; 2],
}

impl Bridge {
    /// A bridge between legs `a` and `b`; `seeds[i]` starts the stream sent to leg `i` (A, B).
    pub fn new(a: LegConfig, b: LegConfig, seeds: [StreamSeed; 2]) -> Self {
        Bridge {
            legs: [a, b],
            rewriters: [Rewriter::new(seeds[0]), Rewriter::new(seeds[1])],
            counters: [LegCounters::default(); 2],
        }
    }

    /// What was negotiated with `leg`.
    pub fn config(&self, leg: LegId) -> &LegConfig {
        &self.legs[leg.index()]
    }

    /// The counters of `leg`.
    pub fn counters(&self, leg: LegId) -> &LegCounters {
        &self.counters[leg.index()]
    }

    /// Our SSRC in the stream sent to `leg`.
    pub fn outgoing_ssrc(&self, leg: LegId) -> u32 {
        self.rewriters[leg.index()].ssrc
    }

    /// True when relaying from `from` rewrites the payload (the legs' codecs differ).
    pub fn transcodes(&self, from: LegId) -> bool {
        self.legs[from.index()].codec != self.legs[from.other().index()].codec
    }

    /// Changes what `leg` negotiated (re-INVITE); its stream carries on.
    pub fn update_leg(&mut self, leg: LegId, config: LegConfig) {
        self.legs[leg.index()] = config;
    }

    /// Puts a new remote party on `leg` at `now` (transfer): its packets start a new source, and
    /// packets still carrying the old source's SSRC are dropped as strays for
    /// [`STALE_SOURCE_GRACE`]. The stream sent to the leg continues.
    pub fn replace_leg(&mut self, now: Instant, leg: LegId, config: LegConfig) {
        self.legs[leg.index()] = config;
        self.rewriters[leg.other().index()].forget_source(now);
    }

    /// Relays `packet` received from leg `from` at `now`, writing the packet for the other leg
    /// into `out`. `Ok(None)` when the packet is dropped by policy (counted).
    pub fn relay(
        &mut self,
        now: Instant,
        from: LegId,
        packet: &[u8],
        out: &mut [u8],
    ) -> Result<Option<Relayed>, BridgeError> {
        self.relay_inner(now, from, packet, out, None)
    }

    /// As [`Bridge::relay`], and decodes the incoming audio into `pcm` (as many samples as fit)
    /// for the recorder; [`Relayed::samples`] says how many were written.
    pub fn relay_decoding(
        &mut self,
        now: Instant,
        from: LegId,
        packet: &[u8],
        out: &mut [u8],
        pcm: &mut [i16],
    ) -> Result<Option<Relayed>, BridgeError> {
        self.relay_inner(now, from, packet, out, Some(pcm))
    }

    fn relay_inner(
        &mut self,
        now: Instant,
        from: LegId,
        packet: &[u8],
        out: &mut [u8],
        pcm: Option<&mut [i16]>,
    ) -> Result<Option<Relayed>, BridgeError> {
        let (src, dst) = (from.index(), from.other().index());
        self.counters[src].packets_in += 1;
        self.counters[src].bytes_in += packet.len() as u64;
        let parsed = match RtpPacket::parse(packet) {
            Ok(p) => p,
            Err(e) => {
                self.counters[src].dropped += 1;
                return Err(e.into());
            }
        };
        let (src_leg, dst_leg) = (self.legs[src], self.legs[dst]);
        let pt = parsed.payload_type();
        // Audio under the negotiated type, or under either static G.711 type.
        let route = if pt == src_leg.payload_type {
            Some((
                RelayedKind::Audio,
                dst_leg.payload_type,
                Some(src_leg.codec),
            ))
        } else if Some(pt) == src_leg.telephone_event {
            dst_leg
                .telephone_event
                .map(|te| (RelayedKind::TelephoneEvent, te, None))
        } else {
            Codec::from_payload_type(pt)
                .map(|c| (RelayedKind::Audio, dst_leg.payload_type, Some(c)))
        };
        let Some((kind, out_pt, src_codec)) = route else {
            self.counters[src].dropped += 1;
            return Ok(None);
        };
        let payload = parsed.payload();
        let needed = HEADER_LEN + payload.len();
        if out.len() < needed {
            self.counters[src].dropped += 1;
            return Err(BridgeError::BufferTooSmall {
                needed,
                len: out.len(),
            });
        }
        let rewriter = &mut self.rewriters[dst];
        let Some((seq, ts, restart_mark)) = rewriter.map(
            now,
            parsed.ssrc(),
            parsed.sequence_number(),
            parsed.timestamp(),
        ) else {
            self.counters[src].dropped += 1;
            return Ok(None);
        };
        let marker = parsed.marker() || (restart_mark && kind == RelayedKind::Audio);
        let header = RtpHeader {
            marker,
            payload_type: out_pt,
            sequence_number: seq,
            timestamp: ts,
            ssrc: rewriter.ssrc,
        };
        header.write(out)?;
        let body = &mut out[HEADER_LEN..needed];
        let mut samples = 0;
        match src_codec {
            Some(codec) if codec != dst_leg.codec => {
                codec.transcode_into(dst_leg.codec, payload, body);
            }
            _ => body.copy_from_slice(payload),
        }
        if let (Some(codec), Some(pcm)) = (src_codec, pcm) {
            samples = codec.decode_into(payload, pcm);
        }
        let duration = if kind == RelayedKind::Audio {
            payload.len() as u32
        } else {
            0
        };
        rewriter.sent(now, seq, ts, duration);
        self.counters[dst].packets_out += 1;
        self.counters[dst].bytes_out += needed as u64;
        Ok(Some(Relayed {
            len: needed,
            kind,
            sequence_number: seq,
            timestamp: ts,
            marker,
            samples,
        }))
    }
}
