//! The RTP fixed header, CSRC list, header extension and padding (RFC 3550 §5.1, §5.3.1).

/// The only RTP version in use.
pub const VERSION: u8 = 2;
/// Length of the fixed header.
pub const HEADER_LEN: usize = 12;
/// The CSRC count is a 4-bit field.
pub const MAX_CSRCS: usize = 15;

/// Why bytes are not an RTP packet, or a packet does not fit a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Fewer bytes than the fixed header, CSRC list or extension header announce.
    #[error("RTP packet truncated: {needed} bytes needed, {len} present")]
    Truncated {
        /// Bytes the header says are needed.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// The version field is not 2.
    #[error("RTP version {0}, expected 2")]
    BadVersion(u8),
    /// The padding count is 0 or runs into the header.
    #[error("RTP padding count {0} is invalid")]
    BadPadding(u8),
    /// A field given to the builder does not fit its place in the header.
    #[error("RTP field out of range: {0}")]
    FieldOutOfRange(&'static str),
    /// The output buffer is too small for the packet.
    #[error("buffer too small: {needed} bytes needed, {len} available")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes available.
        len: usize,
    },
}

/// The fields of the fixed header a sender chooses (version 2, no padding, no extension, no CSRC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpHeader {
    /// Marker bit; for audio, the first packet of a talkspurt.
    pub marker: bool,
    /// Payload type, 0..=127.
    pub payload_type: u8,
    /// Sequence number, +1 per packet, wrapping.
    pub sequence_number: u16,
    /// Sampling instant of the first octet of the payload, in clock-rate units, wrapping.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
}

impl RtpHeader {
    /// Writes the 12-byte fixed header (no CSRC, extension or padding) at the start of `out`.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        if self.payload_type > 0x7F {
            return Err(RtpError::FieldOutOfRange("payload type"));
        }
        let len = out.len();
        let head = out.get_mut(..HEADER_LEN).ok_or(RtpError::BufferTooSmall {
            needed: HEADER_LEN,
            len,
        })?;
        head[0] = VERSION << 6;
        head[1] = (u8::from(self.marker) << 7) | self.payload_type;
        head[2..4].copy_from_slice(&self.sequence_number.to_be_bytes());
        head[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        head[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        Ok(HEADER_LEN)
    }
}

/// A header extension (RFC 3550 §5.3.1): a 16-bit profile word and whole 32-bit words of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// The profile-defined 16 bits (0xBEDE for RFC 8285 one-byte headers).
    pub profile: u16,
    /// The extension data; its length is a multiple of 4.
    pub data: &'a [u8],
}

/// A parsed RTP packet: a validated view over the received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    bytes: &'a [u8],
    /// Where the payload starts (after CSRCs and extension).
    payload_start: usize,
    /// Where the payload ends (before the padding).
    payload_end: usize,
}

impl<'a> RtpPacket<'a> {
    /// Parses and validates `bytes` as one RTP packet.
    pub fn parse(bytes: &'a [u8]) -> Result<RtpPacket<'a>, RtpError> {
        let len = bytes.len();
        let fixed: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(RtpError::Truncated {
                needed: HEADER_LEN,
                len,
            })?;
        let version = fixed[0] >> 6;
        if version != VERSION {
            return Err(RtpError::BadVersion(version));
        }
        let csrc_count = usize::from(fixed[0] & 0x0F);
        let mut payload_start = HEADER_LEN + 4 * csrc_count;
        if fixed[0] & 0x10 != 0 {
            let ext_header =
                bytes
                    .get(payload_start..payload_start + 4)
                    .ok_or(RtpError::Truncated {
                        needed: payload_start + 4,
                        len,
                    })?;
            let words = usize::from(u16::from_be_bytes([ext_header[2], ext_header[3]]));
            payload_start += 4 + 4 * words;
        }
        if payload_start > len {
            return Err(RtpError::Truncated {
                needed: payload_start,
                len,
            });
        }
        let mut payload_end = len;
        if fixed[0] & 0x20 != 0 {
            // `len >= HEADER_LEN` here, so the last byte exists.
            let count = bytes[len - 1];
            if count == 0 || usize::from(count) > len - payload_start {
                return Err(RtpError::BadPadding(count));
            }
            payload_end = len - usize::from(count);
        }
        Ok(RtpPacket {
            bytes,
            payload_start,
            payload_end,
        })
    }

    fn byte(&self, i: usize) -> u8 {
        // Parsing checked that the fixed header is present.
        self.bytes[i]
    }

    fn word(&self, at: usize) -> u32 {
        u32::from_be_bytes([
            self.byte(at),
            self.byte(at + 1),
            self.byte(at + 2),
            self.byte(at + 3),
        ])
    }

    /// The whole packet as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// True when the padding bit is set.
    pub fn has_padding(&self) -> bool {
        self.byte(0) & 0x20 != 0
    }

    /// Number of padding octets at the end, the count octet included (0 without padding).
    pub fn padding_len(&self) -> usize {
        self.bytes.len() - self.payload_end
    }

    /// The marker bit.
    pub fn marker(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }

    /// The payload type, 0..=127.
    pub fn payload_type(&self) -> u8 {
        self.byte(1) & 0x7F
    }

    /// The sequence number.
    pub fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.byte(2), self.byte(3)])
    }

    /// The RTP timestamp.
    pub fn timestamp(&self) -> u32 {
        self.word(4)
    }

    /// The synchronisation source.
    pub fn ssrc(&self) -> u32 {
        self.word(8)
    }

    /// The sender-chosen fixed fields.
    pub fn header(&self) -> RtpHeader {
        RtpHeader {
            marker: self.marker(),
            payload_type: self.payload_type(),
            sequence_number: self.sequence_number(),
            timestamp: self.timestamp(),
            ssrc: self.ssrc(),
        }
    }

    /// The CSRC list as raw bytes (4 per source).
    fn csrc_bytes(&self) -> &'a [u8] {
        let end = HEADER_LEN + 4 * usize::from(self.byte(0) & 0x0F);
        self.bytes.get(HEADER_LEN..end).unwrap_or_default()
    }

    /// Number of contributing sources.
    pub fn csrc_count(&self) -> usize {
        usize::from(self.byte(0) & 0x0F)
    }

    /// The contributing sources, in order.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.csrc_bytes()
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The header extension, if the X bit is set.
    pub fn extension(&self) -> Option<Extension<'a>> {
        if self.byte(0) & 0x10 == 0 {
            return None;
        }
        let at = HEADER_LEN + 4 * self.csrc_count();
        let profile = u16::from_be_bytes([self.byte(at), self.byte(at + 1)]);
        let data = self.bytes.get(at + 4..self.payload_start)?;
        Some(Extension { profile, data })
    }

    /// The payload, without padding.
    pub fn payload(&self) -> &'a [u8] {
        self.bytes
            .get(self.payload_start..self.payload_end)
            .unwrap_or_default()
    }

    /// A builder that writes this packet back: same fields, same padding length (zero filled).
    pub fn to_builder(&self) -> RtpBuilder<'a> {
        RtpBuilder {
            header: self.header(),
            csrcs: CsrcList::Raw(self.csrc_bytes()),
            extension: self.extension(),
            payload: self.payload(),
            // A parsed padding count fits in one octet.
            padding: u8::try_from(self.padding_len()).unwrap_or(u8::MAX),
        }
    }
}

/// The CSRC list a builder writes: given as values, or copied from a parsed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsrcList<'a> {
    Values(&'a [u32]),
    Raw(&'a [u8]),
}

impl CsrcList<'_> {
    fn count(&self) -> usize {
        match self {
            CsrcList::Values(v) => v.len(),
            CsrcList::Raw(r) => r.len() / 4,
        }
    }
}

/// Writes a complete RTP packet (CSRCs, extension, padding) into a caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpBuilder<'a> {
    header: RtpHeader,
    csrcs: CsrcList<'a>,
    extension: Option<Extension<'a>>,
    payload: &'a [u8],
    padding: u8,
}

impl<'a> RtpBuilder<'a> {
    /// A packet with this header and payload, no CSRC, extension or padding.
    pub fn new(header: RtpHeader, payload: &'a [u8]) -> RtpBuilder<'a> {
        RtpBuilder {
            header,
            csrcs: CsrcList::Values(&[]),
            extension: None,
            payload,
            padding: 0,
        }
    }

    /// Sets the contributing sources (at most 15).
    pub fn csrcs(mut self, csrcs: &'a [u32]) -> Self {
        self.csrcs = CsrcList::Values(csrcs);
        self
    }

    /// Sets the header extension (data length a multiple of 4).
    pub fn extension(mut self, extension: Extension<'a>) -> Self {
        self.extension = Some(extension);
        self
    }

    /// Pads the packet with `count` octets, the last holding the count (0 for none).
    pub fn padding(mut self, count: u8) -> Self {
        self.padding = count;
        self
    }

    /// The length the packet will have.
    pub fn len(&self) -> usize {
        HEADER_LEN
            + 4 * self.csrcs.count()
            + self.extension.map_or(0, |e| 4 + e.data.len())
            + self.payload.len()
            + usize::from(self.padding)
    }

    /// Always false: a packet has at least its fixed header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Writes the packet at the start of `out`; returns its length.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        let csrc_count = self.csrcs.count();
        if csrc_count > MAX_CSRCS {
            return Err(RtpError::FieldOutOfRange("more than 15 CSRCs"));
        }
        if let Some(ext) = self.extension
            && (!ext.data.len().is_multiple_of(4) || ext.data.len() / 4 > usize::from(u16::MAX))
        {
            return Err(RtpError::FieldOutOfRange("extension length"));
        }
        let needed = self.len();
        let len = out.len();
        let out = out
            .get_mut(..needed)
            .ok_or(RtpError::BufferTooSmall { needed, len })?;
        self.header.write(out)?;
        // `csrc_count` fits the 4-bit field (checked above).
        out[0] |= csrc_count as u8;
        let mut at = HEADER_LEN;
        match self.csrcs {
            CsrcList::Values(values) => {
                for csrc in values {
                    out[at..at + 4].copy_from_slice(&csrc.to_be_bytes());
                    at += 4;
                }
            }
            CsrcList::Raw(raw) => {
                out[at..at + raw.len()].copy_from_slice(raw);
                at += raw.len();
            }
        }
        if let Some(ext) = self.extension {
            out[0] |= 0x10;
            out[at..at + 2].copy_from_slice(&ext.profile.to_be_bytes());
            // Length checked above to fit 16 bits.
            let words = (ext.data.len() / 4) as u16;
            out[at + 2..at + 4].copy_from_slice(&words.to_be_bytes());
            at += 4;
            out[at..at + ext.data.len()].copy_from_slice(ext.data);
            at += ext.data.len();
        }
        out[at..at + self.payload.len()].copy_from_slice(self.payload);
        at += self.payload.len();
        if self.padding > 0 {
            out[0] |= 0x20;
            out[at..needed].fill(0);
            out[needed - 1] = self.padding;
        }
        Ok(needed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RtpHeader {
        RtpHeader {
            marker: true,
            payload_type: 8,
            sequence_number: 0xABCD,
            timestamp: 0x1234_5678,
            ssrc: 0xDEAD_BEEF,
        }
    }

    #[test]
    fn fixed_header_fields_are_read_back() {
        let mut buf = [0u8; 64];
        let len = RtpBuilder::new(header(), &[1, 2, 3])
            .write(&mut buf)
            .unwrap();
        let p = RtpPacket::parse(&buf[..len]).unwrap();
        assert_eq!(p.header(), header());
        assert_eq!(p.payload(), &[1, 2, 3]);
        assert_eq!(p.csrc_count(), 0);
        assert!(p.extension().is_none());
        assert!(!p.has_padding());
    }

    #[test]
    fn csrcs_extension_and_padding_are_skipped_and_kept() {
        let csrcs = [1, 2, 3];
        let ext = Extension {
            profile: 0xBEDE,
            data: &[9, 9, 9, 9, 8, 8, 8, 8],
        };
        let mut buf = [0u8; 128];
        let len = RtpBuilder::new(header(), b"voice")
            .csrcs(&csrcs)
            .extension(ext)
            .padding(3)
            .write(&mut buf)
            .unwrap();
        assert_eq!(len, 12 + 12 + 4 + 8 + 5 + 3);
        let p = RtpPacket::parse(&buf[..len]).unwrap();
        assert_eq!(p.csrcs().collect::<Vec<_>>(), csrcs);
        assert_eq!(p.extension(), Some(ext));
        assert_eq!(p.payload(), b"voice");
        assert_eq!(p.padding_len(), 3);
        let mut again = [0u8; 128];
        let len2 = p.to_builder().write(&mut again).unwrap();
        assert_eq!(&again[..len2], &buf[..len]);
    }

    #[test]
    fn short_packets_are_truncated() {
        assert_eq!(
            RtpPacket::parse(&[0x80; 11]),
            Err(RtpError::Truncated {
                needed: 12,
                len: 11
            })
        );
        let mut cc = [0u8; 12];
        cc[0] = 0x82; // two CSRCs announced, none present
        assert_eq!(
            RtpPacket::parse(&cc),
            Err(RtpError::Truncated {
                needed: 20,
                len: 12
            })
        );
    }

    #[test]
    fn extension_longer_than_the_packet_is_rejected() {
        let mut buf = [0u8; 20];
        buf[0] = 0x90;
        buf[14..16].copy_from_slice(&2u16.to_be_bytes()); // 8 bytes of data, only 4 present
        assert_eq!(
            RtpPacket::parse(&buf),
            Err(RtpError::Truncated {
                needed: 24,
                len: 20
            })
        );
    }

    #[test]
    fn other_versions_are_rejected() {
        let mut buf = [0u8; 12];
        buf[0] = 0x40;
        assert_eq!(RtpPacket::parse(&buf), Err(RtpError::BadVersion(1)));
    }

    #[test]
    fn bad_padding_counts_are_rejected() {
        let mut buf = [0u8; 16];
        buf[0] = 0xA0;
        buf[15] = 0;
        assert_eq!(RtpPacket::parse(&buf), Err(RtpError::BadPadding(0)));
        buf[15] = 5; // only 4 octets after the header
        assert_eq!(RtpPacket::parse(&buf), Err(RtpError::BadPadding(5)));
        buf[15] = 4;
        assert_eq!(RtpPacket::parse(&buf).unwrap().payload(), &[] as &[u8]);
    }

    #[test]
    fn builder_reports_a_small_buffer() {
        let mut buf = [0u8; 20];
        assert_eq!(
            RtpBuilder::new(header(), &[0; 160]).write(&mut buf),
            Err(RtpError::BufferTooSmall {
                needed: 172,
                len: 20
            })
        );
    }

    #[test]
    fn builder_refuses_fields_that_do_not_fit() {
        let mut buf = [0u8; 200];
        let bad_pt = RtpHeader {
            payload_type: 128,
            ..header()
        };
        assert!(matches!(
            RtpBuilder::new(bad_pt, &[]).write(&mut buf),
            Err(RtpError::FieldOutOfRange(_))
        ));
        let many = [0u32; 16];
        assert!(matches!(
            RtpBuilder::new(header(), &[]).csrcs(&many).write(&mut buf),
            Err(RtpError::FieldOutOfRange(_))
        ));
        let odd = Extension {
            profile: 1,
            data: &[1, 2, 3],
        };
        assert!(matches!(
            RtpBuilder::new(header(), &[])
                .extension(odd)
                .write(&mut buf),
            Err(RtpError::FieldOutOfRange(_))
        ));
    }
}
