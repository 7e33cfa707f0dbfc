//! Source description (RFC 3550 §6.5): chunks of items naming a source, CNAME above all.

use super::{RtcpError, be32};

/// SDES item types (RFC 3550 §6.5).
pub mod sdes_type {
    /// Ends a chunk's item list.
    pub const END: u8 = 0;
    /// Canonical end-point identifier (required).
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// E-mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic location.
    pub const LOC: u8 = 5;
    /// Application or tool name.
    pub const TOOL: u8 = 6;
    /// Notice or status.
    pub const NOTE: u8 = 7;
    /// Private extension.
    pub const PRIV: u8 = 8;
}

/// One SDES item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesItem<'a> {
    /// The item type (see [`sdes_type`]); never END.
    pub kind: u8,
    /// The value, at most 255 octets (UTF-8 by the RFC, not checked here).
    pub value: &'a [u8],
}

/// One chunk: a source and its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// The source described.
    pub ssrc: u32,
    /// Encoded items up to, not including, the END octet.
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The items, in order.
    pub fn items(&self) -> impl Iterator<Item = SdesItem<'a>> + 'a {
        let mut rest = self.items;
        std::iter::from_fn(move || {
            let (&kind, after) = rest.split_first()?;
            let (&len, after) = after.split_first()?;
            let value = after.get(..usize::from(len))?;
            rest = after.get(usize::from(len)..).unwrap_or_default();
            Some(SdesItem { kind, value })
        })
    }

    /// The CNAME, if the chunk carries one.
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.items()
            .find(|i| i.kind == sdes_type::CNAME)
            .map(|i| i.value)
    }

    /// The encoded items (for re-encoding).
    pub(super) fn raw_items(&self) -> &'a [u8] {
        self.items
    }
}

/// Parses one chunk at the start of `bytes`; returns it and its length (a multiple of 4).
fn parse_chunk(bytes: &[u8]) -> Result<(SdesChunk<'_>, usize), RtcpError> {
    if bytes.len() < 4 {
        return Err(RtcpError::Malformed("SDES chunk"));
    }
    let ssrc = be32(bytes, 0);
    let mut at = 4;
    loop {
        let kind = *bytes
            .get(at)
            .ok_or(RtcpError::Malformed("SDES item list"))?;
        if kind == sdes_type::END {
            let items = &bytes[4..at];
            // The END octet and the null octets up to the next 32-bit boundary.
            let end = (at + 4) & !3;
            if end > bytes.len() {
                return Err(RtcpError::Malformed("SDES chunk padding"));
            }
            return Ok((SdesChunk { ssrc, items }, end));
        }
        let len = usize::from(*bytes.get(at + 1).ok_or(RtcpError::Malformed("SDES item"))?);
        at += 2 + len;
        if at > bytes.len() {
            return Err(RtcpError::Malformed("SDES item length"));
        }
    }
}

/// A source description packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdes<'a> {
    body: &'a [u8],
}

impl<'a> Sdes<'a> {
    pub(super) fn parse(count: u8, body: &'a [u8]) -> Result<Self, RtcpError> {
        let mut rest = body;
        for _ in 0..count {
            let (_, len) = parse_chunk(rest)?;
            rest = &rest[len..];
        }
        if !rest.is_empty() {
            return Err(RtcpError::Malformed("SDES trailing octets"));
        }
        Ok(Sdes { body })
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> impl Iterator<Item = SdesChunk<'a>> + 'a {
        let mut rest = self.body;
        std::iter::from_fn(move || {
            let (chunk, len) = parse_chunk(rest).ok()?;
            rest = rest.get(len..).unwrap_or_default();
            Some(chunk)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_without_end_octet_is_rejected() {
        let body = [0, 0, 0, 1, sdes_type::CNAME, 2, b'a', b'b'];
        assert!(Sdes::parse(1, &body).is_err());
    }

    #[test]
    fn item_running_past_the_body_is_rejected() {
        let body = [0, 0, 0, 1, sdes_type::CNAME, 9, b'a', 0];
        assert!(Sdes::parse(1, &body).is_err());
    }

    #[test]
    fn cname_is_found_among_items() {
        let body = [
            0,
            0,
            0,
            7,
            sdes_type::TOOL,
            1,
            b't',
            sdes_type::CNAME,
            2,
            b'h',
            b'i',
            0,
        ];
        let sdes = Sdes::parse(1, &body).unwrap();
        let chunk = sdes.chunks().next().unwrap();
        assert_eq!(chunk.ssrc, 7);
        assert_eq!(chunk.cname(), Some(&b"hi"[..]));
        assert_eq!(chunk.items().count(), 2);
    }
}
