//! The RFC 4733 telephone-event payload: one 4-byte block per event.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     event     |E|R| volume    |          duration             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use super::DtmfError;
use super::digit::Digit;

/// One telephone event as carried in an RTP payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventPayload {
    /// Event code: 0–15 are the DTMF keys (see [`Digit::from_event_code`]); others (16 = flash
    /// and the rest of the registry) are carried but not interpreted here.
    pub event: u8,
    /// E bit: this packet ends the event.
    pub end: bool,
    /// Power level of the tone, as a positive number of dB below 0 dBm0 (0–63).
    pub volume: u8,
    /// Duration so far in RTP timestamp units, counted from the packet's timestamp.
    pub duration: u16,
}

impl EventPayload {
    /// Size of one event block in bytes.
    pub const LEN: usize = 4;
    /// Largest volume the 6-bit field carries.
    pub const MAX_VOLUME: u8 = 63;

    /// Parses the first event block of a payload. RFC 4733 packets carry one block; extra
    /// bytes (redundant blocks, padding) are ignored.
    pub fn parse(payload: &[u8]) -> Result<EventPayload, DtmfError> {
        let Some(&[event, flags, hi, lo]) = payload.first_chunk::<4>() else {
            return Err(DtmfError::PayloadTooShort(payload.len()));
        };
        Ok(EventPayload {
            event,
            end: flags & 0x80 != 0,
            volume: flags & 0x3f,
            duration: u16::from_be_bytes([hi, lo]),
        })
    }

    /// The 4 payload bytes (the R bit is sent as zero; volume is capped at 63).
    pub fn to_bytes(&self) -> [u8; 4] {
        let flags = (u8::from(self.end) << 7) | self.volume.min(Self::MAX_VOLUME);
        let [hi, lo] = self.duration.to_be_bytes();
        [self.event, flags, hi, lo]
    }

    /// The DTMF key of the event, if it is one.
    pub fn digit(&self) -> Option<Digit> {
        Digit::from_event_code(self.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_an_end_packet() {
        let payload = EventPayload::parse(&[11, 0x8a, 0x03, 0x20]).unwrap();
        assert_eq!(
            payload,
            EventPayload {
                event: 11,
                end: true,
                volume: 10,
                duration: 800
            }
        );
        assert_eq!(payload.digit(), Some(Digit::Pound));
    }

    #[test]
    fn reserved_bit_is_ignored() {
        let payload = EventPayload::parse(&[1, 0x40 | 7, 0, 160]).unwrap();
        assert!(!payload.end);
        assert_eq!(payload.volume, 7);
    }

    #[test]
    fn short_payload_is_an_error() {
        assert_eq!(
            EventPayload::parse(&[1, 2, 3]),
            Err(DtmfError::PayloadTooShort(3))
        );
        assert_eq!(EventPayload::parse(&[]), Err(DtmfError::PayloadTooShort(0)));
    }

    #[test]
    fn flash_is_not_a_digit() {
        assert_eq!(EventPayload::parse(&[16, 0, 0, 0]).unwrap().digit(), None);
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(event: u8, end: bool, volume in 0u8..64, duration: u16) {
            let payload = EventPayload { event, end, volume, duration };
            prop_assert_eq!(EventPayload::parse(&payload.to_bytes()), Ok(payload));
        }

        #[test]
        fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            let parsed = EventPayload::parse(&bytes);
            prop_assert_eq!(parsed.is_ok(), bytes.len() >= 4);
        }
    }
}
