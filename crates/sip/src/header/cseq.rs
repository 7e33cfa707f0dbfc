//! CSeq (RFC 3261 §20.16) and RAck (RFC 3262 §7.2): a sequence number and a method.

use std::fmt;

use crate::error::SyntaxError;
use crate::method::Method;
use crate::scan::{Cursor, parse_digits};

/// The largest CSeq number: RFC 3261 §8.1.1.5 keeps it below 2^31.
pub const MAX_CSEQ: u32 = (1 << 31) - 1;

/// `CSeq: 4711 INVITE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeq {
    /// The sequence number (below 2^31).
    pub seq: u32,
    /// The method.
    pub method: Method,
}

impl CSeq {
    /// A CSeq value.
    pub fn new(seq: u32, method: Method) -> CSeq {
        CSeq { seq, method }
    }

    /// Parses `1*DIGIT LWS Method`.
    pub fn parse(s: &str) -> Result<CSeq, SyntaxError> {
        let mut c = Cursor::new(s);
        c.skip_ws();
        let seq = parse_seq(c.take_while(|b| b.is_ascii_digit()))?;
        if !c.skip_ws() {
            return Err(SyntaxError("missing method"));
        }
        let method = Method::parse(c.token().ok_or(SyntaxError("missing method"))?)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after method"));
        }
        Ok(CSeq { seq, method })
    }
}

fn parse_seq(digits: &str) -> Result<u32, SyntaxError> {
    parse_digits(digits)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n <= MAX_CSEQ)
        .ok_or(SyntaxError("sequence number out of range"))
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// `RAck: 776656 1 INVITE`: the RSeq of the acknowledged reliable provisional, and its CSeq.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RAck {
    /// The RSeq being acknowledged.
    pub rseq: u32,
    /// The CSeq of the request the provisional answered.
    pub cseq: CSeq,
}

impl RAck {
    /// Parses `response-num LWS CSeq-num LWS Method`.
    pub fn parse(s: &str) -> Result<RAck, SyntaxError> {
        let s = crate::scan::trim_ws(s);
        let (rseq, rest) = s
            .split_once([' ', '\t'])
            .ok_or(SyntaxError("missing CSeq in RAck"))?;
        let rseq = parse_digits(rseq)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n >= 1)
            .ok_or(SyntaxError("invalid response number"))?;
        Ok(RAck {
            rseq,
            cseq: CSeq::parse(rest)?,
        })
    }
}

impl fmt::Display for RAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.rseq, self.cseq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_and_whitespace_are_legal() {
        assert_eq!(
            CSeq::parse("0009   INVITE"),
            Ok(CSeq::new(9, Method::Invite))
        );
    }

    #[test]
    fn numbers_from_2_pow_31_are_rejected() {
        assert!(CSeq::parse("2147483647 REGISTER").is_ok());
        assert!(CSeq::parse("2147483648 REGISTER").is_err());
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
    }

    #[test]
    fn a_method_is_required() {
        assert!(CSeq::parse("8").is_err());
        assert!(CSeq::parse("8INVITE").is_err());
    }

    #[test]
    fn rack_holds_rseq_and_cseq() {
        let r = RAck::parse("776656 1 INVITE").unwrap();
        assert_eq!(r.rseq, 776656);
        assert_eq!(r.cseq, CSeq::new(1, Method::Invite));
        assert_eq!(r.to_string(), "776656 1 INVITE");
    }
}
