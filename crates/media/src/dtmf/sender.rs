//! RFC 4733 sender: turns "press this key for so long" into the telephone-event packets to
//! send and when to send them. The caller owns the RTP stream (sequence numbers, SSRC,
//! payload type) and packetizes each [`EventPacket`].
//!
//! For one key press of length L starting at time t₀ (RTP timestamp T₀):
//! - at t₀ + k·interval for k = 0, 1, … while k·interval < L: an update with duration
//!   k·interval, the first one with the marker bit;
//! - at the first tick where k·interval ≥ L: the end packet (E bit, duration L), sent three
//!   times, one interval apart, with the same timestamp (RFC 4733 §2.5.1.4);
//! - a press longer than 0xFFFF timestamp units is cut into segments (§2.5.1.3): the packet
//!   that reaches 0xFFFF closes the segment and the next ones carry the timestamp
//!   T₀ + 0xFFFF (then + 2·0xFFFF…), without marker, durations counted from there.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::digit::Digit;
use super::event::EventPayload;
use super::{DtmfError, units_to_duration};

/// Largest duration one segment can carry.
const SEGMENT_UNITS: u64 = 0xFFFF;
/// Times the end packet is sent.
const END_REPEATS: u8 = 3;

/// Sender settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfig {
    /// Time between packets of an event (the audio packetization interval; RFC 4733 asks for
    /// at most 50 ms).
    pub interval: Duration,
    /// Volume field (dB below 0 dBm0, 0–63).
    pub volume: u8,
    /// RTP clock rate of telephone-event (8000 unless SDP says otherwise).
    pub clock_rate: u32,
    /// Silence between two queued presses.
    pub gap: Duration,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            interval: Duration::from_millis(20),
            volume: 10,
            clock_rate: 8_000,
            gap: Duration::from_millis(60),
        }
    }
}

/// One telephone-event packet to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    /// When to send it.
    pub send_at: Instant,
    /// RTP marker bit (set on the first packet of an event).
    pub marker: bool,
    /// RTP timestamp (the start of the event's current segment).
    pub timestamp: u32,
    /// The payload; `payload.to_bytes()` is the RTP payload.
    pub payload: EventPayload,
}

#[derive(Debug, Clone)]
struct Press {
    digit: Digit,
    start: Instant,
    start_timestamp: u32,
    length_units: u64,
    /// Index of the next tick (packet slot) of this press.
    tick: u64,
    /// Start of the current segment, in units from the press's start.
    segment_start: u64,
    ends_sent: u8,
}

/// Sends DTMF key presses as RFC 4733 packets.
///
/// Drive it with [`DtmfSender::poll_packet`] until it returns `None`, then sleep until
/// [`DtmfSender::poll_timeout`].
#[derive(Debug, Clone)]
pub struct DtmfSender {
    config: SenderConfig,
    interval_units: u64,
    origin: Instant,
    origin_timestamp: u32,
    queue: VecDeque<(Digit, Duration)>,
    current: Option<Press>,
    /// Earliest start of the next press.
    free_at: Instant,
}

impl DtmfSender {
    /// A sender whose RTP stream is at `timestamp_now` at `now`: event timestamps are taken on
    /// that clock (`clock_rate` units per second).
    pub fn new(config: SenderConfig, now: Instant, timestamp_now: u32) -> DtmfSender {
        let config = SenderConfig {
            interval: config.interval.max(Duration::from_millis(1)),
            clock_rate: config.clock_rate.max(1),
            ..config
        };
        let interval_units = duration_to_units(config.interval, config.clock_rate).max(1);
        DtmfSender {
            config,
            interval_units,
            origin: now,
            origin_timestamp: timestamp_now,
            queue: VecDeque::new(),
            current: None,
            free_at: now,
        }
    }

    /// Queues one press of `digit` lasting `length`; it starts as soon as the presses before
    /// it (and the gap after them) are done.
    pub fn send_digit(&mut self, now: Instant, digit: Digit, length: Duration) {
        self.queue.push_back((digit, length));
        self.start_next(now);
    }

    /// Queues a press of each key of `digits` (`0-9 * # A-D`); nothing is queued if any
    /// character is not a key.
    pub fn send_digits(
        &mut self,
        now: Instant,
        digits: &str,
        length: Duration,
    ) -> Result<(), DtmfError> {
        let keys = digits
            .chars()
            .map(|c| Digit::from_char(c).ok_or(DtmfError::NotADigit(c)))
            .collect::<Result<Vec<_>, _>>()?;
        for key in keys {
            self.send_digit(now, key, length);
        }
        Ok(())
    }

    /// True when nothing is being sent or queued.
    pub fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }

    /// When the next packet is due; `None` when idle.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.current.as_ref().map(|press| self.tick_time(press))
    }

    /// The next packet due at or before `now`, if any. Call until it returns `None`.
    pub fn poll_packet(&mut self, now: Instant) -> Option<EventPacket> {
        self.start_next(now);
        let interval_units = self.interval_units;
        let send_at = self.tick_time(self.current.as_ref()?);
        if send_at > now {
            return None;
        }
        let volume = self.config.volume;
        let press = self.current.as_mut()?;
        let elapsed = press.tick * interval_units;
        let event = press.digit.event_code();
        let packet = if elapsed < press.length_units {
            let marker = press.tick == 0;
            let mut duration = elapsed - press.segment_start;
            let timestamp = segment_timestamp(press);
            if duration >= SEGMENT_UNITS {
                // This packet closes the segment; the next ones start a new one.
                duration = SEGMENT_UNITS;
                press.segment_start += SEGMENT_UNITS;
            }
            EventPacket {
                send_at,
                marker,
                timestamp,
                payload: EventPayload {
                    event,
                    end: false,
                    volume,
                    duration: clamp_u16(duration),
                },
            }
        } else {
            press.ends_sent += 1;
            EventPacket {
                send_at,
                marker: press.tick == 0,
                timestamp: segment_timestamp(press),
                payload: EventPayload {
                    event,
                    end: true,
                    volume,
                    duration: clamp_u16(press.length_units - press.segment_start),
                },
            }
        };
        press.tick += 1;
        if press.ends_sent >= END_REPEATS {
            let tone_end =
                press.start + units_to_duration(press.length_units, self.config.clock_rate);
            self.free_at = (tone_end + self.config.gap).max(send_at + self.config.interval);
            self.current = None;
            self.start_next(now);
        }
        Some(packet)
    }

    fn start_next(&mut self, now: Instant) {
        if self.current.is_some() {
            return;
        }
        let Some((digit, length)) = self.queue.pop_front() else {
            return;
        };
        let start = self.free_at.max(now);
        let length_units = duration_to_units(length, self.config.clock_rate).max(1);
        self.current = Some(Press {
            digit,
            start,
            start_timestamp: self.timestamp_at(start),
            length_units,
            tick: 0,
            segment_start: 0,
            ends_sent: 0,
        });
    }

    fn tick_time(&self, press: &Press) -> Instant {
        let offset = u32::try_from(press.tick).unwrap_or(u32::MAX);
        press.start + self.config.interval.saturating_mul(offset)
    }

    fn timestamp_at(&self, at: Instant) -> u32 {
        let units = duration_to_units(
            at.saturating_duration_since(self.origin),
            self.config.clock_rate,
        );
        // RTP timestamps wrap modulo 2^32: truncation is the intended arithmetic.
        self.origin_timestamp.wrapping_add(units as u32)
    }
}

fn segment_timestamp(press: &Press) -> u32 {
    // Modulo 2^32 on purpose (RTP timestamp arithmetic).
    press
        .start_timestamp
        .wrapping_add(press.segment_start as u32)
}

fn clamp_u16(units: u64) -> u16 {
    u16::try_from(units).unwrap_or(u16::MAX)
}

fn duration_to_units(duration: Duration, clock_rate: u32) -> u64 {
    let units = duration.as_nanos() * u128::from(clock_rate) / 1_000_000_000;
    u64::try_from(units).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtmf::test_clock::origin;

    fn drain(sender: &mut DtmfSender, until: Instant) -> Vec<EventPacket> {
        let mut packets = Vec::new();
        while let Some(at) = sender.poll_timeout() {
            if at > until {
                break;
            }
            while let Some(packet) = sender.poll_packet(at) {
                packets.push(packet);
            }
        }
        packets
    }

    #[test]
    fn press_is_marker_updates_and_three_ends() {
        let t0 = origin();
        let mut sender = DtmfSender::new(SenderConfig::default(), t0, 1_000);
        sender.send_digit(t0, Digit::Five, Duration::from_millis(100));
        let packets = drain(&mut sender, t0 + Duration::from_secs(1));
        let summary: Vec<(bool, bool, u16)> = packets
            .iter()
            .map(|p| (p.marker, p.payload.end, p.payload.duration))
            .collect();
        assert_eq!(
            summary,
            vec![
                (true, false, 0),
                (false, false, 160),
                (false, false, 320),
                (false, false, 480),
                (false, false, 640),
                (false, true, 800),
                (false, true, 800),
                (false, true, 800),
            ]
        );
        assert!(
            packets
                .iter()
                .all(|p| p.timestamp == 1_000 && p.payload.event == 5)
        );
        assert!(sender.is_idle());
    }

    #[test]
    fn packets_are_paced_by_the_interval() {
        let t0 = origin();
        let mut sender = DtmfSender::new(SenderConfig::default(), t0, 0);
        sender.send_digit(t0, Digit::One, Duration::from_millis(40));
        assert!(sender.poll_packet(t0).is_some());
        assert!(sender.poll_packet(t0).is_none());
        assert_eq!(sender.poll_timeout(), Some(t0 + Duration::from_millis(20)));
    }

    #[test]
    fn queued_digits_get_later_timestamps_after_the_gap() {
        let t0 = origin();
        let mut sender = DtmfSender::new(SenderConfig::default(), t0, 4_294_967_000);
        sender
            .send_digits(t0, "12", Duration::from_millis(80))
            .unwrap();
        let packets = drain(&mut sender, t0 + Duration::from_secs(2));
        let starts: Vec<(u8, u32)> = packets
            .iter()
            .filter(|p| p.marker)
            .map(|p| (p.payload.event, p.timestamp))
            .collect();
        // Second press: 80 ms tone + 60 ms gap later = 1120 units, across the 2^32 wrap.
        assert_eq!(
            starts,
            vec![
                (1, 4_294_967_000),
                (2, 4_294_967_000u32.wrapping_add(1_120))
            ]
        );
    }

    #[test]
    fn invalid_digit_string_queues_nothing() {
        let t0 = origin();
        let mut sender = DtmfSender::new(SenderConfig::default(), t0, 0);
        assert_eq!(
            sender.send_digits(t0, "12x", Duration::from_millis(80)),
            Err(DtmfError::NotADigit('x'))
        );
        assert!(sender.is_idle());
    }

    #[test]
    fn long_press_starts_new_segments() {
        let t0 = origin();
        let mut sender = DtmfSender::new(SenderConfig::default(), t0, 0);
        // 10 s = 80 000 units: one full segment of 65 535, then 14 465 more.
        sender.send_digit(t0, Digit::Pound, Duration::from_secs(10));
        let packets = drain(&mut sender, t0 + Duration::from_secs(11));
        let segment_end = packets
            .iter()
            .find(|p| p.payload.duration == 0xFFFF)
            .unwrap();
        assert_eq!(segment_end.timestamp, 0);
        let ends: Vec<&EventPacket> = packets.iter().filter(|p| p.payload.end).collect();
        assert_eq!(ends.len(), 3);
        assert!(
            ends.iter()
                .all(|p| p.timestamp == 0xFFFF && p.payload.duration == 14_465)
        );
        assert_eq!(packets.iter().filter(|p| p.marker).count(), 1);
        let durations_in_second_segment: Vec<u16> = packets
            .iter()
            .filter(|p| p.timestamp == 0xFFFF && !p.payload.end)
            .map(|p| p.payload.duration)
            .collect();
        assert!(durations_in_second_segment.windows(2).all(|w| w[0] < w[1]));
    }
}
