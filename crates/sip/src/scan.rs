//! Lexical building blocks of RFC 3261 §25: character classes, whitespace, tokens, quoted
//! strings, comma-separated lists and `%HH` escapes.
//!
//! Header values reach these helpers already unfolded (the parser replaces each CRLF+WSP fold
//! by one space), so linear whitespace is only SP and HTAB here.

use std::borrow::Cow;

use crate::error::SyntaxError;

/// `token` characters: alphanum and `-.!%*_+`'~`.
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

/// True for a non-empty string of token characters.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// SP or HTAB.
pub(crate) fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strips SP and HTAB at both ends.
pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Strips SP and HTAB at both ends of bytes.
pub(crate) fn trim_ws_bytes(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if !is_ws(*first) {
            break;
        }
        b = rest;
    }
    while let [rest @ .., last] = b {
        if !is_ws(*last) {
            break;
        }
        b = rest;
    }
    b
}

/// `unreserved`: alphanum and the marks `-_.!~*'()`.
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

/// True when every `%` starts a `%HH` escape and every other byte satisfies `allowed`.
pub(crate) fn is_escaped_text(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 3,
                _ => return false,
            }
        } else if allowed(c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%HH` escapes; a `%` not followed by two hex digits is kept as it is.
pub(crate) fn percent_decode(s: &str) -> Cow<'_, [u8]> {
    if !s.contains('%') {
        return Cow::Borrowed(s.as_bytes());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex_value),
                b.get(i + 2).copied().and_then(hex_value),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Cow::Owned(out)
}

/// Parses `1*DIGIT` into a u64; `None` when empty, not all digits, or too large.
pub(crate) fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// Parses `delta-seconds` (`1*DIGIT`, at most 2^32-1).
pub(crate) fn parse_delta_seconds(s: &str) -> Result<u32, SyntaxError> {
    let value = parse_digits(s).ok_or(SyntaxError("delta-seconds is not a number"))?;
    u32::try_from(value).map_err(|_| SyntaxError("delta-seconds out of range"))
}

/// Removes the quotes of a `quoted-string` and resolves its `quoted-pair`s.
pub(crate) fn unquote(raw: &str) -> String {
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `s` as a `quoted-string`. CR and LF cannot be quoted in SIP; they become spaces.
pub(crate) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(c),
            c if c.is_ascii_control() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A position in a header value, with the small steps of the RFC 3261 grammar.
pub(crate) struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a str) -> Cursor<'a> {
        Cursor { s, pos: 0 }
    }

    /// The offset reached, to come back to with [`Cursor::rewind`].
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn rewind(&mut self, position: usize) {
        self.pos = position.min(self.s.len());
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// The text not consumed yet.
    pub(crate) fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips SP and HTAB; true if any was skipped.
    pub(crate) fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// `SWS b SWS`: true (and consumed) when `b` comes next after optional whitespace.
    pub(crate) fn separator(&mut self, b: u8) -> bool {
        let start = self.pos;
        self.skip_ws();
        if self.eat(b) {
            self.skip_ws();
            true
        } else {
            self.pos = start;
            false
        }
    }

    /// Consumes bytes while `f` holds. `f` gives the same answer for every byte >= 0x80, so
    /// the cursor never stops inside a UTF-8 sequence.
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or("")
    }

    /// Consumes everything up to (not including) the first byte `b`, or to the end.
    pub(crate) fn take_until(&mut self, b: u8) -> &'a str {
        debug_assert!(b.is_ascii());
        self.take_while(|c| c != b)
    }

    pub(crate) fn token(&mut self) -> Option<&'a str> {
        let t = self.take_while(is_token_char);
        (!t.is_empty()).then_some(t)
    }

    /// A `quoted-string` starting at the cursor, returned with its quotes.
    pub(crate) fn quoted_string(&mut self) -> Result<&'a str, SyntaxError> {
        let start = self.pos;
        if !self.eat(b'"') {
            return Err(SyntaxError("expected a quoted string"));
        }
        let b = self.s.as_bytes();
        loop {
            match b.get(self.pos) {
                None => return Err(SyntaxError("unterminated quoted string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(self.s.get(start..self.pos).unwrap_or(""));
                }
                Some(b'\\') => match b.get(self.pos + 1) {
                    Some(&c) if c <= 0x7f && c != b'\r' && c != b'\n' => self.pos += 2,
                    _ => return Err(SyntaxError("invalid escape in quoted string")),
                },
                Some(&c) if c == b'\t' || c >= 0x20 && c != 0x7f => self.pos += 1,
                Some(_) => return Err(SyntaxError("control character in quoted string")),
            }
        }
    }
}

/// Splits a header value at the commas that separate list elements, leaving commas inside
/// quoted strings and `<...>` alone. Elements come out trimmed; an empty value gives none.
pub(crate) fn split_list(s: &str) -> ListSplit<'_> {
    ListSplit {
        rest: if trim_ws(s).is_empty() { None } else { Some(s) },
    }
}

/// Iterator of [`split_list`].
pub(crate) struct ListSplit<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for ListSplit<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let b = s.as_bytes();
        let mut in_quotes = false;
        let mut in_angle = false;
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' if in_quotes => i += 1,
                b'"' if !in_angle => in_quotes = !in_quotes,
                b'<' if !in_quotes => in_angle = true,
                b'>' if !in_quotes => in_angle = false,
                b',' if !in_quotes && !in_angle => {
                    self.rest = s.get(i + 1..);
                    return Some(trim_ws(s.get(..i).unwrap_or("")));
                }
                _ => {}
            }
            i += 1;
        }
        self.rest = None;
        Some(trim_ws(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_split_respects_quotes_and_angle_brackets() {
        let items: Vec<_> = split_list(r#""a, \" b" <sip:x@y?h=1,2>;p=1 , c,d"#).collect();
        assert_eq!(items, [r#""a, \" b" <sip:x@y?h=1,2>;p=1"#, "c", "d"]);
    }

    #[test]
    fn list_split_keeps_empty_elements_for_the_caller_to_reject() {
        let items: Vec<_> = split_list("a,,b").collect();
        assert_eq!(items, ["a", "", "b"]);
        assert_eq!(split_list("  ").count(), 0);
    }

    #[test]
    fn quoted_string_accepts_escaped_controls_and_utf8() {
        let mut c = Cursor::new("\"BEL:\\\u{7} \u{416}\"x");
        assert_eq!(c.quoted_string(), Ok("\"BEL:\\\u{7} \u{416}\""));
        assert_eq!(c.rest(), "x");
    }

    #[test]
    fn quoted_string_rejects_unterminated() {
        assert!(Cursor::new("\"abc").quoted_string().is_err());
    }

    #[test]
    fn unquote_and_quote_are_inverse() {
        let s = "J Rosenberg \\\"\u{0}";
        let mut q = String::new();
        quote(s, &mut q);
        assert_eq!(unquote(&q), s);
    }

    #[test]
    fn percent_decode_keeps_bad_escapes() {
        assert_eq!(&*percent_decode("null-%00-%zz"), b"null-\0-%zz");
    }

    #[test]
    fn digits_overflow_is_none() {
        assert_eq!(parse_digits("0068"), Some(68));
        assert_eq!(parse_digits("36893488147419103232"), None);
        assert_eq!(parse_digits("-1"), None);
    }
}
