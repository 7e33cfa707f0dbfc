//! Errors of the message layer: one enum for the message's structure ([`ParseError`]), one for
//! reading a typed header ([`HeaderError`]), and the small [`SyntaxError`] that value parsers
//! return. Each message names the defect, because it becomes the reason phrase of a 400.

use crate::header_name::HeaderName;

/// A defect in the syntax of a header value or a URI, worded for a 400 reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SyntaxError(pub &'static str);

/// Why bytes are not a SIP message: start line, header lines or Content-Length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but whitespace and line ends.
    #[error("Empty message")]
    Empty,
    /// The request line does not follow `Method SP Request-URI SP SIP-Version`.
    #[error("Invalid request line: {0}")]
    RequestLine(&'static str),
    /// The status line does not follow `SIP-Version SP Status-Code SP Reason-Phrase`.
    #[error("Invalid status line: {0}")]
    StatusLine(&'static str),
    /// A header line is not `name: value` (line numbers count from 1 at the start line).
    #[error("Invalid header line {line}: {reason}")]
    HeaderLine {
        /// Line number of the offending header line.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More header lines than [`crate::MAX_HEADERS`].
    #[error("Too many header fields")]
    TooManyHeaders,
    /// Content-Length is not a number of octets.
    #[error("Invalid Content-Length")]
    InvalidContentLength,
    /// Content-Length appears more than once.
    #[error("Multiple Content-Length")]
    MultipleContentLength,
    /// The datagram ends before the body Content-Length announces.
    #[error("Content-Length mismatch ({declared} declared, {actual} received)")]
    BodyTooShort {
        /// The Content-Length value.
        declared: usize,
        /// Octets present after the header section.
        actual: usize,
    },
    /// A stream message without Content-Length (mandatory on streams, RFC 3261 §18.3).
    #[error("Missing Content-Length")]
    MissingContentLength,
    /// The message exceeds the size limit given to the stream framer.
    #[error("Message larger than {0} bytes")]
    TooLarge(usize),
}

/// Why a typed header cannot be read from a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The header is absent.
    #[error("Missing {0}")]
    Missing(HeaderName),
    /// A header that takes one value appears more than once.
    #[error("Multiple {0}")]
    Duplicate(HeaderName),
    /// The value does not follow the header's grammar.
    #[error("Invalid {name}: {reason}")]
    Invalid {
        /// The header.
        name: HeaderName,
        /// What is wrong with its value.
        reason: &'static str,
    },
}

impl HeaderError {
    /// The header the error is about.
    pub fn name(&self) -> &HeaderName {
        match self {
            HeaderError::Missing(name) | HeaderError::Duplicate(name) => name,
            HeaderError::Invalid { name, .. } => name,
        }
    }

    pub(crate) fn invalid(name: &HeaderName, error: SyntaxError) -> HeaderError {
        HeaderError::Invalid {
            name: name.clone(),
            reason: error.0,
        }
    }
}
