//! `name-addr / addr-spec` followed by header parameters: the shape of From, To, Contact,
//! Route, Record-Route, Refer-To, Referred-By and Reply-To (RFC 3261 §20.10, §25).

use std::fmt;

use crate::error::SyntaxError;
use crate::params::{Params, parse_header_params};
use crate::scan::{Cursor, is_token, is_ws, quote, trim_ws, unquote};
use crate::uri::Uri;

/// An address with optional display name and header parameters (`tag`, `expires`, `q`...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameAddr {
    /// The display name, unquoted and unescaped.
    pub display_name: Option<String>,
    /// The URI.
    pub uri: Uri,
    /// Header parameters (outside the `<>`), as written.
    pub params: Params,
}

/// A contact's `q` parameter in thousandths (RFC 3261 §20.10: `q=0.33` is 330).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Qvalue(u16);

impl Qvalue {
    /// Parses `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
    pub fn parse(s: &str) -> Result<Qvalue, SyntaxError> {
        let bad = SyntaxError("invalid q value");
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad);
        }
        let mut thousandths: u16 = 0;
        for (i, b) in frac.bytes().enumerate() {
            thousandths += u16::from(b - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
        match int {
            "0" => Ok(Qvalue(thousandths)),
            "1" if thousandths == 0 => Ok(Qvalue(1000)),
            _ => Err(bad),
        }
    }

    /// The value in thousandths, 0 to 1000.
    pub fn thousandths(self) -> u16 {
        self.0
    }
}

impl NameAddr {
    /// An address with no display name and no parameters.
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display_name: None,
            uri,
            params: Params::new(),
        }
    }

    /// Parses one value. In the `addr-spec` form (no `<>`) the URI ends at the first `;` and
    /// may not carry URI headers (RFC 3261 §20.10: such URIs must be enclosed in `<>`).
    pub fn parse(s: &str) -> Result<NameAddr, SyntaxError> {
        let s = trim_ws(s);
        let mut c = Cursor::new(s);
        let bracket = s.find(['<', '"', ';']);
        let (display_name, in_brackets) = if c.peek() == Some(b'"') {
            let raw = c.quoted_string()?;
            c.skip_ws();
            if !c.eat(b'<') {
                return Err(SyntaxError("display name without <address>"));
            }
            (Some(unquote(raw)), true)
        } else if let Some(lt) = bracket.filter(|&i| s.as_bytes().get(i) == Some(&b'<')) {
            let display = trim_ws(s.get(..lt).unwrap_or(""));
            if !display
                .split([' ', '\t'])
                .filter(|t| !t.is_empty())
                .all(is_token)
            {
                return Err(SyntaxError("invalid display name"));
            }
            while !c.eat(b'<') {
                if c.at_end() {
                    return Err(SyntaxError("missing <"));
                }
                c.take_until(b'<');
            }
            ((!display.is_empty()).then(|| display.to_owned()), true)
        } else {
            (None, false)
        };
        let uri = if in_brackets {
            let text = c.take_until(b'>');
            if !c.eat(b'>') {
                return Err(SyntaxError("missing >"));
            }
            if text.bytes().any(is_ws) {
                return Err(SyntaxError("whitespace inside <>"));
            }
            Uri::parse(text)?
        } else {
            let text = c.take_while(|b| b != b';' && !is_ws(b));
            let uri = Uri::parse(text)?;
            if matches!(&uri, Uri::Sip(sip) if sip.headers.is_some()) {
                return Err(SyntaxError("URI with headers not enclosed in <>"));
            }
            uri
        };
        let params = parse_header_params(&mut c)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after address"));
        }
        Ok(NameAddr {
            display_name,
            uri,
            params,
        })
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&str> {
        self.params.value("tag")
    }

    /// Sets the `tag` parameter.
    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }

    /// A contact's `expires` parameter, if present and valid.
    pub fn expires(&self) -> Option<u32> {
        self.params.value("expires").and_then(|v| v.parse().ok())
    }

    /// A contact's `q` parameter, if present and valid.
    pub fn q(&self) -> Option<Qvalue> {
        self.params.value("q").and_then(|v| Qvalue::parse(v).ok())
    }
}

/// Parses a Contact value and checks the parameters RFC 3261 gives a grammar: `q` and
/// `expires` (at most 2^32-1).
pub(crate) fn parse_contact(s: &str) -> Result<NameAddr, SyntaxError> {
    let addr = NameAddr::parse(s)?;
    if let Some(q) = addr.params.get("q") {
        Qvalue::parse(q.ok_or(SyntaxError("invalid q value"))?)?;
    }
    if let Some(expires) = addr.params.get("expires") {
        crate::scan::parse_delta_seconds(expires.ok_or(SyntaxError("invalid expires"))?)?;
    }
    Ok(addr)
}

impl fmt::Display for NameAddr {
    /// Always the `name-addr` form (`"name" <uri>;params`), which is valid for every URI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            let mut quoted = String::with_capacity(name.len() + 2);
            quote(name, &mut quoted);
            write!(f, "{quoted} ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_spec_params_belong_to_the_header() {
        let a = NameAddr::parse("sip:+19725552222@gw1.example.net;unknownparam").unwrap();
        assert!(a.params.contains("unknownparam"));
        assert!(a.uri.as_sip().unwrap().params.is_empty());
        let a = NameAddr::parse("<sip:+19725552222@gw1.example.net;unknownparam>").unwrap();
        assert!(a.params.is_empty());
        assert!(a.uri.as_sip().unwrap().params.contains("unknownparam"));
    }

    #[test]
    fn quoted_display_names_are_unescaped() {
        let a = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com>  ;  tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(a.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(a.tag(), Some("98asjd8"));
    }

    #[test]
    fn token_display_names_need_no_space_before_the_bracket() {
        let a = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display_name.as_deref(), Some("caller"));
        let a =
            NameAddr::parse("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>").unwrap();
        assert_eq!(
            a.display_name.as_deref(),
            Some("token1~` token2'+_ token3*%!.-")
        );
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "\"Mr. J. User <sip:j.user@example.com>",
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            "\"Watson, Thomas\" < sip:t.watson@example.org >",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "<sip:joe@example.org>;;;;",
            "<sip:joe@example.org",
        ] {
            assert!(NameAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        let a =
            NameAddr::parse("\"BEL:\\\u{7} NUL:\\\u{0} DEL:\\\u{7f}\" <sip:x@example.com>;tag=1")
                .unwrap();
        assert_eq!(
            a.display_name.as_deref(),
            Some("BEL:\u{7} NUL:\u{0} DEL:\u{7f}")
        );
        assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a);
    }

    #[test]
    fn contact_q_and_expires_are_checked() {
        let a = parse_contact("<sip:a@b>;q=0.33;expires=3600").unwrap();
        assert_eq!(a.q(), Some(Qvalue(330)));
        assert_eq!(a.expires(), Some(3600));
        assert!(parse_contact("<sip:a@b>;expires=280297596632815").is_err());
        assert!(parse_contact("<sip:a@b>;q=1.5").is_err());
    }
}
