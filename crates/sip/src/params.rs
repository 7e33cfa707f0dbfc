//! Parameter lists (`;name=value`), for header values and for URIs. Names and values are kept
//! exactly as received (quotes and `%HH` escapes included) so that an unknown parameter is
//! re-emitted unchanged; lookups ignore the case of names.

use std::fmt;

use crate::error::SyntaxError;
use crate::scan::{Cursor, is_token_char, is_unreserved};

/// One parameter: a name and an optional value, both as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Param {
    /// The name.
    pub name: String,
    /// The value, quotes kept for a quoted string; `None` for a flag like `;lr`.
    pub value: Option<String>,
}

/// An ordered list of parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Params(Vec<Param>);

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params(Vec::new())
    }

    /// `Some(value)` if `name` is present (`Some(None)` for a flag).
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_deref())
    }

    /// The value of `name`, if present with a value.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).flatten()
    }

    /// True if `name` is present, with or without a value.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` (replacing its first occurrence, or appending).
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self
            .0
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => p.value = value,
            None => self.0.push(Param {
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// Removes every occurrence of `name`; true if one was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|p| !p.name.eq_ignore_ascii_case(name));
        self.0.len() != before
    }

    /// Appends a parameter even if one with that name exists.
    pub fn push(&mut self, param: Param) {
        self.0.push(param);
    }

    /// The parameters in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.0.iter()
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Params {
    type Item = &'a Param;
    type IntoIter = std::slice::Iter<'a, Param>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Params {
    /// `;name=value` for each, no whitespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pieces rather than `write!`: this runs for every Via, Contact and To we write.
        for p in &self.0 {
            f.write_str(";")?;
            f.write_str(&p.name)?;
            if let Some(v) = &p.value {
                f.write_str("=")?;
                f.write_str(v)?;
            }
        }
        Ok(())
    }
}

/// Header parameters: `*( SEMI generic-param )` where `SEMI = SWS ";" SWS`,
/// `generic-param = token [ EQUAL gen-value ]`, `gen-value = token / host / quoted-string`.
/// Stops at the first byte that cannot continue the list (the caller checks the end).
pub(crate) fn parse_header_params(cur: &mut Cursor<'_>) -> Result<Params, SyntaxError> {
    let mut params = Params::new();
    while cur.separator(b';') {
        let name = cur.token().ok_or(SyntaxError("empty parameter"))?;
        let value = if cur.separator(b'=') {
            Some(parse_gen_value(cur)?)
        } else {
            None
        };
        params.0.push(Param {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        });
    }
    Ok(params)
}

/// `gen-value = token / host / quoted-string` (host covers the IPv6 reference), and an IPv6
/// address without brackets, which `received` and `maddr` use (RFC 5118 §4.5).
pub(crate) fn parse_gen_value<'a>(cur: &mut Cursor<'a>) -> Result<&'a str, SyntaxError> {
    let start = cur.position();
    let with_colons = cur.take_while(|b| is_token_char(b) || b == b':');
    if with_colons.contains(':') && with_colons.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(with_colons);
    }
    cur.rewind(start);
    match cur.peek() {
        Some(b'"') => cur.quoted_string(),
        Some(b'[') => {
            let start = cur.rest();
            let inner = cur.take_while(|b| b != b']' && b != b';' && b != b',' && b.is_ascii());
            if !cur.eat(b']') {
                return Err(SyntaxError("unterminated IPv6 reference"));
            }
            start
                .get(..inner.len() + 1)
                .ok_or(SyntaxError("invalid parameter value"))
        }
        _ => cur.token().ok_or(SyntaxError("empty parameter value")),
    }
}

/// `paramchar` of a SIP URI parameter (RFC 3261 §25): unreserved and `[]/:&+$`.
pub(crate) fn is_uri_param_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$')
}

/// URI parameters: the text after the first `;`, split on `;`, each `pname [ "=" pvalue ]`
/// with `paramchar`s and escapes, no whitespace.
pub(crate) fn parse_uri_params(s: &str) -> Result<Params, SyntaxError> {
    let mut params = Params::new();
    for part in s.split(';') {
        let (name, value) = match part.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (part, None),
        };
        if name.is_empty() || !crate::scan::is_escaped_text(name, is_uri_param_char) {
            return Err(SyntaxError("invalid URI parameter"));
        }
        if let Some(v) = value
            && (v.is_empty() || !crate::scan::is_escaped_text(v, is_uri_param_char))
        {
            return Err(SyntaxError("invalid URI parameter value"));
        }
        params.0.push(Param {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        });
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_params_allow_whitespace_around_separators() {
        let mut cur = Cursor::new(" ;   tag    = 1918181833n ; lr");
        let params = parse_header_params(&mut cur).unwrap();
        assert!(cur.at_end());
        assert_eq!(params.value("TAG"), Some("1918181833n"));
        assert_eq!(params.get("lr"), Some(None));
        assert_eq!(params.to_string(), ";tag=1918181833n;lr");
    }

    #[test]
    fn header_params_keep_quoted_values_raw() {
        let mut cur = Cursor::new(";text=\"a \\\" b\";received=[2001:db8::9:255]");
        let params = parse_header_params(&mut cur).unwrap();
        assert_eq!(params.value("text"), Some("\"a \\\" b\""));
        assert_eq!(params.value("received"), Some("[2001:db8::9:255]"));
    }

    #[test]
    fn empty_header_params_are_rejected() {
        assert!(parse_header_params(&mut Cursor::new(";;")).is_err());
        assert!(parse_header_params(&mut Cursor::new(";a=")).is_err());
    }

    #[test]
    fn uri_params_keep_escapes() {
        let params = parse_uri_params("%6C%72;n%61me=v%61lue%25%34%31").unwrap();
        assert_eq!(params.iter().next().unwrap().name, "%6C%72");
        assert!(parse_uri_params("a b").is_err());
        assert!(parse_uri_params("a=%zz").is_err());
    }

    #[test]
    fn set_replaces_and_remove_removes() {
        let mut params = Params::new();
        params.set("rport", None);
        params.set("rport", Some("5060"));
        assert_eq!(params.value("rport"), Some("5060"));
        assert!(params.remove("RPORT"));
        assert!(params.is_empty());
    }
}
