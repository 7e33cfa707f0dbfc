//! Reception and transmission statistics per RTP source: what RTCP reports and what a call's
//! quality report shows.
//!
//! [`ReceiverStats`] follows one incoming source: loss as RFC 3550 A.3 counts it (expected −
//! received, and the fraction lost between two reports), interarrival jitter as A.8 estimates it,
//! duplicates and reordering, loss bursts (for the E-model's burst ratio), the packet time, and
//! the last SR heard (for LSR/DLSR). [`SenderStats`] counts what we send and turns the LSR/DLSR
//! of incoming report blocks into a round-trip time.
//!
//! Time comes in as `Instant`s (arrival of a packet, now); wall-clock NTP time only where RTCP
//! carries it.

use std::time::{Duration, Instant};

use crate::rtcp::{
    NtpTimestamp, ReportBlock, SenderInfo, compact_to_duration, duration_to_compact,
};
use crate::rtp::{MIN_SEQUENTIAL, RtpPacket, SeqOutcome, SequenceTracker, timestamp_delta};

/// Statistics of one incoming RTP source.
#[derive(Debug, Clone)]
pub struct ReceiverStats {
    ssrc: u32,
    clock_rate: u32,
    seq: SequenceTracker,
    /// Bit `i` set: extended sequence `highest - i` was received (duplicate detection).
    window: u128,
    duplicates: u64,
    out_of_order: u64,
    loss_bursts: u64,
    packets: u64,
    payload_bytes: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Arrival clock origin: the first packet's arrival.
    epoch: Option<Instant>,
    /// A.8 state: previous relative transit time and timestamp, jitter estimate (in units).
    transit: Option<u32>,
    last_timestamp: Option<u32>,
    jitter: f64,
    /// Timestamp units per sequence number between the last two consecutive packets.
    packet_duration: Option<u32>,
    last_seq_ts: Option<(i64, u32)>,
    /// Compact NTP time of the last SR and when it arrived.
    last_sr: Option<(u32, Instant)>,
}

impl ReceiverStats {
    /// Statistics for source `ssrc` on a `clock_rate` Hz timestamp clock, with the A.1
    /// probation of two packets.
    pub fn new(ssrc: u32, clock_rate: u32) -> Self {
        ReceiverStats::with_probation(ssrc, clock_rate, MIN_SEQUENTIAL)
    }

    /// As [`ReceiverStats::new`], with the number of sequential packets that validate a source
    /// (0 or 1: trust the first packet).
    pub fn with_probation(ssrc: u32, clock_rate: u32, min_sequential: u32) -> Self {
        ReceiverStats {
            ssrc,
            clock_rate: clock_rate.max(1),
            seq: SequenceTracker::new(min_sequential),
            window: 0,
            duplicates: 0,
            out_of_order: 0,
            loss_bursts: 0,
            packets: 0,
            payload_bytes: 0,
            expected_prior: 0,
            received_prior: 0,
            epoch: None,
            transit: None,
            last_timestamp: None,
            jitter: 0.0,
            packet_duration: None,
            last_seq_ts: None,
            last_sr: None,
        }
    }

    /// The source these statistics follow.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Records a parsed packet that arrived at `arrival` (see [`ReceiverStats::on_packet`]).
    pub fn on_rtp(&mut self, arrival: Instant, packet: &RtpPacket<'_>) -> SeqOutcome {
        let (seq, ts) = (packet.sequence_number(), packet.timestamp());
        self.on_packet(arrival, seq, ts, packet.payload().len())
    }

    /// Records a packet that arrived at `arrival`; returns what the sequence check made of it.
    pub fn on_packet(
        &mut self,
        arrival: Instant,
        sequence_number: u16,
        timestamp: u32,
        payload_len: usize,
    ) -> SeqOutcome {
        self.packets += 1;
        self.payload_bytes += payload_len as u64;
        let outcome = self.seq.update(sequence_number);
        match outcome {
            SeqOutcome::Probation | SeqOutcome::Jump => return outcome,
            SeqOutcome::Restarted { extended } => {
                // The jump packet and this one: the two that proved the restart.
                self.window = 0b11;
                self.transit = None;
                self.last_timestamp = None;
                self.expected_prior = 0;
                self.received_prior = 0;
                self.last_seq_ts = Some((extended, timestamp));
            }
            SeqOutcome::Newer { extended, gap } => {
                let shift = gap + 1;
                self.window = if shift >= 128 {
                    0
                } else {
                    self.window << shift
                };
                self.window |= 1;
                if gap > 0 {
                    self.loss_bursts += 1;
                }
                if let Some((prev_ext, prev_ts)) = self.last_seq_ts {
                    let seq_step = extended - prev_ext;
                    let ts_step = timestamp_delta(prev_ts, timestamp);
                    if seq_step > 0 && ts_step > 0 {
                        // Per-packet duration; a gap spreads the step over the missing packets.
                        let per = i64::from(ts_step) / seq_step;
                        self.packet_duration = u32::try_from(per).ok().filter(|&d| d > 0);
                    }
                }
                self.last_seq_ts = Some((extended, timestamp));
            }
            SeqOutcome::Older { extended } => {
                let behind = self.seq.extended_max() - extended;
                match u32::try_from(behind) {
                    Ok(b) if b < 128 => {
                        let bit = 1u128 << b;
                        if self.window & bit != 0 {
                            self.duplicates += 1;
                            return outcome;
                        }
                        self.window |= bit;
                        self.out_of_order += 1;
                    }
                    _ => self.out_of_order += 1,
                }
            }
        }
        self.update_jitter(arrival, timestamp);
        outcome
    }

    /// A.8: `J += (|D| - J) / 16`, D the change in relative transit time. Packets sharing the
    /// previous packet's timestamp (RFC 4733 event updates) are skipped: they were not sampled
    /// at a new instant.
    fn update_jitter(&mut self, arrival: Instant, timestamp: u32) {
        if self.last_timestamp == Some(timestamp) {
            return;
        }
        self.last_timestamp = Some(timestamp);
        let epoch = *self.epoch.get_or_insert(arrival);
        let since = arrival.saturating_duration_since(epoch);
        let units = since.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000;
        // The arrival clock wraps like the timestamp clock, so transit differences stay exact.
        let arrival_units = units as u32;
        let transit = arrival_units.wrapping_sub(timestamp);
        if let Some(prev) = self.transit {
            let d = f64::from(transit.wrapping_sub(prev) as i32).abs();
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.transit = Some(transit);
    }

    /// Records an SR from this source that arrived at `arrival`, for LSR/DLSR.
    pub fn on_sender_report(&mut self, arrival: Instant, ntp: NtpTimestamp) {
        self.last_sr = Some((ntp.compact(), arrival));
    }

    /// Packets expected (A.3): highest extended sequence − first + 1.
    pub fn expected(&self) -> u64 {
        self.seq.expected()
    }

    /// Packets counted (duplicates included, as RFC 3550 counts them).
    pub fn received(&self) -> u64 {
        self.seq.received()
    }

    /// Every packet seen, probation and jumps included.
    pub fn packets_seen(&self) -> u64 {
        self.packets
    }

    /// Payload octets of every packet seen.
    pub fn payload_bytes(&self) -> u64 {
        self.payload_bytes
    }

    /// Cumulative packets lost: expected − received (negative when duplicates outnumber loss).
    pub fn cumulative_lost(&self) -> i64 {
        self.expected() as i64 - self.received() as i64
    }

    /// Packets lost, not counting duplicates against loss.
    pub fn lost(&self) -> u64 {
        let unique = self.received().saturating_sub(self.duplicates);
        self.expected().saturating_sub(unique)
    }

    /// Loss over the whole stream, in percent.
    pub fn loss_percent(&self) -> f64 {
        let expected = self.expected();
        if expected == 0 {
            0.0
        } else {
            100.0 * self.lost() as f64 / expected as f64
        }
    }

    /// Duplicated packets.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Packets that arrived after a later one.
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    /// Runs of consecutive lost packets (each gap in the sequence counts once).
    pub fn loss_bursts(&self) -> u64 {
        self.loss_bursts
    }

    /// Extended highest sequence number, as RTCP carries it (low 32 bits).
    pub fn extended_highest_seq(&self) -> u32 {
        self.seq.extended_max() as u32
    }

    /// Interarrival jitter in timestamp units.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Interarrival jitter in milliseconds.
    pub fn jitter_ms(&self) -> f64 {
        self.jitter * 1000.0 / f64::from(self.clock_rate)
    }

    /// Timestamp units between consecutive packets: the packet time (160 for 20 ms at 8 kHz).
    pub fn packet_duration(&self) -> Option<u32> {
        self.packet_duration
    }

    /// The packet time ("ptime") detected from consecutive timestamps.
    pub fn ptime(&self) -> Option<Duration> {
        self.packet_duration
            .map(|d| Duration::from_micros(u64::from(d) * 1_000_000 / u64::from(self.clock_rate)))
    }

    /// The report block for this source at `now`; starts a new interval for the fraction lost.
    pub fn report_block(&mut self, now: Instant) -> ReportBlock {
        let expected = self.expected();
        let received = self.received();
        let expected_interval = expected.saturating_sub(self.expected_prior);
        let received_interval = received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            // lost_interval <= expected_interval, so the quotient is at most 256; 256 only
            // when everything was lost, which the field cannot carry: clamp to 255.
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        let cumulative = self.cumulative_lost().clamp(-0x80_0000, 0x7F_FFFF) as i32;
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (lsr, duration_to_compact(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost: cumulative,
            extended_highest_seq: self.extended_highest_seq(),
            jitter: self.jitter as u32,
            last_sr,
            delay_since_last_sr,
        }
    }
}

/// How many of our recent SRs are remembered to match LSR values in incoming reports.
const SENT_SR_MEMORY: usize = 4;

/// What we send on one outgoing source, and the round-trip times the far end's reports give.
#[derive(Debug, Clone, Default)]
pub struct SenderStats {
    packets: u32,
    octets: u32,
    sent_reports: [Option<(u32, Instant)>; SENT_SR_MEMORY],
    next_slot: usize,
    round_trip: Option<Duration>,
}

impl SenderStats {
    /// Nothing sent yet.
    pub fn new() -> Self {
        SenderStats::default()
    }

    /// Counts one packet sent with `payload_len` payload octets (counters wrap as RTCP's do).
    pub fn on_packet_sent(&mut self, payload_len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u32);
    }

    /// The sender info for an SR sent at `now` (wall clock `ntp`, RTP clock `rtp_timestamp`),
    /// remembered to compute the round trip when a report block echoes it.
    pub fn sender_info(
        &mut self,
        now: Instant,
        ntp: NtpTimestamp,
        rtp_timestamp: u32,
    ) -> SenderInfo {
        self.sent_reports[self.next_slot] = Some((ntp.compact(), now));
        self.next_slot = (self.next_slot + 1) % SENT_SR_MEMORY;
        SenderInfo {
            ntp,
            rtp_timestamp,
            packet_count: self.packets,
            octet_count: self.octets,
        }
    }

    /// Takes a report block about our source received at `now`; returns the round-trip time
    /// when it echoes one of our recent SRs.
    pub fn on_report_block(&mut self, now: Instant, block: &ReportBlock) -> Option<Duration> {
        if block.last_sr == 0 {
            return None;
        }
        let (_, sent_at) = self
            .sent_reports
            .iter()
            .flatten()
            .find(|(lsr, _)| *lsr == block.last_sr)?;
        let rtt = now
            .saturating_duration_since(*sent_at)
            .checked_sub(compact_to_duration(block.delay_since_last_sr))?;
        self.round_trip = Some(rtt);
        Some(rtt)
    }

    /// The latest round-trip time measured.
    pub fn round_trip(&self) -> Option<Duration> {
        self.round_trip
    }

    /// Packets sent.
    pub fn packets(&self) -> u32 {
        self.packets
    }

    /// Payload octets sent.
    pub fn octets(&self) -> u32 {
        self.octets
    }
}

/// RFC 3550 §6.4.1 round trip from compact NTP values: arrival − LSR − DLSR; `None` when the
/// block echoes no SR or the result would be negative.
pub fn round_trip_time(
    arrival: NtpTimestamp,
    last_sr: u32,
    delay_since_last_sr: u32,
) -> Option<Duration> {
    if last_sr == 0 {
        return None;
    }
    let rtt = arrival
        .compact()
        .wrapping_sub(last_sr)
        .checked_sub(delay_since_last_sr)?;
    // A wrapped difference larger than half the 16.16 range is a negative round trip.
    if rtt > u32::MAX / 2 {
        return None;
    }
    Some(compact_to_duration(rtt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)] // tests need an Instant origin; only offsets matter
    fn origin() -> Instant {
        Instant::now()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn clean_stream_counts_everything_and_has_no_jitter() {
        let t0 = origin();
        let mut s = ReceiverStats::new(1, 8000);
        for i in 0..50u16 {
            s.on_packet(
                t0 + ms(20 * u64::from(i)),
                1000 + i,
                160 * u32::from(i),
                160,
            );
        }
        assert_eq!(
            (s.expected(), s.received(), s.cumulative_lost()),
            (50, 50, 0)
        );
        assert_eq!(s.jitter(), 0.0);
        assert_eq!(s.ptime(), Some(ms(20)));
    }

    #[test]
    fn fraction_lost_covers_the_interval_since_the_last_report() {
        let t0 = origin();
        let mut s = ReceiverStats::with_probation(1, 8000, 1);
        // 100 packets, every fourth lost.
        for i in (0..100u16).filter(|i| i % 4 != 1) {
            s.on_packet(t0 + ms(20 * u64::from(i)), i, 160 * u32::from(i), 160);
        }
        let rr = s.report_block(t0 + ms(2_000));
        assert_eq!(rr.cumulative_lost, 25);
        assert_eq!(rr.fraction_lost, 64);
        assert_eq!(rr.extended_highest_seq, 99);
        // No loss in the next interval.
        for i in 100..150u16 {
            s.on_packet(t0 + ms(20 * u64::from(i)), i, 160 * u32::from(i), 160);
        }
        let rr = s.report_block(t0 + ms(3_000));
        assert_eq!(rr.fraction_lost, 0);
        assert_eq!(rr.cumulative_lost, 25);
    }

    #[test]
    fn duplicates_are_counted_and_not_lost() {
        let t0 = origin();
        let mut s = ReceiverStats::with_probation(1, 8000, 1);
        for i in 0..10u16 {
            s.on_packet(t0 + ms(20 * u64::from(i)), i, 160 * u32::from(i), 160);
            if i == 5 {
                s.on_packet(t0 + ms(20 * u64::from(i) + 1), i, 160 * u32::from(i), 160);
            }
        }
        assert_eq!(s.duplicates(), 1);
        assert_eq!(s.cumulative_lost(), -1);
        assert_eq!(s.lost(), 0);
    }

    #[test]
    fn reordered_packets_are_counted_once() {
        let t0 = origin();
        let mut s = ReceiverStats::with_probation(1, 8000, 1);
        for (n, i) in [0u16, 1, 3, 2, 4].into_iter().enumerate() {
            s.on_packet(t0 + ms(20 * n as u64), i, 160 * u32::from(i), 160);
        }
        assert_eq!((s.out_of_order(), s.duplicates(), s.lost()), (1, 0, 0));
        assert_eq!(s.loss_bursts(), 1); // the gap at 3 looked like loss when it happened
    }

    #[test]
    fn constant_offset_arrivals_give_jitter_from_the_variation_only() {
        let t0 = origin();
        let mut s = ReceiverStats::with_probation(1, 8000, 1);
        // Alternate 0 and 10 ms of extra delay: |D| = 80 units every packet.
        for i in 0..400u16 {
            let extra = if i % 2 == 0 { 0 } else { 10 };
            s.on_packet(
                t0 + ms(20 * u64::from(i) + extra),
                i,
                160 * u32::from(i),
                160,
            );
        }
        assert!((s.jitter() - 80.0).abs() < 0.5, "{}", s.jitter());
        assert!((s.jitter_ms() - 10.0).abs() < 0.1);
    }

    #[test]
    fn dlsr_is_the_time_since_the_last_sr() {
        let t0 = origin();
        let mut s = ReceiverStats::new(1, 8000);
        s.on_sender_report(t0, NtpTimestamp(0x0000_1234_5678_0000));
        let rr = s.report_block(t0 + ms(500));
        assert_eq!(rr.last_sr, 0x1234_5678);
        assert_eq!(rr.delay_since_last_sr, 0x8000);
    }

    #[test]
    fn round_trip_is_measured_from_our_own_sr() {
        let t0 = origin();
        let mut tx = SenderStats::new();
        tx.on_packet_sent(160);
        let info = tx.sender_info(t0, NtpTimestamp(0x0000_0010_0000_0000), 0);
        assert_eq!((info.packet_count, info.octet_count), (1, 160));
        let block = ReportBlock {
            last_sr: info.ntp.compact(),
            delay_since_last_sr: duration_to_compact(ms(100)),
            ..Default::default()
        };
        let rtt = tx.on_report_block(t0 + ms(180), &block).unwrap();
        assert!(rtt.abs_diff(ms(80)) < ms(1), "{rtt:?}");
        assert_eq!(tx.on_report_block(t0, &ReportBlock::default()), None);
    }

    #[test]
    fn round_trip_formula_of_rfc_3550() {
        // The example of RFC 3550 §6.4.1: A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000.
        let arrival = NtpTimestamp(0x0000_b710_8000_0000);
        let rtt = round_trip_time(arrival, 0xb705_2000, 0x0005_4000).unwrap();
        assert!(rtt.abs_diff(Duration::from_micros(6_125_000)) < Duration::from_micros(20));
        assert_eq!(round_trip_time(arrival, 0xb710_8000, 0x0005_4000), None);
    }
}
