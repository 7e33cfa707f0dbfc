//! What an element does with received bytes before acting on them (RFC 3261 §8.2, §16.3,
//! §18.1.2; RFC 4475): accept the message, answer it with the response the RFC requires, or
//! drop it silently.
//!
//! Requests are checked in the order RFC 3261 §8.2 gives: syntax (400 naming the defect),
//! version (505), Request-URI scheme (416), Max-Forwards at a forwarding element (483),
//! Require/Proxy-Require (420 with Unsupported), body type and coding (415 with Accept), and
//! Accept against the answer's type for INVITE (406). The response mirrors Via, From, To,
//! Call-ID and CSeq from whatever could be read; a request without a Via line, and any ACK,
//! cannot be answered and is dropped. Broken responses are dropped (§18.1.2). Method
//! dispatch (405/501) is the application's, as is authentication ([`check_credentials`]).

mod credentials;
mod defect;

pub use credentials::{CredentialsCheck, check_credentials};
pub use defect::Defect;

use bytes::Bytes;

use crate::error::HeaderError;
use crate::header::{CSeq, Via};
use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::message::{Message, Version};
use crate::method::Method;
use crate::parser::{Scanned, StartLine, scan};
use crate::response::Response;
use crate::uri::Uri;

/// What the element supports; decides 416, 420, 415, 406 and 483.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// True when requests end here (a UAS, a registrar, the B2BUA's answering side): Require
    /// is checked and Max-Forwards 0 is processed. False for a forwarding element: Proxy-Require
    /// is checked and Max-Forwards 0 is answered 483.
    pub final_uas: bool,
    /// Option tags the element supports (compared without case).
    pub extensions: Vec<String>,
    /// Body types accepted (`type/subtype`, without case); also listed in a 415's Accept.
    pub content_types: Vec<String>,
    /// Content codings accepted besides `identity`.
    pub content_encodings: Vec<String>,
    /// Request-URI schemes handled.
    pub uri_schemes: Vec<String>,
    /// The body type an INVITE's answer carries, checked against the request's Accept (406).
    pub answer_type: Option<String>,
    /// Mixed into the To tag of stateless rejections, which must stay the same for a
    /// retransmitted request (RFC 3261 §8.2.7); a per-process random value.
    pub tag_secret: u64,
}

impl Default for Policy {
    /// A final UAS handling sip, sips and tel URIs, accepting the bodies a contact center's
    /// calls carry (SDP, multipart, plain text, sipfrag, DTMF relay), no extensions.
    fn default() -> Policy {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        Policy {
            final_uas: true,
            extensions: Vec::new(),
            content_types: owned(&[
                "application/sdp",
                "multipart/mixed",
                "multipart/alternative",
                "text/plain",
                "message/sipfrag",
                "application/dtmf-relay",
            ]),
            content_encodings: Vec::new(),
            uri_schemes: owned(&["sip", "sips", "tel"]),
            answer_type: Some("application/sdp".to_owned()),
            tag_secret: 0,
        }
    }
}

/// The outcome of [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A message fit to act on.
    Accept(Message),
    /// Answer with `response` (ready to serialize) and do nothing else.
    Respond {
        /// What was wrong.
        defect: Defect,
        /// The response to send.
        response: Response,
    },
    /// Drop the bytes without answering.
    Discard {
        /// What was wrong.
        defect: Defect,
    },
}

impl Verdict {
    /// The defect, unless the message was accepted.
    pub fn defect(&self) -> Option<&Defect> {
        match self {
            Verdict::Accept(_) => None,
            Verdict::Respond { defect, .. } | Verdict::Discard { defect } => Some(defect),
        }
    }
}

/// Headers every request and response carries (RFC 3261 §8.1.1; Max-Forwards is left out
/// so that RFC 2543 requests are still served, RFC 4475 §3.4.1).
const MANDATORY: [HeaderName; 5] = [
    HeaderName::Via,
    HeaderName::From,
    HeaderName::To,
    HeaderName::CallId,
    HeaderName::CSeq,
];

/// Inspects one datagram or stream frame.
pub fn inspect(data: Bytes, policy: &Policy) -> Verdict {
    let scanned = match scan(&data) {
        Ok(s) => s,
        Err(e) => {
            return Verdict::Discard {
                defect: Defect::Malformed(e),
            };
        }
    };
    if scanned.is_response {
        return match check_response(scanned) {
            Ok(message) => Verdict::Accept(message),
            Err(defect) => Verdict::Discard { defect },
        };
    }
    // An ACK is never answered (RFC 3261 §17.2.3); the first word says so even when the
    // rest of the request line is broken.
    let is_ack = data
        .get(crate::parser::skip_leading_crlf(&data)..)
        .is_some_and(|line| line.starts_with(b"ACK "));
    let can_respond = !is_ack && scanned.headers.contains(&HeaderName::Via);
    match check_request(scanned, policy) {
        Ok(message) => Verdict::Accept(message),
        Err((defect, headers)) if can_respond => {
            let response = rejection(&headers, &defect, policy);
            Verdict::Respond { defect, response }
        }
        Err((defect, _)) => Verdict::Discard { defect },
    }
}

/// A defect, with the headers read so far (to mirror into the response).
type Rejected = (Defect, Headers);

fn into_headers(message: Message) -> Headers {
    match message {
        Message::Request(r) => r.headers,
        Message::Response(r) => r.headers,
    }
}

/// The typed values the request checks need, kept from the grammar check so that they are
/// not parsed a second time.
struct Known {
    vias: Vec<Via>,
    cseq: CSeq,
    to_is_sip: bool,
    max_forwards: Option<u8>,
    require: Vec<String>,
    proxy_require: Vec<String>,
}

/// The parts every message must have right: start line, header lines, body length,
/// mandatory headers present once, and the grammar of the headers this crate knows.
fn check_structure(scanned: Scanned) -> Result<(Message, Known), Rejected> {
    let Scanned {
        start,
        headers,
        header_error,
        body,
        ..
    } = scanned;
    let start = match start {
        Ok(start) => start,
        Err(e) => return Err((Defect::Malformed(e), headers)),
    };
    if let Some(e) = header_error {
        return Err((Defect::Malformed(e), headers));
    }
    let body = match body {
        Ok(body) => body,
        Err(e) => return Err((Defect::Malformed(e), headers)),
    };
    match header_defect(&start, &body, &headers) {
        Err(defect) => Err((defect, headers)),
        Ok(known) => Ok((Message::assemble(start, headers, body), known)),
    }
}

/// Version, mandatory headers, repeated single headers, header grammar, body type.
fn header_defect(start: &StartLine, body: &Bytes, headers: &Headers) -> Result<Known, Defect> {
    let version = match start {
        StartLine::Request { version, .. } | StartLine::Response { version, .. } => *version,
    };
    if version != Version::SIP_2_0 {
        return Err(Defect::Version(version));
    }
    let missing: Vec<HeaderName> = MANDATORY
        .iter()
        .filter(|name| !headers.contains(name))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Defect::MissingHeaders(missing));
    }
    let mut duplicates: Vec<HeaderName> = Vec::new();
    for h in headers {
        if h.name.is_single() && !duplicates.contains(&h.name) && headers.count(&h.name) > 1 {
            duplicates.push(h.name.clone());
        }
    }
    if !duplicates.is_empty() {
        return Err(Defect::DuplicateHeaders(duplicates));
    }
    let known = check_known_headers(headers).map_err(Defect::Header)?;
    if !body.is_empty() && !headers.contains(&HeaderName::ContentType) {
        return Err(Defect::MissingContentType);
    }
    Ok(known)
}

/// Parses every header whose grammar this crate implements; the first failure is the defect.
fn check_known_headers(h: &Headers) -> Result<Known, HeaderError> {
    let vias = h.vias()?;
    h.from()?;
    let to_is_sip = matches!(h.to()?.uri, Uri::Sip(_));
    h.call_id()?;
    let cseq = h.cseq()?;
    let max_forwards = h.max_forwards()?;
    h.contacts()?;
    h.routes()?;
    h.record_routes()?;
    h.content_type()?;
    h.content_encoding()?;
    h.accept()?;
    h.expires()?;
    h.min_expires()?;
    h.date()?;
    let require = h.require()?;
    let proxy_require = h.proxy_require()?;
    h.supported()?;
    h.unsupported()?;
    h.allow()?;
    h.refer_to()?;
    h.referred_by()?;
    h.replaces()?;
    h.session_expires()?;
    h.min_se()?;
    h.reasons()?;
    h.rseq()?;
    h.rack()?;
    Ok(Known {
        vias,
        cseq,
        to_is_sip,
        max_forwards,
        require,
        proxy_require,
    })
}

fn check_response(scanned: Scanned) -> Result<Message, Defect> {
    let (message, known) = check_structure(scanned).map_err(|(defect, _)| defect)?;
    if known
        .vias
        .iter()
        .any(|v| v.host.is_broadcast_or_multicast())
    {
        return Err(Defect::BroadcastVia);
    }
    Ok(message)
}

fn check_request(scanned: Scanned, policy: &Policy) -> Result<Message, Rejected> {
    let (message, known) = check_structure(scanned)?;
    let defect = match &message {
        Message::Request(request) => request_semantics(request, known, policy).err(),
        Message::Response(_) => None,
    };
    match defect {
        Some(defect) => Err((defect, into_headers(message))),
        None => Ok(message),
    }
}

/// CSeq method, Request-URI, registrar's To, Max-Forwards, extensions, body and Accept.
fn request_semantics(
    request: &crate::Request,
    known: Known,
    policy: &Policy,
) -> Result<(), Defect> {
    if known.cseq.method != request.method {
        return Err(Defect::CSeqMismatch);
    }
    if matches!(&request.uri, Uri::Sip(u) if u.headers.is_some()) {
        return Err(Defect::RequestUriHeaders);
    }
    let scheme = request.uri.scheme();
    if !policy
        .uri_schemes
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return Err(Defect::UriScheme(scheme.to_owned()));
    }
    if request.method == Method::Register && !known.to_is_sip {
        return Err(Defect::RegisterToNotSip);
    }
    if !policy.final_uas && known.max_forwards == Some(0) {
        return Err(Defect::TooManyHops);
    }
    if !matches!(request.method, Method::Ack | Method::Cancel) {
        let required = if policy.final_uas {
            known.require
        } else {
            known.proxy_require
        };
        let unknown: Vec<String> = required
            .into_iter()
            .filter(|tag| {
                !policy
                    .extensions
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(tag))
            })
            .collect();
        if !unknown.is_empty() {
            return Err(Defect::BadExtension(unknown));
        }
    }
    if policy.final_uas {
        check_body_and_accept(request, policy)?;
    }
    Ok(())
}

/// RFC 3261 §8.2.3 (415) and §21.4.7 (406): only the element that consumes the body checks.
fn check_body_and_accept(request: &crate::Request, policy: &Policy) -> Result<(), Defect> {
    let h = &request.headers;
    if !request.body.is_empty() {
        if let Some(content_type) = h.content_type().map_err(Defect::Header)? {
            let essence = content_type.essence();
            if !policy
                .content_types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&essence))
            {
                return Err(Defect::UnsupportedMediaType(essence));
            }
        }
        for coding in h.content_encoding().map_err(Defect::Header)? {
            if coding != "identity" && !policy.content_encodings.contains(&coding) {
                return Err(Defect::UnsupportedEncoding(coding));
            }
        }
    }
    if request.method == Method::Invite
        && let (Some(answer), Some(ranges)) =
            (&policy.answer_type, h.accept().map_err(Defect::Header)?)
        && !ranges.iter().any(|r| r.covers(answer))
    {
        return Err(Defect::NotAcceptable(answer.clone()));
    }
    Ok(())
}

/// FNV-1a, enough to derive a stable tag from a request's identity.
fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ seed;
    for part in parts {
        for &b in *part {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The stateless rejection: mirrored headers, a To tag that a retransmission gets again,
/// and the headers the status calls for.
fn rejection(headers: &Headers, defect: &Defect, policy: &Policy) -> Response {
    let raw = |name: &HeaderName| headers.get(name).map(|v| v.as_bytes()).unwrap_or_default();
    let tag = format!(
        "{:016x}",
        fnv1a(
            policy.tag_secret,
            &[
                raw(&HeaderName::CallId),
                raw(&HeaderName::From),
                raw(&HeaderName::CSeq),
                raw(&HeaderName::Via),
            ],
        )
    );
    let mut response =
        Response::mirroring(headers, defect.status(), defect.reason_phrase(), Some(&tag));
    let h = &mut response.headers;
    match defect {
        Defect::BadExtension(tags) => h.push(HeaderName::Unsupported, tags.join(", ")),
        Defect::UnsupportedMediaType(_) => {
            h.push(HeaderName::Accept, policy.content_types.join(", "));
        }
        Defect::UnsupportedEncoding(_) => {
            h.push(HeaderName::Accept, policy.content_types.join(", "));
            let mut codings = vec!["identity".to_owned()];
            codings.extend(policy.content_encodings.iter().cloned());
            h.push(HeaderName::AcceptEncoding, codings.join(", "));
        }
        _ => {}
    }
    // Keep Content-Length the last line, as builders write it.
    if h.remove(&HeaderName::ContentLength) > 0 {
        h.push(HeaderName::ContentLength, "0");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusCode;

    const OPTIONS: &str = "OPTIONS sip:a@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n\
        From: <sip:b@example.com>;tag=9\r\nTo: <sip:a@example.com>\r\nCall-ID: c1\r\n\
        CSeq: 2 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    fn verdict(text: &str, policy: &Policy) -> Verdict {
        inspect(Bytes::copy_from_slice(text.as_bytes()), policy)
    }

    #[test]
    fn a_good_request_is_accepted() {
        assert!(matches!(
            verdict(OPTIONS, &Policy::default()),
            Verdict::Accept(_)
        ));
    }

    #[test]
    fn rejection_tags_are_stable_across_retransmissions() {
        let text = OPTIONS.replace("CSeq: 2 OPTIONS", "CSeq: 2 INVITE");
        let tag = |v: Verdict| match v {
            Verdict::Respond { response, .. } => {
                response.headers.to().unwrap().tag().map(str::to_owned)
            }
            other => panic!("{other:?}"),
        };
        let a = tag(verdict(&text, &Policy::default()));
        assert!(a.is_some());
        assert_eq!(a, tag(verdict(&text, &Policy::default())));
    }

    #[test]
    fn an_ack_is_never_answered() {
        let text = OPTIONS.replace("OPTIONS sip", "ACK sip");
        assert!(matches!(
            verdict(&text, &Policy::default()),
            Verdict::Discard {
                defect: Defect::CSeqMismatch
            }
        ));
    }

    #[test]
    fn a_forwarding_element_checks_proxy_require_not_require() {
        let text = OPTIONS.replace(
            "Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nRequire: foo\r\n",
        );
        let proxy = Policy {
            final_uas: false,
            ..Policy::default()
        };
        assert!(matches!(verdict(&text, &proxy), Verdict::Accept(_)));
        match verdict(&text, &Policy::default()) {
            Verdict::Respond { response, .. } => {
                assert_eq!(response.status, StatusCode::BAD_EXTENSION);
                assert_eq!(response.headers.unsupported(), Ok(vec!["foo".to_owned()]));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unsupported_coding_is_415_with_accept_encoding() {
        let text = OPTIONS.replace(
            "Content-Length: 0\r\n\r\n",
            "Content-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\nhi",
        );
        match verdict(&text, &Policy::default()) {
            Verdict::Respond { response, .. } => {
                assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
                assert!(response.headers.contains(&HeaderName::AcceptEncoding));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_body_needs_a_content_type() {
        let text = OPTIONS.replace("Content-Length: 0\r\n\r\n", "Content-Length: 2\r\n\r\nhi");
        assert_eq!(
            verdict(&text, &Policy::default()).defect(),
            Some(&Defect::MissingContentType)
        );
    }
}
