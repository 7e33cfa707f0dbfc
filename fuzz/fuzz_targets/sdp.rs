//! Fuzz the SDP parser: any bytes either fail to parse or parse into a description whose
//! printed form parses back to the same description; answering it never panics.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;
use sip::sdp::{Codec, LocalMedia, LocalSession, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let Ok(sdp) = SessionDescription::parse(data) else {
        return;
    };
    let printed = sdp.to_bytes();
    let reparsed = SessionDescription::parse(&printed).expect("printed SDP parses");
    assert_eq!(reparsed, sdp);

    let ours = LocalMedia::new(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        30000,
        vec![Codec::PCMU, Codec::PCMA],
    );
    if let Ok((answer, _)) = LocalSession::new(1).answer(&sdp, &ours) {
        assert_eq!(answer.media.len(), sdp.media.len());
    }
});
