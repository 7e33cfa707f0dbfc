//! A SIP request, and the requests RFC 3261 derives from an INVITE: CANCEL (§9.1) and the ACK
//! of a non-2xx final response (§17.1.1.3). In-dialog requests and other new requests are
//! built with [`crate::RequestBuilder`].

use bytes::Bytes;

use crate::error::HeaderError;
use crate::header::CSeq;
use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::message::Version;
use crate::method::Method;
use crate::response::Response;
use crate::serialize::request_to_bytes;
use crate::uri::Uri;

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The Request-URI.
    pub uri: Uri,
    /// The SIP version (2.0 unless received otherwise).
    pub version: Version,
    /// The header lines.
    pub headers: Headers,
    /// The body.
    pub body: Bytes,
}

/// Sets Content-Type (or removes it for an empty body) and Content-Length.
pub(crate) fn set_body(headers: &mut Headers, body: &mut Bytes, content_type: &str, new: Bytes) {
    if new.is_empty() {
        headers.remove(&HeaderName::ContentType);
    } else {
        headers.set(HeaderName::ContentType, content_type);
    }
    headers.set(HeaderName::ContentLength, new.len().to_string());
    *body = new;
}

impl Request {
    /// A SIP/2.0 request with no headers and no body.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            version: Version::SIP_2_0,
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// Replaces the body, keeping Content-Type and Content-Length right.
    pub fn set_body(&mut self, content_type: &str, body: Bytes) {
        set_body(&mut self.headers, &mut self.body, content_type, body);
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Bytes {
        request_to_bytes(self)
    }

    /// Copies the header lines common to CANCEL and ACK: the top Via only, From, Call-ID,
    /// the Route set; then To (given), CSeq with `method`, Max-Forwards and Content-Length.
    fn derived(&self, method: Method, to: &[u8]) -> Result<Request, HeaderError> {
        let cseq = self.headers.cseq()?;
        let top_via = self
            .headers
            .list_items(&HeaderName::Via)
            .next()
            .ok_or(HeaderError::Missing(HeaderName::Via))??
            .to_owned();
        let mut out = Request::new(method.clone(), self.uri.clone());
        out.headers.push(HeaderName::Via, top_via);
        let from = self
            .headers
            .get(&HeaderName::From)
            .ok_or(HeaderError::Missing(HeaderName::From))?;
        out.headers.push(HeaderName::From, from.clone());
        out.headers
            .push(HeaderName::To, String::from_utf8_lossy(to).into_owned());
        let call_id = self.headers.call_id()?.to_owned();
        out.headers.push(HeaderName::CallId, call_id);
        out.headers
            .push(HeaderName::CSeq, CSeq::new(cseq.seq, method).to_string());
        for route in self.headers.get_all(&HeaderName::Route) {
            out.headers.push(HeaderName::Route, route.clone());
        }
        out.headers.push(HeaderName::MaxForwards, "70");
        out.headers.push(HeaderName::ContentLength, "0");
        Ok(out)
    }

    /// The CANCEL for this request (RFC 3261 §9.1): same Request-URI, top Via (so the same
    /// branch), From, To, Call-ID, CSeq number and Route set.
    pub fn cancel(&self) -> Result<Request, HeaderError> {
        let to = self
            .headers
            .get(&HeaderName::To)
            .ok_or(HeaderError::Missing(HeaderName::To))?;
        self.derived(Method::Cancel, to.as_bytes())
    }

    /// The ACK a client INVITE transaction sends for a non-2xx final response (RFC 3261
    /// §17.1.1.3): like the INVITE but with the response's To (its tag) and CSeq method ACK.
    /// The ACK of a 2xx is a new in-dialog request, built by the dialog.
    pub fn ack_for(&self, response: &Response) -> Result<Request, HeaderError> {
        let to = response
            .headers
            .get(&HeaderName::To)
            .ok_or(HeaderError::Missing(HeaderName::To))?;
        self.derived(Method::Ack, to.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;
    use crate::status::StatusCode;

    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1\r\n\
        Route: <sip:lb.example.com;lr>\r\nMax-Forwards: 69\r\n\
        To: Bob <sip:bob@biloxi.example.com>\r\nFrom: Alice <sip:alice@example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@pc33.example.com>\r\n\
        Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";

    fn invite() -> Request {
        match Message::parse(Bytes::from_static(INVITE)).unwrap() {
            Message::Request(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cancel_keeps_the_top_via_and_takes_cseq_method_cancel() {
        let cancel = invite().cancel().unwrap();
        assert_eq!(cancel.method, Method::Cancel);
        assert_eq!(cancel.uri, invite().uri);
        let vias = cancel.headers.vias().unwrap();
        assert_eq!(vias.len(), 1);
        assert_eq!(vias[0].branch(), Some("z9hG4bK776asdhds"));
        assert_eq!(
            cancel.headers.cseq().unwrap(),
            CSeq::new(314159, Method::Cancel)
        );
        assert_eq!(cancel.headers.to().unwrap().tag(), None);
        assert_eq!(cancel.headers.routes().unwrap().len(), 1);
        assert!(cancel.body.is_empty());
        assert!(!cancel.headers.contains(&HeaderName::Contact));
    }

    #[test]
    fn ack_for_a_failure_takes_the_responses_to_tag() {
        let invite = invite();
        let busy = Response::for_request(&invite, StatusCode::BUSY_HERE, Some("8321234356"));
        let ack = invite.ack_for(&busy).unwrap();
        assert_eq!(ack.method, Method::Ack);
        assert_eq!(ack.headers.to().unwrap().tag(), Some("8321234356"));
        assert_eq!(ack.headers.cseq().unwrap(), CSeq::new(314159, Method::Ack));
        assert_eq!(
            ack.headers.top_via().unwrap().branch(),
            Some("z9hG4bK776asdhds")
        );
        assert_eq!(ack.headers.call_id(), Ok("a84b4c76e66710"));
    }

    #[test]
    fn set_body_updates_type_and_length() {
        let mut req = invite();
        req.set_body("text/plain", Bytes::from_static(b"hello"));
        assert_eq!(req.headers.content_length(), Ok(Some(5)));
        req.set_body("text/plain", Bytes::new());
        assert!(!req.headers.contains(&HeaderName::ContentType));
        assert_eq!(req.headers.content_length(), Ok(Some(0)));
    }
}
