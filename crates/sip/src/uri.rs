//! URIs: SIP and SIPS (RFC 3261 §19.1), TEL (RFC 3966), and any other absolute URI kept as
//! text. Components are stored as written, `%HH` escapes included, so a URI is re-emitted
//! unchanged (`sip:%00@host` stays that); decoded views are separate accessors.

use std::borrow::Cow;
use std::fmt;

use crate::error::SyntaxError;
use crate::host::{Host, parse_hostport};
use crate::params::{Params, parse_uri_params};
use crate::scan::{is_escaped_text, is_unreserved, percent_decode};

/// A URI as SIP carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Uri {
    /// `sip:` or `sips:`.
    Sip(SipUri),
    /// `tel:`.
    Tel(TelUri),
    /// Any other scheme (`http:`, `urn:`, `soap.beep:`...), kept as text.
    Other(AbsoluteUri),
}

/// A `sip:` or `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SipUri {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, escapes kept (may hold `;`, as in `sip:user;par=x@host`).
    pub user: Option<String>,
    /// The password part, escapes kept (deprecated but legal).
    pub password: Option<String>,
    /// The host.
    pub host: Host,
    /// The port, if written.
    pub port: Option<u16>,
    /// The URI parameters, escapes kept.
    pub params: Params,
    /// The headers after `?`, as written (`Route=%3Csip:example.com%3E`).
    pub headers: Option<String>,
}

/// A `tel:` URI (RFC 3966).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TelUri {
    /// The number as written: `+1-201-555-0123` (global) or `7042` (local).
    pub number: String,
    /// Parameters (`phone-context`, `ext`, `isub`, others), as written.
    pub params: Params,
}

/// An absolute URI of a scheme this crate does not interpret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AbsoluteUri {
    /// The scheme, as written.
    pub scheme: String,
    /// Everything after the first `:`.
    pub rest: String,
}

impl Uri {
    /// Parses a URI (no surrounding `<>`, no whitespace).
    pub fn parse(s: &str) -> Result<Uri, SyntaxError> {
        let (scheme, rest) = s
            .split_once(':')
            .ok_or(SyntaxError("URI without a scheme"))?;
        let mut scheme_bytes = scheme.bytes();
        let valid_scheme = scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && scheme_bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return Err(SyntaxError("invalid URI scheme"));
        }
        if scheme.eq_ignore_ascii_case("sip") {
            SipUri::parse_after_scheme(rest, false).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("sips") {
            SipUri::parse_after_scheme(rest, true).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("tel") {
            TelUri::parse_after_scheme(rest).map(Uri::Tel)
        } else {
            let valid_rest = !rest.is_empty()
                && is_escaped_text(rest, |b| {
                    is_unreserved(b)
                        || matches!(
                            b,
                            b';' | b'/'
                                | b'?'
                                | b':'
                                | b'@'
                                | b'&'
                                | b'='
                                | b'+'
                                | b'$'
                                | b','
                                | b'['
                                | b']'
                                | b'#'
                        )
                });
            if !valid_rest {
                return Err(SyntaxError("invalid URI"));
            }
            Ok(Uri::Other(AbsoluteUri {
                scheme: scheme.to_owned(),
                rest: rest.to_owned(),
            }))
        }
    }

    /// The scheme in lower case for sip, sips and tel; as written for others.
    pub fn scheme(&self) -> &str {
        match self {
            Uri::Sip(u) if u.secure => "sips",
            Uri::Sip(_) => "sip",
            Uri::Tel(_) => "tel",
            Uri::Other(u) => &u.scheme,
        }
    }

    /// The SIP or SIPS URI, if it is one.
    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The SIP or SIPS URI, mutable.
    pub fn as_sip_mut(&mut self) -> Option<&mut SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// Compares as RFC 3261 §19.1.4 (SIP URIs) and RFC 3966 §4 (TEL URIs) say; other
    /// schemes compare as written, the scheme without case.
    pub fn equivalent(&self, other: &Uri) -> bool {
        match (self, other) {
            (Uri::Sip(a), Uri::Sip(b)) => a.equivalent(b),
            (Uri::Tel(a), Uri::Tel(b)) => a.equivalent(b),
            (Uri::Other(a), Uri::Other(b)) => {
                a.scheme.eq_ignore_ascii_case(&b.scheme) && a.rest == b.rest
            }
            _ => false,
        }
    }
}

impl From<SipUri> for Uri {
    fn from(uri: SipUri) -> Uri {
        Uri::Sip(uri)
    }
}

impl std::str::FromStr for Uri {
    type Err = SyntaxError;

    fn from_str(s: &str) -> Result<Uri, SyntaxError> {
        Uri::parse(s)
    }
}

fn is_user_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/')
}

fn is_password_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'&' | b'=' | b'+' | b'$' | b',')
}

fn is_header_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$')
}

/// Lowercased, decoded text of an escaped component, for comparisons.
fn decoded_lower(s: &str) -> Vec<u8> {
    percent_decode(s).to_ascii_lowercase()
}

impl SipUri {
    /// A `sip:` URI for a host, without user, port or parameters.
    pub fn new(host: Host) -> SipUri {
        SipUri {
            secure: false,
            user: None,
            password: None,
            host,
            port: None,
            params: Params::new(),
            headers: None,
        }
    }

    /// Parses what follows `sip:` or `sips:`.
    fn parse_after_scheme(s: &str, secure: bool) -> Result<SipUri, SyntaxError> {
        // `@` appears in no other component unescaped, so the first one ends the userinfo
        // even when the user part holds `;` or `?` (RFC 4475 §3.1.1.9).
        let (userinfo, hostpart) = match s.split_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, s),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(ui) => {
                let (user, password) = match ui.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (ui, None),
                };
                if user.is_empty() || !is_escaped_text(user, is_user_char) {
                    return Err(SyntaxError("invalid user part"));
                }
                if let Some(p) = password
                    && !is_escaped_text(p, is_password_char)
                {
                    return Err(SyntaxError("invalid password"));
                }
                (Some(user.to_owned()), password.map(str::to_owned))
            }
        };
        let hostport_end = hostpart.find([';', '?']).unwrap_or(hostpart.len());
        let (hostport, tail) = hostpart.split_at(hostport_end);
        let (host, port) = parse_hostport(hostport)?;
        let (params, headers) = match tail.split_once('?') {
            Some((p, h)) => (p, Some(h)),
            None => (tail, None),
        };
        let params = match params.strip_prefix(';') {
            Some(p) => parse_uri_params(p)?,
            None => Params::new(),
        };
        if let Some(h) = headers {
            let valid = h.split('&').all(|pair| match pair.split_once('=') {
                Some((name, value)) => {
                    !name.is_empty()
                        && is_escaped_text(name, is_header_char)
                        && is_escaped_text(value, is_header_char)
                }
                None => false,
            });
            if !valid {
                return Err(SyntaxError("invalid URI headers"));
            }
        }
        Ok(SipUri {
            secure,
            user,
            password,
            host,
            port,
            params,
            headers: headers.map(str::to_owned),
        })
    }

    /// The user part with escapes decoded (may hold any byte, `%00` included).
    pub fn user_decoded(&self) -> Option<Cow<'_, [u8]>> {
        self.user.as_deref().map(percent_decode)
    }

    /// A URI parameter by name, names and values compared and returned decoded
    /// (`;%6C%72` is `lr`). `Some(None)` for a parameter without value.
    pub fn param(&self, name: &str) -> Option<Option<String>> {
        self.params
            .iter()
            .find(|p| percent_decode(&p.name).eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| {
                p.value
                    .as_deref()
                    .map(|v| String::from_utf8_lossy(&percent_decode(v)).into_owned())
            })
    }

    /// True when the URI carries `lr` (a loose router, RFC 3261 §16.12).
    pub fn is_loose_router(&self) -> bool {
        self.param("lr").is_some()
    }

    /// The `transport` parameter, lowercased.
    pub fn transport(&self) -> Option<String> {
        self.param("transport")
            .flatten()
            .map(|t| t.to_ascii_lowercase())
    }

    /// The URI headers, each `(name, value)` decoded.
    pub fn headers_decoded(&self) -> Vec<(String, String)> {
        let Some(headers) = &self.headers else {
            return Vec::new();
        };
        headers
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| {
                (
                    String::from_utf8_lossy(&percent_decode(n)).into_owned(),
                    String::from_utf8_lossy(&percent_decode(v)).into_owned(),
                )
            })
            .collect()
    }

    /// RFC 3261 §19.1.4 comparison: user and password decoded and case-sensitive, host
    /// without case, ports equal (absent is not 5060), `user`/`ttl`/`method`/`maddr`/
    /// `transport` equal when either has them, other parameters compared when both have
    /// them, headers all equal.
    pub fn equivalent(&self, other: &SipUri) -> bool {
        let decoded = |s: &Option<String>| s.as_deref().map(|s| percent_decode(s).into_owned());
        if self.secure != other.secure
            || decoded(&self.user) != decoded(&other.user)
            || decoded(&self.password) != decoded(&other.password)
            || !self.host.equivalent(&other.host)
            || self.port != other.port
        {
            return false;
        }
        const MUST_MATCH: [&str; 5] = ["user", "ttl", "method", "maddr", "transport"];
        let value =
            |u: &SipUri, name: &str| u.param(name).map(|v| v.map(|v| v.to_ascii_lowercase()));
        for name in MUST_MATCH {
            if value(self, name) != value(other, name) {
                return false;
            }
        }
        for p in &self.params {
            let name = String::from_utf8_lossy(&decoded_lower(&p.name)).into_owned();
            if MUST_MATCH.contains(&name.as_str()) {
                continue;
            }
            if let Some(theirs) = value(other, &name)
                && value(self, &name) != Some(theirs)
            {
                return false;
            }
        }
        let mut mine = self.headers_decoded();
        let mut theirs = other.headers_decoded();
        mine.sort();
        theirs.sort();
        mine == theirs
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(user) = &self.user {
            f.write_str(user)?;
            if let Some(password) = &self.password {
                write!(f, ":{password}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", self.params)?;
        if let Some(headers) = &self.headers {
            write!(f, "?{headers}")?;
        }
        Ok(())
    }
}

impl TelUri {
    fn parse_after_scheme(s: &str) -> Result<TelUri, SyntaxError> {
        let (number, params) = match s.split_once(';') {
            Some((n, p)) => (n, parse_uri_params(p)?),
            None => (s, Params::new()),
        };
        let is_separator = |b: u8| matches!(b, b'-' | b'.' | b'(' | b')');
        let valid = match number.strip_prefix('+') {
            Some(digits) => {
                digits
                    .bytes()
                    .all(|b| b.is_ascii_digit() || is_separator(b))
                    && digits.bytes().any(|b| b.is_ascii_digit())
            }
            None => {
                number
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || matches!(b, b'*' | b'#') || is_separator(b))
                    && number
                        .bytes()
                        .any(|b| b.is_ascii_hexdigit() || matches!(b, b'*' | b'#'))
                    && params.contains("phone-context")
            }
        };
        if !valid {
            return Err(SyntaxError("invalid telephone number"));
        }
        if params.iter().any(|p| {
            !p.name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            return Err(SyntaxError("invalid tel URI parameter"));
        }
        Ok(TelUri {
            number: number.to_owned(),
            params,
        })
    }

    /// True for a global number (`+` and digits).
    pub fn is_global(&self) -> bool {
        self.number.starts_with('+')
    }

    /// The digits (and `*#` or hex digits of a local number) without visual separators.
    pub fn digits(&self) -> String {
        self.number
            .chars()
            .filter(|c| !matches!(c, '-' | '.' | '(' | ')'))
            .collect()
    }

    /// RFC 3966 §4: numbers compared without visual separators, parameters as a set.
    pub fn equivalent(&self, other: &TelUri) -> bool {
        let norm = |u: &TelUri| {
            let mut params: Vec<_> = u
                .params
                .iter()
                .map(|p| {
                    (
                        decoded_lower(&p.name),
                        p.value.as_deref().map(decoded_lower),
                    )
                })
                .collect();
            params.sort();
            (u.digits().to_ascii_lowercase(), params)
        };
        norm(self) == norm(other)
    }
}

impl fmt::Display for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tel:{}{}", self.number, self.params)
    }
}

impl fmt::Display for AbsoluteUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.rest)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => u.fmt(f),
            Uri::Tel(u) => u.fmt(f),
            Uri::Other(u) => u.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip(s: &str) -> SipUri {
        match Uri::parse(s).unwrap() {
            Uri::Sip(u) => u,
            other => panic!("not a SIP URI: {other:?}"),
        }
    }

    #[test]
    fn escaped_user_is_kept_raw_and_decoded_on_request() {
        let u = sip("sip:sips%3Auser%40example.com@example.net");
        assert_eq!(u.user.as_deref(), Some("sips%3Auser%40example.com"));
        assert_eq!(u.user_decoded().unwrap().as_ref(), b"sips:user@example.com");
        assert_eq!(u.host, Host::Domain("example.net".into()));
        assert_eq!(u.to_string(), "sip:sips%3Auser%40example.com@example.net");
    }

    #[test]
    fn escaped_null_stays_escaped_when_written_back() {
        let u = sip("sip:null-%00-null@example.com");
        assert_eq!(u.to_string(), "sip:null-%00-null@example.com");
        assert_eq!(u.user_decoded().unwrap().as_ref(), b"null-\0-null");
    }

    #[test]
    fn user_part_may_hold_semicolons() {
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user.as_deref(), Some("user;par=u%40example.net"));
        assert!(u.params.is_empty());
    }

    #[test]
    fn unusual_user_and_password_characters_are_legal() {
        let u = sip(
            "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
        );
        assert_eq!(
            u.user.as_deref(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(
            u.password.as_deref(),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
    }

    #[test]
    fn escaped_parameter_names_are_found_decoded() {
        let u = sip("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
        assert!(u.is_loose_router());
        assert_eq!(u.param("name"), Some(Some("value%41".to_owned())));
    }

    #[test]
    fn uri_headers_are_kept_and_decoded() {
        let u = sip("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
        assert_eq!(
            u.headers.as_deref(),
            Some("Route=%3Csip:sip.example.com%3E")
        );
        assert_eq!(
            u.headers_decoded(),
            [("Route".to_owned(), "<sip:sip.example.com>".to_owned())]
        );
    }

    #[test]
    fn ipv6_hosts_and_ports() {
        let u = sip("sip:[2001:db8::10]:5070;transport=TCP");
        assert_eq!(u.port, Some(5070));
        assert_eq!(u.transport().as_deref(), Some("tcp"));
        assert!(Uri::parse("sip:2001:db8::10").is_err());
    }

    #[test]
    fn tel_uris_need_a_context_when_local() {
        assert!(Uri::parse("tel:+1-201-555-0123").is_ok());
        assert!(Uri::parse("tel:7042;phone-context=example.com").is_ok());
        assert!(Uri::parse("tel:7042").is_err());
        assert!(Uri::parse("tel:+").is_err());
    }

    #[test]
    fn other_schemes_are_kept_as_text() {
        let u = Uri::parse("soap.beep://192.0.2.103:3002").unwrap();
        assert_eq!(u.scheme(), "soap.beep");
        assert_eq!(u.to_string(), "soap.beep://192.0.2.103:3002");
        assert!(Uri::parse("<sip:user@example.com>").is_err());
        assert!(Uri::parse("sip:user@example.com; lr").is_err());
    }

    #[test]
    fn comparison_follows_rfc_3261() {
        let a = sip("sip:%61lice@ATLANTA.com;transport=TCP");
        let b = sip("sip:alice@atlanta.com;transport=tcp");
        assert!(a.equivalent(&b));
        assert!(!sip("sip:alice@atlanta.com").equivalent(&sip("sip:alice@atlanta.com:5060")));
        assert!(!sip("sip:alice@atlanta.com").equivalent(&sip("sip:ALICE@atlanta.com")));
        assert!(
            sip("sip:carol@chicago.com;newparam=5")
                .equivalent(&sip("sip:carol@chicago.com;security=on"))
        );
        assert!(!sip("sip:bob@biloxi.com").equivalent(&sip("sip:bob@biloxi.com;transport=udp")));
    }
}
