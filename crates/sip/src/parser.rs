//! Turning received bytes into a start line, header lines and a body (RFC 3261 §7).
//!
//! One pass over the bytes: each header line becomes a name (interned) and a value that is a
//! slice of the input; only a folded line is copied, to replace each fold by one space. Typed
//! header values are not parsed here (see [`crate::header`]); the request URI is.
//!
//! The scan is lenient in one way, on purpose: a broken start line or header line does not
//! stop it, so that [`crate::validate`] can still mirror Via, From, To, Call-ID and CSeq into
//! a 400. [`crate::Message::parse`] turns any recorded defect into an error.

use bytes::Bytes;

use crate::error::ParseError;
use crate::header_name::HeaderName;
use crate::headers::{Header, HeaderValue, Headers};
use crate::message::Version;
use crate::method::Method;
use crate::scan::{is_token_char, is_ws, parse_digits, trim_ws_bytes};
use crate::status::StatusCode;
use crate::uri::Uri;

/// At most this many header lines are read from one message.
pub const MAX_HEADERS: usize = 256;

/// The first line of a message.
#[derive(Debug)]
pub(crate) enum StartLine {
    Request {
        method: Method,
        uri: Uri,
        version: Version,
    },
    Response {
        version: Version,
        status: StatusCode,
        reason: String,
    },
}

/// What a scan found; each part may carry its own defect.
pub(crate) struct Scanned {
    /// True when the first line starts with `SIP/` (a response, even if the line is broken).
    pub is_response: bool,
    pub start: Result<StartLine, ParseError>,
    /// Header lines that could be read.
    pub headers: Headers,
    /// The first header line that could not be read.
    pub header_error: Option<ParseError>,
    /// The body with datagram semantics: truncated to Content-Length, or the rest.
    pub body: Result<Bytes, ParseError>,
}

/// The end of the line starting at `from` (without its CR) and where the next one starts.
pub(crate) fn line_end(b: &[u8], from: usize) -> (usize, usize) {
    let rest = b.get(from..).unwrap_or_default();
    match memchr::memchr(b'\n', rest) {
        Some(lf) => {
            let lf = from + lf;
            let end = if lf > from && b.get(lf - 1) == Some(&b'\r') {
                lf - 1
            } else {
                lf
            };
            (end, lf + 1)
        }
        None => (b.len(), b.len()),
    }
}

/// `data[range]` as a shared slice; the ranges come from scanning `data`, and an impossible
/// one yields an empty slice rather than a panic.
fn sub(data: &Bytes, start: usize, end: usize) -> Bytes {
    if start <= end && end <= data.len() {
        data.slice(start..end)
    } else {
        Bytes::new()
    }
}

/// Position of the first start-line byte: RFC 3261 §7.5 lets CRLFs precede it.
pub(crate) fn skip_leading_crlf(b: &[u8]) -> usize {
    b.iter().take_while(|&&c| c == b'\r' || c == b'\n').count()
}

pub(crate) fn scan(data: &Bytes) -> Result<Scanned, ParseError> {
    let b: &[u8] = data;
    let mut pos = skip_leading_crlf(b);
    if pos >= b.len() {
        return Err(ParseError::Empty);
    }
    let (end, next) = line_end(b, pos);
    let first = b.get(pos..end).unwrap_or_default();
    let is_response = first.len() >= 4 && first[..4].eq_ignore_ascii_case(b"SIP/");
    let start = if is_response {
        parse_status_line(first)
    } else {
        parse_request_line(first)
    };
    pos = next;

    let mut headers = Headers::with_capacity(16);
    let mut header_error = None;
    let mut content_length: Option<Result<usize, ParseError>> = None;
    let mut line_no = 1;
    let body_start = loop {
        match (b.get(pos), b.get(pos + 1)) {
            (None, _) => break b.len(),
            (Some(b'\n'), _) => break pos + 1,
            (Some(b'\r'), Some(b'\n')) => break pos + 2,
            _ => {}
        }
        line_no += 1;
        let line_start = pos;
        let header_line = line_no;
        let (mut end, mut next) = line_end(b, pos);
        let mut folded = false;
        while b.get(next).is_some_and(|&c| is_ws(c)) {
            folded = true;
            line_no += 1;
            (end, next) = line_end(b, next);
        }
        pos = next;
        if headers.len() >= MAX_HEADERS {
            header_error.get_or_insert(ParseError::TooManyHeaders);
            continue;
        }
        match parse_header_line(data, line_start, end, folded) {
            Ok(header) => {
                if header.name == HeaderName::ContentLength {
                    content_length = Some(match content_length {
                        Some(_) => Err(ParseError::MultipleContentLength),
                        None => std::str::from_utf8(header.value.as_bytes())
                            .ok()
                            .and_then(parse_digits)
                            .and_then(|n| usize::try_from(n).ok())
                            .ok_or(ParseError::InvalidContentLength),
                    });
                }
                headers.push_header(header);
            }
            Err(reason) => {
                header_error.get_or_insert(ParseError::HeaderLine {
                    line: header_line,
                    reason,
                });
            }
        }
    };

    let available = b.len().saturating_sub(body_start);
    let body = match content_length {
        None => Ok(sub(data, body_start, b.len())),
        Some(Err(e)) => Err(e),
        Some(Ok(n)) if n <= available => Ok(sub(data, body_start, body_start + n)),
        Some(Ok(n)) => Err(ParseError::BodyTooShort {
            declared: n,
            actual: available,
        }),
    };
    Ok(Scanned {
        is_response,
        start,
        headers,
        header_error,
        body,
    })
}

/// One header field: `name *(SP/HTAB) ":" value`, `end` excluding the final line end.
fn parse_header_line(
    data: &Bytes,
    start: usize,
    end: usize,
    folded: bool,
) -> Result<Header, &'static str> {
    let line = data.get(start..end).unwrap_or_default();
    let colon = memchr::memchr(b':', line).ok_or("missing colon")?;
    let raw_name = line.get(..colon).unwrap_or_default();
    let name_len = raw_name.len() - raw_name.iter().rev().take_while(|&&c| is_ws(c)).count();
    let name_bytes = raw_name.get(..name_len).unwrap_or_default();
    if name_bytes.is_empty() || !name_bytes.iter().all(|&c| is_token_char(c)) {
        return Err("invalid header name");
    }
    let name = HeaderName::lookup(name_bytes)
        .unwrap_or_else(|| HeaderName::Other(sub(data, start, start + name_len)));
    let raw_value = line.get(colon + 1..).unwrap_or_default();
    let value = if folded {
        HeaderValue::from_wire(unfold(raw_value)?)
    } else {
        if memchr::memchr(b'\r', raw_value).is_some() {
            return Err("stray CR");
        }
        let (lead, len) = trimmed_span(raw_value);
        let offset = start + colon + 1 + lead;
        HeaderValue::from_wire(sub(data, offset, offset + len))
    };
    Ok(Header { name, value })
}

/// Replaces each line fold (CRLF or LF, then whitespace) by one SP and trims the result.
fn unfold(raw: &[u8]) -> Result<Bytes, &'static str> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        let fold_len = match (c, raw.get(i + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\n', _) => 1,
            (b'\r', _) => return Err("stray CR"),
            _ => 0,
        };
        if fold_len == 0 {
            out.push(c);
            i += 1;
            continue;
        }
        i += fold_len;
        while raw.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        out.push(b' ');
    }
    let (lead, len) = trimmed_span(&out);
    Ok(Bytes::from(out).slice(lead..lead + len))
}

/// Offset and length of `b` without leading and trailing SP/HTAB.
fn trimmed_span(b: &[u8]) -> (usize, usize) {
    let lead = b.iter().take_while(|&&c| is_ws(c)).count();
    (lead, trim_ws_bytes(b).len())
}

/// `Method SP Request-URI SP SIP-Version`, single spaces only (RFC 4475 §3.1.2.9-10).
fn parse_request_line(line: &[u8]) -> Result<StartLine, ParseError> {
    let err = ParseError::RequestLine;
    let line = std::str::from_utf8(line).map_err(|_| err("not UTF-8"))?;
    if line.ends_with([' ', '\t']) {
        return Err(err("whitespace at end of line"));
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(if line.contains("  ") {
            err("more than one space between elements")
        } else {
            err("not three elements")
        });
    };
    let method = Method::parse(method).map_err(|_| err("invalid method"))?;
    let uri = Uri::parse(uri).map_err(|_| err("invalid Request-URI"))?;
    let version = Version::parse(version).ok_or(err("invalid SIP version"))?;
    Ok(StartLine::Request {
        method,
        uri,
        version,
    })
}

/// `SIP-Version SP Status-Code SP Reason-Phrase` (the phrase may be empty).
fn parse_status_line(line: &[u8]) -> Result<StartLine, ParseError> {
    let err = ParseError::StatusLine;
    let line = std::str::from_utf8(line).map_err(|_| err("not UTF-8"))?;
    let (version, rest) = line.split_once(' ').ok_or(err("missing status code"))?;
    let version = Version::parse(version).ok_or(err("invalid SIP version"))?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = (code.len() == 3)
        .then(|| parse_digits(code))
        .flatten()
        .and_then(|c| u16::try_from(c).ok())
        .and_then(StatusCode::new)
        .ok_or(err("invalid status code"))?;
    if reason
        .bytes()
        .any(|c| c != b'\t' && (c < 0x20 || c == 0x7f))
    {
        return Err(err("control character in reason phrase"));
    }
    Ok(StartLine::Response {
        version,
        status,
        reason: reason.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(text: &str) -> Scanned {
        scan(&Bytes::copy_from_slice(text.as_bytes())).unwrap()
    }

    #[test]
    fn folded_values_are_unfolded_to_single_spaces() {
        let s = scanned(
            "OPTIONS sip:a@b SIP/2.0\r\nX-A:   one\r\n two\r\n\tthree  \r\nRoute:\r\n <sip:b>\r\n\r\n",
        );
        let values: Vec<_> = s
            .headers
            .iter()
            .map(|h| h.value.to_str().unwrap())
            .collect();
        assert_eq!(values, ["one two three", "<sip:b>"]);
    }

    #[test]
    fn unfolded_values_are_slices_of_the_input() {
        let data = Bytes::from_static(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID:  abc \r\n\r\n");
        let s = scan(&data).unwrap();
        let value = s.headers.get(&HeaderName::CallId).unwrap().as_bytes();
        assert_eq!(value, b"abc");
        let offset = value.as_ptr() as usize - data.as_ptr() as usize;
        assert_eq!(offset, 35);
    }

    #[test]
    fn whitespace_before_the_colon_is_legal() {
        let s = scanned(
            "OPTIONS sip:a@b SIP/2.0\r\nVia  : SIP/2.0/UDP h\r\nv :  SIP/2.0/UDP i\r\n\r\n",
        );
        assert_eq!(s.headers.count(&HeaderName::Via), 2);
        assert!(s.header_error.is_none());
    }

    #[test]
    fn a_broken_header_line_is_recorded_and_the_rest_is_read() {
        let s = scanned("OPTIONS sip:a@b SIP/2.0\r\nno colon here\r\nCall-ID: x\r\n\r\n");
        assert!(matches!(
            s.header_error,
            Some(ParseError::HeaderLine { line: 2, .. })
        ));
        assert!(s.headers.contains(&HeaderName::CallId));
    }

    #[test]
    fn datagram_body_is_cut_at_content_length() {
        let s = scanned("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcdef");
        assert_eq!(s.body.unwrap().as_ref(), b"abc");
        let s = scanned("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 9\r\n\r\nabc");
        assert_eq!(
            s.body.unwrap_err(),
            ParseError::BodyTooShort {
                declared: 9,
                actual: 3
            }
        );
        let s = scanned("OPTIONS sip:a@b SIP/2.0\r\n\r\nrest");
        assert_eq!(s.body.unwrap().as_ref(), b"rest");
    }

    #[test]
    fn request_line_spacing_is_strict() {
        for line in [
            "INVITE  sip:a@b SIP/2.0",
            "INVITE sip:a@b SIP/2.0  ",
            "INVITE sip:a@b; lr SIP/2.0",
            "INVITE <sip:a@b> SIP/2.0",
            "INVITE sip:a@b SIP/2",
        ] {
            assert!(parse_request_line(line.as_bytes()).is_err(), "{line}");
        }
    }

    #[test]
    fn status_codes_are_three_digits() {
        assert!(parse_status_line(b"SIP/2.0 4294967301 better not break").is_err());
        assert!(parse_status_line(b"SIP/2.0 099 x").is_err());
        match parse_status_line(b"SIP/2.0 100 ").unwrap() {
            StartLine::Response { reason, .. } => assert_eq!(reason, ""),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_line_ends_are_empty() {
        assert!(matches!(
            scan(&Bytes::from_static(b"\r\n\r\n")),
            Err(ParseError::Empty)
        ));
    }
}
