//! RTCP (RFC 3550 §6): the control packets that report reception quality and name sources.
//!
//! Parsing is zero-copy and strict about lengths: [`Compound::parse`] checks every packet of a
//! compound datagram (version, length field, padding only in the last packet, each body long
//! enough for the count it announces) before anything is read, so the views it hands out never
//! fail. [`CompoundWriter`] builds SR, RR, SDES and BYE packets into a caller's buffer.
//! [`is_rtcp`] tells RTCP from RTP when both share a port (RFC 5761).
//!
//! ```
//! use media::rtcp::{Compound, CompoundWriter, ReportBlock, RtcpPacket};
//!
//! let mut buf = [0u8; 256];
//! let mut w = CompoundWriter::new(&mut buf);
//! w.receiver_report(0x1111, &[ReportBlock { ssrc: 0x2222, fraction_lost: 3, ..Default::default() }])?;
//! w.sdes_cname(0x1111, b"plateau@example")?;
//! let len = w.len();
//! let compound = Compound::parse(&buf[..len])?;
//! let Some(RtcpPacket::ReceiverReport(rr)) = compound.packets().next() else { panic!() };
//! assert_eq!(rr.report_blocks().next().map(|b| b.fraction_lost), Some(3));
//! # Ok::<(), media::rtcp::RtcpError>(())
//! ```

mod bye;
mod mux;
mod report;
mod sdes;
mod writer;

pub use bye::Bye;
pub use mux::{Demux, demux, is_rtcp};
pub use report::{
    NtpTimestamp, ReceiverReport, ReportBlock, SenderInfo, SenderReport, compact_to_duration,
    duration_to_compact,
};
pub use sdes::{Sdes, SdesChunk, SdesItem, sdes_type};
pub use writer::CompoundWriter;

/// Packet type of a sender report.
pub const PT_SR: u8 = 200;
/// Packet type of a receiver report.
pub const PT_RR: u8 = 201;
/// Packet type of a source description.
pub const PT_SDES: u8 = 202;
/// Packet type of a goodbye.
pub const PT_BYE: u8 = 203;
/// Packet type of an application-defined packet.
pub const PT_APP: u8 = 204;
/// Report blocks, SDES chunks and BYE sources are counted in 5 bits.
pub const MAX_COUNT: usize = 31;

/// Why bytes are not valid RTCP, or a packet does not fit a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    /// Fewer bytes than a header or length field announces.
    #[error("RTCP truncated: {needed} bytes needed, {len} present")]
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// The version field is not 2.
    #[error("RTCP version {0}, expected 2")]
    BadVersion(u8),
    /// Padding is invalid, or set on a packet that is not the last of the compound.
    #[error("RTCP padding is invalid")]
    BadPadding,
    /// A body does not match the count or structure its header announces.
    #[error("malformed RTCP {0}")]
    Malformed(&'static str),
    /// The compound datagram holds no packet.
    #[error("empty RTCP compound")]
    Empty,
    /// A value given to the writer does not fit its field.
    #[error("RTCP field out of range: {0}")]
    FieldOutOfRange(&'static str),
    /// The output buffer is too small.
    #[error("buffer too small: {needed} bytes needed, {len} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        len: usize,
    },
}

/// One packet of a compound, by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtcpPacket<'a> {
    /// SR, packet type 200.
    SenderReport(SenderReport<'a>),
    /// RR, packet type 201.
    ReceiverReport(ReceiverReport<'a>),
    /// SDES, packet type 202.
    SourceDescription(Sdes<'a>),
    /// BYE, packet type 203.
    Bye(Bye<'a>),
    /// APP or any other type, kept as its header fields and body.
    Other {
        /// The packet type.
        packet_type: u8,
        /// The 5-bit count/subtype field.
        count: u8,
        /// The body after the 4-byte header, padding removed.
        body: &'a [u8],
    },
}

impl<'a> RtcpPacket<'a> {
    /// Parses one packet from its header fields and body.
    fn from_parts(packet_type: u8, count: u8, body: &'a [u8]) -> Result<Self, RtcpError> {
        Ok(match packet_type {
            PT_SR => RtcpPacket::SenderReport(SenderReport::parse(count, body)?),
            PT_RR => RtcpPacket::ReceiverReport(ReceiverReport::parse(count, body)?),
            PT_SDES => RtcpPacket::SourceDescription(Sdes::parse(count, body)?),
            PT_BYE => RtcpPacket::Bye(Bye::parse(count, body)?),
            _ => RtcpPacket::Other {
                packet_type,
                count,
                body,
            },
        })
    }
}

/// A validated compound RTCP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compound<'a> {
    bytes: &'a [u8],
}

/// Header fields and body of the packet at the start of `bytes`, and its length on the wire.
struct Raw<'a> {
    packet_type: u8,
    count: u8,
    body: &'a [u8],
    padded: bool,
    wire_len: usize,
}

fn split_packet(bytes: &[u8]) -> Result<Raw<'_>, RtcpError> {
    let head = bytes.get(..4).ok_or(RtcpError::Truncated {
        needed: 4,
        len: bytes.len(),
    })?;
    let version = head[0] >> 6;
    if version != 2 {
        return Err(RtcpError::BadVersion(version));
    }
    let wire_len = (usize::from(u16::from_be_bytes([head[2], head[3]])) + 1) * 4;
    let packet = bytes.get(..wire_len).ok_or(RtcpError::Truncated {
        needed: wire_len,
        len: bytes.len(),
    })?;
    let padded = head[0] & 0x20 != 0;
    let mut body_end = wire_len;
    if padded {
        // `wire_len >= 4`, so the last octet exists.
        let count = usize::from(packet[wire_len - 1]);
        if count == 0 || count > wire_len - 4 {
            return Err(RtcpError::BadPadding);
        }
        body_end -= count;
    }
    Ok(Raw {
        packet_type: head[1],
        count: head[0] & 0x1F,
        body: &packet[4..body_end],
        padded,
        wire_len,
    })
}

impl<'a> Compound<'a> {
    /// Validates a whole compound datagram.
    ///
    /// The first packet is not required to be SR or RR, so reduced-size RTCP (RFC 5506) passes.
    pub fn parse(bytes: &'a [u8]) -> Result<Compound<'a>, RtcpError> {
        if bytes.is_empty() {
            return Err(RtcpError::Empty);
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let raw = split_packet(rest)?;
            if raw.padded && raw.wire_len != rest.len() {
                return Err(RtcpError::BadPadding);
            }
            RtcpPacket::from_parts(raw.packet_type, raw.count, raw.body)?;
            rest = &rest[raw.wire_len..];
        }
        Ok(Compound { bytes })
    }

    /// The datagram as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The packets, in order.
    pub fn packets(&self) -> impl Iterator<Item = RtcpPacket<'a>> + 'a {
        let mut rest = self.bytes;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            // `parse` validated every packet; a failure here would end the walk, not panic.
            let raw = split_packet(rest).ok()?;
            rest = rest.get(raw.wire_len..).unwrap_or_default();
            RtcpPacket::from_parts(raw.packet_type, raw.count, raw.body).ok()
        })
    }
}

/// Big-endian u32 at `at`; callers check the length first.
fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(f: impl FnOnce(&mut CompoundWriter<'_>)) -> Vec<u8> {
        let mut buf = vec![0u8; 1500];
        let mut w = CompoundWriter::new(&mut buf);
        f(&mut w);
        let len = w.len();
        buf.truncate(len);
        buf
    }

    #[test]
    fn empty_datagram_is_rejected() {
        assert_eq!(Compound::parse(&[]), Err(RtcpError::Empty));
    }

    #[test]
    fn length_field_past_the_end_is_rejected() {
        let mut bytes = build(|w| {
            w.receiver_report(1, &[]).unwrap();
        });
        bytes[3] = 5;
        assert_eq!(
            Compound::parse(&bytes),
            Err(RtcpError::Truncated { needed: 24, len: 8 })
        );
    }

    #[test]
    fn trailing_partial_header_is_rejected() {
        let mut bytes = build(|w| {
            w.receiver_report(1, &[]).unwrap();
        });
        bytes.extend_from_slice(&[0x80, 201]);
        assert!(matches!(
            Compound::parse(&bytes),
            Err(RtcpError::Truncated { .. })
        ));
    }

    #[test]
    fn padding_is_only_allowed_on_the_last_packet() {
        let mut rr = build(|w| {
            w.receiver_report(1, &[]).unwrap();
        });
        // Pad the RR by one word: P bit, length 2, last octet = 4.
        rr[0] |= 0x20;
        rr[3] = 2;
        rr.extend_from_slice(&[0, 0, 0, 4]);
        assert!(Compound::parse(&rr).is_ok());
        let mut both = rr.clone();
        both.extend_from_slice(&build(|w| {
            w.bye(&[1], None).unwrap();
        }));
        assert_eq!(Compound::parse(&both), Err(RtcpError::BadPadding));
    }

    #[test]
    fn report_count_larger_than_the_body_is_rejected() {
        let mut bytes = build(|w| {
            w.receiver_report(1, &[]).unwrap();
        });
        bytes[0] |= 1; // one block announced, none present
        assert!(matches!(
            Compound::parse(&bytes),
            Err(RtcpError::Malformed(_))
        ));
    }

    #[test]
    fn unknown_types_are_kept() {
        let bytes = [0x81, 204, 0, 1, 1, 2, 3, 4];
        let c = Compound::parse(&bytes).unwrap();
        assert_eq!(
            c.packets().collect::<Vec<_>>(),
            vec![RtcpPacket::Other {
                packet_type: 204,
                count: 1,
                body: &[1, 2, 3, 4]
            }]
        );
    }

    #[test]
    fn other_versions_are_rejected() {
        assert_eq!(
            Compound::parse(&[0x40, 201, 0, 0]),
            Err(RtcpError::BadVersion(1))
        );
    }
}
