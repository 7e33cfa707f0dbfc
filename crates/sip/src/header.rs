//! Typed views of the headers a B2BUA, a registrar and the transaction layer read. Each
//! accessor parses the raw value on demand and names the defect when it cannot:
//!
//! ```
//! # use sip::{Message, header::Transport};
//! let msg = Message::parse(bytes::Bytes::from_static(
//!     b"OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n\
//!       From: <sip:b@example.com>;tag=9\r\nTo: <sip:a@example.com>\r\nCall-ID: c1\r\n\
//!       CSeq: 2 OPTIONS\r\nContent-Length: 0\r\n\r\n"))?;
//! let h = msg.headers();
//! assert_eq!(h.top_via()?.rfc3261_branch(), Some("z9hG4bK1"));
//! assert_eq!(h.top_via()?.transport, Transport::Udp);
//! assert_eq!(h.from()?.tag(), Some("9"));
//! assert_eq!(h.cseq()?.seq, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Authorization, WWW-Authenticate and the Proxy- pair stay raw here
//! (`headers.get(&HeaderName::Authorization)`); [`crate::auth`] parses them.

mod cseq;
mod date;
mod media_type;
mod name_addr;
mod reason;
mod replaces;
mod session_expires;
mod via;

pub use cseq::{CSeq, MAX_CSEQ, RAck};
pub use date::SipDate;
pub use media_type::MediaType;
pub use name_addr::{NameAddr, Qvalue};
pub use reason::Reason;
pub use replaces::Replaces;
pub use session_expires::{Refresher, SessionExpires};
pub use via::{MAGIC_COOKIE, Transport, Via};

use crate::error::{HeaderError, SyntaxError};
use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::method::Method;
use crate::scan::{is_token, parse_delta_seconds, parse_digits, trim_ws};

/// The Contact header of a request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contacts {
    /// `Contact: *` (REGISTER removing every binding).
    Wildcard,
    /// The addresses, in order (empty when the header is absent).
    Addresses(Vec<NameAddr>),
}

/// `callid = word [ "@" word ]` (RFC 3261 §25), word characters included.
pub(crate) fn is_call_id(s: &str) -> bool {
    let is_word = |w: &str| {
        !w.is_empty()
            && w.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'-' | b'.'
                            | b'!'
                            | b'%'
                            | b'*'
                            | b'_'
                            | b'+'
                            | b'`'
                            | b'\''
                            | b'~'
                            | b'('
                            | b')'
                            | b'<'
                            | b'>'
                            | b':'
                            | b'\\'
                            | b'"'
                            | b'/'
                            | b'['
                            | b']'
                            | b'?'
                            | b'{'
                            | b'}'
                    )
            })
    };
    match s.split_once('@') {
        Some((a, b)) => is_word(a) && is_word(b),
        None => is_word(s),
    }
}

fn parse_call_id(s: &str) -> Result<&str, SyntaxError> {
    let s = trim_ws(s);
    if is_call_id(s) {
        Ok(s)
    } else {
        Err(SyntaxError("invalid Call-ID"))
    }
}

fn parse_max_forwards(s: &str) -> Result<u8, SyntaxError> {
    parse_digits(trim_ws(s))
        .and_then(|n| u8::try_from(n).ok())
        .ok_or(SyntaxError("not a number from 0 to 255"))
}

fn parse_option_tag(s: &str) -> Result<String, SyntaxError> {
    if is_token(s) {
        Ok(s.to_owned())
    } else {
        Err(SyntaxError("option tag is not a token"))
    }
}

fn parse_delta(s: &str) -> Result<u32, SyntaxError> {
    parse_delta_seconds(trim_ws(s))
}

/// Typed accessors. `Result<T>` for headers every message must carry (Missing when absent),
/// `Result<Option<T>>` for optional single headers, `Result<Vec<T>>` for lists (empty when
/// absent). A header that takes one value but appears twice is a `Duplicate` error.
impl Headers {
    /// Every Via value, top first.
    pub fn vias(&self) -> Result<Vec<Via>, HeaderError> {
        self.list(&HeaderName::Via, Via::parse)
    }

    /// The top Via value (parses only that one).
    pub fn top_via(&self) -> Result<Via, HeaderError> {
        let name = HeaderName::Via;
        let first = self.list_items(&name).next();
        match first {
            Some(item) => Via::parse(item?).map_err(|e| HeaderError::invalid(&name, e)),
            None => Err(HeaderError::Missing(name)),
        }
    }

    /// From.
    pub fn from(&self) -> Result<NameAddr, HeaderError> {
        self.required(&HeaderName::From, NameAddr::parse)
    }

    /// To.
    pub fn to(&self) -> Result<NameAddr, HeaderError> {
        self.required(&HeaderName::To, NameAddr::parse)
    }

    /// Call-ID.
    pub fn call_id(&self) -> Result<&str, HeaderError> {
        let name = HeaderName::CallId;
        let value = self
            .single_str(&name)?
            .ok_or_else(|| HeaderError::Missing(name.clone()))?;
        parse_call_id(value).map_err(|e| HeaderError::invalid(&name, e))
    }

    /// CSeq.
    pub fn cseq(&self) -> Result<CSeq, HeaderError> {
        self.required(&HeaderName::CSeq, CSeq::parse)
    }

    /// Max-Forwards (0 to 255).
    pub fn max_forwards(&self) -> Result<Option<u8>, HeaderError> {
        self.single(&HeaderName::MaxForwards, parse_max_forwards)
    }

    /// Expires, in seconds.
    pub fn expires(&self) -> Result<Option<u32>, HeaderError> {
        self.single(&HeaderName::Expires, parse_delta)
    }

    /// Min-Expires, in seconds.
    pub fn min_expires(&self) -> Result<Option<u32>, HeaderError> {
        self.single(&HeaderName::MinExpires, parse_delta)
    }

    /// Contact: `*` or the addresses (with their `expires` and `q` checked).
    pub fn contacts(&self) -> Result<Contacts, HeaderError> {
        let name = HeaderName::Contact;
        let items = self.list_items(&name).collect::<Result<Vec<_>, _>>()?;
        if items.contains(&"*") {
            return if items.len() == 1 {
                Ok(Contacts::Wildcard)
            } else {
                Err(HeaderError::invalid(
                    &name,
                    SyntaxError("* mixed with addresses"),
                ))
            };
        }
        items
            .into_iter()
            .map(|item| name_addr::parse_contact(item).map_err(|e| HeaderError::invalid(&name, e)))
            .collect::<Result<_, _>>()
            .map(Contacts::Addresses)
    }

    /// Route, in order.
    pub fn routes(&self) -> Result<Vec<NameAddr>, HeaderError> {
        self.list(&HeaderName::Route, NameAddr::parse)
    }

    /// Record-Route, in order.
    pub fn record_routes(&self) -> Result<Vec<NameAddr>, HeaderError> {
        self.list(&HeaderName::RecordRoute, NameAddr::parse)
    }

    /// Content-Type.
    pub fn content_type(&self) -> Result<Option<MediaType>, HeaderError> {
        self.single(&HeaderName::ContentType, MediaType::parse)
    }

    /// Content-Length.
    pub fn content_length(&self) -> Result<Option<usize>, HeaderError> {
        self.single(&HeaderName::ContentLength, |s| {
            parse_digits(trim_ws(s))
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(SyntaxError("not a number"))
        })
    }

    /// Content-Encoding codings, lowercased.
    pub fn content_encoding(&self) -> Result<Vec<String>, HeaderError> {
        self.list(&HeaderName::ContentEncoding, |s| {
            parse_option_tag(s).map(|t| t.to_ascii_lowercase())
        })
    }

    /// Accept: `None` when absent, `Some(empty)` when present and empty (nothing acceptable).
    pub fn accept(&self) -> Result<Option<Vec<MediaType>>, HeaderError> {
        let name = HeaderName::Accept;
        if !self.contains(&name) {
            return Ok(None);
        }
        self.list(&name, MediaType::parse).map(Some)
    }

    /// Supported option tags.
    pub fn supported(&self) -> Result<Vec<String>, HeaderError> {
        self.list(&HeaderName::Supported, parse_option_tag)
    }

    /// Require option tags.
    pub fn require(&self) -> Result<Vec<String>, HeaderError> {
        self.list(&HeaderName::Require, parse_option_tag)
    }

    /// Proxy-Require option tags.
    pub fn proxy_require(&self) -> Result<Vec<String>, HeaderError> {
        self.list(&HeaderName::ProxyRequire, parse_option_tag)
    }

    /// Unsupported option tags.
    pub fn unsupported(&self) -> Result<Vec<String>, HeaderError> {
        self.list(&HeaderName::Unsupported, parse_option_tag)
    }

    /// Allow: `None` when absent.
    pub fn allow(&self) -> Result<Option<Vec<Method>>, HeaderError> {
        let name = HeaderName::Allow;
        if !self.contains(&name) {
            return Ok(None);
        }
        self.list(&name, Method::parse).map(Some)
    }

    /// Refer-To (RFC 3515).
    pub fn refer_to(&self) -> Result<Option<NameAddr>, HeaderError> {
        self.single(&HeaderName::ReferTo, NameAddr::parse)
    }

    /// Referred-By (RFC 3892).
    pub fn referred_by(&self) -> Result<Option<NameAddr>, HeaderError> {
        self.single(&HeaderName::ReferredBy, NameAddr::parse)
    }

    /// Replaces (RFC 3891).
    pub fn replaces(&self) -> Result<Option<Replaces>, HeaderError> {
        self.single(&HeaderName::Replaces, Replaces::parse)
    }

    /// Session-Expires (RFC 4028).
    pub fn session_expires(&self) -> Result<Option<SessionExpires>, HeaderError> {
        self.single(&HeaderName::SessionExpires, SessionExpires::parse)
    }

    /// Min-SE (RFC 4028), in seconds.
    pub fn min_se(&self) -> Result<Option<u32>, HeaderError> {
        self.single(&HeaderName::MinSe, session_expires::parse_min_se)
    }

    /// Reason values (RFC 3326).
    pub fn reasons(&self) -> Result<Vec<Reason>, HeaderError> {
        self.list(&HeaderName::Reason, Reason::parse)
    }

    /// RSeq (RFC 3262).
    pub fn rseq(&self) -> Result<Option<u32>, HeaderError> {
        self.single(&HeaderName::RSeq, |s| {
            parse_delta(s).and_then(|n| {
                if n == 0 {
                    Err(SyntaxError("RSeq must be at least 1"))
                } else {
                    Ok(n)
                }
            })
        })
    }

    /// RAck (RFC 3262).
    pub fn rack(&self) -> Result<Option<RAck>, HeaderError> {
        self.single(&HeaderName::RAck, RAck::parse)
    }

    /// Date (GMT only).
    pub fn date(&self) -> Result<Option<SipDate>, HeaderError> {
        self.single(&HeaderName::Date, SipDate::parse)
    }

    /// User-Agent, as text.
    pub fn user_agent(&self) -> Option<&str> {
        self.get(&HeaderName::UserAgent).and_then(|v| v.to_str())
    }

    /// Server, as text.
    pub fn server(&self) -> Option<&str> {
        self.get(&HeaderName::Server).and_then(|v| v.to_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(HeaderName, &str)]) -> Headers {
        let mut h = Headers::new();
        for (name, value) in lines {
            h.push(name.clone(), *value);
        }
        h
    }

    #[test]
    fn call_ids_take_unusual_word_characters() {
        assert!(is_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
        assert!(!is_call_id("a@b@c"));
        assert!(!is_call_id("a b"));
        assert!(!is_call_id(""));
    }

    #[test]
    fn contact_wildcard_stands_alone() {
        let h = headers(&[(HeaderName::Contact, "*")]);
        assert_eq!(h.contacts(), Ok(Contacts::Wildcard));
        let h = headers(&[(HeaderName::Contact, "*, <sip:a@b>")]);
        assert!(h.contacts().is_err());
    }

    #[test]
    fn absent_lists_are_empty_and_absent_accept_is_none() {
        let h = Headers::new();
        assert_eq!(h.contacts(), Ok(Contacts::Addresses(vec![])));
        assert_eq!(h.require(), Ok(vec![]));
        assert_eq!(h.accept(), Ok(None));
        let h = headers(&[(HeaderName::Accept, "")]);
        assert_eq!(h.accept(), Ok(Some(vec![])));
    }

    #[test]
    fn max_forwards_above_255_is_invalid() {
        let h = headers(&[(HeaderName::MaxForwards, "0068")]);
        assert_eq!(h.max_forwards(), Ok(Some(68)));
        let h = headers(&[(HeaderName::MaxForwards, "300")]);
        assert!(matches!(h.max_forwards(), Err(HeaderError::Invalid { .. })));
    }

    #[test]
    fn missing_required_headers_are_named() {
        assert_eq!(
            Headers::new().call_id(),
            Err(HeaderError::Missing(HeaderName::CallId))
        );
        assert_eq!(
            Headers::new().top_via(),
            Err(HeaderError::Missing(HeaderName::Via))
        );
    }
}
