//! Property tests: generated messages survive serialization and parsing unchanged.
//!
//! Two generators: one builds messages through the API (random methods, SIP/SIPS/TEL URIs
//! with IPv6 hosts and odd-but-legal parameters, quoted display names with escapes, unknown
//! headers, bodies); the other writes wire text directly (compact and mixed-case names,
//! whitespace before colons, folded lines) and checks unknown header values come out as their
//! unfolded text.

// Generators and helpers outside #[test] functions panic on failure too: a failed setup is a
// failed test.
#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::Bytes;
use proptest::prelude::*;
use sip::header::{CSeq, NameAddr, Transport, Via};
use sip::{HeaderName, Host, Message, Method, Request, Response, StatusCode, Uri};

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.!%*_+`'~-]{1,10}"
}

fn domain() -> impl Strategy<Value = String> {
    "[a-z]([a-z0-9-]{0,6}[a-z0-9])?(\\.[a-z]([a-z0-9-]{0,4}[a-z0-9])?){0,2}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        domain(),
        any::<Ipv4Addr>().prop_map(|ip| ip.to_string()),
        any::<Ipv6Addr>().prop_map(|ip| format!("[{ip}]")),
    ]
}

fn escaped(chars: &'static str, max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::string::string_regex(chars).expect("valid regex"),
        1 => "%[0-9A-Fa-f]{2}",
    ];
    proptest::collection::vec(piece, 1..max).prop_map(|p| p.concat())
}

fn uri_params() -> impl Strategy<Value = String> {
    let param_char = "[A-Za-z0-9_.!~*'()\\[\\]/:&+$-]";
    proptest::collection::vec(
        (
            escaped(param_char, 6),
            proptest::option::of(escaped(param_char, 6)),
        ),
        0..3,
    )
    .prop_map(|params| {
        params
            .into_iter()
            .map(|(n, v)| match v {
                Some(v) => format!(";{n}={v}"),
                None => format!(";{n}"),
            })
            .collect()
    })
}

fn sip_uri() -> impl Strategy<Value = String> {
    let user = proptest::option::of(escaped("[A-Za-z0-9_.!~*'()&=+$,;?/-]", 8));
    let headers = proptest::option::of(
        (escaped("[A-Za-z0-9]", 5), escaped("[A-Za-z0-9:/?+$]", 6))
            .prop_map(|(n, v)| format!("?{n}={v}")),
    );
    (
        any::<bool>(),
        user,
        host(),
        proptest::option::of(1u16..),
        uri_params(),
        headers,
    )
        .prop_map(|(secure, user, host, port, params, headers)| {
            let mut s = String::from(if secure { "sips:" } else { "sip:" });
            if let Some(user) = user {
                s.push_str(&user);
                s.push('@');
            }
            s.push_str(&host);
            if let Some(port) = port {
                s.push_str(&format!(":{port}"));
            }
            s.push_str(&params);
            s.push_str(&headers.unwrap_or_default());
            s
        })
}

fn tel_uri() -> impl Strategy<Value = String> {
    (
        "\\+[0-9]{1,3}(-[0-9]{1,4}){0,3}",
        proptest::option::of("[0-9]{1,4}"),
    )
        .prop_map(|(n, ext)| match ext {
            Some(ext) => format!("tel:{n};ext={ext}"),
            None => format!("tel:{n}"),
        })
}

fn uri() -> impl Strategy<Value = Uri> {
    prop_oneof![4 => sip_uri(), 1 => tel_uri()]
        .prop_map(|s| Uri::parse(&s).unwrap_or_else(|e| panic!("generated {s}: {e}")))
}

/// Display names: printable text, UTF-8, quotes, backslashes and control characters that
/// need a quoted-pair.
fn display_name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[ -~\u{e9}\u{416}\u{5927}\"\\\\\u{0}\u{7}\u{7f}\t]{0,12}")
}

/// Header parameters other than tag, q and expires (whose values have a grammar).
fn header_params() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    let value = prop_oneof![
        token(),
        "\"[ -!#-\\[\\]-~]{0,8}\"",
        any::<Ipv6Addr>().prop_map(|ip| format!("[{ip}]")),
    ];
    let name = token().prop_map(|t| format!("x{t}"));
    proptest::collection::vec((name, proptest::option::of(value)), 0..3)
}

fn name_addr() -> impl Strategy<Value = NameAddr> {
    (display_name(), uri(), header_params(), token()).prop_map(
        |(display_name, uri, params, tag)| {
            let mut addr = NameAddr::new(uri);
            addr.display_name = display_name;
            for (name, value) in params {
                addr.params.set(&name, value.as_deref());
            }
            addr.set_tag(&tag);
            addr
        },
    )
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        proptest::sample::select(Method::STANDARD.to_vec()),
        "[A-Za-z0-9.!%*_+`'~-]{1,10}".prop_map(|t| Method::parse(&t).unwrap()),
    ]
}

fn via() -> impl Strategy<Value = Via> {
    let transport = proptest::sample::select(vec![
        Transport::Udp,
        Transport::Tcp,
        Transport::Tls,
        Transport::Ws,
        Transport::Other("FOO".into()),
    ]);
    (
        transport,
        host(),
        proptest::option::of(1u16..),
        token(),
        any::<bool>(),
    )
        .prop_map(|(transport, host, port, branch, rport)| {
            let host = Host::parse(&host).expect("generated host");
            let mut via = Via::new(transport, host, port, &format!("z9hG4bK{branch}"));
            if rport {
                via.params.set("rport", None);
            }
            via
        })
}

/// Unknown header values: printable, no leading or trailing space, no double space.
fn unknown_value() -> impl Strategy<Value = String> {
    "([!-~\u{e9}\u{416}]([ -~\u{e9}]{0,24}[!-~])?)?".prop_map(|v| {
        let mut v = v;
        while v.contains("  ") {
            v = v.replace("  ", " ");
        }
        v
    })
}

/// Unknown headers with distinct names.
fn unknown_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("X-[A-Za-z0-9.!%*_+`'~-]{1,12}", unknown_value()), 0..4).prop_map(
        |mut headers| {
            let mut seen = std::collections::HashSet::new();
            headers.retain(|(name, _)| seen.insert(name.to_ascii_lowercase()));
            headers
        },
    )
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..64)
}

fn common_headers(
    headers: &mut sip::Headers,
    (vias, from, to, call_id, seq, method): (Vec<Via>, NameAddr, NameAddr, String, u32, Method),
) {
    for via in vias {
        headers.push(HeaderName::Via, via.to_string());
    }
    headers.push(HeaderName::From, from.to_string());
    headers.push(HeaderName::To, to.to_string());
    headers.push(HeaderName::CallId, call_id);
    headers.push(HeaderName::CSeq, CSeq::new(seq, method).to_string());
}

fn request() -> impl Strategy<Value = Request> {
    (
        method(),
        uri(),
        proptest::collection::vec(via(), 1..3),
        (name_addr(), name_addr()),
        (token(), domain()),
        0u32..=sip::header::MAX_CSEQ,
        proptest::collection::vec(name_addr(), 0..2),
        unknown_headers(),
        body(),
    )
        .prop_map(
            |(method, uri, vias, (from, to), (id, id_host), seq, contacts, unknown, body)| {
                let mut req = Request::new(method.clone(), uri);
                common_headers(
                    &mut req.headers,
                    (vias, from, to, format!("{id}@{id_host}"), seq, method),
                );
                req.headers.push(HeaderName::MaxForwards, "70");
                for contact in contacts {
                    req.headers.push(HeaderName::Contact, contact.to_string());
                }
                for (name, value) in unknown {
                    req.headers.push(HeaderName::new(&name).unwrap(), value);
                }
                req.set_body("application/octet-stream", Bytes::from(body));
                req
            },
        )
}

fn response() -> impl Strategy<Value = Response> {
    (
        100u16..700,
        "[ -~\u{e9}\u{416}]{0,20}",
        proptest::collection::vec(via(), 1..3),
        (name_addr(), name_addr()),
        token(),
        (0u32..=sip::header::MAX_CSEQ, method()),
        unknown_headers(),
        body(),
    )
        .prop_map(
            |(code, reason, vias, (from, to), call_id, (seq, method), unknown, body)| {
                let mut res = Response::new(StatusCode::new(code).unwrap());
                res.reason = reason;
                common_headers(&mut res.headers, (vias, from, to, call_id, seq, method));
                for (name, value) in unknown {
                    res.headers.push(HeaderName::new(&name).unwrap(), value);
                }
                res.set_body("text/plain", Bytes::from(body));
                res
            },
        )
}

/// Every typed view readable on the original reads the same on the copy.
fn assert_same_views(a: &Message, b: &Message) {
    let (a, b) = (a.headers(), b.headers());
    assert_eq!(a.vias(), b.vias());
    assert_eq!(a.from(), b.from());
    assert_eq!(a.to(), b.to());
    assert_eq!(a.contacts(), b.contacts());
    assert_eq!(a.cseq(), b.cseq());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn requests_round_trip(req in request()) {
        let msg = Message::Request(req);
        let parsed = Message::parse(msg.to_bytes()).expect("serialized request parses");
        prop_assert_eq!(&parsed, &msg);
        assert_same_views(&parsed, &msg);
        prop_assert!(parsed.headers().vias().is_ok());
        prop_assert!(parsed.headers().from().is_ok());
        prop_assert!(parsed.headers().contacts().is_ok());
    }

    #[test]
    fn responses_round_trip(res in response()) {
        let msg = Message::Response(res);
        let parsed = Message::parse(msg.to_bytes()).expect("serialized response parses");
        prop_assert_eq!(&parsed, &msg);
        assert_same_views(&parsed, &msg);
    }

    #[test]
    fn typed_values_round_trip_through_text(addr in name_addr(), via in via()) {
        prop_assert_eq!(NameAddr::parse(&addr.to_string()), Ok(addr));
        prop_assert_eq!(Via::parse(&via.to_string()), Ok(via));
    }

    #[test]
    fn wire_text_with_folds_and_compact_names_round_trips(
        unknown in unknown_headers(),
        fold_at in proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
        compact in any::<bool>(),
        space_before_colon in "[ \t]{0,2}",
        space_after_colon in "[ \t]{0,3}",
        body in body(),
    ) {
        let (via, from, cseq, length) = if compact {
            ("v", "f", "cSeQ", "l")
        } else {
            ("Via", "FROM", "CSeq", "Content-Length")
        };
        let mut text = format!(
            "MESSAGE sip:queue@example.com SIP/2.0\r\n\
             {via}{space_before_colon}:{space_after_colon}SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK7\r\n\
             {from}: <sip:a@example.com>;tag=1\r\nTo: <sip:queue@example.com>\r\n\
             Call-ID: c@h\r\n{cseq}: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
        );
        for (name, value) in &unknown {
            // Fold at single spaces: each fold must unfold back to that one space.
            let mut value = value.clone();
            let spaces: Vec<usize> = value.match_indices(' ').map(|(i, _)| i).collect();
            let mut chosen: Vec<usize> = fold_at.iter().filter(|_| !spaces.is_empty()).map(|i| spaces[i.index(spaces.len())]).collect();
            chosen.sort_unstable();
            chosen.dedup();
            for at in chosen.into_iter().rev() {
                value.replace_range(at..=at, "\r\n\t ");
            }
            text.push_str(&format!("{name}:{space_after_colon}{value}{space_before_colon}\r\n"));
        }
        text.push_str(&format!("{length}: {}\r\n\r\n", body.len()));
        let mut data = text.into_bytes();
        data.extend_from_slice(&body);
        let parsed = Message::parse(Bytes::from(data)).expect("generated text parses");
        for (name, value) in &unknown {
            let got = parsed.headers().get(&HeaderName::new(name).unwrap()).unwrap();
            prop_assert_eq!(got.as_bytes(), value.as_bytes());
        }
        prop_assert_eq!(parsed.body().as_ref(), &body[..]);
        let top_via = parsed.headers().top_via().unwrap();
        prop_assert_eq!(top_via.rfc3261_branch(), Some("z9hG4bK7"));
        let again = Message::parse(parsed.to_bytes()).expect("serialized text parses");
        prop_assert_eq!(again, parsed);
    }
}
