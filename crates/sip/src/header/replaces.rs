//! Replaces (RFC 3891): the dialog an INVITE takes over, as attended transfer uses it.

use std::fmt;

use crate::error::SyntaxError;
use crate::params::{Params, parse_header_params};
use crate::scan::{Cursor, is_ws};

/// `Replaces: call-id;to-tag=...;from-tag=...[;early-only]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Replaces {
    /// Call-ID of the dialog to replace.
    pub call_id: String,
    /// Its To tag (as seen by the sender of the Replaces).
    pub to_tag: String,
    /// Its From tag.
    pub from_tag: String,
    /// Only replace an early dialog.
    pub early_only: bool,
    /// Other parameters, as written.
    pub params: Params,
}

impl Replaces {
    /// Parses the header value; both tags are mandatory.
    pub fn parse(s: &str) -> Result<Replaces, SyntaxError> {
        let mut c = Cursor::new(s);
        c.skip_ws();
        let call_id = c.take_while(|b| b != b';' && !is_ws(b));
        if !super::is_call_id(call_id) {
            return Err(SyntaxError("invalid call-id"));
        }
        let mut params = parse_header_params(&mut c)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after parameters"));
        }
        let to_tag = params
            .value("to-tag")
            .ok_or(SyntaxError("missing to-tag"))?
            .to_owned();
        let from_tag = params
            .value("from-tag")
            .ok_or(SyntaxError("missing from-tag"))?
            .to_owned();
        let early_only = params.contains("early-only");
        for name in ["to-tag", "from-tag", "early-only"] {
            params.remove(name);
        }
        Ok(Replaces {
            call_id: call_id.to_owned(),
            to_tag,
            from_tag,
            early_only,
            params,
        })
    }
}

impl fmt::Display for Replaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};to-tag={};from-tag={}",
            self.call_id, self.to_tag, self.from_tag
        )?;
        if self.early_only {
            f.write_str(";early-only")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_early_flag() {
        let r = Replaces::parse("425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only")
            .unwrap();
        assert_eq!(r.call_id, "425928@bobster.example.org");
        assert_eq!((r.to_tag.as_str(), r.from_tag.as_str()), ("7743", "6472"));
        assert!(r.early_only);
        assert_eq!(Replaces::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn both_tags_are_required() {
        assert!(Replaces::parse("abc;to-tag=1").is_err());
        assert!(Replaces::parse("abc;from-tag=1").is_err());
    }
}
