//! Header names: the known ones interned to an enum (compact forms mapped, case ignored), any
//! other kept with its original spelling so it is re-emitted unchanged.

use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use crate::error::SyntaxError;
use crate::scan::is_token;

macro_rules! header_names {
    ($( $(#[$doc:meta])* $variant:ident = $canonical:literal, $lower:literal $(| $compact:literal)?; )*) => {
        /// The name of a header field. Known names compare by variant; [`HeaderName::Other`]
        /// compares case-insensitively and keeps the spelling it arrived with.
        #[derive(Clone)]
        pub enum HeaderName {
            $( $(#[$doc])* #[doc = concat!("`", $canonical, "`")] $variant, )*
            /// Any other header, spelled as received (a valid token).
            Other(Bytes),
        }

        impl HeaderName {
            /// The canonical spelling (for [`HeaderName::Other`], the original one).
            pub fn as_str(&self) -> &str {
                match self {
                    $( HeaderName::$variant => $canonical, )*
                    HeaderName::Other(name) => std::str::from_utf8(name).unwrap_or(""),
                }
            }

            /// Interns a name already lowercased (long or compact form).
            fn known(lower: &[u8]) -> Option<HeaderName> {
                Some(match lower {
                    $( $lower $(| $compact)? => HeaderName::$variant, )*
                    _ => return None,
                })
            }
        }
    };
}

header_names! {
    Accept = "Accept", b"accept";
    AcceptContact = "Accept-Contact", b"accept-contact" | b"a";
    AcceptEncoding = "Accept-Encoding", b"accept-encoding";
    AcceptLanguage = "Accept-Language", b"accept-language";
    AlertInfo = "Alert-Info", b"alert-info";
    Allow = "Allow", b"allow";
    AllowEvents = "Allow-Events", b"allow-events" | b"u";
    AuthenticationInfo = "Authentication-Info", b"authentication-info";
    Authorization = "Authorization", b"authorization";
    CallId = "Call-ID", b"call-id" | b"i";
    CallInfo = "Call-Info", b"call-info";
    Contact = "Contact", b"contact" | b"m";
    ContentDisposition = "Content-Disposition", b"content-disposition";
    ContentEncoding = "Content-Encoding", b"content-encoding" | b"e";
    ContentLanguage = "Content-Language", b"content-language";
    ContentLength = "Content-Length", b"content-length" | b"l";
    ContentType = "Content-Type", b"content-type" | b"c";
    CSeq = "CSeq", b"cseq";
    Date = "Date", b"date";
    ErrorInfo = "Error-Info", b"error-info";
    Event = "Event", b"event" | b"o";
    Expires = "Expires", b"expires";
    From = "From", b"from" | b"f";
    Identity = "Identity", b"identity" | b"y";
    IdentityInfo = "Identity-Info", b"identity-info" | b"n";
    InReplyTo = "In-Reply-To", b"in-reply-to";
    MaxForwards = "Max-Forwards", b"max-forwards";
    MimeVersion = "MIME-Version", b"mime-version";
    MinExpires = "Min-Expires", b"min-expires";
    MinSe = "Min-SE", b"min-se";
    Organization = "Organization", b"organization";
    PAssertedIdentity = "P-Asserted-Identity", b"p-asserted-identity";
    PPreferredIdentity = "P-Preferred-Identity", b"p-preferred-identity";
    Path = "Path", b"path";
    Priority = "Priority", b"priority";
    Privacy = "Privacy", b"privacy";
    ProxyAuthenticate = "Proxy-Authenticate", b"proxy-authenticate";
    ProxyAuthorization = "Proxy-Authorization", b"proxy-authorization";
    ProxyRequire = "Proxy-Require", b"proxy-require";
    RAck = "RAck", b"rack";
    Reason = "Reason", b"reason";
    RecordRoute = "Record-Route", b"record-route";
    ReferTo = "Refer-To", b"refer-to" | b"r";
    ReferredBy = "Referred-By", b"referred-by" | b"b";
    RejectContact = "Reject-Contact", b"reject-contact" | b"j";
    Replaces = "Replaces", b"replaces";
    ReplyTo = "Reply-To", b"reply-to";
    RequestDisposition = "Request-Disposition", b"request-disposition" | b"d";
    Require = "Require", b"require";
    RetryAfter = "Retry-After", b"retry-after";
    Route = "Route", b"route";
    RSeq = "RSeq", b"rseq";
    Server = "Server", b"server";
    ServiceRoute = "Service-Route", b"service-route";
    SessionExpires = "Session-Expires", b"session-expires" | b"x";
    SipETag = "SIP-ETag", b"sip-etag";
    SipIfMatch = "SIP-If-Match", b"sip-if-match";
    Subject = "Subject", b"subject" | b"s";
    SubscriptionState = "Subscription-State", b"subscription-state";
    Supported = "Supported", b"supported" | b"k";
    Timestamp = "Timestamp", b"timestamp";
    To = "To", b"to" | b"t";
    Unsupported = "Unsupported", b"unsupported";
    UserAgent = "User-Agent", b"user-agent";
    Via = "Via", b"via" | b"v";
    Warning = "Warning", b"warning";
    WwwAuthenticate = "WWW-Authenticate", b"www-authenticate";
}

/// No known name is longer than this; longer names are [`HeaderName::Other`] without a lookup.
const LONGEST_KNOWN: usize = 20;

impl HeaderName {
    /// A header name from text: the known name (any case, long or compact form) or
    /// [`HeaderName::Other`]. Fails unless `name` is a token.
    pub fn new(name: &str) -> Result<HeaderName, SyntaxError> {
        if !is_token(name) {
            return Err(SyntaxError("header name is not a token"));
        }
        Ok(Self::lookup(name.as_bytes())
            .unwrap_or_else(|| HeaderName::Other(Bytes::copy_from_slice(name.as_bytes()))))
    }

    /// The known name spelled by `name` (a token), in any case and in compact form.
    pub(crate) fn lookup(name: &[u8]) -> Option<HeaderName> {
        if name.len() > LONGEST_KNOWN {
            return None;
        }
        let mut lower = [0u8; LONGEST_KNOWN];
        let lower = lower.get_mut(..name.len())?;
        for (l, b) in lower.iter_mut().zip(name) {
            *l = b.to_ascii_lowercase();
        }
        Self::known(lower)
    }

    /// Headers whose value may be a comma-separated list (RFC 3261 §7.3.1), so that several
    /// header lines are equivalent to one line with the values joined by commas.
    pub fn is_list(&self) -> bool {
        use HeaderName::*;
        matches!(
            self,
            Accept
                | AcceptContact
                | AcceptEncoding
                | AcceptLanguage
                | AlertInfo
                | Allow
                | AllowEvents
                | CallInfo
                | Contact
                | ContentEncoding
                | ContentLanguage
                | ErrorInfo
                | InReplyTo
                | PAssertedIdentity
                | PPreferredIdentity
                | Path
                | ProxyRequire
                | Reason
                | RecordRoute
                | RejectContact
                | RequestDisposition
                | Require
                | Route
                | ServiceRoute
                | Supported
                | Unsupported
                | Via
                | Warning
        )
    }

    /// Headers that carry exactly one value, so a second occurrence makes the message invalid.
    pub fn is_single(&self) -> bool {
        use HeaderName::*;
        matches!(
            self,
            CallId
                | ContentLength
                | ContentType
                | CSeq
                | Date
                | Event
                | Expires
                | From
                | MaxForwards
                | MinExpires
                | MinSe
                | RAck
                | ReferTo
                | ReferredBy
                | Replaces
                | RSeq
                | SessionExpires
                | SubscriptionState
                | To
        )
    }
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &HeaderName) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl Eq for HeaderName {}

impl Hash for HeaderName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        if let HeaderName::Other(name) = self {
            for b in name.iter() {
                state.write_u8(b.to_ascii_lowercase());
            }
        }
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_mixed_case_forms_intern_to_the_same_name() {
        assert_eq!(HeaderName::new("v"), Ok(HeaderName::Via));
        assert_eq!(HeaderName::new("ViA"), Ok(HeaderName::Via));
        assert_eq!(HeaderName::new("MaX-fOrWaRdS"), Ok(HeaderName::MaxForwards));
        assert_eq!(HeaderName::new("x"), Ok(HeaderName::SessionExpires));
        assert_eq!(HeaderName::new("l"), Ok(HeaderName::ContentLength));
    }

    #[test]
    fn unknown_names_keep_their_spelling_and_compare_without_case() {
        let name = HeaderName::new("C%6Fntact").unwrap();
        assert_eq!(name.as_str(), "C%6Fntact");
        assert_ne!(name, HeaderName::Contact);
        assert_eq!(name, HeaderName::new("c%6fNTACT").unwrap());
    }

    #[test]
    fn non_token_names_are_rejected() {
        assert!(HeaderName::new("Bad Name").is_err());
        assert!(HeaderName::new("").is_err());
    }
}
