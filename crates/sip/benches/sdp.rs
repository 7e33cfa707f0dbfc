//! SDP benchmarks: parse a typical phone offer, and answer it.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, criterion_group, criterion_main};
use sip::sdp::{Codec, LocalMedia, LocalSession, SessionDescription};

/// The shape of a desk phone's offer: G.711 both laws, G.729, telephone-event, ptime.
const OFFER: &[u8] = b"v=0\r\n\
o=- 1730389718 2087642251 IN IP4 192.168.1.20\r\n\
s=-\r\n\
c=IN IP4 192.168.1.20\r\n\
t=0 0\r\n\
m=audio 10140 RTP/AVP 0 8 18 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

fn sdp(c: &mut Criterion) {
    let local = LocalMedia::new(
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)),
        30000,
        vec![Codec::PCMA, Codec::PCMU],
    );
    c.bench_function("sdp_parse_offer", |b| {
        b.iter(|| SessionDescription::parse(black_box(OFFER)))
    });
    let offer = SessionDescription::parse(OFFER).expect("benchmark offer parses");
    c.bench_function("sdp_answer_offer", |b| {
        b.iter(|| LocalSession::new(1).answer(black_box(&offer), &local))
    });
    c.bench_function("sdp_parse_answer_and_print", |b| {
        b.iter(|| {
            let offer = SessionDescription::parse(black_box(OFFER)).ok()?;
            let (answer, _) = LocalSession::new(1).answer(&offer, &local).ok()?;
            Some(answer.to_bytes())
        })
    });
}

criterion_group!(benches, sdp);
criterion_main!(benches);
