//! Message layer speed: parse a typical INVITE with SDP (12 headers, ~250 bytes of SDP),
//! serialize it, parse a REGISTER, and inspect the INVITE and the REGISTER as a UAS would on
//! receipt.
//!
//! `cargo bench -p sip --bench message -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use sip::Message;
use sip::validate::{Policy, inspect};

const INVITE: &[u8] = b"INVITE sip:+33140000000@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:+33140000000@pbx.example.com>\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n\
Supported: replaces, timer\r\n\
User-Agent: Yealink SIP-T46U 108.86.0.20\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 250\r\n\
\r\n\
v=0\r\n\
o=- 1730389718 2087642251 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 10140 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=maxptime:150\r\n\
a=sendrecv\r\n";

const REGISTER: &[u8] = b"REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.33:5060;branch=z9hG4bKnashds7;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:agent42@pbx.example.com>\r\n\
From: <sip:agent42@pbx.example.com>;tag=456248\r\n\
Call-ID: 843817637684230@998sdasdh09\r\n\
CSeq: 1826 REGISTER\r\n\
Contact: <sip:agent42@192.0.2.33:5060>;expires=3600\r\n\
Expires: 3600\r\n\
User-Agent: Linphone/5.2\r\n\
Content-Length: 0\r\n\
\r\n";

fn message(c: &mut Criterion) {
    assert_eq!(
        INVITE.len()
            - INVITE
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or(0)
            - 4,
        250
    );
    let invite = Bytes::from_static(INVITE);
    let register = Bytes::from_static(REGISTER);
    c.bench_function("parse_invite_with_sdp", |b| {
        b.iter(|| Message::parse(black_box(invite.clone())))
    });
    let parsed = Message::parse(invite.clone()).expect("benchmark INVITE parses");
    c.bench_function("serialize_invite_with_sdp", |b| {
        b.iter(|| black_box(&parsed).to_bytes())
    });
    c.bench_function("parse_register", |b| {
        b.iter(|| Message::parse(black_box(register.clone())))
    });
    let policy = Policy::default();
    c.bench_function("inspect_invite_with_sdp", |b| {
        b.iter(|| inspect(black_box(invite.clone()), &policy))
    });
    c.bench_function("inspect_register", |b| {
        b.iter(|| inspect(black_box(register.clone()), &policy))
    });
    c.bench_function("top_via_branch_and_cseq", |b| {
        b.iter(|| {
            let h = black_box(&parsed).headers();
            (
                h.top_via().ok().map(|v| v.branch().map(str::len)),
                h.cseq().ok(),
            )
        })
    });
}

criterion_group!(benches, message);
criterion_main!(benches);
