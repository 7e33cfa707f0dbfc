//! Session-Expires and Min-SE (RFC 4028): session timers.

use std::fmt;

use crate::error::SyntaxError;
use crate::params::{Params, parse_header_params};
use crate::scan::{Cursor, parse_delta_seconds};

/// Which side refreshes the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refresher {
    /// The UAC refreshes.
    Uac,
    /// The UAS refreshes.
    Uas,
}

/// `Session-Expires: 1800;refresher=uac`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionExpires {
    /// The session interval in seconds.
    pub seconds: u32,
    /// The refresher, if named.
    pub refresher: Option<Refresher>,
    /// Other parameters, as written.
    pub params: Params,
}

/// Parses `delta-seconds *(SEMI generic-param)`, the shape both headers share.
fn parse_delta_with_params(s: &str) -> Result<(u32, Params), SyntaxError> {
    let mut c = Cursor::new(s);
    c.skip_ws();
    let seconds = parse_delta_seconds(c.take_while(|b| b.is_ascii_digit()))?;
    let params = parse_header_params(&mut c)?;
    c.skip_ws();
    if !c.at_end() {
        return Err(SyntaxError("unexpected text after parameters"));
    }
    Ok((seconds, params))
}

impl SessionExpires {
    /// Parses the header value.
    pub fn parse(s: &str) -> Result<SessionExpires, SyntaxError> {
        let (seconds, mut params) = parse_delta_with_params(s)?;
        let refresher = match params.get("refresher") {
            None => None,
            Some(Some(v)) if v.eq_ignore_ascii_case("uac") => Some(Refresher::Uac),
            Some(Some(v)) if v.eq_ignore_ascii_case("uas") => Some(Refresher::Uas),
            Some(_) => return Err(SyntaxError("invalid refresher")),
        };
        params.remove("refresher");
        Ok(SessionExpires {
            seconds,
            refresher,
            params,
        })
    }
}

/// Parses a Min-SE value: its delta-seconds (parameters are allowed and ignored).
pub(crate) fn parse_min_se(s: &str) -> Result<u32, SyntaxError> {
    parse_delta_with_params(s).map(|(seconds, _)| seconds)
}

impl fmt::Display for SessionExpires {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.seconds)?;
        match self.refresher {
            Some(Refresher::Uac) => f.write_str(";refresher=uac")?,
            Some(Refresher::Uas) => f.write_str(";refresher=uas")?,
            None => {}
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresher_is_read() {
        let se = SessionExpires::parse("1800 ; refresher=UAS").unwrap();
        assert_eq!(se.seconds, 1800);
        assert_eq!(se.refresher, Some(Refresher::Uas));
        assert_eq!(SessionExpires::parse(&se.to_string()).unwrap(), se);
    }

    #[test]
    fn bad_refresher_is_rejected() {
        assert!(SessionExpires::parse("1800;refresher=both").is_err());
        assert!(SessionExpires::parse("soon").is_err());
    }

    #[test]
    fn min_se_ignores_parameters() {
        assert_eq!(parse_min_se("90;x=1"), Ok(90));
    }
}
