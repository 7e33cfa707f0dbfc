//! Transaction and dialog speed, per whole transaction as the B2BUA runs them:
//! - `server_invite_transaction`: parse an INVITE, new server transaction (100 Trying sent at
//!   once), 180 and 200 through the dialog set (dialog created, 200 retransmission armed),
//!   each serialized; the ACK parsed and given to the dialog; time runs to timer L and the
//!   transaction ends; the dialog is dropped (as a BYE would).
//! - `server_invite_transaction_layer_only`: the same without the dialog set.
//! - `client_non_invite_transaction`: send a BYE, parse its 200, run to timer K.
//! - `dialog_create_and_bye`: the UAC side of a call: INVITE, 180, 200 (dialog confirmed, ACK
//!   built and sent), BYE in the dialog, its 200 (dialog ended), timers to the end.
//!
//! `cargo bench -p sip --bench transaction -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use sip::dialog::{DialogConfig, DialogUpdate, Dialogs};
use sip::header::{NameAddr, Transport, Via};
use sip::transaction::{Config, Peer, TransactionLayer, TxEvent};
use sip::{Host, Message, Method, RequestBuilder, Response, StatusCode};

#[path = "support/samples.rs"]
mod samples;
use samples::INVITE;

const ACK: &[u8] = b"ACK sip:+33140000000@127.0.0.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhdt;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:+33140000000@127.0.0.1>;tag=b2bua-7f3a\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 ACK\r\n\
Content-Length: 0\r\n\
\r\n";

const SDP_ANSWER: &[u8] = b"v=0\r\no=plateau 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
t=0 0\r\nm=audio 20000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";

const TAG: &str = "b2bua-7f3a";

#[allow(clippy::disallowed_methods)] // the origin of the simulated clock
fn origin() -> Instant {
    Instant::now()
}

fn drain(layer: &mut TransactionLayer) -> usize {
    let mut bytes = 0;
    while let Some(t) = layer.poll_transmit() {
        bytes += t.bytes.len();
    }
    bytes
}

fn answer(request: &sip::Request, status: StatusCode) -> Response {
    let mut r = Response::for_request(request, status, Some(TAG));
    r.headers
        .push(sip::HeaderName::Contact, "<sip:b2bua@127.0.0.1:5060>");
    if status.is_success() {
        r.set_body("application/sdp", Bytes::from_static(SDP_ANSWER));
    }
    r
}

fn server_invite(c: &mut Criterion) {
    let caller = Peer::udp(([127, 0, 0, 1], 5070).into());
    let invite = Bytes::from_static(INVITE);
    let ack = Bytes::from_static(ACK);
    let mut now = origin();
    let mut layer = TransactionLayer::new(Config::default(), 1);
    let mut dialogs = Dialogs::new(DialogConfig::default());
    c.bench_function("server_invite_transaction", |b| {
        b.iter(|| {
            let msg = Message::parse(black_box(invite.clone())).expect("INVITE parses");
            layer.handle_received(now, msg, caller.clone());
            let Some(TxEvent::Request { key, request, .. }) = layer.poll_event() else {
                panic!("no new request");
            };
            dialogs
                .respond(
                    now,
                    &mut layer,
                    key,
                    &request,
                    answer(&request, StatusCode::RINGING),
                )
                .expect("180");
            let dialog = dialogs
                .respond(
                    now,
                    &mut layer,
                    key,
                    &request,
                    answer(&request, StatusCode::OK),
                )
                .expect("200")
                .expect("dialog");
            let sent = drain(&mut layer);
            let msg = Message::parse(black_box(ack.clone())).expect("ACK parses");
            layer.handle_received(now, msg, caller.clone());
            while let Some(event) = layer.poll_event() {
                let update = dialogs.handle_tx_event(now, &mut layer, &event);
                assert_eq!(update, DialogUpdate::Ack(dialog));
            }
            now += Duration::from_secs(33);
            layer.handle_timeout(now);
            dialogs.handle_timeout(now, &mut layer);
            while layer.poll_event().is_some() {}
            dialogs.remove(dialog);
            assert_eq!(layer.server_count(), 0);
            sent
        })
    });

    let mut layer = TransactionLayer::new(Config::default(), 1);
    c.bench_function("server_invite_transaction_layer_only", |b| {
        b.iter(|| {
            let msg = Message::parse(black_box(invite.clone())).expect("INVITE parses");
            layer.handle_received(now, msg, caller.clone());
            let Some(TxEvent::Request { key, request, .. }) = layer.poll_event() else {
                panic!("no new request");
            };
            for status in [StatusCode::RINGING, StatusCode::OK] {
                layer
                    .send_response(now, key, answer(&request, status))
                    .expect("sent");
            }
            let sent = drain(&mut layer);
            let msg = Message::parse(black_box(ack.clone())).expect("ACK parses");
            layer.handle_received(now, msg, caller.clone());
            while layer.poll_event().is_some() {}
            now += Duration::from_secs(33);
            layer.handle_timeout(now);
            while layer.poll_event().is_some() {}
            assert_eq!(layer.server_count(), 0);
            sent
        })
    });
}

fn local_via(layer: &mut TransactionLayer) -> Via {
    let host = Host::parse("127.0.0.1").expect("host");
    let mut via = Via::new(Transport::Udp, host, Some(5060), &layer.new_branch());
    via.params.set("rport", None);
    via
}

fn client_non_invite(c: &mut Criterion) {
    let phone = Peer::udp(([127, 0, 0, 1], 5080).into());
    let mut now = origin();
    let mut layer = TransactionLayer::new(Config::default(), 2);
    let via = local_via(&mut layer);
    let mut from = NameAddr::parse("<sip:queue@127.0.0.1>").expect("from");
    from.set_tag("q1");
    let mut to = NameAddr::parse("<sip:agent7@127.0.0.1>").expect("to");
    to.set_tag("a7");
    let bye = RequestBuilder::new(
        Method::Bye,
        "sip:agent7@127.0.0.1:5080".parse().expect("uri"),
    )
    .via(via)
    .from(from)
    .to(to)
    .call_id("f81d4fae@127.0.0.1")
    .cseq(2)
    .build();
    let ok = Response::for_request(&bye, StatusCode::OK, None).to_bytes();
    c.bench_function("client_non_invite_transaction", |b| {
        b.iter(|| {
            let key = layer
                .send_request(now, black_box(bye.clone()), phone.clone())
                .expect("sent");
            let sent = drain(&mut layer);
            let msg = Message::parse(ok.clone()).expect("200 parses");
            layer.handle_received(now, msg, phone.clone());
            let Some(TxEvent::Response { key: k, .. }) = layer.poll_event() else {
                panic!("no response");
            };
            assert_eq!(k, key);
            now += Duration::from_secs(5);
            layer.handle_timeout(now);
            while layer.poll_event().is_some() {}
            assert_eq!(layer.client_count(), 0);
            sent
        })
    });
}

fn dialog_create_and_bye(c: &mut Criterion) {
    let phone = Peer::udp(([127, 0, 0, 1], 5080).into());
    let mut now = origin();
    let mut layer = TransactionLayer::new(Config::default(), 3);
    let mut dialogs = Dialogs::new(DialogConfig::default());
    let via = local_via(&mut layer);
    let mut from = NameAddr::parse("<sip:+33100000000@127.0.0.1>").expect("from");
    from.set_tag("q1");
    let invite = RequestBuilder::new(
        Method::Invite,
        "sip:agent7@127.0.0.1:5080".parse().expect("uri"),
    )
    .via(via)
    .from(from)
    .to(NameAddr::parse("<sip:agent7@127.0.0.1>").expect("to"))
    .call_id("f81d4fae@127.0.0.1")
    .cseq(1)
    .contact(NameAddr::parse("<sip:b2bua@127.0.0.1:5060>").expect("contact"))
    .body("application/sdp", Bytes::from_static(SDP_ANSWER))
    .build();
    let ringing = answer(&invite, StatusCode::RINGING).to_bytes();
    let ok = answer(&invite, StatusCode::OK).to_bytes();
    c.bench_function("dialog_create_and_bye", |b| {
        b.iter(|| {
            dialogs
                .send_invite(now, &mut layer, black_box(invite.clone()), phone.clone())
                .expect("sent");
            for bytes in [&ringing, &ok] {
                let msg = Message::parse(bytes.clone()).expect("response parses");
                layer.handle_received(now, msg, phone.clone());
            }
            let mut dialog = None;
            while let Some(event) = layer.poll_event() {
                if let DialogUpdate::Confirmed(dk) =
                    dialogs.handle_tx_event(now, &mut layer, &event)
                {
                    dialog = Some(dk);
                }
            }
            let dialog = dialog.expect("confirmed");
            let via = local_via(&mut layer);
            let bye = dialogs
                .request(dialog, Method::Bye, via)
                .expect("dialog")
                .build();
            dialogs
                .send(now, &mut layer, dialog, bye)
                .expect("BYE sent");
            let mut bye_sent = None;
            while let Some(t) = layer.poll_transmit() {
                bye_sent = Some(t.bytes);
            }
            let Ok(Message::Request(bye)) = Message::parse(bye_sent.expect("sent")) else {
                panic!("BYE");
            };
            let bye_ok = Response::for_request(&bye, StatusCode::OK, None).to_bytes();
            layer.handle_received(now, Message::parse(bye_ok).expect("200"), phone.clone());
            while let Some(event) = layer.poll_event() {
                dialogs.handle_tx_event(now, &mut layer, &event);
            }
            now += Duration::from_secs(33);
            layer.handle_timeout(now);
            while let Some(event) = layer.poll_event() {
                dialogs.handle_tx_event(now, &mut layer, &event);
            }
            assert!(dialogs.is_empty());
            assert_eq!(layer.client_count(), 0);
        })
    });
}

criterion_group!(
    benches,
    server_invite,
    client_non_invite,
    dialog_create_and_bye
);
criterion_main!(benches);
