//! DTMF: the keys a caller presses, carried out of band as RFC 4733 telephone events or in band
//! as dual tones in the audio.
//!
//! - [`Digit`]: the sixteen keys, their event codes and frequencies.
//! - [`EventPayload`]: the 4-byte RFC 4733 payload, parsed and built.
//! - [`DtmfSender`] / [`DtmfReceiver`]: the RFC 4733 state machines. They work on payloads plus
//!   the RTP timestamp and marker bit; the caller's RTP code packetizes and depacketizes.
//! - [`InbandDetector`]: Goertzel-based detection in the audio (ITU-T Q.24 tolerances).
//!   To *send* in-band DTMF, play [`Tone::dtmf`](crate::tones::Tone::dtmf).
//!
//! Drive loop of the receiver (the sender is the mirror image with `poll_packet`):
//!
//! ```
//! use media::dtmf::{DtmfEvent, DtmfReceiver, ReceiverConfig};
//! # #[allow(clippy::disallowed_methods)] // doc example: stands in for the server's clock
//! # let now = std::time::Instant::now();
//! let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
//! // For each telephone-event RTP packet: timestamp, marker, payload.
//! receiver.handle_packet(now, 8_000, true, &[5, 0x0a, 0x00, 0x00]).unwrap();
//! receiver.handle_packet(now, 8_000, false, &[5, 0x8a, 0x03, 0x20]).unwrap();
//! while let Some(event) = receiver.poll_event() {
//!     if let DtmfEvent::DigitPressed { digit, duration } = event {
//!         assert_eq!((digit.to_char(), duration.as_millis()), ('5', 100));
//!     }
//! }
//! // When idle, arm a timer: receiver.poll_timeout(), then receiver.handle_timeout(now).
//! ```

mod digit;
mod event;
mod inband;
mod receiver;
mod sender;

use std::time::Duration;

pub use digit::{Digit, HIGH_GROUP_HZ, LOW_GROUP_HZ};
pub use event::EventPayload;
pub use inband::{InbandConfig, InbandDetector, InbandDigit};
pub use receiver::{DtmfEvent, DtmfReceiver, ReceiverConfig};
pub use sender::{DtmfSender, EventPacket, SenderConfig};

/// Errors of the DTMF module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    /// A telephone-event payload shorter than one 4-byte event.
    #[error("telephone-event payload of {0} bytes; at least 4 expected")]
    PayloadTooShort(usize),
    /// A character that is not one of `0-9 * # A-D`.
    #[error("{0:?} is not a DTMF key")]
    NotADigit(char),
}

/// RTP timestamp units to a duration at `clock_rate`.
fn units_to_duration(units: u64, clock_rate: u32) -> Duration {
    let nanos = u128::from(units) * 1_000_000_000 / u128::from(clock_rate.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod test_clock {
    use std::time::Instant;

    /// An origin for simulated time: the state machines never read the clock themselves.
    #[allow(clippy::disallowed_methods)] // tests need one real Instant to offset from
    pub fn origin() -> Instant {
        Instant::now()
    }
}
