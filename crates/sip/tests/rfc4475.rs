//! RFC 4475 torture tests: one test per message of `shared/testdata/sip/rfc4475/`, read from
//! the files themselves. Valid messages parse with the values the RFC describes and
//! round-trip; invalid ones get the behaviour the RFC gives (400 naming the defect, 505, or
//! silent discard of a bad response); application-layer ones get the RFC's response.

// Generators and helpers outside #[test] functions panic on failure too: a failed setup is a
// failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use bytes::Bytes;
use sip::framing::{Frame, frame};
use sip::header::{Contacts, MediaType, NameAddr, Qvalue, Transport};
use sip::validate::{CredentialsCheck, Defect, Policy, Verdict, check_credentials, inspect};
use sip::{
    HeaderError, HeaderName, Host, Message, Method, ParseError, Request, Response, StatusCode, Uri,
    Version,
};

fn raw(name: &str) -> Bytes {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../../shared/testdata/sip/rfc4475",
        &format!("{name}.dat"),
    ]
    .iter()
    .collect();
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn parse(name: &str) -> Message {
    Message::parse(raw(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_round_trips(message: &Message) {
    let again = Message::parse(message.to_bytes()).expect("serialized message parses");
    assert_eq!(&again, message);
}

/// Inspects as the final UAS of a call center, and checks the accepted message round-trips.
fn accepted_with(name: &str, policy: &Policy) -> Message {
    match inspect(raw(name), policy) {
        Verdict::Accept(message) => {
            assert_round_trips(&message);
            message
        }
        other => panic!("{name} not accepted: {other:?}"),
    }
}

fn accepted(name: &str) -> Message {
    accepted_with(name, &Policy::default())
}

fn accepted_request(name: &str) -> Request {
    match accepted(name) {
        Message::Request(r) => r,
        other => panic!("{name} is not a request: {other:?}"),
    }
}

fn accepted_response(name: &str) -> Response {
    match accepted(name) {
        Message::Response(r) => r,
        other => panic!("{name} is not a response: {other:?}"),
    }
}

/// The response an element sends, checked to mirror Via and CSeq and to parse back.
fn rejected_with(name: &str, policy: &Policy) -> (Defect, Response) {
    match inspect(raw(name), policy) {
        Verdict::Respond { defect, response } => {
            let sent = Message::parse(response.to_bytes()).expect("our response parses");
            assert_eq!(sent, Message::Response(response.clone()));
            assert_eq!(response.reason, defect.reason_phrase());
            assert_eq!(response.status, defect.status());
            let original = Message::parse(raw(name)).ok();
            if let Some(original) = original {
                let vias: Vec<_> = original.headers().get_all(&HeaderName::Via).collect();
                let mirrored: Vec<_> = response.headers.get_all(&HeaderName::Via).collect();
                assert_eq!(vias, mirrored, "{name}: Via mirrored");
            }
            (defect, response)
        }
        other => panic!("{name} not answered: {other:?}"),
    }
}

fn rejected(name: &str) -> (Defect, Response) {
    rejected_with(name, &Policy::default())
}

fn discarded(name: &str) -> Defect {
    match inspect(raw(name), &Policy::default()) {
        Verdict::Discard { defect } => defect,
        other => panic!("{name} not discarded: {other:?}"),
    }
}

fn invalid_header(defect: &Defect) -> &HeaderName {
    match defect {
        Defect::Header(HeaderError::Invalid { name, .. }) => name,
        other => panic!("not an invalid header: {other:?}"),
    }
}

fn user(addr: &NameAddr) -> Vec<u8> {
    addr.uri
        .as_sip()
        .and_then(|u| u.user_decoded())
        .map(|u| u.into_owned())
        .unwrap_or_default()
}

fn header_text<'a>(message: &'a Message, name: &str) -> &'a str {
    let name = HeaderName::new(name).unwrap();
    message
        .headers()
        .get(&name)
        .and_then(|v| v.to_str())
        .unwrap()
}

// 3.1.1 Valid messages

#[test]
fn wsinv() {
    let msg = accepted("wsinv");
    let req = msg.as_request().unwrap();
    let h = &req.headers;
    assert_eq!(req.method, Method::Invite);
    assert!(req.uri.as_sip().unwrap().params.contains("unknownparam"));
    assert_eq!(h.to().unwrap().tag(), Some("1918181833n"));
    let from = h.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some(r#"J Rosenberg \""#));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(h.max_forwards(), Ok(Some(68)));
    assert_eq!(h.cseq().unwrap().seq, 9);
    assert_eq!(h.cseq().unwrap().method, Method::Invite);
    assert_eq!(h.content_length(), Ok(Some(150)));
    assert_eq!(req.body.len(), 150);
    // Three Via values: one folded over three lines, then one line holding two values.
    assert_eq!(h.count(&HeaderName::Via), 2);
    let vias = h.vias().unwrap();
    assert_eq!(vias.len(), 3);
    assert_eq!(
        (vias[0].transport.clone(), vias[0].branch()),
        (Transport::Udp, Some("390skdjuw"))
    );
    assert_eq!(vias[0].host, Host::parse("192.0.2.2").unwrap());
    assert_eq!(vias[0].rfc3261_branch(), None);
    assert_eq!(vias[1].transport, Transport::Tcp);
    assert_eq!(vias[1].host, Host::Domain("spindle.example.com".into()));
    assert_eq!(vias[1].rfc3261_branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].host, Host::parse("192.168.255.111").unwrap());
    assert_eq!(vias[2].rfc3261_branch(), Some("z9hG4bK30239"));
    assert_eq!(header_text(&msg, "Subject"), "");
    assert_eq!(
        header_text(&msg, "NewFangledHeader"),
        "newfangled value continued newfangled value"
    );
    assert_eq!(
        header_text(&msg, "UnknownHeaderWithUnusualValue"),
        ";;,,;;,;"
    );
    let route = &h.routes().unwrap()[0];
    let route_uri = route.uri.as_sip().unwrap();
    assert!(route_uri.is_loose_router());
    assert_eq!(route_uri.param("unknownwith"), Some(Some("value".into())));
    assert_eq!(route_uri.param("unknown-no-value"), Some(None));
    let Contacts::Addresses(contacts) = h.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert_eq!(
        contacts[0].display_name.as_deref(),
        Some(r#"Quoted string """#)
    );
    assert_eq!(contacts[0].q(), Some(Qvalue::parse("0.33").unwrap()));
    assert_eq!(contacts[0].q().unwrap().thousandths(), 330);
    assert_eq!(contacts[0].params.value("newparam"), Some("newvalue"));
    assert!(contacts[0].params.contains("secondparam"));
    // Unknown headers are written back exactly as their unfolded value.
    let out = msg.to_bytes();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("\r\nNewFangledHeader: newfangled value continued newfangled value\r\n"));
    assert!(text.contains("\r\nUnknownHeaderWithUnusualValue: ;;,,;;,;\r\n"));
}

#[test]
fn intmeth() {
    let req = accepted_request("intmeth");
    let method = "!interesting-Method0123456789_*+`.%indeed'~";
    assert_eq!(req.method, Method::Other(method.into()));
    assert_eq!(req.headers.cseq().unwrap().method, req.method);
    let uri = req.uri.as_sip().unwrap();
    assert_eq!(
        uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    let to = req.headers.to().unwrap();
    assert_eq!(
        to.display_name.as_deref(),
        Some("BEL:\u{7} NUL:\u{0} DEL:\u{7f}")
    );
    assert_eq!(
        user(&to),
        b"1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    );
    let from = req.headers.from().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(
        from.params.value("fromParam''~+*_!.-%"),
        Some("\"\u{440}\u{430}\u{431}\u{43e}\u{442}\u{430}\u{44e}\u{449}\u{438}\u{439}\"")
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    assert_eq!(
        req.headers.call_id(),
        Ok("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(
        req.headers.top_via().unwrap().branch(),
        Some("z9hG4bK-.!%66*_+`'~")
    );
    let ext = HeaderName::new("extensionHeader-!.%*+_`'~").unwrap();
    assert_eq!(
        req.headers.get(&ext).and_then(|v| v.to_str()),
        Some("\u{feff}\u{5927}\u{505c}\u{96fb}")
    );
    assert_eq!(req.headers.max_forwards(), Ok(Some(255)));
}

#[test]
fn esc01() {
    let msg = accepted("esc01");
    let req = msg.as_request().unwrap();
    assert_eq!(
        req.uri.as_sip().unwrap().user_decoded().unwrap().as_ref(),
        b"sips:user@example.com"
    );
    assert_eq!(user(&req.headers.to().unwrap()), b"user");
    assert_eq!(user(&req.headers.from().unwrap()), b"I have spaces");
    let Contacts::Addresses(contacts) = req.headers.contacts().unwrap() else {
        panic!("wildcard")
    };
    let contact = contacts[0].uri.as_sip().unwrap();
    assert_eq!(user(&contacts[0]), b"caller");
    assert!(contact.is_loose_router());
    assert_eq!(contact.param("name"), Some(Some("value%41".into())));
    // The escapes stay as they came.
    assert!(msg.to_bytes().windows(3).any(|w| w == b"%6C"));
}

#[test]
fn escnull() {
    let msg = accepted("escnull");
    let h = msg.headers();
    assert_eq!(user(&h.to().unwrap()), b"null-\0-null");
    assert_eq!(user(&h.from().unwrap()), b"null-\0-null");
    let Contacts::Addresses(contacts) = h.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert_eq!(contacts.len(), 2);
    assert_eq!(user(&contacts[0]), b"\0");
    assert_eq!(user(&contacts[1]), b"\0\0");
    assert!(!contacts[0].uri.equivalent(&contacts[1].uri));
    assert_eq!(contacts[0].uri.to_string(), "sip:%00@host5.example.com");
    let out = String::from_utf8(msg.to_bytes().to_vec()).unwrap();
    assert!(out.contains("To: sip:null-%00-null@example.com\r\n"));
    assert!(out.contains("Contact: <sip:%00%00@host5.example.com>\r\n"));
    assert!(!out.contains('\0'));
}

#[test]
fn esc02() {
    let req = accepted_request("esc02");
    // An extension method, not REGISTER: the application answers it 501.
    assert_eq!(req.method, Method::Other("RE%47IST%45R".into()));
    assert_ne!(req.method, Method::Register);
    assert_eq!(
        req.headers.to().unwrap().display_name.as_deref(),
        Some("%Z%45")
    );
    assert_eq!(
        req.headers.from().unwrap().display_name.as_deref(),
        Some("%Z%45")
    );
    let Contacts::Addresses(contacts) = req.headers.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert_eq!(contacts.len(), 2);
    assert!(req.headers.contains(&HeaderName::new("C%6Fntact").unwrap()));
    assert_eq!(
        req.headers.top_via().unwrap().branch(),
        Some("z9hG4bK209%fzsnel234")
    );
    assert_eq!(req.headers.top_via().unwrap().transport, Transport::Tcp);
}

#[test]
fn lwsdisp() {
    let req = accepted_request("lwsdisp");
    let from = req.headers.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("caller"));
    assert_eq!(user(&from), b"caller");
    assert_eq!(from.tag(), Some("323"));
}

#[test]
fn longreq() {
    let req = accepted_request("longreq");
    let h = &req.headers;
    let to = h.to().unwrap();
    let display = to.display_name.unwrap();
    assert!(display.starts_with("I have a user name of extremeextreme"));
    assert!(display.ends_with("extreme proportion"));
    let to_uri = to.uri.as_sip().unwrap();
    assert_eq!(to_uri.port, Some(6000));
    assert_eq!(to_uri.params.len(), 3);
    assert!(
        to_uri
            .param("unknownparam1")
            .unwrap()
            .unwrap()
            .starts_with("verylonglong")
    );
    let from = h.from().unwrap();
    assert_eq!(user(&from), "amazinglylongcallername".repeat(5).as_bytes());
    assert!(from.tag().unwrap().starts_with("12982982982982"));
    assert!(from.tag().unwrap().len() > 150);
    assert_eq!(from.params.len(), 3);
    assert_eq!(
        h.call_id(),
        Ok(format!("longreq.one{}longcallid", "really".repeat(20)).as_str())
    );
    let vias = h.vias().unwrap();
    assert_eq!(vias.len(), 34);
    assert_eq!(vias[0].host, Host::Domain("sip33.example.com".into()));
    let last = vias.last().unwrap();
    assert_eq!(last.received(), Some("192.0.2.5".parse().unwrap()));
    assert!(last.branch().unwrap().starts_with("verylonglong"));
    assert!(last.branch().unwrap().ends_with("branchvalue"));
    let long_name = HeaderName::new(&format!("Unknown-{}-Name", "Long".repeat(20))).unwrap();
    assert!(
        h.get(&long_name)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("unknown-longlong")
    );
    assert_eq!(req.body.len(), 150);
}

#[test]
fn dblreq() {
    let req = accepted_request("dblreq");
    assert_eq!(req.method, Method::Register);
    assert!(req.body.is_empty());
    assert_eq!(
        req.headers.call_id(),
        Ok("dblreq.0ha0isndaksdj99sdfafnl3lk233412")
    );
    assert_eq!(req.headers.cseq().unwrap().method, Method::Register);
}

#[test]
fn semiuri() {
    let req = accepted_request("semiuri");
    let uri = req.uri.as_sip().unwrap();
    assert_eq!(uri.user.as_deref(), Some("user;par=u%40example.net"));
    assert_eq!(
        uri.user_decoded().unwrap().as_ref(),
        b"user;par=u@example.net"
    );
    assert_eq!(uri.host, Host::Domain("example.com".into()));
    assert!(uri.params.is_empty());
    let accept: Vec<String> = req
        .headers
        .accept()
        .unwrap()
        .unwrap()
        .iter()
        .map(MediaType::essence)
        .collect();
    assert_eq!(
        accept,
        [
            "application/sdp",
            "application/pkcs7-mime",
            "multipart/mixed",
            "multipart/signed",
            "message/sip",
            "message/sipfrag"
        ]
    );
}

#[test]
fn transports() {
    let req = accepted_request("transports");
    let transports: Vec<Transport> = req
        .headers
        .vias()
        .unwrap()
        .into_iter()
        .map(|v| v.transport)
        .collect();
    assert_eq!(
        transports,
        [
            Transport::Udp,
            Transport::Sctp,
            Transport::Tls,
            Transport::Other("UNKNOWN".into()),
            Transport::Tcp
        ]
    );
    assert_eq!(
        req.headers.call_id(),
        Ok("transports.kijh4akdnaqjkwendsasfdj")
    );
}

#[test]
fn mpart01() {
    let data = raw("mpart01");
    let req = accepted_request("mpart01");
    let content_type = req.headers.content_type().unwrap().unwrap();
    assert_eq!(content_type.essence(), "multipart/mixed");
    assert_eq!(
        content_type.params.value("boundary"),
        Some("7a9cbec02ceef655")
    );
    let header_end = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(req.body.len(), 553);
    assert_eq!(req.body, data.slice(header_end..));
    assert!(req.body.starts_with(b"--7a9cbec02ceef655\r\n"));
    assert!(req.body.ends_with(b"--7a9cbec02ceef655--\r\n"));
    assert_eq!(req.headers.top_via().unwrap().rport(), Some(None));
    assert_eq!(req.headers.user_agent(), Some("SIPimp.org/0.2.5 (curses)"));
    assert_eq!(req.headers.date().unwrap().unwrap().year, 2005);
}

#[test]
fn unreason() {
    let res = accepted_response("unreason");
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.reason,
        "= 2**3 * 5**2 \u{43d}\u{43e} \u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{43d}\
         \u{43e}\u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{442}\u{44c} - \u{43f}\
         \u{440}\u{43e}\u{441}\u{442}\u{43e}\u{435}"
    );
    assert_eq!(res.body.len(), 154);
}

#[test]
fn noreason() {
    let res = accepted_response("noreason");
    assert_eq!(res.status, StatusCode::TRYING);
    assert_eq!(res.reason, "");
    assert_eq!(res.headers.to().unwrap().tag(), Some("902jndnke3"));
}

// 3.1.2 Invalid messages

#[test]
fn badinv01() {
    let (defect, response) = rejected("badinv01");
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid_header(&defect), &HeaderName::Via);
    assert!(response.reason.starts_with("Bad Request - Invalid Via"));
    assert_eq!(
        response.headers.call_id(),
        Ok("badinv01.0ha0isndaksdjasdf3234nas")
    );
    assert!(response.headers.to().unwrap().tag().is_some());
    assert!(response.headers.contains(&HeaderName::CSeq));
}

#[test]
fn clerr() {
    let (defect, response) = rejected("clerr");
    assert_eq!(
        defect,
        Defect::Malformed(ParseError::BodyTooShort {
            declared: 9999,
            actual: 154
        })
    );
    assert!(
        response
            .reason
            .starts_with("Bad Request - Content-Length mismatch")
    );
    // On a stream the element would wait for the rest of the body.
    assert_eq!(frame(&raw("clerr"), 65_535), Ok(Frame::Incomplete));
}

#[test]
fn ncl() {
    let (defect, response) = rejected("ncl");
    assert_eq!(defect, Defect::Malformed(ParseError::InvalidContentLength));
    assert_eq!(response.reason, "Bad Request - Invalid Content-Length");
    // On a stream there is no message boundary left: the connection is closed.
    assert_eq!(
        frame(&raw("ncl"), 65_535),
        Err(ParseError::InvalidContentLength)
    );
}

#[test]
fn scalar02() {
    let (defect, _) = rejected("scalar02");
    assert_eq!(invalid_header(&defect), &HeaderName::CSeq);
    let msg = parse("scalar02");
    let h = msg.headers();
    assert!(h.max_forwards().is_err());
    assert!(h.expires().is_err());
    assert!(h.contacts().is_err());
}

#[test]
fn scalarlg() {
    let defect = discarded("scalarlg");
    assert_eq!(invalid_header(&defect), &HeaderName::CSeq);
}

#[test]
fn quotbal() {
    let (defect, _) = rejected("quotbal");
    assert_eq!(invalid_header(&defect), &HeaderName::To);
}

#[test]
fn ltgtruri() {
    let (defect, response) = rejected("ltgtruri");
    assert_eq!(
        defect,
        Defect::Malformed(ParseError::RequestLine("invalid Request-URI"))
    );
    assert_eq!(
        response.reason,
        "Bad Request - Invalid request line: invalid Request-URI"
    );
}

#[test]
fn lwsruri() {
    let (defect, _) = rejected("lwsruri");
    assert!(matches!(
        defect,
        Defect::Malformed(ParseError::RequestLine(_))
    ));
    assert!(Message::parse(raw("lwsruri")).is_err());
}

#[test]
fn lwsstart() {
    let (defect, _) = rejected("lwsstart");
    assert_eq!(
        defect,
        Defect::Malformed(ParseError::RequestLine(
            "more than one space between elements"
        ))
    );
}

#[test]
fn trws() {
    let (defect, _) = rejected("trws");
    assert_eq!(
        defect,
        Defect::Malformed(ParseError::RequestLine("whitespace at end of line"))
    );
}

#[test]
fn escruri() {
    let (defect, _) = rejected("escruri");
    assert_eq!(defect, Defect::RequestUriHeaders);
    let msg = parse("escruri");
    let uri = msg.as_request().unwrap().uri.as_sip().unwrap();
    assert_eq!(
        uri.headers_decoded(),
        [("Route".to_owned(), "<sip:example.com>".to_owned())]
    );
}

#[test]
fn baddate() {
    let (defect, response) = rejected("baddate");
    assert_eq!(invalid_header(&defect), &HeaderName::Date);
    assert_eq!(
        response.reason,
        "Bad Request - Invalid Date: time zone is not GMT"
    );
}

#[test]
fn regbadct() {
    let (defect, response) = rejected("regbadct");
    assert_eq!(invalid_header(&defect), &HeaderName::Contact);
    assert!(response.reason.contains("not enclosed in <>"));
}

#[test]
fn badaspec() {
    let (defect, response) = rejected("badaspec");
    assert_eq!(invalid_header(&defect), &HeaderName::To);
    assert!(response.reason.contains("whitespace inside <>"));
    // The To cannot be parsed, so it is mirrored as it came, without a tag.
    assert_eq!(
        response.headers.get(&HeaderName::To).unwrap().to_str(),
        Some("\"Watson, Thomas\" < sip:t.watson@example.org >")
    );
}

#[test]
fn baddn() {
    let (defect, response) = rejected("baddn");
    assert_eq!(invalid_header(&defect), &HeaderName::From);
    assert_eq!(
        response.reason,
        "Bad Request - Invalid From: invalid display name"
    );
}

#[test]
fn badvers() {
    let (defect, response) = rejected("badvers");
    assert_eq!(defect, Defect::Version(Version { major: 7, minor: 0 }));
    assert_eq!(response.status, StatusCode::VERSION_NOT_SUPPORTED);
    assert_eq!(response.version, Version::SIP_2_0);
}

#[test]
fn mismatch01() {
    let (defect, _) = rejected("mismatch01");
    assert_eq!(defect, Defect::CSeqMismatch);
    let msg = parse("mismatch01");
    let req = msg.as_request().unwrap();
    assert_eq!(req.method, Method::Options);
    assert_eq!(req.headers.cseq().unwrap().method, Method::Invite);
}

#[test]
fn mismatch02() {
    // RFC 4475 allows 400 (501 is the alternative).
    let (defect, response) = rejected("mismatch02");
    assert_eq!(defect, Defect::CSeqMismatch);
    assert_eq!(response.reason, "Bad Request - CSeq method mismatch");
    let msg = parse("mismatch02");
    assert_eq!(
        msg.as_request().unwrap().method,
        Method::Other("NEWMETHOD".into())
    );
}

#[test]
fn bigcode() {
    let defect = discarded("bigcode");
    assert_eq!(
        defect,
        Defect::Malformed(ParseError::StatusLine("invalid status code"))
    );
}

// 3.2 Transaction layer

#[test]
fn badbranch() {
    let req = accepted_request("badbranch");
    let via = req.headers.top_via().unwrap();
    // The magic cookie alone is not an RFC 3261 transaction identifier: the transaction
    // layer matches this request the RFC 2543 way (§17.2.3), from these values.
    assert_eq!(via.branch(), Some("z9hG4bK"));
    assert_eq!(via.rfc3261_branch(), None);
    assert_eq!(req.uri.to_string(), "sip:user@example.com");
    assert_eq!(req.headers.to().unwrap().tag(), None);
    assert_eq!(req.headers.from().unwrap().tag(), Some("33242"));
    assert_eq!(
        req.headers.call_id(),
        Ok("badbranch.sadonfo23i420jv0as0derf3j3n")
    );
    assert_eq!(req.headers.cseq().unwrap().seq, 8);
    assert_eq!(
        (via.host, via.port),
        (Host::parse("192.0.2.1").unwrap(), None)
    );
}

// 3.3 Application layer

#[test]
fn insuf() {
    let (defect, response) = rejected("insuf");
    assert_eq!(
        defect,
        Defect::MissingHeaders(vec![HeaderName::From, HeaderName::To, HeaderName::CallId])
    );
    assert_eq!(response.reason, "Bad Request - Missing From, To, Call-ID");
    assert_eq!(response.headers.cseq().unwrap().seq, 193942);
    assert!(!response.headers.contains(&HeaderName::CallId));
}

#[test]
fn unkscm() {
    let (defect, response) = rejected("unkscm");
    assert_eq!(defect, Defect::UriScheme("nobodyKnowsThisScheme".into()));
    assert_eq!(response.status, StatusCode::UNSUPPORTED_URI_SCHEME);
}

#[test]
fn novelsc() {
    let (defect, response) = rejected("novelsc");
    assert_eq!(defect, Defect::UriScheme("soap.beep".into()));
    assert_eq!(response.status, StatusCode::UNSUPPORTED_URI_SCHEME);
}

#[test]
fn unksm2() {
    let msg = parse("unksm2");
    let h = msg.headers();
    assert_eq!(h.to().unwrap().uri.scheme(), "isbn");
    assert_eq!(h.from().unwrap().uri.scheme(), "http");
    let Contacts::Addresses(contacts) = h.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert_eq!(contacts[0].uri.to_string(), "name:John_Smith");
    // A registrar answers 400: the address of record must be a SIP or SIPS URI.
    let (defect, response) = rejected("unksm2");
    assert_eq!(defect, Defect::RegisterToNotSip);
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}

#[test]
fn bext01() {
    let (defect, response) = rejected("bext01");
    assert_eq!(
        defect,
        Defect::BadExtension(vec![
            "nothingSupportsThis".into(),
            "nothingSupportsThisEither".into()
        ])
    );
    assert_eq!(response.status, StatusCode::BAD_EXTENSION);
    assert_eq!(
        response
            .headers
            .get(&HeaderName::Unsupported)
            .unwrap()
            .to_str(),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
    let proxy = Policy {
        final_uas: false,
        ..Policy::default()
    };
    let (_, response) = rejected_with("bext01", &proxy);
    assert_eq!(
        response.headers.unsupported(),
        Ok(vec![
            "noProxiesSupportThis".into(),
            "norDoAnyProxiesSupportThis".into()
        ])
    );
}

#[test]
fn invut() {
    let (defect, response) = rejected("invut");
    assert_eq!(
        defect,
        Defect::UnsupportedMediaType("application/unknownformat".into())
    );
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let accept = response.headers.accept().unwrap().unwrap();
    assert!(accept.iter().any(|t| t.essence() == "application/sdp"));
}

#[test]
fn regaut01() {
    let req = accepted_request("regaut01");
    assert_eq!(req.method, Method::Register);
    // A registrar that authenticates answers 401 with a challenge in a scheme it knows.
    assert_eq!(
        check_credentials(&req.headers, &HeaderName::Authorization, &["Digest"]),
        CredentialsCheck::Challenge
    );
    assert_eq!(
        req.headers
            .get(&HeaderName::Authorization)
            .unwrap()
            .to_str(),
        Some("NoOneKnowsThisScheme opaque-data=here")
    );
}

#[test]
fn multi01() {
    let (defect, response) = rejected("multi01");
    assert_eq!(
        defect,
        Defect::DuplicateHeaders(vec![
            HeaderName::MaxForwards,
            HeaderName::CSeq,
            HeaderName::CallId,
            HeaderName::From,
            HeaderName::To,
        ])
    );
    assert_eq!(
        response.reason,
        "Bad Request - Multiple Max-Forwards, CSeq, Call-ID, From, To"
    );
}

#[test]
fn mcl01() {
    let (defect, response) = rejected("mcl01");
    assert_eq!(defect, Defect::Malformed(ParseError::MultipleContentLength));
    assert_eq!(response.reason, "Bad Request - Multiple Content-Length");
}

#[test]
fn bcast() {
    // Well formed...
    let msg = parse("bcast");
    assert!(
        msg.headers().vias().unwrap()[1]
            .host
            .is_broadcast_or_multicast()
    );
    // ...but never forwarded toward a broadcast address: dropped.
    assert_eq!(discarded("bcast"), Defect::BroadcastVia);
}

#[test]
fn zeromf() {
    let req = accepted_request("zeromf");
    assert_eq!(req.headers.max_forwards(), Ok(Some(0)));
    let proxy = Policy {
        final_uas: false,
        ..Policy::default()
    };
    let (defect, response) = rejected_with("zeromf", &proxy);
    assert_eq!(defect, Defect::TooManyHops);
    assert_eq!(response.status, StatusCode::TOO_MANY_HOPS);
}

#[test]
fn cparam01() {
    let req = accepted_request("cparam01");
    let Contacts::Addresses(contacts) = req.headers.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert!(contacts[0].params.contains("unknownparam"));
    assert!(contacts[0].uri.as_sip().unwrap().params.is_empty());
}

#[test]
fn cparam02() {
    let req = accepted_request("cparam02");
    let Contacts::Addresses(contacts) = req.headers.contacts().unwrap() else {
        panic!("wildcard")
    };
    assert!(contacts[0].params.is_empty());
    assert!(
        contacts[0]
            .uri
            .as_sip()
            .unwrap()
            .params
            .contains("unknownparam")
    );
}

#[test]
fn regescrt() {
    let req = accepted_request("regescrt");
    let Contacts::Addresses(contacts) = req.headers.contacts().unwrap() else {
        panic!("wildcard")
    };
    let uri = contacts[0].uri.as_sip().unwrap();
    assert_eq!(
        uri.headers_decoded(),
        [("Route".to_owned(), "<sip:sip.example.com>".to_owned())]
    );
    // Stored and returned with the escaped header intact.
    assert_eq!(
        contacts[0].to_string(),
        "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>"
    );
}

#[test]
fn sdp01() {
    let (defect, response) = rejected("sdp01");
    assert_eq!(defect, Defect::NotAcceptable("application/sdp".into()));
    assert_eq!(response.status, StatusCode::NOT_ACCEPTABLE);
}

// 3.4 Backward compatibility

#[test]
fn inv2543() {
    let data = raw("inv2543");
    let req = accepted_request("inv2543");
    assert_eq!(req.headers.max_forwards(), Ok(None));
    assert_eq!(req.headers.content_length(), Ok(None));
    assert_eq!(req.headers.top_via().unwrap().branch(), None);
    let header_end = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(req.body, data.slice(header_end..));
    let rr = &req.headers.record_routes().unwrap()[0];
    assert_eq!(
        rr.uri.as_sip().unwrap().param("maddr"),
        Some(Some("ss1.example.com".into()))
    );
    assert!(matches!(req.headers.to().unwrap().uri, Uri::Sip(_)));
}
