//! Properties of the SDP parser, printer and answerer over generated input.

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use sip::sdp::{
    Attribute, Bandwidth, Codec, Connection, LocalMedia, LocalSession, MediaDescription, Origin,
    SessionDescription, Timing,
};

/// A field without spaces.
fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._:/+-]{1,10}"
}

/// Free text as a line value: printable, no leading or trailing whitespace.
fn text() -> impl Strategy<Value = String> {
    "([!-~\u{e9}]([ -~\t\u{e9}]{0,18}[!-~\u{e9}])?)?"
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,10}"
}

fn connection() -> impl Strategy<Value = Connection> {
    (word(), word(), word()).prop_map(|(net_type, addr_type, address)| Connection {
        net_type,
        addr_type,
        address,
    })
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    (token(), any::<u64>()).prop_map(|(kind, value)| Bandwidth { kind, value })
}

fn attribute() -> impl Strategy<Value = Attribute> {
    (token(), proptest::option::of(text())).prop_map(|(name, value)| Attribute { name, value })
}

fn timing() -> impl Strategy<Value = Timing> {
    (
        any::<u64>(),
        any::<u64>(),
        proptest::collection::vec(text(), 0..2),
    )
        .prop_map(|(start, stop, repeats)| Timing {
            start,
            stop,
            repeats,
        })
}

prop_compose! {
    fn media()(
        kind in "[a-z]{1,8}", port in any::<u16>(), port_count in proptest::option::of(any::<u16>()),
        protocol in "[A-Z]{1,4}(/[A-Z]{1,5}){0,2}", formats in proptest::collection::vec(word(), 0..4),
        information in proptest::option::of(text()),
        connections in proptest::collection::vec(connection(), 0..2),
        bandwidths in proptest::collection::vec(bandwidth(), 0..2),
        key in proptest::option::of(text()),
        attributes in proptest::collection::vec(attribute(), 0..5),
    ) -> MediaDescription {
        MediaDescription { kind, port, port_count, protocol, formats, information, connections, bandwidths, key, attributes }
    }
}

prop_compose! {
    fn origin()(
        username in word(), session_id in word(), session_version in any::<u64>(),
        net_type in word(), addr_type in word(), address in word(),
    ) -> Origin {
        Origin { username, session_id, session_version, net_type, addr_type, address }
    }
}

prop_compose! {
    fn description()(
        origin in origin(), session_name in text(), information in proptest::option::of(text()),
        uri in proptest::option::of(text()), emails in proptest::collection::vec(text(), 0..2),
        phones in proptest::collection::vec(text(), 0..2), connection in proptest::option::of(connection()),
        bandwidths in proptest::collection::vec(bandwidth(), 0..2),
        timings in proptest::collection::vec(timing(), 1..3), time_zones in proptest::option::of(text()),
        key in proptest::option::of(text()), attributes in proptest::collection::vec(attribute(), 0..4),
        media in proptest::collection::vec(media(), 0..4),
    ) -> SessionDescription {
        SessionDescription {
            origin, session_name, information, uri, emails, phones, connection, bandwidths,
            timings, time_zones, key, attributes, media,
        }
    }
}

/// Lines that look like SDP, some well-formed, some not.
fn sdp_like() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just("v=0".to_owned()),
        Just("o=- 1 2 IN IP4 192.0.2.1".to_owned()),
        Just("c=IN IP4 192.0.2.1".to_owned()),
        Just("c=IN IP4 0.0.0.0".to_owned()),
        Just("c=IN IP6 ::1".to_owned()),
        Just("m=audio 4000 RTP/AVP 0 8 101".to_owned()),
        Just("a=rtpmap:101 telephone-event/8000".to_owned()),
        Just("a=sendonly".to_owned()),
        "[a-z]=[ -~]{0,30}",
        "m=audio [0-9]{1,6} RTP/AVP[ 0-9a-z/]{0,20}",
        "a=(rtpmap|fmtp|ptime|maxptime):[ -~]{0,20}",
    ];
    (
        proptest::collection::vec(line, 0..14),
        prop_oneof![Just("\r\n"), Just("\n")],
    )
        .prop_map(|(lines, end)| lines.join(end).into_bytes())
}

fn ours() -> LocalMedia {
    LocalMedia::new(
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)),
        30000,
        vec![Codec::PCMU, Codec::PCMA],
    )
}

proptest! {
    #[test]
    fn printed_description_parses_back_equal(sdp in description()) {
        let printed = sdp.to_bytes();
        let reparsed = SessionDescription::parse(&printed);
        prop_assert_eq!(reparsed, Ok(sdp), "{}", String::from_utf8_lossy(&printed));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(sdp) = SessionDescription::parse(&bytes) {
            prop_assert_eq!(SessionDescription::parse(&sdp.to_bytes()), Ok(sdp));
        }
    }

    #[test]
    fn parsed_sdp_like_text_prints_back_to_itself(bytes in sdp_like()) {
        if let Ok(sdp) = SessionDescription::parse(&bytes) {
            prop_assert_eq!(SessionDescription::parse(&sdp.to_bytes()), Ok(sdp));
        }
    }

    #[test]
    fn answering_any_offer_never_panics_and_keeps_the_m_lines(bytes in sdp_like()) {
        if let Ok(offer) = SessionDescription::parse(&bytes) {
            let mut session = LocalSession::new(1);
            if let Ok((answer, negotiated)) = session.answer(&offer, &ours()) {
                prop_assert_eq!(answer.media.len(), offer.media.len());
                prop_assert!(negotiated.stream < offer.media.len());
                for view in offer.media_views() {
                    let expected_open = view.index() == negotiated.stream;
                    prop_assert_eq!(answer.media[view.index()].port != 0, expected_open);
                }
            }
        }
    }
}
