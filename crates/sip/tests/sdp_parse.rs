//! SDP parsing and printing: RFC 4566 examples, bodies shaped like what real phones send, the
//! RFC 4475 test messages' bodies, leniency and line-numbered errors.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use sip::sdp::{Attribute, Defect, Direction, ParseError, RtpMap, SessionDescription};

fn parse(text: &str) -> SessionDescription {
    match SessionDescription::parse(text.as_bytes()) {
        Ok(sdp) => sdp,
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn error(text: &str) -> ParseError {
    match SessionDescription::parse(text.as_bytes()) {
        Ok(sdp) => panic!("accepted {sdp:?}"),
        Err(e) => e,
    }
}

fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

fn assert_round_trips(sdp: &SessionDescription) {
    let printed = sdp.to_bytes();
    let reparsed = SessionDescription::parse(&printed).expect("printed SDP parses");
    assert_eq!(&reparsed, sdp);
}

const RFC4566_EXAMPLE: &[&str] = &[
    "v=0",
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
    "s=SDP Seminar",
    "i=A Seminar on the session description protocol",
    "u=http://www.example.com/seminars/sdp.pdf",
    "e=j.doe@example.com (Jane Doe)",
    "c=IN IP4 224.2.17.12/127",
    "t=2873397496 2873404696",
    "a=recvonly",
    "m=audio 49170 RTP/AVP 0",
    "m=video 51372 RTP/AVP 99",
    "a=rtpmap:99 h263-1998/90000",
];

#[test]
fn rfc4566_example_parses_to_its_fields() {
    let sdp = parse(&crlf(RFC4566_EXAMPLE));
    assert_eq!(sdp.origin.username, "jdoe");
    assert_eq!(sdp.origin.session_id, "2890844526");
    assert_eq!(sdp.origin.session_version, 2890842807);
    assert_eq!(sdp.session_name, "SDP Seminar");
    assert_eq!(sdp.emails, vec!["j.doe@example.com (Jane Doe)".to_owned()]);
    assert_eq!(
        sdp.connection.as_ref().map(|c| c.address.as_str()),
        Some("224.2.17.12/127")
    );
    assert_eq!(
        (sdp.timings[0].start, sdp.timings[0].stop),
        (2873397496, 2873404696)
    );
    assert_eq!(sdp.media.len(), 2);
    assert_eq!(sdp.media[1].formats, vec!["99".to_owned()]);
    let video = sdp.media_views().nth(1).unwrap();
    assert_eq!(video.rtpmap(99).map(|m| m.clock_rate), Some(90000));
}

#[test]
fn rfc4566_example_prints_back_identically() {
    let text = crlf(RFC4566_EXAMPLE);
    assert_eq!(parse(&text).to_string(), text);
}

#[test]
fn session_level_direction_applies_to_every_stream() {
    let sdp = parse(&crlf(RFC4566_EXAMPLE));
    assert!(
        sdp.media_views()
            .all(|m| m.direction() == Direction::RecvOnly)
    );
}

#[test]
fn multicast_connection_has_no_unicast_rtp_address() {
    let sdp = parse(&crlf(RFC4566_EXAMPLE));
    assert_eq!(sdp.media_views().next().unwrap().rtp_address(), None);
}

#[test]
fn repeat_times_and_time_zones_are_kept() {
    let text = crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "s=weekly",
        "t=3034423619 3042462419",
        "r=604800 3600 0 90000",
        "r=7d 1h 0 25h",
        "z=2882844526 -1h 2898848070 0",
        "k=prompt",
    ]);
    let sdp = parse(&text);
    assert_eq!(
        sdp.timings[0].repeats,
        vec!["604800 3600 0 90000", "7d 1h 0 25h"]
    );
    assert_eq!(
        sdp.time_zones.as_deref(),
        Some("2882844526 -1h 2898848070 0")
    );
    assert_eq!(sdp.to_string(), text);
}

// ---- shapes of real phones' offers (written for these tests, not captured) ----

const BARESIP: &[&str] = &[
    "v=0",
    "o=- 1730389718 2087642251 IN IP4 192.168.1.20",
    "s=-",
    "c=IN IP4 192.168.1.20",
    "t=0 0",
    "m=audio 10140 RTP/AVP 0 8 101",
    "b=AS:64",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    "a=sendrecv",
    "a=label:1",
    "a=ssrc:3322514915 cname:7f6c1a0e-4b2d",
    "a=rtcp-rsize",
    "a=ptime:20",
];

const ZOIPER: &[&str] = &[
    "v=0",
    "o=Z 0 1 IN IP4 192.168.1.33",
    "s=Z",
    "c=IN IP4 192.168.1.33",
    "t=0 0",
    "m=audio 8000 RTP/AVP 106 9 98 101 0 8 3",
    "a=rtpmap:106 opus/48000/2",
    "a=fmtp:106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1",
    "a=rtpmap:98 telephone-event/48000",
    "a=fmtp:98 0-16",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    "a=sendrecv",
    "a=rtcp-mux",
];

const LINPHONE: &[&str] = &[
    "v=0",
    "o=agent7 2310 1423 IN IP4 192.168.0.12",
    "s=Talk",
    "c=IN IP4 192.168.0.12",
    "t=0 0",
    "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
    "a=record:off",
    "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100",
    "a=rtpmap:96 opus/48000/2",
    "a=fmtp:96 useinbandfec=1",
    "a=rtpmap:97 speex/16000",
    "a=fmtp:97 vbr=on",
    "a=rtpmap:98 speex/8000",
    "a=fmtp:98 vbr=on",
    "a=fmtp:18 annexb=yes",
    "a=rtpmap:101 telephone-event/48000",
    "a=rtpmap:99 telephone-event/16000",
    "a=rtpmap:100 telephone-event/8000",
    "a=rtcp:7079",
    "a=rtcp-fb:* trr-int 1000",
    "a=rtcp-fb:* ccm tmmbr",
];

const CISCO: &[&str] = &[
    "v=0",
    "o=CiscoSystemsSIP-GW-UserAgent 4325 1196 IN IP4 10.1.1.1",
    "s=SIP Call",
    "c=IN IP4 10.1.1.1",
    "t=0 0",
    "m=audio 17206 RTP/AVP 18 0 8 101 19",
    "c=IN IP4 10.1.1.2",
    "a=rtpmap:18 G729/8000",
    "a=fmtp:18 annexb=no",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    "a=rtpmap:19 CN/8000",
    "a=ptime:20",
];

const SIPP: &[&str] = &[
    "v=0",
    "o=user1 53655765 2353687637 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 6000 RTP/AVP 8 101",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-11,16",
];

#[test]
fn phone_offers_parse_and_round_trip() {
    for (name, lines) in [
        ("baresip", BARESIP),
        ("zoiper", ZOIPER),
        ("linphone", LINPHONE),
        ("cisco", CISCO),
        ("sipp", SIPP),
    ] {
        let text = crlf(lines);
        let sdp =
            SessionDescription::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sdp.to_string(), text, "{name} prints back identically");
        assert_round_trips(&sdp);
    }
}

#[test]
fn baresip_offer_reads_as_audio_with_dtmf() {
    let sdp = parse(&crlf(BARESIP));
    let audio = sdp.media_views().next().unwrap();
    assert_eq!(
        audio.rtp_address(),
        Some(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20)),
            10140
        ))
    );
    assert_eq!(audio.payload_types().collect::<Vec<_>>(), vec![0, 8, 101]);
    assert_eq!(audio.telephone_event(8000), Some(101));
    assert_eq!(audio.fmtp(101), Some("0-15"));
    assert_eq!(audio.ptime(), Some(20));
    assert_eq!(audio.direction(), Direction::SendRecv);
    assert!(!audio.is_hold());
    assert_eq!(sdp.media[0].bandwidths[0].value, 64);
}

#[test]
fn zoiper_offer_has_telephone_event_at_two_rates() {
    let sdp = parse(&crlf(ZOIPER));
    let audio = sdp.media_views().next().unwrap();
    assert_eq!(audio.telephone_event(8000), Some(101));
    assert_eq!(audio.telephone_event(48000), Some(98));
    assert!(audio.rtcp_mux());
    assert_eq!(
        audio.rtpmap(106),
        Some(RtpMap {
            payload_type: 106,
            encoding: "opus".into(),
            clock_rate: 48000,
            channels: Some(2)
        })
    );
}

#[test]
fn linphone_unknown_attributes_are_preserved_in_order() {
    let sdp = parse(&crlf(LINPHONE));
    assert_eq!(
        sdp.attributes,
        vec![
            Attribute::value(
                "rtcp-xr",
                "rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics"
            ),
            Attribute::value("record", "off"),
        ]
    );
    let audio = sdp.media_views().next().unwrap();
    assert_eq!(audio.attribute("rtcp"), Some("7079"));
    assert_eq!(audio.fmtp(18), Some("annexb=yes"));
    assert_eq!(audio.rtpmap(18), None); // static G.729 without rtpmap
}

#[test]
fn media_level_connection_overrides_session_level() {
    let sdp = parse(&crlf(CISCO));
    let audio = sdp.media_views().next().unwrap();
    assert_eq!(
        audio.rtp_address().map(|a| a.ip().to_string()).as_deref(),
        Some("10.1.1.2")
    );
}

#[test]
fn media_level_direction_overrides_session_level() {
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "s=-",
        "c=IN IP4 192.0.2.1",
        "t=0 0",
        "a=sendonly",
        "m=audio 4000 RTP/AVP 0",
        "a=inactive",
        "m=audio 4002 RTP/AVP 0",
    ]));
    let directions: Vec<_> = sdp.media_views().map(|m| m.direction()).collect();
    assert_eq!(directions, vec![Direction::Inactive, Direction::SendOnly]);
    assert!(sdp.media_views().all(|m| m.is_hold()));
}

#[test]
fn rfc2543_hold_address_is_detected() {
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 1 2 IN IP4 192.0.2.1",
        "s=-",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "m=audio 4000 RTP/AVP 0",
    ]));
    let audio = sdp.media_views().next().unwrap();
    assert_eq!(audio.direction(), Direction::SendRecv);
    assert!(audio.is_hold());
}

#[test]
fn ipv6_connection_gives_an_ipv6_rtp_address() {
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 5 5 IN IP6 2001:db8::10",
        "s=-",
        "c=IN IP6 2001:db8::10",
        "t=0 0",
        "m=audio 5004 RTP/AVP 8",
    ]));
    assert_eq!(
        sdp.media_views()
            .next()
            .unwrap()
            .rtp_address()
            .map(|a| a.to_string())
            .as_deref(),
        Some("[2001:db8::10]:5004")
    );
}

#[test]
fn port_zero_marks_a_rejected_stream() {
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "s=-",
        "t=0 0",
        "m=video 0 RTP/AVP 31",
    ]));
    assert!(sdp.media_views().next().unwrap().is_rejected());
}

#[test]
fn fractional_ptime_is_rounded() {
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "s=-",
        "t=0 0",
        "a=ptime:30.0",
        "m=audio 4000 RTP/AVP 0",
        "a=maxptime:40",
    ]));
    let audio = sdp.media_views().next().unwrap();
    assert_eq!((audio.ptime(), audio.maxptime()), (Some(30), Some(40)));
}

// ---- leniency ----

#[test]
fn bare_lf_and_trailing_whitespace_are_accepted() {
    let text = "v=0\no=- 1 1 IN IP4 192.0.2.1 \ns=-\t\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0  \n";
    let sdp = parse(text);
    assert_eq!(sdp.origin.address, "192.0.2.1");
    assert_eq!(sdp.media[0].formats, vec!["0".to_owned()]);
}

#[test]
fn missing_session_name_and_time_are_tolerated() {
    // RFC 4475 mismatch02's body has neither s= nor t=.
    let sdp = parse(&crlf(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.1",
        "c=IN IP4 192.0.2.1",
        "m=audio 4000 RTP/AVP 0",
    ]));
    assert_eq!(sdp.session_name, "");
    assert_eq!((sdp.timings.len(), sdp.timings[0].start), (1, 0));
    assert!(sdp.to_string().contains("\r\ns= \r\n"));
    assert_round_trips(&sdp);
}

#[test]
fn blank_lines_are_skipped() {
    let sdp = parse("v=0\r\n\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n\r\n\r\n");
    assert!(sdp.media.is_empty());
}

#[test]
fn rfc4475_message_bodies_parse() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/sip/rfc4475"
    );
    let mut bodies = 0;
    for entry in std::fs::read_dir(dir).expect("RFC 4475 test data present") {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // The last body: dblreq holds two requests back to back.
        let Some(start) = bytes.windows(5).rposition(|w| w == b"\nv=0\r") else {
            continue;
        };
        let body = &bytes[start + 1..];
        let parsed = SessionDescription::parse(body);
        if path.ends_with("dblreq.dat") {
            // Its INVITE's body says `m =video`: not an SDP line.
            let e = parsed.expect_err("dblreq's SDP is malformed");
            assert_eq!((e.line, e.defect), (7, Defect::NotTypeValue));
        } else {
            let sdp = parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(sdp.origin.username, "mhandley", "{}", path.display());
            assert_round_trips(&sdp);
        }
        bodies += 1;
    }
    assert!(bodies >= 15, "only {bodies} SDP bodies found");
}

// ---- strictness: errors name the line and the defect ----

#[test]
fn errors_name_line_and_defect() {
    let cases: &[(&str, usize, Defect)] = &[
        ("", 1, Defect::Empty),
        ("\r\n\r\n", 1, Defect::Empty),
        ("hello world", 1, Defect::NotTypeValue),
        ("v=1\r\n", 1, Defect::NotVersionZero),
        (
            "o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n",
            1,
            Defect::NotVersionZero,
        ),
        ("v=0\r\n", 2, Defect::MissingOrigin),
        ("v=0\r\ns=-\r\n", 2, Defect::MissingOrigin),
        (
            "v=0\r\no=- 1 IN IP4 192.0.2.1\r\n",
            2,
            Defect::Malformed("o= (needs 6 fields)"),
        ),
        (
            "v=0\r\no=- 1 x IN IP4 192.0.2.1\r\n",
            2,
            Defect::Malformed("o= session version"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nx=1\r\n",
            4,
            Defect::UnknownType('x'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\ns=again\r\n",
            4,
            Defect::Repeated('s'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nv=0\r\n",
            3,
            Defect::Repeated('v'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4\r\n",
            3,
            Defect::Malformed("c= (needs 3 fields)"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4 a\r\nc=IN IP4 b\r\n",
            4,
            Defect::Repeated('c'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nb=AS\r\n",
            3,
            Defect::Malformed("b= (needs type:value)"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nb=AS:-5\r\n",
            3,
            Defect::Malformed("b= bandwidth value"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nt=0\r\n",
            3,
            Defect::Malformed("t= (needs start and stop)"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\na=\r\n",
            3,
            Defect::Malformed("a= attribute name"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\na=rtp map:0\r\n",
            3,
            Defect::Malformed("a= attribute name"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio\r\n",
            3,
            Defect::Malformed("m= (needs media, port and protocol)"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio x RTP/AVP 0\r\n",
            3,
            Defect::Malformed("m= port"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 70000 RTP/AVP 0\r\n",
            3,
            Defect::Malformed("m= port"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000/x RTP/AVP 0\r\n",
            3,
            Defect::Malformed("m= port count"),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\nt=0 0\r\n",
            4,
            Defect::Misplaced('t'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 0\r\ni=a\r\ni=b\r\n",
            5,
            Defect::Repeated('i'),
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=a\x00b\r\n",
            3,
            Defect::ControlCharacter,
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=a\rb\r\n",
            3,
            Defect::ControlCharacter,
        ),
        ("v=0\r\no=- 1 1 IN IP4 h\r\n=x\r\n", 3, Defect::NotTypeValue),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\n a=x\r\n",
            3,
            Defect::NotTypeValue,
        ),
    ];
    for (text, line, defect) in cases {
        let e = error(text);
        assert_eq!((e.line, &e.defect), (*line, defect), "{text:?}");
    }
}

#[test]
fn invalid_utf8_is_an_error_on_its_line() {
    let e = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 h\r\ns=\xff\xfe\r\n").unwrap_err();
    assert_eq!(
        e,
        ParseError {
            line: 3,
            defect: Defect::NotUtf8
        }
    );
}

#[test]
fn error_message_names_line_and_defect() {
    let e = error("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio x RTP/AVP 0\r\n");
    assert_eq!(e.to_string(), "SDP line 3: malformed m= port");
}
