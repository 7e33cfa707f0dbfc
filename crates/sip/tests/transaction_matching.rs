//! Matching requests to server transactions (RFC 3261 §17.2.3): by branch, sent-by and
//! method; CANCEL against the INVITE it cancels; the RFC 2543 fallback (RFC 4475 §3.2.1's
//! badbranch.dat); and the bound on transactions.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use std::path::PathBuf;

use bytes::Bytes;
use sip::transaction::{Config, Received, TransactionLayer, Trying, TxEvent, TxKey};
use sip::{HeaderName, Message, Request, StatusCode};
use transaction_support::*;

fn rfc4475(name: &str) -> Bytes {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../../shared/testdata/sip/rfc4475",
        &format!("{name}.dat"),
    ]
    .iter()
    .collect();
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn badbranch() -> Request {
    match Message::parse(rfc4475("badbranch")).unwrap() {
        Message::Request(r) => r,
        other => panic!("{other:?}"),
    }
}

fn server() -> TransactionLayer {
    let config = Config {
        trying: Trying::Never,
        ..Config::default()
    };
    TransactionLayer::new(config, 41)
}

fn new_key(outcome: Received) -> sip::transaction::ServerKey {
    match outcome {
        Received::NewTransaction(key) => key,
        other => panic!("expected a new transaction, got {other:?}"),
    }
}

#[test]
fn badbranch_is_matched_the_rfc_2543_way() {
    let mut layer = server();
    let t = t0();
    let key = new_key(layer.handle_received(t, msg(badbranch()), uac_udp()));
    layer
        .send_response(t, key, response(&badbranch(), 200, Some("s1")))
        .unwrap();
    transmits(&mut layer);
    assert_eq!(
        layer.handle_received(t + ms(500), msg(badbranch()), uac_udp()),
        Received::Retransmission(key)
    );
    let again = transmits(&mut layer);
    assert_eq!(again.len(), 1, "the retransmission gets the 200 again");
    assert_eq!(sent_response(&again[0]).status, StatusCode::OK);
}

#[test]
fn requests_sharing_a_bare_magic_cookie_are_different_transactions() {
    let mut layer = server();
    let first = new_key(layer.handle_received(t0(), msg(badbranch()), uac_udp()));
    let mut other = badbranch();
    other.headers.set(HeaderName::CallId, "another-call");
    let second = new_key(layer.handle_received(t0(), msg(other), uac_udp()));
    assert_ne!(first, second);
    let mut next_cseq = badbranch();
    next_cseq.headers.set(HeaderName::CSeq, "9 OPTIONS");
    new_key(layer.handle_received(t0(), msg(next_cseq), uac_udp()));
    let mut other_from = badbranch();
    other_from
        .headers
        .set(HeaderName::From, "sip:caller@example.org;tag=99999");
    new_key(layer.handle_received(t0(), msg(other_from), uac_udp()));
    assert_eq!(layer.server_count(), 4);
}

/// An RFC 2543 INVITE: same shape as badbranch.dat, no magic cookie.
fn legacy_invite() -> Request {
    let text = String::from_utf8(rfc4475("badbranch").to_vec())
        .unwrap()
        .replace("OPTIONS", "INVITE")
        .replace("branch=z9hG4bK", "branch=1");
    match Message::parse_slice(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_rfc_2543_ack_carrying_the_response_tag_is_absorbed() {
    let mut layer = server();
    let req = legacy_invite();
    let key = new_key(layer.handle_received(t0(), msg(req.clone()), uac_udp()));
    let busy = response(&req, 486, Some("s1"));
    layer.send_response(t0(), key, busy.clone()).unwrap();
    let ack = req.ack_for(&busy).unwrap();
    assert_eq!(
        layer.handle_received(t0(), msg(ack), uac_udp()),
        Received::AckAbsorbed(key)
    );
}

#[test]
fn an_rfc_2543_ack_with_another_tag_goes_to_the_tu() {
    let mut layer = server();
    let req = legacy_invite();
    let key = new_key(layer.handle_received(t0(), msg(req.clone()), uac_udp()));
    layer
        .send_response(t0(), key, response(&req, 486, Some("s1")))
        .unwrap();
    let ack = req.ack_for(&response(&req, 486, Some("zz"))).unwrap();
    assert_eq!(
        layer.handle_received(t0(), msg(ack), uac_udp()),
        Received::Ack
    );
}

#[test]
fn a_different_sent_by_with_the_same_branch_is_a_new_transaction() {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let req = invite(&mut client);
    let mut elsewhere = req.clone();
    let via = req.headers.top_via().unwrap();
    elsewhere.headers.set(
        HeaderName::Via,
        format!(
            "SIP/2.0/UDP 127.0.0.2:5061;branch={}",
            via.branch().unwrap()
        ),
    );
    let mut layer = server();
    new_key(layer.handle_received(t0(), msg(req), uac_udp()));
    new_key(layer.handle_received(t0(), msg(elsewhere), uac_udp()));
}

fn ringing_invite() -> (TransactionLayer, Request, sip::transaction::ServerKey) {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let req = invite(&mut client);
    let mut layer = server();
    let key = new_key(layer.handle_received(t0(), msg(req.clone()), uac_udp()));
    layer
        .send_response(t0(), key, response(&req, 180, Some("ring")))
        .unwrap();
    events(&mut layer);
    transmits(&mut layer);
    (layer, req, key)
}

#[test]
fn a_cancel_is_answered_200_and_reported_against_its_invite() {
    let (mut layer, req, invite_key) = ringing_invite();
    let cancel = req.cancel().unwrap();
    let outcome = layer.handle_received(t0() + secs(1), msg(cancel.clone()), uac_udp());
    let Received::Cancel(cancel_key) = outcome else {
        panic!("{outcome:?}");
    };
    assert_ne!(cancel_key, invite_key);
    let sent = transmits(&mut layer);
    let ok = sent_response(&sent[0]);
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.headers.cseq().unwrap().method, sip::Method::Cancel);
    assert_eq!(
        ok.headers.to().unwrap().tag(),
        Some("ring"),
        "§9.2: the tag of the INVITE's response"
    );
    let evs = events(&mut layer);
    let [
        TxEvent::Cancelled {
            invite,
            cancel: got,
        },
    ] = &evs[..]
    else {
        panic!("{evs:?}");
    };
    assert_eq!(*invite, invite_key);
    assert_eq!(got.method, cancel.method);
    assert_eq!(got.headers.call_id(), cancel.headers.call_id());
}

#[test]
fn a_cancel_matching_nothing_gets_481() {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let req = invite(&mut client);
    let mut layer = server();
    layer.handle_received(t0(), msg(req.cancel().unwrap()), uac_udp());
    let sent = transmits(&mut layer);
    assert_eq!(
        sent_response(&sent[0]).status,
        StatusCode::CALL_DOES_NOT_EXIST
    );
    assert!(
        !events(&mut layer)
            .iter()
            .any(|e| matches!(e, TxEvent::Cancelled { .. } | TxEvent::Request { .. }))
    );
}

#[test]
fn a_cancel_after_the_final_response_gets_200_and_no_event() {
    let (mut layer, req, key) = ringing_invite();
    layer
        .send_response(t0(), key, response(&req, 200, Some("ring")))
        .unwrap();
    transmits(&mut layer);
    layer.handle_received(t0(), msg(req.cancel().unwrap()), uac_udp());
    assert_eq!(
        sent_response(&transmits(&mut layer)[0]).status,
        StatusCode::OK
    );
    assert!(
        !events(&mut layer)
            .iter()
            .any(|e| matches!(e, TxEvent::Cancelled { .. }))
    );
}

#[test]
fn a_retransmitted_cancel_gets_the_same_200() {
    let (mut layer, req, _) = ringing_invite();
    let cancel = req.cancel().unwrap();
    layer.handle_received(t0(), msg(cancel.clone()), uac_udp());
    let first = transmits(&mut layer);
    events(&mut layer);
    layer.handle_received(t0() + ms(500), msg(cancel), uac_udp());
    let again = transmits(&mut layer);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].bytes, first[0].bytes);
    assert!(events(&mut layer).is_empty(), "reported once");
}

fn capped(max: usize) -> TransactionLayer {
    let config = Config {
        max_server_transactions: max,
        trying: Trying::Never,
        ..Config::default()
    };
    TransactionLayer::new(config, 5)
}

#[test]
fn requests_beyond_the_cap_are_reported_overloaded() {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let mut layer = capped(2);
    for _ in 0..2 {
        new_key(layer.handle_received(t0(), msg(invite(&mut client)), uac_udp()));
    }
    events(&mut layer);
    let third = invite(&mut client);
    assert_eq!(
        layer.handle_received(t0(), msg(third.clone()), uac_udp()),
        Received::Overloaded
    );
    assert_eq!(layer.server_count(), 2);
    let evs = events(&mut layer);
    let [TxEvent::Overloaded { request, reply_to }] = &evs[..] else {
        panic!("{evs:?}");
    };
    assert_eq!(request.headers.call_id(), third.headers.call_id());
    assert_eq!(*reply_to, uac_udp());
    // The TU answers 503 statelessly.
    let mut busy = sip::Response::for_request(request, StatusCode::SERVICE_UNAVAILABLE, None);
    busy.headers.push(HeaderName::RetryAfter, "5");
    layer.send_stateless(&msg(busy), reply_to.clone());
    assert_eq!(transmits(&mut layer)[0].peer, uac_udp());
}

#[test]
fn acks_still_pass_when_the_layer_is_full() {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let mut layer = capped(1);
    new_key(layer.handle_received(t0(), msg(invite(&mut client)), uac_udp()));
    let other = invite(&mut client);
    let ack = other.ack_for(&response(&other, 200, Some("x"))).unwrap();
    assert_eq!(
        layer.handle_received(t0(), msg(ack), uac_udp()),
        Received::Ack
    );
}

#[test]
fn room_frees_up_when_transactions_end() {
    let mut client = TransactionLayer::new(Config::default(), 1);
    let mut layer = capped(1);
    let req = invite(&mut client);
    let key = new_key(layer.handle_received(t0(), msg(req.clone()), uac_udp()));
    layer
        .send_response(t0(), key, response(&req, 200, Some("x")))
        .unwrap();
    run_until(&mut layer, t0() + secs(32));
    assert!(events(&mut layer).contains(&TxEvent::Terminated {
        key: TxKey::Server(key)
    }));
    new_key(layer.handle_received(t0() + secs(32), msg(invite(&mut client)), uac_udp()));
}
