//! A SIP message: a [`Request`] or a [`Response`], parsed from one datagram (or one frame cut
//! by [`crate::framing`]) and serialized back.

use std::fmt;

use bytes::Bytes;

use crate::error::ParseError;
use crate::headers::Headers;
use crate::parser::{StartLine, scan};
use crate::request::Request;
use crate::response::Response;
use crate::scan::parse_digits;

/// The SIP version of a start line; only 2.0 is spoken, others are answered 505.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
}

impl Version {
    /// `SIP/2.0`.
    pub const SIP_2_0: Version = Version { major: 2, minor: 0 };

    /// Parses `"SIP" "/" 1*DIGIT "." 1*DIGIT` (the literal without case, as ABNF has it).
    pub fn parse(s: &str) -> Option<Version> {
        let prefix = s.get(..4)?;
        if !prefix.eq_ignore_ascii_case("SIP/") {
            return None;
        }
        let (major, minor) = s.get(4..)?.split_once('.')?;
        Some(Version {
            major: u32::try_from(parse_digits(major)?).ok()?,
            minor: u32::try_from(parse_digits(minor)?).ok()?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/{}.{}", self.major, self.minor)
    }
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Message {
    /// Parses one datagram (or one frame from [`crate::framing::frame`]).
    ///
    /// Leading CRLFs are skipped. A body longer than Content-Length is cut to it; a shorter
    /// one is an error; without Content-Length the body is the rest of the bytes. Header
    /// values are checked only for the line structure; typed accessors check the rest, and
    /// [`crate::validate::inspect`] checks what an element must before acting on a message.
    pub fn parse(data: Bytes) -> Result<Message, ParseError> {
        let scanned = scan(&data)?;
        let start = scanned.start?;
        if let Some(error) = scanned.header_error {
            return Err(error);
        }
        let body = scanned.body?;
        Ok(Message::assemble(start, scanned.headers, body))
    }

    /// [`Message::parse`] for a borrowed buffer (copies it once).
    pub fn parse_slice(data: &[u8]) -> Result<Message, ParseError> {
        Message::parse(Bytes::copy_from_slice(data))
    }

    pub(crate) fn assemble(start: StartLine, headers: Headers, body: Bytes) -> Message {
        match start {
            StartLine::Request {
                method,
                uri,
                version,
            } => Message::Request(Request {
                method,
                uri,
                version,
                headers,
                body,
            }),
            StartLine::Response {
                version,
                status,
                reason,
            } => Message::Response(Response {
                version,
                status,
                reason,
                headers,
                body,
            }),
        }
    }

    /// The header lines.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// The header lines, to edit.
    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    /// The request, if this is one.
    pub fn as_request(&self) -> Option<&Request> {
        match self {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    /// The response, if this is one.
    pub fn as_response(&self) -> Option<&Response> {
        match self {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(Version::parse("SIP/2.0"), Some(Version::SIP_2_0));
        assert_eq!(Version::parse("sip/2.0"), Some(Version::SIP_2_0));
        assert_eq!(
            Version::parse("SIP/7.0"),
            Some(Version { major: 7, minor: 0 })
        );
        assert_eq!(Version::parse("SIP/2"), None);
        assert_eq!(Version::parse("HTTP/1.1"), None);
    }
}
