//! What we say about ourselves: the answer to OPTIONS (a phone's keep-alive, or a peer asking
//! what we support) and to the methods we do not serve.
//!
//! We serve INVITE (with ACK, CANCEL, BYE, and re-INVITE in a call), REGISTER, OPTIONS and
//! INFO/UPDATE without a body inside a call; we accept SDP bodies only, and support no option
//! tags (no `100rel`, `timer` or `replaces` yet), so `Supported` is not sent. No `Server` or
//! `User-Agent` header is sent either: scanners fingerprint servers by it.

use sip::{HeaderName, Method, Request, Response, StatusCode};

/// The methods we serve.
pub(crate) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, REFER";

/// The body types we accept.
pub(crate) const ACCEPT: &str = "application/sdp";

/// `200 OK` to an OPTIONS, with what we support.
pub(crate) fn answer(request: &Request, tag: &str) -> Response {
    let mut response = Response::for_request(request, StatusCode::OK, Some(tag));
    push_capabilities(&mut response);
    response
}

/// `405 Method Not Allowed` (a method we know but do not serve) or `501 Not Implemented`
/// (one we do not know), with `Allow`.
pub(crate) fn refuse_method(request: &Request, tag: &str) -> Response {
    let status = match request.method {
        Method::Other(_) => StatusCode::NOT_IMPLEMENTED,
        _ => StatusCode::METHOD_NOT_ALLOWED,
    };
    let mut response = Response::for_request(request, status, Some(tag));
    response.headers.push(HeaderName::Allow, ALLOW);
    response
}

/// Adds `Allow`, `Accept` and `Accept-Language`.
fn push_capabilities(response: &mut Response) {
    response.headers.push(HeaderName::Allow, ALLOW);
    response.headers.push(HeaderName::Accept, ACCEPT);
    response.headers.push(HeaderName::AcceptLanguage, "en, fr");
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip::Message;

    fn request(method: &str) -> Request {
        let text = format!(
            "{method} sip:pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1\r\n\
             From: <sip:a@example.com>;tag=1\r\nTo: <sip:pbx.example.com>\r\nCall-ID: c\r\n\
             CSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"
        );
        match Message::parse_slice(text.as_bytes()).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn options_lists_the_methods_and_bodies_we_take() {
        let response = answer(&request("OPTIONS"), "t");
        assert_eq!(response.status, StatusCode::OK);
        let allow = response.headers.allow().unwrap().unwrap();
        assert!(allow.contains(&Method::Invite) && allow.contains(&Method::Register));
        assert_eq!(
            response.headers.get(&HeaderName::Accept).unwrap().to_str(),
            Some(ACCEPT)
        );
    }

    #[test]
    fn unknown_methods_are_not_implemented_and_known_ones_not_allowed() {
        assert_eq!(
            refuse_method(&request("FOO"), "t").status,
            StatusCode::NOT_IMPLEMENTED
        );
        assert_eq!(
            refuse_method(&request("SUBSCRIBE"), "t").status,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
