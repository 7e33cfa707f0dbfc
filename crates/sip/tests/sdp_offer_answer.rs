//! Offer/answer (RFC 3264) for the audio of a contact center.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use sip::sdp::{
    Codec, CodecPreference, Direction, LocalMedia, LocalSession, Negotiated, NegotiationError,
    SessionDescription,
};

const OUR_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));

fn sdp(lines: &[&str]) -> SessionDescription {
    let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    SessionDescription::parse(text.as_bytes()).expect("test SDP parses")
}

/// A caller's offer from 192.0.2.10:40000 with the given `m=` formats and extra lines.
fn offer(formats: &str, extra: &[&str]) -> SessionDescription {
    let m = format!("m=audio 40000 RTP/AVP {formats}");
    let mut lines = vec![
        "v=0",
        "o=caller 100 100 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        m.as_str(),
    ];
    lines.extend_from_slice(extra);
    sdp(&lines)
}

fn ours() -> LocalMedia {
    LocalMedia::new(OUR_IP, 30000, vec![Codec::PCMU, Codec::PCMA])
}

fn answer(offer: &SessionDescription, local: &LocalMedia) -> (SessionDescription, Negotiated) {
    LocalSession::new(9000)
        .answer(offer, local)
        .expect("offer is acceptable")
}

#[test]
fn pcma_only_caller_gets_pcma() {
    let (answer, n) = answer(&offer("8", &[]), &ours());
    assert_eq!((n.codec, n.payload_type), (Codec::PCMA, 8));
    assert_eq!(answer.media[0].formats, vec!["8".to_owned()]);
    assert_eq!(n.remote.to_string(), "192.0.2.10:40000");
}

#[test]
fn caller_preference_decides_by_default() {
    let (answer, n) = answer(&offer("8 0", &[]), &ours());
    assert_eq!(n.codec, Codec::PCMA);
    assert_eq!(answer.media[0].formats, vec!["8".to_owned()]);
}

#[test]
fn our_preference_decides_when_configured() {
    let local = LocalMedia {
        preference: CodecPreference::Ours,
        ..ours()
    };
    let (_, n) = answer(&offer("8 0", &[]), &local);
    assert_eq!((n.codec, n.payload_type), (Codec::PCMU, 0));
}

#[test]
fn telephone_event_is_answered_with_the_offered_payload_type_101() {
    let o = offer(
        "0 101",
        &["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"],
    );
    let (answer, n) = answer(&o, &ours());
    assert_eq!(n.telephone_event, Some(101));
    let text = answer.to_string();
    assert!(text.contains("m=audio 30000 RTP/AVP 0 101\r\n"), "{text}");
    assert!(text.contains("a=rtpmap:101 telephone-event/8000\r\n"));
    assert!(text.contains("a=fmtp:101 0-16\r\n"));
}

#[test]
fn telephone_event_is_answered_with_the_offered_payload_type_96() {
    let o = offer("8 96", &["a=rtpmap:96 telephone-event/8000"]);
    let (answer, n) = answer(&o, &ours());
    assert_eq!(n.telephone_event, Some(96));
    assert_eq!(
        answer.media[0].formats,
        vec!["8".to_owned(), "96".to_owned()]
    );
}

#[test]
fn telephone_event_at_another_clock_rate_is_not_used() {
    let o = offer(
        "0 98 101",
        &[
            "a=rtpmap:98 telephone-event/48000",
            "a=rtpmap:101 telephone-event/8000",
        ],
    );
    let (_, n) = answer(&o, &ours());
    assert_eq!(n.telephone_event, Some(101));
}

#[test]
fn telephone_event_not_offered_is_not_answered() {
    let (answer, n) = answer(&offer("0", &[]), &ours());
    assert_eq!(n.telephone_event, None);
    assert!(!answer.to_string().contains("telephone-event"));
}

#[test]
fn telephone_event_is_declined_when_we_do_not_want_it() {
    let local = LocalMedia {
        telephone_event: None,
        ..ours()
    };
    let (answer, n) = answer(
        &offer("0 101", &["a=rtpmap:101 telephone-event/8000"]),
        &local,
    );
    assert_eq!(n.telephone_event, None);
    assert_eq!(answer.media[0].formats, vec!["0".to_owned()]);
}

#[test]
fn no_common_codec_is_an_error_for_488() {
    let o = offer("18 3", &["a=rtpmap:18 G729/8000"]);
    let e = LocalSession::new(1).answer(&o, &ours()).unwrap_err();
    assert_eq!(
        e,
        NegotiationError::NoCommonCodec {
            offered: "G729/8000 3".into()
        }
    );
    assert_eq!(e.warning_code(), 305);
}

#[test]
fn dynamic_payload_type_is_recognised_by_its_rtpmap() {
    let (_, n) = answer(&offer("97", &["a=rtpmap:97 pcma/8000"]), &ours());
    assert_eq!((n.codec, n.payload_type), (Codec::PCMA, 97));
}

#[test]
fn answer_keeps_every_m_line_in_order_and_rejects_the_others() {
    // RFC 4475 sdp01's body: audio PCMU/12 and a video stream.
    let o = sdp(&[
        "v=0",
        "o=mhandley 29739 7272939 IN IP4 192.0.2.5",
        "s=-",
        "c=IN IP4 192.0.2.5",
        "t=0 0",
        "m=audio 49217 RTP/AVP 0 12",
        "m=video 3227 RTP/AVP 31",
        "a=rtpmap:31 LPC",
    ]);
    let (answer, n) = answer(&o, &ours());
    assert_eq!(answer.media.len(), 2);
    assert_eq!(
        (answer.media[0].kind.as_str(), answer.media[0].port),
        ("audio", 30000)
    );
    assert_eq!(
        (answer.media[1].kind.as_str(), answer.media[1].port),
        ("video", 0)
    );
    assert_eq!(answer.media[1].formats, vec!["31".to_owned()]);
    assert_eq!((n.stream, n.codec), (0, Codec::PCMU));
}

#[test]
fn only_the_first_usable_audio_stream_is_accepted() {
    let o = sdp(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "m=audio 0 RTP/AVP 0",
        "m=audio 41000 RTP/SAVP 0",
        "m=audio 42000 RTP/AVP 8",
        "m=audio 43000 RTP/AVP 0",
    ]);
    let (answer, n) = answer(&o, &ours());
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, vec![0, 0, 30000, 0]);
    assert_eq!((n.stream, n.remote.port()), (2, 42000));
}

#[test]
fn secure_only_offer_has_no_acceptable_audio() {
    let o = sdp(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    ]);
    let e = LocalSession::new(1).answer(&o, &ours()).unwrap_err();
    assert_eq!(e, NegotiationError::NoAudioStream);
    assert_eq!(e.warning_code(), 304);
}

#[test]
fn offer_without_connection_address_is_an_error() {
    let o = sdp(&[
        "v=0",
        "o=- 1 1 IN IP4 192.0.2.10",
        "s=-",
        "t=0 0",
        "m=audio 4000 RTP/AVP 0",
    ]);
    assert_eq!(
        LocalSession::new(1).answer(&o, &ours()),
        Err(NegotiationError::MissingConnection { stream: 0 })
    );
}

#[test]
fn host_name_connection_address_is_an_error() {
    let o = sdp(&[
        "v=0",
        "o=- 1 1 IN IP4 pbx.example.com",
        "s=-",
        "c=IN IP4 pbx.example.com",
        "t=0 0",
        "m=audio 4000 RTP/AVP 0",
    ]);
    assert_eq!(
        LocalSession::new(1).answer(&o, &ours()),
        Err(NegotiationError::UnusableAddress("pbx.example.com".into()))
    );
}

#[test]
fn broken_sdp_converts_to_a_negotiation_error() {
    fn parse_offer(body: &[u8]) -> Result<SessionDescription, NegotiationError> {
        Ok(SessionDescription::parse(body)?)
    }
    let e = parse_offer(b"v=0\r\no=broken\r\n").unwrap_err();
    assert!(
        matches!(e, NegotiationError::Parse(ref p) if p.line == 2),
        "{e}"
    );
    assert_eq!(e.warning_code(), 399);
}

#[test]
fn sendonly_offer_is_answered_recvonly() {
    let (answer, n) = answer(&offer("0", &["a=sendonly"]), &ours());
    assert_eq!(
        answer.media_views().next().unwrap().direction(),
        Direction::RecvOnly
    );
    assert_eq!(n.direction, Direction::RecvOnly);
}

#[test]
fn inactive_offer_is_answered_inactive() {
    let (answer, n) = answer(&offer("0", &["a=inactive"]), &ours());
    assert_eq!(
        answer.media_views().next().unwrap().direction(),
        Direction::Inactive
    );
    assert_eq!(n.direction, Direction::Inactive);
}

#[test]
fn recvonly_offer_is_answered_sendonly() {
    let (_, n) = answer(&offer("0", &["a=recvonly"]), &ours());
    assert_eq!(n.direction, Direction::SendOnly);
}

#[test]
fn rfc2543_hold_offer_stops_our_sending() {
    let o = sdp(&[
        "v=0",
        "o=- 1 2 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "m=audio 40000 RTP/AVP 0",
    ]);
    assert!(o.media_views().next().unwrap().is_hold());
    let (_, n) = answer(&o, &ours());
    assert!(!n.direction.sends());
    assert!(n.remote.ip().is_unspecified());
}

#[test]
fn remote_hold_reoffer_bumps_our_answer_version() {
    let mut session = LocalSession::new(500);
    let (first, _) = session.answer(&offer("0", &[]), &ours()).unwrap();
    assert_eq!(first.origin.session_version, 500);
    let (held, n) = session
        .answer(&offer("0", &["a=sendonly"]), &ours())
        .unwrap();
    assert_eq!(held.origin.session_version, 501);
    assert_eq!(n.direction, Direction::RecvOnly);
    let (resumed, n) = session
        .answer(&offer("0", &["a=sendrecv"]), &ours())
        .unwrap();
    assert_eq!(resumed.origin.session_version, 502);
    assert_eq!(n.direction, Direction::SendRecv);
}

#[test]
fn unchanged_reoffer_keeps_our_version() {
    let mut session = LocalSession::new(500);
    let (first, _) = session.answer(&offer("0", &[]), &ours()).unwrap();
    let (again, _) = session.answer(&offer("0", &[]), &ours()).unwrap();
    assert_eq!(again, first);
}

#[test]
fn our_hold_is_a_sendonly_reoffer_with_a_higher_version() {
    let mut session = LocalSession::new(7);
    let mut local = ours();
    let initial = session.offer(&local);
    local.direction = local.direction.held();
    let hold = session.offer(&local);
    assert_eq!(
        hold.origin.session_version,
        initial.origin.session_version + 1
    );
    assert_eq!(hold.origin.session_id, initial.origin.session_id);
    assert_eq!(
        hold.media_views().next().unwrap().direction(),
        Direction::SendOnly
    );
    let reply = sdp(&[
        "v=0",
        "o=callee 3 4 IN IP4 192.0.2.20",
        "s=-",
        "c=IN IP4 192.0.2.20",
        "t=0 0",
        "m=audio 50000 RTP/AVP 0",
        "a=recvonly",
    ]);
    let n = session.accept_answer(&reply, &local).unwrap();
    assert_eq!(n.direction, Direction::SendOnly);
    local.direction = local.direction.resumed();
    let resume = session.offer(&local);
    assert_eq!(
        resume.origin.session_version,
        initial.origin.session_version + 2
    );
    assert_eq!(
        resume.media_views().next().unwrap().direction(),
        Direction::SendRecv
    );
}

#[test]
fn offer_lists_codecs_in_our_order_with_telephone_event_and_ptime() {
    let local = LocalMedia::new(OUR_IP, 30000, vec![Codec::PCMA, Codec::PCMU]);
    let offer = LocalSession::new(42).offer(&local);
    let expected = "v=0\r\n\
                    o=- 42 42 IN IP4 198.51.100.7\r\n\
                    s=-\r\n\
                    c=IN IP4 198.51.100.7\r\n\
                    t=0 0\r\n\
                    m=audio 30000 RTP/AVP 8 0 101\r\n\
                    a=rtpmap:8 PCMA/8000\r\n\
                    a=rtpmap:0 PCMU/8000\r\n\
                    a=rtpmap:101 telephone-event/8000\r\n\
                    a=fmtp:101 0-16\r\n\
                    a=ptime:20\r\n\
                    a=sendrecv\r\n";
    assert_eq!(offer.to_string(), expected);
}

#[test]
fn answer_to_our_offer_gives_the_remote_rtp_address_and_codec() {
    let mut session = LocalSession::new(42);
    let local = ours();
    session.offer(&local);
    let reply = sdp(&[
        "v=0",
        "o=trunk 1 1 IN IP4 203.0.113.5",
        "s=-",
        "c=IN IP4 203.0.113.5",
        "t=0 0",
        "m=audio 16000 RTP/AVP 8 101",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=ptime:30",
    ]);
    let n = session.accept_answer(&reply, &local).unwrap();
    assert_eq!(n.remote.to_string(), "203.0.113.5:16000");
    assert_eq!(
        (n.codec, n.payload_type, n.telephone_event),
        (Codec::PCMA, 8, Some(101))
    );
    assert_eq!((n.ptime, n.direction), (30, Direction::SendRecv));
}

#[test]
fn answer_rejecting_our_audio_is_an_error() {
    let mut session = LocalSession::new(42);
    session.offer(&ours());
    let reply = sdp(&[
        "v=0",
        "o=x 1 1 IN IP4 203.0.113.5",
        "s=-",
        "t=0 0",
        "m=audio 0 RTP/AVP 0",
    ]);
    assert_eq!(
        session.accept_answer(&reply, &ours()),
        Err(NegotiationError::Rejected)
    );
}

#[test]
fn answer_with_another_number_of_streams_is_an_error() {
    let mut session = LocalSession::new(42);
    session.offer(&ours());
    let reply = sdp(&["v=0", "o=x 1 1 IN IP4 203.0.113.5", "s=-", "t=0 0"]);
    assert_eq!(
        session.accept_answer(&reply, &ours()),
        Err(NegotiationError::MediaCountMismatch {
            offer: 1,
            answer: 0
        })
    );
}

#[test]
fn answer_without_an_offer_is_an_error() {
    let reply = offer("0", &[]);
    assert_eq!(
        LocalSession::new(1).accept_answer(&reply, &ours()),
        Err(NegotiationError::NoOfferPending)
    );
}

#[test]
fn rtcp_mux_is_accepted_when_both_support_it() {
    let local = LocalMedia {
        rtcp_mux: true,
        ..ours()
    };
    let (answer, n) = answer(&offer("0", &["a=rtcp-mux"]), &local);
    assert!(n.rtcp_mux);
    assert!(answer.media_views().next().unwrap().rtcp_mux());
}

#[test]
fn rtcp_mux_is_declined_when_we_do_not_support_it() {
    let (answer, n) = answer(&offer("0", &["a=rtcp-mux"]), &ours());
    assert!(!n.rtcp_mux);
    assert!(!answer.media_views().next().unwrap().rtcp_mux());
}

#[test]
fn ipv6_offer_is_answered_from_our_ipv6_address() {
    let o = sdp(&[
        "v=0",
        "o=- 1 1 IN IP6 2001:db8::10",
        "s=-",
        "c=IN IP6 2001:db8::10",
        "t=0 0",
        "m=audio 5004 RTP/AVP 8",
    ]);
    let local = LocalMedia::new(
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20)),
        30000,
        vec![Codec::PCMA],
    );
    let (answer, n) = answer(&o, &local);
    assert_eq!(n.remote.to_string(), "[2001:db8::10]:5004");
    assert!(answer.to_string().contains("c=IN IP6 2001:db8::20\r\n"));
    assert!(
        answer
            .to_string()
            .contains("o=- 9000 9000 IN IP6 2001:db8::20\r\n")
    );
}

#[test]
fn remote_ptime_is_what_we_send_within_its_maxptime() {
    let (_, n) = answer(&offer("0", &["a=ptime:30"]), &ours());
    assert_eq!(n.ptime, 30);
    let (_, n) = answer(&offer("0", &["a=maxptime:10"]), &ours());
    assert_eq!(n.ptime, 10);
    let (_, n) = answer(&offer("0", &[]), &ours());
    assert_eq!(n.ptime, 20);
}

#[test]
fn our_answer_parses_back_equal() {
    let o = offer(
        "0 8 101",
        &[
            "a=rtpmap:101 telephone-event/8000",
            "a=rtcp-mux",
            "a=sendonly",
        ],
    );
    let (answer, _) = answer(&o, &ours());
    assert_eq!(SessionDescription::parse(&answer.to_bytes()), Ok(answer));
}
