//! A SIP response, and building one for a request as a UAS must (RFC 3261 §8.2.6): Via, From,
//! To, Call-ID and CSeq copied, a To tag added.

use bytes::Bytes;

use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::message::Version;
use crate::request::{Request, set_body};
use crate::serialize::response_to_bytes;
use crate::status::StatusCode;

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The SIP version.
    pub version: Version,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// The header lines.
    pub headers: Headers,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// A SIP/2.0 response with the status's usual reason phrase, no headers and no body.
    pub fn new(status: StatusCode) -> Response {
        Response {
            version: Version::SIP_2_0,
            status,
            reason: status.canonical_reason().unwrap_or_default().to_owned(),
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// The response a UAS sends to `request`: every Via in order, From, To, Call-ID and CSeq
    /// copied as received, `Content-Length: 0`. `to_tag` is added to To unless To already has
    /// a tag (pass `None` for 100 Trying; a 100 also copies Timestamp, §8.2.6.1).
    pub fn for_request(request: &Request, status: StatusCode, to_tag: Option<&str>) -> Response {
        let reason = status.canonical_reason().unwrap_or_default().to_owned();
        Response::mirroring(&request.headers, status, reason, to_tag)
    }

    /// [`Response::for_request`] from the headers alone, which is all a malformed request may
    /// offer; headers that are absent are left out.
    pub(crate) fn mirroring(
        request: &Headers,
        status: StatusCode,
        reason: String,
        to_tag: Option<&str>,
    ) -> Response {
        let mut response = Response::new(status);
        response.reason = reason;
        let h = &mut response.headers;
        for via in request.get_all(&HeaderName::Via) {
            h.push(HeaderName::Via, via.clone());
        }
        if let Some(from) = request.get(&HeaderName::From) {
            h.push(HeaderName::From, from.clone());
        }
        if let Some(to) = request.get(&HeaderName::To) {
            let needs_tag = to_tag.is_some() && request.to().is_ok_and(|to| to.tag().is_none());
            match to_tag {
                Some(tag) if needs_tag => h.push(
                    HeaderName::To,
                    format!("{};tag={tag}", String::from_utf8_lossy(to.as_bytes())),
                ),
                _ => h.push(HeaderName::To, to.clone()),
            }
        }
        for name in [HeaderName::CallId, HeaderName::CSeq] {
            if let Some(value) = request.get(&name) {
                h.push(name, value.clone());
            }
        }
        if status == StatusCode::TRYING
            && let Some(timestamp) = request.get(&HeaderName::Timestamp)
        {
            h.push(HeaderName::Timestamp, timestamp.clone());
        }
        h.push(HeaderName::ContentLength, "0");
        response
    }

    /// Replaces the body, keeping Content-Type and Content-Length right.
    pub fn set_body(&mut self, content_type: &str, body: Bytes) {
        set_body(&mut self.headers, &mut self.body, content_type, body);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        response_to_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn request(text: &'static str) -> Request {
        match Message::parse(Bytes::from_static(text.as_bytes())).unwrap() {
            Message::Request(r) => r,
            other => panic!("{other:?}"),
        }
    }

    const OPTIONS: &str = "OPTIONS sip:a@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nVia: SIP/2.0/TCP p.example.com;branch=z9hG4bK2\r\n\
        From: <sip:b@example.com>;tag=9\r\nTo: sip:a@example.com\r\nCall-ID: c1\r\n\
        CSeq: 2 OPTIONS\r\nTimestamp: 54\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn a_response_mirrors_the_dialog_headers_and_adds_a_to_tag() {
        let req = request(OPTIONS);
        let res = Response::for_request(&req, StatusCode::OK, Some("x7"));
        assert_eq!(res.reason, "OK");
        assert_eq!(res.headers.vias(), req.headers.vias());
        assert_eq!(res.headers.from(), req.headers.from());
        assert_eq!(res.headers.to().unwrap().tag(), Some("x7"));
        assert_eq!(res.headers.call_id(), Ok("c1"));
        assert_eq!(res.headers.cseq(), req.headers.cseq());
        assert!(!res.headers.contains(&HeaderName::MaxForwards));
        assert!(!res.headers.contains(&HeaderName::Timestamp));
        assert_eq!(
            Message::parse(res.to_bytes()).unwrap(),
            Message::Response(res)
        );
    }

    #[test]
    fn an_existing_to_tag_is_kept() {
        let req = request(
            "BYE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
             From: <sip:b@example.com>;tag=9\r\nTo: <sip:a@example.com>;tag=old\r\nCall-ID: c1\r\n\
             CSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n",
        );
        let res = Response::for_request(&req, StatusCode::OK, Some("new"));
        assert_eq!(res.headers.to().unwrap().tag(), Some("old"));
    }

    #[test]
    fn trying_has_no_tag_and_echoes_timestamp() {
        let req = request(OPTIONS);
        let res = Response::for_request(&req, StatusCode::TRYING, None);
        assert_eq!(res.headers.to().unwrap().tag(), None);
        assert_eq!(
            res.headers
                .get(&HeaderName::Timestamp)
                .and_then(|v| v.to_str()),
            Some("54")
        );
    }
}
