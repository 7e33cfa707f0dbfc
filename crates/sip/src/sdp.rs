//! SDP (RFC 4566) and the offer/answer model (RFC 3264) for the audio a contact center uses.
//!
//! - [`SessionDescription`] is the parsed body: every line kept (unknown attributes included),
//!   printed back with CRLF line endings so that `parse(print(x)) == x`.
//! - [`MediaView`] reads one media section the way a media engine needs it, with session-level
//!   fallbacks applied: RTP address, direction, payload types with rtpmap/fmtp, ptime, hold,
//!   rtcp-mux.
//! - [`LocalSession`] builds our offers and answers and tracks the `o=` version (incremented only
//!   when our description changes, RFC 3264 §8); the result of a negotiation is a
//!   [`Negotiated`]: remote RTP address, codec and payload type, telephone-event payload type,
//!   ptime and direction.
//! - A broken or unacceptable offer gives a [`NegotiationError`], which the server answers with
//!   488 Not Acceptable Here (with [`NegotiationError::warning_code`] in a Warning header).
//!
//! Parsing rules, strict where it protects us and lenient where real phones deviate:
//! - accepted: bare LF line ends, trailing spaces/tabs on a line, blank lines, several spaces
//!   between fields, session-level lines in any order after `o=`, a missing `s=` (read as an
//!   empty name) and a missing `t=` (read as `t=0 0`), `m=` lines without formats;
//! - rejected, with the line number and the defect: anything but `v=0` first and `o=` second,
//!   a line that is not `<letter>=<value>`, a type letter RFC 4566 does not define, a line not
//!   allowed at its level (e.g. `t=` inside a media section), a repeated single line (`s=`,
//!   `c=` at session level...), malformed `o=`, `c=`, `m=`, `b=`, `t=` and `a=` fields, control
//!   characters and invalid UTF-8.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use sip::sdp::{Codec, Direction, LocalMedia, LocalSession, SessionDescription};
//!
//! let offer = SessionDescription::parse(
//!     b"v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
//!       m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n",
//! ).unwrap();
//! let ours = LocalMedia::new(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)), 30000, vec![Codec::PCMA, Codec::PCMU]);
//! let mut session = LocalSession::new(4711);
//! let (answer, negotiated) = session.answer(&offer, &ours).unwrap();
//! assert_eq!(negotiated.codec, Codec::PCMU); // the offerer's first choice that we support
//! assert_eq!(negotiated.telephone_event, Some(101));
//! assert_eq!(negotiated.remote.to_string(), "192.0.2.10:40000");
//! assert_eq!(negotiated.direction, Direction::SendRecv);
//! let body: Vec<u8> = answer.to_bytes();
//! # assert!(body.starts_with(b"v=0\r\n"));
//! ```

mod codec;
mod description;
mod direction;
mod local_session;
mod media_view;
mod negotiation;
mod parse;
mod rtpmap;

pub use codec::Codec;
pub use description::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, Timing,
};
pub use direction::Direction;
pub use local_session::{CodecPreference, LocalMedia, LocalSession};
pub use media_view::MediaView;
pub use negotiation::Negotiated;
pub use rtpmap::RtpMap;

/// Why an SDP body could not be parsed: the line (1-based) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SDP line {line}: {defect}")]
pub struct ParseError {
    /// 1-based line number (counting every line of the body, blank ones included).
    pub line: usize,
    /// What is wrong.
    pub defect: Defect,
}

/// The defect found on an SDP line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Defect {
    /// The body has no lines.
    #[error("empty session description")]
    Empty,
    /// The line is not valid UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// The line holds a control character (other than a tab).
    #[error("control character")]
    ControlCharacter,
    /// The line is not `<letter>=<value>`.
    #[error("not a `<type>=<value>` line")]
    NotTypeValue,
    /// A type letter RFC 4566 does not define.
    #[error("unknown line type `{0}`")]
    UnknownType(char),
    /// The first line is not `v=0`.
    #[error("first line must be v=0")]
    NotVersionZero,
    /// The second line is not `o=`.
    #[error("o= must follow v=")]
    MissingOrigin,
    /// A line type not allowed where it appears.
    #[error("`{0}=` is not allowed here")]
    Misplaced(char),
    /// A line type that may appear once appears again.
    #[error("`{0}=` appears more than once")]
    Repeated(char),
    /// A field has the wrong shape; the text says which.
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// Why an offer or answer cannot be used. The server answers an INVITE whose offer fails with
/// 488 Not Acceptable Here; an answer that fails ends the call (BYE or CANCEL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    /// The body is not valid SDP.
    #[error("malformed SDP: {0}")]
    Parse(#[from] ParseError),
    /// No usable audio stream (none offered, all with port 0, or only secure/unknown transports).
    #[error("no acceptable audio stream")]
    NoAudioStream,
    /// Audio was offered, but with no codec in common.
    #[error("no common codec; offered: {offered}")]
    NoCommonCodec {
        /// The offered formats, as `encoding/clock` or payload type numbers.
        offered: String,
    },
    /// The audio stream has no `c=` line, at either level.
    #[error("media stream {stream} has no connection address")]
    MissingConnection {
        /// Index of the `m=` line.
        stream: usize,
    },
    /// The connection address is not an IPv4/IPv6 literal (e.g. a host name or multicast TTL).
    #[error("unusable connection address {0:?}")]
    UnusableAddress(String),
    /// The answer does not have as many `m=` lines as the offer.
    #[error("answer has {answer} media lines, offer had {offer}")]
    MediaCountMismatch {
        /// Lines in our offer.
        offer: usize,
        /// Lines in the answer.
        answer: usize,
    },
    /// The answer rejected (port 0) the audio stream we offered.
    #[error("the answer rejected our audio stream")]
    Rejected,
    /// [`LocalSession::accept_answer`] without an offer of ours.
    #[error("no offer of ours is pending")]
    NoOfferPending,
}

impl NegotiationError {
    /// The RFC 3261 §20.43 warning code for a Warning header in the 488: 304 (media type not
    /// available), 305 (incompatible media format) or 399 (miscellaneous).
    pub fn warning_code(&self) -> u16 {
        match self {
            NegotiationError::NoAudioStream => 304,
            NegotiationError::NoCommonCodec { .. } => 305,
            _ => 399,
        }
    }
}
