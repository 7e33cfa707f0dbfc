//! Media types of Content-Type and media ranges of Accept (RFC 3261 §20.1, §20.15).

use std::fmt;

use crate::error::SyntaxError;
use crate::params::{Params, parse_header_params};
use crate::scan::Cursor;

/// `type/subtype;params`, or a range such as `application/*` or `*/*` in Accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType {
    /// The type (`application`), as written.
    pub kind: String,
    /// The subtype (`sdp`), as written.
    pub subtype: String,
    /// Parameters (`boundary`, `charset`, `q`...).
    pub params: Params,
}

impl MediaType {
    /// A media type without parameters.
    pub fn new(kind: &str, subtype: &str) -> MediaType {
        MediaType {
            kind: kind.to_owned(),
            subtype: subtype.to_owned(),
            params: Params::new(),
        }
    }

    /// Parses `m-type SLASH m-subtype *(SEMI m-parameter)`.
    pub fn parse(s: &str) -> Result<MediaType, SyntaxError> {
        let mut c = Cursor::new(s);
        c.skip_ws();
        let kind = c.token().ok_or(SyntaxError("invalid media type"))?;
        if !c.separator(b'/') {
            return Err(SyntaxError("invalid media type"));
        }
        let subtype = c.token().ok_or(SyntaxError("invalid media subtype"))?;
        let params = parse_header_params(&mut c)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after media type"));
        }
        Ok(MediaType {
            kind: kind.to_owned(),
            subtype: subtype.to_owned(),
            params,
        })
    }

    /// `type/subtype` in lower case, without parameters.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.kind, self.subtype).to_ascii_lowercase()
    }

    /// True when this type (used as an Accept range, `*` wildcards allowed) covers
    /// `essence` (`type/subtype`).
    pub fn covers(&self, essence: &str) -> bool {
        let Some((kind, subtype)) = essence.split_once('/') else {
            return false;
        };
        let matches = |range: &str, value: &str| range == "*" || range.eq_ignore_ascii_case(value);
        matches(&self.kind, kind) && matches(&self.subtype, subtype)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.kind, self.subtype, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_case() {
        let t = MediaType::parse("Multipart/Mixed ; boundary=7a9cbec02ceef655").unwrap();
        assert_eq!(t.essence(), "multipart/mixed");
        assert_eq!(t.params.value("boundary"), Some("7a9cbec02ceef655"));
    }

    #[test]
    fn ranges_cover_types() {
        assert!(MediaType::parse("*/*").unwrap().covers("application/sdp"));
        assert!(
            MediaType::parse("application/*")
                .unwrap()
                .covers("application/sdp")
        );
        assert!(
            !MediaType::parse("text/nobodyKnowsThis")
                .unwrap()
                .covers("application/sdp")
        );
    }

    #[test]
    fn a_subtype_is_required() {
        assert!(MediaType::parse("application").is_err());
        assert!(MediaType::parse("application/").is_err());
    }
}
