//! Writing messages to bytes: start line, each header as `Name: value` (known names in their
//! canonical long form, others as received), an empty line, the body. Header values and the
//! body are written as they are; builders keep Content-Length right (see
//! [`crate::Request::set_body`]).

use std::io::Write;

use bytes::Bytes;

use crate::headers::Headers;
use crate::request::Request;
use crate::response::Response;

fn headers_len(headers: &Headers) -> usize {
    headers
        .iter()
        .map(|h| h.name.as_str().len() + h.value.len() + 4)
        .sum()
}

fn write_headers_and_body(headers: &Headers, body: &[u8], out: &mut Vec<u8>) {
    for h in headers {
        out.extend_from_slice(h.name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

pub(crate) fn request_to_bytes(r: &Request) -> Bytes {
    let mut out = Vec::with_capacity(64 + headers_len(&r.headers) + r.body.len());
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{} {} {}\r\n", r.method, r.uri, r.version);
    write_headers_and_body(&r.headers, &r.body, &mut out);
    Bytes::from(out)
}

pub(crate) fn response_to_bytes(r: &Response) -> Bytes {
    let mut out = Vec::with_capacity(32 + r.reason.len() + headers_len(&r.headers) + r.body.len());
    let _ = write!(out, "{} {} {}\r\n", r.version, r.status, r.reason);
    write_headers_and_body(&r.headers, &r.body, &mut out);
    Bytes::from(out)
}
