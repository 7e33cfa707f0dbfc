//! The caller's key presses, from RFC 4733 telephone-events or, when none were negotiated,
//! from the dual tones in the audio.
//!
//! Only one source listens: a phone that negotiated telephone-event may still leak the tones
//! into its audio, and hearing both would report every key twice. A key going down is
//! reported at once (to cut a prompt), the press when it ends (with its duration).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use media::dtmf::{Digit, DtmfEvent, DtmfReceiver, InbandConfig, InbandDetector, ReceiverConfig};
use media::rtp::RtpPacket;

use super::commands::DigitSource;

/// What the listener heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyNote {
    /// A key went down.
    Down(Digit),
    /// A press ended.
    Pressed {
        digit: Digit,
        duration: Duration,
        source: DigitSource,
    },
}

#[derive(Debug)]
pub(super) struct DigitListener {
    telephone_event: Option<u8>,
    rfc4733: DtmfReceiver,
    inband: Option<Box<InbandDetector>>,
    inband_down: Option<Digit>,
    notes: VecDeque<KeyNote>,
}

impl DigitListener {
    pub(super) fn new(telephone_event: Option<u8>) -> DigitListener {
        let mut listener = DigitListener {
            telephone_event: None,
            rfc4733: DtmfReceiver::new(ReceiverConfig::default()),
            inband: None,
            inband_down: None,
            notes: VecDeque::new(),
        };
        listener.set_telephone_event(telephone_event);
        listener
    }

    /// What the leg negotiated (again, after a re-INVITE).
    pub(super) fn set_telephone_event(&mut self, telephone_event: Option<u8>) {
        self.telephone_event = telephone_event;
        match telephone_event {
            Some(_) => self.inband = None,
            None if self.inband.is_none() => {
                self.inband = Some(Box::new(InbandDetector::new(InbandConfig::default())));
            }
            None => {}
        }
    }

    /// True when `payload_type` carries telephone-events on this leg.
    pub(super) fn is_event(&self, payload_type: u8) -> bool {
        self.telephone_event == Some(payload_type)
    }

    /// True when key presses are looked for in the audio.
    pub(super) fn listens_inband(&self) -> bool {
        self.inband.is_some()
    }

    /// A telephone-event packet.
    pub(super) fn on_event_packet(&mut self, now: Instant, packet: &RtpPacket<'_>) {
        // A malformed event payload is one bad packet; the next ones carry the same event.
        let _ =
            self.rfc4733
                .handle_packet(now, packet.timestamp(), packet.marker(), packet.payload());
        self.drain_rfc4733();
    }

    /// Decoded audio of the leg, in order.
    pub(super) fn on_audio(&mut self, samples: &[i16]) {
        let Some(detector) = self.inband.as_mut() else {
            return;
        };
        detector.handle_samples(samples);
        let down = detector.current_digit();
        if down.is_some() && down != self.inband_down {
            self.notes.extend(down.map(KeyNote::Down));
        }
        self.inband_down = down;
        while let Some(found) = detector.poll_event() {
            self.notes.push_back(KeyNote::Pressed {
                digit: found.digit,
                duration: found.duration,
                source: DigitSource::Inband,
            });
        }
    }

    /// When a press whose end packets were lost will be taken as ended.
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        self.rfc4733.poll_timeout()
    }

    pub(super) fn handle_timeout(&mut self, now: Instant) {
        self.rfc4733.handle_timeout(now);
        self.drain_rfc4733();
    }

    pub(super) fn poll(&mut self) -> Option<KeyNote> {
        self.notes.pop_front()
    }

    fn drain_rfc4733(&mut self) {
        while let Some(event) = self.rfc4733.poll_event() {
            self.notes.push_back(match event {
                DtmfEvent::DigitStarted { digit } => KeyNote::Down(digit),
                DtmfEvent::DigitPressed { digit, duration } => KeyNote::Pressed {
                    digit,
                    duration,
                    source: DigitSource::Rfc4733,
                },
            });
        }
    }
}
