//! Cutting a byte stream (TCP, TLS) into messages, RFC 3261 §18.3: a message ends
//! Content-Length bytes after the empty line, so Content-Length is mandatory on streams.
//! Between messages, CRLFs are keep-alives (RFC 5626 §3.5.1): a double CRLF is a ping that
//! the server answers with a single CRLF pong.
//!
//! "Not enough bytes yet" is an ordinary answer, as in mini-redis's frame parser:
//!
//! ```
//! use sip::framing::{frame, Frame};
//! let mut buf = b"\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nhi".to_vec();
//! assert_eq!(frame(&buf, 65_535)?, Frame::Ping { len: 4 }); // answer "\r\n"
//! buf.drain(..4);
//! assert_eq!(frame(&buf[..20], 65_535)?, Frame::Incomplete);
//! let Frame::Message { len } = frame(&buf, 65_535)? else { unreachable!() };
//! let msg = sip::Message::parse_slice(&buf[..len])?;
//! # Ok::<(), sip::ParseError>(())
//! ```

use crate::error::ParseError;
use crate::header_name::HeaderName;
use crate::parser::line_end;
use crate::scan::{is_ws, parse_digits, trim_ws_bytes};

/// What the front of a stream buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// Not a whole message yet: read more bytes and call again.
    Incomplete,
    /// A double-CRLF keep-alive ping of `len` bytes: consume it and send back `"\r\n"`.
    Ping {
        /// Bytes to consume.
        len: usize,
    },
    /// Line ends between messages (a pong, or padding): consume `len` bytes, send nothing.
    Keepalive {
        /// Bytes to consume.
        len: usize,
    },
    /// A whole message occupies the first `len` bytes: hand them to
    /// [`crate::Message::parse`] (or [`crate::validate::inspect`]) and consume them.
    Message {
        /// Length of the message, header section and body.
        len: usize,
    },
}

/// Looks at the front of `buf`. Errors (no, invalid or repeated Content-Length; more than
/// `max_len` bytes for one message) leave the stream without a known message boundary: the
/// connection should be closed (RFC 4475 §3.1.2.3).
pub fn frame(buf: &[u8], max_len: usize) -> Result<Frame, ParseError> {
    match buf {
        [] | [b'\r'] | [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] => return Ok(Frame::Incomplete),
        [b'\r', b'\n', b'\r', b'\n', ..] => return Ok(Frame::Ping { len: 4 }),
        [b'\r', b'\n', ..] => return Ok(Frame::Keepalive { len: 2 }),
        [b'\r' | b'\n', ..] => return Ok(Frame::Keepalive { len: 1 }),
        _ => {}
    }
    let Some(header_end) = header_section_end(buf) else {
        return if buf.len() > max_len {
            Err(ParseError::TooLarge(max_len))
        } else {
            Ok(Frame::Incomplete)
        };
    };
    let body_len = content_length(buf.get(..header_end).unwrap_or_default())?;
    let total = header_end
        .checked_add(body_len)
        .filter(|&t| t <= max_len)
        .ok_or(ParseError::TooLarge(max_len))?;
    Ok(if buf.len() < total {
        Frame::Incomplete
    } else {
        Frame::Message { len: total }
    })
}

/// The offset just after the empty line ending the header section, if it has arrived.
fn header_section_end(buf: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', buf).find_map(|lf| match (buf.get(lf + 1), buf.get(lf + 2)) {
        (Some(b'\n'), _) => Some(lf + 2),
        (Some(b'\r'), Some(b'\n')) => Some(lf + 3),
        _ => None,
    })
}

/// The Content-Length of a header section (start line included); folded values are joined.
fn content_length(section: &[u8]) -> Result<usize, ParseError> {
    let (_, mut pos) = line_end(section, 0);
    let mut found = None;
    while pos < section.len() {
        let start = pos;
        let (mut end, mut next) = line_end(section, pos);
        while section.get(next).is_some_and(|&c| is_ws(c)) {
            (end, next) = line_end(section, next);
        }
        pos = next;
        let line = section.get(start..end).unwrap_or_default();
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let name = trim_ws_bytes(line.get(..colon).unwrap_or_default());
        if HeaderName::lookup(name) != Some(HeaderName::ContentLength) {
            continue;
        }
        if found.is_some() {
            return Err(ParseError::MultipleContentLength);
        }
        // A fold is whitespace like any other; digits must still be contiguous.
        let value: Vec<u8> = line
            .get(colon + 1..)
            .unwrap_or_default()
            .iter()
            .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
            .collect();
        found = Some(
            std::str::from_utf8(trim_ws_bytes(&value))
                .ok()
                .and_then(parse_digits)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(ParseError::InvalidContentLength)?,
        );
    }
    found.ok_or(ParseError::MissingContentLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello";

    #[test]
    fn a_whole_message_is_framed_and_the_rest_left() {
        let mut buf = MSG.to_vec();
        buf.extend_from_slice(b"OPTIONS");
        assert_eq!(frame(&buf, 4096), Ok(Frame::Message { len: MSG.len() }));
    }

    #[test]
    fn every_prefix_is_incomplete() {
        for cut in 1..MSG.len() {
            assert_eq!(frame(&MSG[..cut], 4096), Ok(Frame::Incomplete), "{cut}");
        }
    }

    #[test]
    fn double_crlf_is_a_ping_single_crlf_a_keepalive() {
        assert_eq!(frame(b"\r\n\r\n", 4096), Ok(Frame::Ping { len: 4 }));
        assert_eq!(frame(b"\r\n", 4096), Ok(Frame::Incomplete));
        assert_eq!(frame(b"\r\nOPT", 4096), Ok(Frame::Keepalive { len: 2 }));
    }

    #[test]
    fn content_length_is_mandatory_and_single() {
        assert_eq!(
            frame(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n", 4096),
            Err(ParseError::MissingContentLength)
        );
        assert_eq!(
            frame(
                b"OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\nx",
                4096
            ),
            Err(ParseError::MultipleContentLength)
        );
        assert_eq!(
            frame(
                b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n",
                4096
            ),
            Err(ParseError::InvalidContentLength)
        );
    }

    #[test]
    fn folded_content_length_is_read_and_split_digits_are_not() {
        assert_eq!(
            frame(
                b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n 2\r\n\r\nhi",
                4096
            ),
            Ok(Frame::Message { len: 50 })
        );
        assert_eq!(
            frame(
                b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1 2\r\n\r\n",
                4096
            ),
            Err(ParseError::InvalidContentLength)
        );
    }

    #[test]
    fn oversized_messages_are_refused() {
        assert_eq!(frame(MSG, 10), Err(ParseError::TooLarge(10)));
        assert_eq!(
            frame(
                b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n",
                4096
            ),
            Err(ParseError::TooLarge(4096))
        );
        assert_eq!(frame(&[b'A'; 100], 10), Err(ParseError::TooLarge(10)));
    }
}
