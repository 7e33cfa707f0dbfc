//! What is wrong with a received message, and the status an element answers it with.

use crate::error::{HeaderError, ParseError};
use crate::header_name::HeaderName;
use crate::message::Version;
use crate::status::StatusCode;

fn names(list: &[HeaderName]) -> String {
    list.iter()
        .map(HeaderName::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reason to reject a message. Its text names the defect; for a 400 it follows
/// "Bad Request - " in the reason phrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Defect {
    /// Start line, header line or Content-Length broken.
    #[error("{0}")]
    Malformed(ParseError),
    /// Mandatory headers absent (Via, From, To, Call-ID, CSeq).
    #[error("Missing {}", names(.0))]
    MissingHeaders(Vec<HeaderName>),
    /// Single-valued headers repeated.
    #[error("Multiple {}", names(.0))]
    DuplicateHeaders(Vec<HeaderName>),
    /// A header value does not follow its grammar.
    #[error("{0}")]
    Header(HeaderError),
    /// The CSeq method differs from the request method.
    #[error("CSeq method mismatch")]
    CSeqMismatch,
    /// A body without Content-Type (RFC 3261 §7.4.1).
    #[error("Missing Content-Type")]
    MissingContentType,
    /// The Request-URI carries URI headers (RFC 3261 §19.1.1, RFC 4475 §3.1.2.11).
    #[error("Request-URI with headers")]
    RequestUriHeaders,
    /// A REGISTER whose To is not a SIP or SIPS URI (RFC 3261 §10.3, RFC 4475 §3.3.4).
    #[error("To is not a SIP or SIPS URI")]
    RegisterToNotSip,
    /// A SIP version other than 2.0.
    #[error("{0} not supported")]
    Version(Version),
    /// A Request-URI scheme the element does not handle.
    #[error("URI scheme {0} not supported")]
    UriScheme(String),
    /// Max-Forwards reached 0 at an element that would forward.
    #[error("Max-Forwards is 0")]
    TooManyHops,
    /// Require (or Proxy-Require at a proxy) names extensions the element lacks.
    #[error("Extensions not supported: {}", .0.join(", "))]
    BadExtension(Vec<String>),
    /// A body type the element does not accept.
    #[error("Content-Type {0} not supported")]
    UnsupportedMediaType(String),
    /// A content coding the element does not accept.
    #[error("Content-Encoding {0} not supported")]
    UnsupportedEncoding(String),
    /// Accept rules out the body type the answer would carry.
    #[error("Accept excludes {0}")]
    NotAcceptable(String),
    /// A response whose Via path names a broadcast or multicast address (RFC 4475 §3.3.10).
    #[error("Via names a broadcast or multicast address")]
    BroadcastVia,
}

impl Defect {
    /// The status code a request with this defect is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Defect::Version(_) => StatusCode::VERSION_NOT_SUPPORTED,
            Defect::UriScheme(_) => StatusCode::UNSUPPORTED_URI_SCHEME,
            Defect::TooManyHops => StatusCode::TOO_MANY_HOPS,
            Defect::BadExtension(_) => StatusCode::BAD_EXTENSION,
            Defect::UnsupportedMediaType(_) | Defect::UnsupportedEncoding(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Defect::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The reason phrase: `Bad Request - <defect>` for a 400, the usual phrase otherwise.
    pub fn reason_phrase(&self) -> String {
        let status = self.status();
        let phrase = status.canonical_reason().unwrap_or_default();
        if status == StatusCode::BAD_REQUEST {
            format!("{phrase} - {self}")
        } else {
            phrase.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_requests_name_the_defect() {
        let d = Defect::MissingHeaders(vec![HeaderName::CallId]);
        assert_eq!(d.reason_phrase(), "Bad Request - Missing Call-ID");
        let d = Defect::Malformed(ParseError::BodyTooShort {
            declared: 9,
            actual: 3,
        });
        assert_eq!(
            d.reason_phrase(),
            "Bad Request - Content-Length mismatch (9 declared, 3 received)"
        );
    }

    #[test]
    fn other_statuses_use_their_phrase() {
        let d = Defect::UriScheme("soap.beep".into());
        assert_eq!(d.status(), StatusCode::UNSUPPORTED_URI_SCHEME);
        assert_eq!(d.reason_phrase(), "Unsupported URI Scheme");
    }
}
