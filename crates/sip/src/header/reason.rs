//! Reason (RFC 3326): why a request (a CANCEL, a BYE) was sent.

use std::fmt;

use crate::error::SyntaxError;
use crate::params::{Params, parse_header_params};
use crate::scan::{Cursor, parse_digits, quote, unquote};

/// `Reason: SIP ;cause=200 ;text="Call completed elsewhere"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The protocol: `SIP`, `Q.850` or a token.
    pub protocol: String,
    /// The `cause` parameter.
    pub cause: Option<u16>,
    /// The `text` parameter, unquoted.
    pub text: Option<String>,
    /// Other parameters, as written.
    pub params: Params,
}

impl Reason {
    /// Parses one Reason value.
    pub fn parse(s: &str) -> Result<Reason, SyntaxError> {
        let mut c = Cursor::new(s);
        c.skip_ws();
        let protocol = c.token().ok_or(SyntaxError("invalid protocol"))?;
        let mut params = parse_header_params(&mut c)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after parameters"));
        }
        let cause = match params.get("cause") {
            None => None,
            Some(v) => Some(
                v.and_then(parse_digits)
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or(SyntaxError("invalid cause"))?,
            ),
        };
        let text = match params.get("text") {
            None => None,
            Some(Some(v)) if v.starts_with('"') => Some(unquote(v)),
            Some(_) => return Err(SyntaxError("text must be a quoted string")),
        };
        params.remove("cause");
        params.remove("text");
        Ok(Reason {
            protocol: protocol.to_owned(),
            cause,
            text,
            params,
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.protocol)?;
        if let Some(cause) = self.cause {
            write!(f, ";cause={cause}")?;
        }
        if let Some(text) = &self.text {
            let mut quoted = String::new();
            quote(text, &mut quoted);
            write!(f, ";text={quoted}")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_and_text() {
        let r = Reason::parse("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert_eq!(r.protocol, "SIP");
        assert_eq!(r.cause, Some(200));
        assert_eq!(r.text.as_deref(), Some("Call completed elsewhere"));
        assert_eq!(Reason::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn unquoted_text_is_rejected() {
        assert!(Reason::parse("Q.850;text=busy").is_err());
        assert!(Reason::parse("Q.850;cause=x").is_err());
    }
}
