//! `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 4566 §6).

use std::fmt;

/// A parsed rtpmap attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// RTP payload type, 0–127.
    pub payload_type: u8,
    /// Encoding name as written (`PCMU`, `telephone-event`...); compare ignoring ASCII case.
    pub encoding: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Channel count for audio, when given.
    pub channels: Option<u16>,
}

impl RtpMap {
    /// Parses an rtpmap value; `None` when it is malformed (the attribute is then ignored).
    pub fn parse(value: &str) -> Option<RtpMap> {
        let (pt, rest) = value.trim().split_once([' ', '\t'])?;
        let payload_type = parse_payload_type(pt)?;
        let mut parts = rest.trim().split('/');
        let encoding = parts.next().filter(|e| !e.is_empty())?.to_owned();
        let clock_rate = parts.next()?.parse().ok()?;
        let channels = match parts.next() {
            Some(c) => Some(c.parse().ok()?),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(RtpMap {
            payload_type,
            encoding,
            clock_rate,
            channels,
        })
    }

    /// Whether this maps to `encoding` at `clock_rate`.
    pub fn is(&self, encoding: &str, clock_rate: u32) -> bool {
        self.encoding.eq_ignore_ascii_case(encoding) && self.clock_rate == clock_rate
    }
}

impl fmt::Display for RtpMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(channels) = self.channels {
            write!(f, "/{channels}")?;
        }
        Ok(())
    }
}

/// An RTP payload type: a number from 0 to 127.
pub(crate) fn parse_payload_type(text: &str) -> Option<u8> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|pt| *pt <= 127)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtpmap_with_channels_parses() {
        let m = RtpMap::parse("111 opus/48000/2").unwrap();
        assert_eq!(
            (m.payload_type, m.clock_rate, m.channels),
            (111, 48000, Some(2))
        );
        assert_eq!(m.to_string(), "111 opus/48000/2");
    }

    #[test]
    fn malformed_rtpmaps_are_none() {
        for v in [
            "",
            "101",
            "x PCMU/8000",
            "200 PCMU/8000",
            "0 PCMU",
            "0 PCMU/x",
            "0 /8000",
        ] {
            assert_eq!(RtpMap::parse(v), None, "{v}");
        }
    }
}
