//! RFC 4733 receiver: turns telephone-event packets into one [`DtmfEvent::DigitPressed`] per
//! key press, whatever the network did to them.
//!
//! - An event is identified by its RTP timestamp. Updates raise its duration; the E bit ends it.
//! - Duplicates and the two retransmitted end packets are dropped: the timestamps of recently
//!   ended events are remembered.
//! - A lost start packet: the first packet seen for a new timestamp starts the event.
//! - A lost end: the event ends when a packet for a new timestamp arrives, or when nothing has
//!   been heard for `end_timeout` ([`DtmfReceiver::poll_timeout`] / `handle_timeout`).
//! - A long press cut into segments (§2.5.1.3): a packet with the same event, no marker and a
//!   timestamp one segment (0xFFFF units) later continues the press; it is reported once, with
//!   the total duration.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::digit::Digit;
use super::event::EventPayload;
use super::{DtmfError, units_to_duration};

/// How many ended events' timestamps are remembered for duplicate suppression.
const REMEMBERED: usize = 8;
/// Largest duration of one segment.
const SEGMENT_UNITS: u32 = 0xFFFF;

/// Receiver settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// RTP clock rate of telephone-event.
    pub clock_rate: u32,
    /// Silence after which an event whose end packets were all lost is taken as ended.
    pub end_timeout: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            clock_rate: 8_000,
            end_timeout: Duration::from_millis(200),
        }
    }
}

/// What the receiver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfEvent {
    /// A key went down (useful to stop a prompt at once).
    DigitStarted {
        /// The key.
        digit: Digit,
    },
    /// A key press is over; reported exactly once per press.
    DigitPressed {
        /// The key.
        digit: Digit,
        /// How long it was held, as signalled by the sender.
        duration: Duration,
    },
}

#[derive(Debug, Clone)]
struct Current {
    digit: Digit,
    /// Timestamp of the current segment.
    timestamp: u32,
    /// Units in the segments before the current one.
    earlier_units: u64,
    /// Largest duration seen in the current segment.
    duration: u16,
    last_heard: Instant,
}

/// Receives RFC 4733 telephone-event payloads.
#[derive(Debug, Clone)]
pub struct DtmfReceiver {
    config: ReceiverConfig,
    current: Option<Current>,
    ended: VecDeque<u32>,
    events: VecDeque<DtmfEvent>,
}

impl DtmfReceiver {
    /// A receiver with no event in progress.
    pub fn new(config: ReceiverConfig) -> DtmfReceiver {
        DtmfReceiver {
            config: ReceiverConfig {
                clock_rate: config.clock_rate.max(1),
                ..config
            },
            current: None,
            ended: VecDeque::with_capacity(REMEMBERED),
            events: VecDeque::new(),
        }
    }

    /// Handles one telephone-event RTP packet: its timestamp, marker bit and payload. Events
    /// other than the sixteen keys are ignored.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), DtmfError> {
        let event = EventPayload::parse(payload)?;
        let Some(digit) = event.digit() else {
            return Ok(());
        };
        if self.ended.contains(&timestamp) {
            return Ok(());
        }
        if let Some(current) = &mut self.current {
            let ahead = timestamp.wrapping_sub(current.timestamp);
            if ahead == 0 {
                if digit == current.digit {
                    current.duration = current.duration.max(event.duration);
                    current.last_heard = now;
                    if event.end {
                        self.finish();
                    }
                }
                // Same timestamp, different key: not a valid stream; drop it.
                return Ok(());
            }
            if ahead > u32::MAX / 2 {
                // Older than the event in progress: a late packet of a forgotten event.
                return Ok(());
            }
            if digit == current.digit && !marker && is_next_segment(ahead, current.duration) {
                let old = current.timestamp;
                current.earlier_units += u64::from(ahead);
                current.timestamp = timestamp;
                current.duration = event.duration;
                current.last_heard = now;
                self.remember(old);
                if event.end {
                    self.finish();
                }
                return Ok(());
            }
            // A new event while the previous one never ended: its end packets were lost.
            self.finish();
        }
        self.events.push_back(DtmfEvent::DigitStarted { digit });
        self.current = Some(Current {
            digit,
            timestamp,
            earlier_units: 0,
            duration: event.duration,
            last_heard: now,
        });
        if event.end {
            self.finish();
        }
        Ok(())
    }

    /// The next event to report.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// When an event in progress will be taken as ended if nothing more is heard.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.current
            .as_ref()
            .map(|c| c.last_heard + self.config.end_timeout)
    }

    /// Ends an event in progress whose end packets never came.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|deadline| now >= deadline) {
            self.finish();
        }
    }

    fn finish(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        let units = current.earlier_units + u64::from(current.duration);
        self.events.push_back(DtmfEvent::DigitPressed {
            digit: current.digit,
            duration: units_to_duration(units, self.config.clock_rate),
        });
        self.remember(current.timestamp);
    }

    fn remember(&mut self, timestamp: u32) {
        if self.ended.len() == REMEMBERED {
            self.ended.pop_front();
        }
        self.ended.push_back(timestamp);
    }
}

/// Whether a packet `ahead` units after the current segment's timestamp starts the next
/// segment of the same press: the sender moves on by exactly one full segment, and the
/// segment we saw must have been (nearly) full — its last packets may have been lost.
fn is_next_segment(ahead: u32, seen_duration: u16) -> bool {
    ahead == SEGMENT_UNITS && u32::from(seen_duration) + SEGMENT_UNITS / 8 >= SEGMENT_UNITS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtmf::test_clock::origin;

    fn payload(digit: Digit, end: bool, duration: u16) -> [u8; 4] {
        EventPayload {
            event: digit.event_code(),
            end,
            volume: 10,
            duration,
        }
        .to_bytes()
    }

    fn events(receiver: &mut DtmfReceiver) -> Vec<DtmfEvent> {
        std::iter::from_fn(|| receiver.poll_event()).collect()
    }

    fn pressed(digit: Digit, ms: u64) -> DtmfEvent {
        DtmfEvent::DigitPressed {
            digit,
            duration: Duration::from_millis(ms),
        }
    }

    #[test]
    fn start_updates_and_end_give_one_press() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 500, true, &payload(Digit::Seven, false, 0))
            .unwrap();
        receiver
            .handle_packet(t0, 500, false, &payload(Digit::Seven, false, 160))
            .unwrap();
        receiver
            .handle_packet(t0, 500, false, &payload(Digit::Seven, true, 400))
            .unwrap();
        assert_eq!(
            events(&mut receiver),
            vec![
                DtmfEvent::DigitStarted {
                    digit: Digit::Seven
                },
                pressed(Digit::Seven, 50)
            ]
        );
    }

    #[test]
    fn retransmitted_ends_are_suppressed() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        for _ in 0..3 {
            receiver
                .handle_packet(t0, 9, false, &payload(Digit::A, true, 800))
                .unwrap();
        }
        assert_eq!(
            events(&mut receiver),
            vec![
                DtmfEvent::DigitStarted { digit: Digit::A },
                pressed(Digit::A, 100)
            ]
        );
    }

    #[test]
    fn lost_start_is_started_by_the_first_update() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 1, false, &payload(Digit::Two, false, 320))
            .unwrap();
        receiver
            .handle_packet(t0, 1, false, &payload(Digit::Two, true, 640))
            .unwrap();
        assert_eq!(events(&mut receiver).last(), Some(&pressed(Digit::Two, 80)));
    }

    #[test]
    fn lost_end_is_reported_on_timeout_with_last_duration() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 1, true, &payload(Digit::Nine, false, 0))
            .unwrap();
        receiver
            .handle_packet(t0, 1, false, &payload(Digit::Nine, false, 480))
            .unwrap();
        let deadline = receiver.poll_timeout().unwrap();
        receiver.handle_timeout(deadline - Duration::from_millis(1));
        assert_eq!(events(&mut receiver).len(), 1);
        receiver.handle_timeout(deadline);
        assert_eq!(events(&mut receiver), vec![pressed(Digit::Nine, 60)]);
        // A late end for the same event is a duplicate now.
        receiver
            .handle_packet(deadline, 1, false, &payload(Digit::Nine, true, 800))
            .unwrap();
        assert!(events(&mut receiver).is_empty());
        assert_eq!(receiver.poll_timeout(), None);
    }

    #[test]
    fn lost_end_is_closed_by_the_next_event() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 100, true, &payload(Digit::One, false, 320))
            .unwrap();
        receiver
            .handle_packet(t0, 1_000, true, &payload(Digit::One, false, 0))
            .unwrap();
        assert_eq!(
            events(&mut receiver),
            vec![
                DtmfEvent::DigitStarted { digit: Digit::One },
                pressed(Digit::One, 40),
                DtmfEvent::DigitStarted { digit: Digit::One },
            ]
        );
    }

    #[test]
    fn late_packet_of_an_older_event_is_ignored() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 5_000, true, &payload(Digit::Three, false, 0))
            .unwrap();
        receiver
            .handle_packet(t0, 4_000, false, &payload(Digit::Four, false, 160))
            .unwrap();
        assert_eq!(
            events(&mut receiver),
            vec![DtmfEvent::DigitStarted {
                digit: Digit::Three
            }]
        );
    }

    #[test]
    fn long_press_segments_are_one_press() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        receiver
            .handle_packet(t0, 0, true, &payload(Digit::Star, false, 0))
            .unwrap();
        receiver
            .handle_packet(t0, 0, false, &payload(Digit::Star, false, 0xFFFF))
            .unwrap();
        receiver
            .handle_packet(t0, 0xFFFF, false, &payload(Digit::Star, false, 160))
            .unwrap();
        receiver
            .handle_packet(t0, 0xFFFF, false, &payload(Digit::Star, true, 14_465))
            .unwrap();
        assert_eq!(
            events(&mut receiver),
            vec![
                DtmfEvent::DigitStarted { digit: Digit::Star },
                pressed(Digit::Star, 10_000)
            ]
        );
    }

    #[test]
    fn events_that_are_not_keys_are_ignored() {
        let t0 = origin();
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        let flash = EventPayload {
            event: 16,
            end: true,
            volume: 0,
            duration: 800,
        }
        .to_bytes();
        receiver.handle_packet(t0, 0, true, &flash).unwrap();
        assert!(events(&mut receiver).is_empty());
    }

    #[test]
    fn malformed_payload_is_an_error() {
        let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
        assert_eq!(
            receiver.handle_packet(origin(), 0, true, &[1, 2]),
            Err(DtmfError::PayloadTooShort(2))
        );
    }
}
