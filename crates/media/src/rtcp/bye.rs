//! Goodbye (RFC 3550 §6.6): sources leaving the session, with an optional reason.

use super::{RtcpError, be32};

/// A BYE packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bye<'a> {
    sources: &'a [u8],
    reason: Option<&'a [u8]>,
}

impl<'a> Bye<'a> {
    pub(super) fn parse(count: u8, body: &'a [u8]) -> Result<Self, RtcpError> {
        let n = 4 * usize::from(count);
        let sources = body
            .get(..n)
            .ok_or(RtcpError::Malformed("BYE source list"))?;
        let rest = &body[n..];
        let reason = match rest.split_first() {
            None => None,
            Some((&len, text)) => Some(
                text.get(..usize::from(len))
                    .ok_or(RtcpError::Malformed("BYE reason"))?,
            ),
        };
        Ok(Bye { sources, reason })
    }

    /// The sources saying goodbye.
    pub fn sources(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.sources.chunks_exact(4).map(|c| be32(c, 0))
    }

    /// The reason for leaving, if given.
    pub fn reason(&self) -> Option<&'a [u8]> {
        self.reason
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_longer_than_the_body_is_rejected() {
        assert!(Bye::parse(1, &[0, 0, 0, 1, 9, b'x', 0, 0]).is_err());
    }

    #[test]
    fn missing_sources_are_rejected() {
        assert!(Bye::parse(2, &[0, 0, 0, 1]).is_err());
    }
}
