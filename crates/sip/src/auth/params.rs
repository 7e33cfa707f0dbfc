//! The shared grammar of challenges and credentials (RFC 3261 §25.1, §20.7, §20.44): a scheme
//! token, then `name=value` pairs separated by commas, values being tokens or quoted strings.
//!
//! Leniency: any parameter may be quoted or not (phones send `algorithm="MD5"` and
//! `qop="auth"` in credentials although the grammar says token); whitespace, including a folded
//! line (CRLF followed by a space or tab), is allowed around `=` and `,`.

use std::fmt::{self, Write as _};

use super::AuthError;

/// A parameter kept as received because this implementation does not interpret it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthParam {
    /// Parameter name as received.
    pub name: String,
    /// Unescaped value.
    pub value: String,
    /// Whether it was a quoted string (printed back the same way).
    pub quoted: bool,
}

/// A challenge or credentials of a scheme other than Digest (e.g. `NoOneKnowsThisScheme
/// opaque-data=here`), kept as its scheme and the raw text after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherScheme {
    /// The scheme token.
    pub scheme: String,
    /// Everything after the scheme, trimmed; may be empty.
    pub data: String,
}

impl fmt::Display for OtherScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scheme)?;
        if !self.data.is_empty() {
            f.write_str(" ")?;
            write_without_line_breaks(f, &self.data)?;
        }
        Ok(())
    }
}

/// The header value split at its scheme.
pub(crate) enum Parsed<'a> {
    /// `Digest` and its parameters, in order.
    Digest(Vec<RawParam<'a>>),
    /// Another scheme.
    Other(OtherScheme),
}

/// One parameter as found in the header value.
pub(crate) struct RawParam<'a> {
    pub name: &'a str,
    pub value: String,
    pub quoted: bool,
}

impl RawParam<'_> {
    pub(crate) fn into_other(self) -> AuthParam {
        AuthParam {
            name: self.name.to_owned(),
            value: self.value,
            quoted: self.quoted,
        }
    }
}

/// Parses `scheme [params]`.
pub(crate) fn parse(input: &str) -> Result<Parsed<'_>, AuthError> {
    let mut cursor = Cursor {
        text: input,
        pos: 0,
    };
    cursor.skip_ws()?;
    if cursor.at_end() {
        return Err(AuthError::Empty);
    }
    let scheme = cursor.token()?;
    if !scheme.eq_ignore_ascii_case("Digest") {
        let rest = input.get(cursor.pos..).unwrap_or_default();
        if let Some((i, found)) = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_control() && *c != '\t')
        {
            return Err(AuthError::UnexpectedChar {
                at: cursor.pos + i,
                found,
            });
        }
        let data = rest.trim();
        return Ok(Parsed::Other(OtherScheme {
            scheme: scheme.to_owned(),
            data: data.to_owned(),
        }));
    }
    let mut params = Vec::new();
    let had_space = cursor.skip_ws()?;
    if cursor.at_end() {
        return Ok(Parsed::Digest(params));
    }
    if !had_space {
        return Err(cursor.unexpected());
    }
    loop {
        let name = cursor.token()?;
        cursor.skip_ws()?;
        cursor.expect(b'=')?;
        cursor.skip_ws()?;
        let (value, quoted) = if cursor.peek() == Some(b'"') {
            (cursor.quoted_string()?, true)
        } else {
            (cursor.bare_value()?.to_owned(), false)
        };
        params.push(RawParam {
            name,
            value,
            quoted,
        });
        cursor.skip_ws()?;
        if cursor.at_end() {
            return Ok(Parsed::Digest(params));
        }
        cursor.expect(b',')?;
        cursor.skip_ws()?;
    }
}

/// Stores a known parameter's value, refusing a second occurrence.
pub(crate) fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), AuthError> {
    if slot.is_some() {
        return Err(AuthError::DuplicateParam(name.to_ascii_lowercase()));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses `true` / `false` in any case (`stale`, `userhash`).
pub(crate) fn parse_bool(value: &str, name: &'static str) -> Result<bool, AuthError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(AuthError::MalformedParam(name))
    }
}

/// SIP `token` characters (RFC 3261 §25.1).
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// Characters allowed in an unquoted value: visible ASCII except `,` and `"`. Wider than token
/// so that unquoted nonces in base64 (`/`, `=`) and URIs (`:`, `@`) from lax peers still parse.
pub(crate) fn is_bare_value_char(b: u8) -> bool {
    b.is_ascii_graphic() && b != b',' && b != b'"'
}

/// Prints `value` as a quoted string, escaping `"` and `\`.
pub(crate) fn write_quoted(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            // A CR or LF cannot be carried even escaped; printing it would inject a header line.
            '\r' | '\n' => f.write_str(" ")?,
            c if c.is_ascii_control() && c != '\t' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            c => f.write_char(c)?,
        }
    }
    f.write_str("\"")
}

/// Prints `name=value`, quoted or not; an unquoted value that is not printable as such is quoted.
pub(crate) fn write_param(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    value: &str,
    quoted: bool,
) -> fmt::Result {
    f.write_str(name)?;
    f.write_str("=")?;
    if quoted || value.is_empty() || !value.bytes().all(is_bare_value_char) {
        write_quoted(f, value)
    } else {
        f.write_str(value)
    }
}

fn write_without_line_breaks(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    for c in text.chars() {
        f.write_char(if c == '\r' || c == '\n' { ' ' } else { c })?;
    }
    Ok(())
}

/// Returns whether `text` holds no character that cannot be sent in a header value.
pub(crate) fn is_sendable(text: &str) -> bool {
    !text.bytes().any(|b| b.is_ascii_control() && b != b'\t')
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn unexpected(&self) -> AuthError {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(found) => AuthError::UnexpectedChar {
                at: self.pos,
                found,
            },
            None => AuthError::UnexpectedEnd,
        }
    }

    /// Skips spaces, tabs and folded line breaks; returns whether anything was skipped.
    fn skip_ws(&mut self) -> Result<bool, AuthError> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\r') if self.peek_at(1) == Some(b'\n') => match self.peek_at(2) {
                    Some(b' ' | b'\t') => self.pos += 3,
                    _ => return Err(self.unexpected()),
                },
                _ => return Ok(self.pos > start),
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), AuthError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn take_while(&mut self, pred: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        // Only ASCII bytes were consumed, so both ends are char boundaries.
        self.text.get(start..self.pos).unwrap_or_default()
    }

    fn token(&mut self) -> Result<&'a str, AuthError> {
        let token = self.take_while(is_token_char);
        if token.is_empty() {
            Err(self.unexpected())
        } else {
            Ok(token)
        }
    }

    fn bare_value(&mut self) -> Result<&'a str, AuthError> {
        let value = self.take_while(is_bare_value_char);
        if value.is_empty() {
            Err(self.unexpected())
        } else {
            Ok(value)
        }
    }

    /// Reads a quoted string starting at `"`, unescaping quoted pairs.
    fn quoted_string(&mut self) -> Result<String, AuthError> {
        self.expect(b'"')?;
        let mut out = String::new();
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) if escaped != '\r' && escaped != '\n' => out.push(escaped),
                    Some((j, escaped)) => {
                        return Err(AuthError::UnexpectedChar {
                            at: self.pos + j,
                            found: escaped,
                        });
                    }
                    None => break,
                },
                '\r' => {
                    // Only a folded line (CRLF then space or tab) may appear inside the quotes.
                    let folded = matches!(chars.next(), Some((_, '\n')))
                        && matches!(chars.peek(), Some((_, ' ' | '\t')));
                    if !folded {
                        return Err(AuthError::UnexpectedChar {
                            at: self.pos + i,
                            found: c,
                        });
                    }
                }
                c if c.is_ascii_control() && c != '\t' => {
                    return Err(AuthError::UnexpectedChar {
                        at: self.pos + i,
                        found: c,
                    });
                }
                c => out.push(c),
            }
        }
        Err(AuthError::UnexpectedEnd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_params(input: &str) -> Vec<(String, String, bool)> {
        match parse(input) {
            Ok(Parsed::Digest(params)) => params
                .into_iter()
                .map(|p| (p.name.to_owned(), p.value, p.quoted))
                .collect(),
            _ => panic!("not a digest value: {input}"),
        }
    }

    #[test]
    fn quoted_pairs_are_unescaped() {
        let params = digest_params(r#"Digest realm="a\"b\\c""#);
        assert_eq!(params, vec![("realm".into(), "a\"b\\c".into(), true)]);
    }

    #[test]
    fn whitespace_and_folding_around_separators_are_accepted() {
        let params = digest_params("Digest  realm = \"r\" ,\r\n nonce=n");
        assert_eq!(
            params,
            vec![
                ("realm".into(), "r".into(), true),
                ("nonce".into(), "n".into(), false)
            ]
        );
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert!(matches!(
            parse("Digest realm=\"abc"),
            Err(AuthError::UnexpectedEnd)
        ));
    }

    #[test]
    fn trailing_comma_is_an_error() {
        assert!(parse("Digest realm=\"r\",").is_err());
    }

    #[test]
    fn bare_line_break_is_an_error() {
        assert!(parse("Digest realm=\"r\"\r\nnonce=x").is_err());
        assert!(parse("Digest realm=\"r\nx\"").is_err());
    }

    #[test]
    fn other_scheme_keeps_its_data() {
        match parse("NoOneKnowsThisScheme opaque-data=here") {
            Ok(Parsed::Other(o)) => {
                assert_eq!(o.scheme, "NoOneKnowsThisScheme");
                assert_eq!(o.data, "opaque-data=here");
            }
            _ => panic!("expected another scheme"),
        }
    }
}
