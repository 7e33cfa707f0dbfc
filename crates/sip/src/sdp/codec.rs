//! The audio codecs Plateau negotiates, and how an offered payload type is recognised.

use super::RtpMap;

/// An audio codec: RTP encoding name, clock rate and payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Codec {
    /// RTP encoding name (`PCMU`).
    pub encoding: &'static str,
    /// RTP clock rate in Hz (8000 for G.722 too, RFC 3551 §4.5.2).
    pub clock_rate: u32,
    /// Payload type we use in offers; a static one (below 96) also identifies the codec when an
    /// offer has no rtpmap for it.
    pub payload_type: u8,
}

impl Codec {
    /// G.711 µ-law, static payload type 0.
    pub const PCMU: Codec = Codec {
        encoding: "PCMU",
        clock_rate: 8000,
        payload_type: 0,
    };
    /// G.711 A-law, static payload type 8.
    pub const PCMA: Codec = Codec {
        encoding: "PCMA",
        clock_rate: 8000,
        payload_type: 8,
    };
    /// G.722, static payload type 9.
    pub const G722: Codec = Codec {
        encoding: "G722",
        clock_rate: 8000,
        payload_type: 9,
    };

    /// Whether offered payload type `pt` (with its rtpmap, if any) is this codec. Without an
    /// rtpmap only a static payload type identifies a codec (RFC 3551 table).
    pub fn matches(&self, pt: u8, rtpmap: Option<&RtpMap>) -> bool {
        match rtpmap {
            Some(map) => map.is(self.encoding, self.clock_rate),
            None => pt < 96 && pt == self.payload_type,
        }
    }

    /// The rtpmap we write for this codec under payload type `pt`.
    pub fn rtpmap(&self, pt: u8) -> RtpMap {
        RtpMap {
            payload_type: pt,
            encoding: self.encoding.to_owned(),
            clock_rate: self.clock_rate,
            channels: None,
        }
    }
}

/// The RFC 4733 event encoding name.
pub(crate) const TELEPHONE_EVENT: &str = "telephone-event";

/// The events we receive: DTMF 0–9, *, #, A–D and flash (RFC 4733 §3.2).
pub(crate) const TELEPHONE_EVENT_FMTP: &str = "0-16";
