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

#[path = "support/samples.rs"]
mod samples;
use samples::INVITE;

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
        248,
        "the sample's body matches its Content-Length"
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
