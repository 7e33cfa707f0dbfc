//! The non-INVITE server transaction (RFC 3261 §17.2.2), driven through the layer.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::header::Transport;
use sip::transaction::{
    Config, Received, ServerKey, TransactionLayer, TxError, TxEvent, TxKey, TxState,
};
use sip::{Method, Request};
use transaction_support::*;

fn received(transport: Transport) -> (TransactionLayer, Request, ServerKey) {
    let mut client = TransactionLayer::new(Config::default(), 98);
    let udp = transport == Transport::Udp;
    let req = request(&mut client, Method::Bye, transport);
    let source = if udp { uac_udp() } else { uac_tcp() };
    let mut layer = TransactionLayer::new(Config::default(), 31);
    layer.handle_received(t0(), msg(req.clone()), source);
    let (key, _) = new_request(&events(&mut layer));
    (layer, req, key)
}

#[test]
fn a_retransmission_before_any_response_is_absorbed_silently() {
    let (mut layer, req, key) = received(Transport::Udp);
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Trying));
    let outcome = layer.handle_received(t0() + ms(500), msg(req), uac_udp());
    assert_eq!(outcome, Received::Retransmission(key));
    assert!(transmits(&mut layer).is_empty());
    assert!(events(&mut layer).is_empty());
}

#[test]
fn a_retransmission_gets_the_provisional_again() {
    let (mut layer, req, key) = received(Transport::Udp);
    layer
        .send_response(t0(), key, response(&req, 100, None))
        .unwrap();
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Proceeding));
    transmits(&mut layer);
    layer.handle_received(t0() + ms(500), msg(req), uac_udp());
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent_response(&sent[0]).status.as_u16(), 100);
}

#[test]
fn a_retransmission_gets_the_final_response_again() {
    let (mut layer, req, key) = received(Transport::Udp);
    layer
        .send_response(t0(), key, response(&req, 200, Some("u")))
        .unwrap();
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Completed));
    let first = transmits(&mut layer);
    layer.handle_received(t0() + ms(500), msg(req), uac_udp());
    let again = transmits(&mut layer);
    assert_eq!(again.len(), 1);
    assert!(again[0].retransmission);
    assert_eq!(again[0].bytes, first[0].bytes);
}

#[test]
fn timer_j_keeps_completed_for_64_t1_over_udp() {
    let (mut layer, req, key) = received(Transport::Udp);
    let t = t0();
    layer
        .send_response(t, key, response(&req, 200, Some("u")))
        .unwrap();
    run_until(&mut layer, t + ms(31_999));
    assert_eq!(layer.server_count(), 1);
    run_until(&mut layer, t + secs(32));
    assert_eq!(layer.server_count(), 0);
}

#[test]
fn completed_ends_at_once_over_tcp() {
    let (mut layer, req, key) = received(Transport::Tcp);
    layer
        .send_response(t0(), key, response(&req, 200, Some("u")))
        .unwrap();
    assert_eq!(layer.server_count(), 0);
    assert!(events(&mut layer).contains(&TxEvent::Terminated {
        key: TxKey::Server(key)
    }));
}

#[test]
fn an_unanswered_request_ends_silently_after_64_t1() {
    let (mut layer, _, key) = received(Transport::Udp);
    let sent = run_until(&mut layer, t0() + secs(32));
    assert!(sent.is_empty(), "RFC 4320: no 408 to a non-INVITE");
    assert_eq!(
        events(&mut layer),
        [
            TxEvent::Timeout {
                key: TxKey::Server(key)
            },
            TxEvent::Terminated {
                key: TxKey::Server(key)
            }
        ]
    );
}

#[test]
fn a_response_after_the_final_one_is_refused() {
    let (mut layer, req, key) = received(Transport::Udp);
    layer
        .send_response(t0(), key, response(&req, 200, Some("u")))
        .unwrap();
    assert_eq!(
        layer.send_response(t0(), key, response(&req, 500, Some("u"))),
        Err(TxError::InvalidState)
    );
}

#[test]
fn a_response_to_a_forgotten_transaction_is_refused() {
    let (mut layer, req, key) = received(Transport::Tcp);
    layer
        .send_response(t0(), key, response(&req, 200, Some("u")))
        .unwrap();
    assert_eq!(
        layer.send_response(t0(), key, response(&req, 200, Some("u"))),
        Err(TxError::NoTransaction)
    );
}
