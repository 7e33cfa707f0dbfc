//! The non-INVITE client transaction (RFC 3261 §17.1.2), driven through the layer.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::header::Transport;
use sip::transaction::{Config, TransactionLayer, TxError, TxEvent, TxKey, TxState};
use sip::{HeaderName, Method};
use transaction_support::*;

fn layer() -> TransactionLayer {
    TransactionLayer::new(Config::default(), 12)
}

fn options(layer: &mut TransactionLayer) -> sip::Request {
    request(layer, Method::Options, Transport::Udp)
}

#[test]
fn timer_e_doubles_up_to_t2() {
    let mut layer = layer();
    let t = t0();
    let req = options(&mut layer);
    layer.send_request(t, req, uas_udp()).unwrap();
    transmits(&mut layer);
    let sent = run_until(&mut layer, t + ms(20_000));
    assert_eq!(gaps_ms(t, &sent), [500, 1000, 2000, 4000, 4000, 4000, 4000]);
}

#[test]
fn timer_f_fires_when_nobody_answers() {
    let mut layer = layer();
    let t = t0();
    let req = options(&mut layer);
    let key = layer.send_request(t, req, uas_udp()).unwrap();
    run_until(&mut layer, t + ms(31_999));
    assert!(events(&mut layer).is_empty());
    run_until(&mut layer, t + secs(32));
    assert_eq!(
        events(&mut layer),
        [
            TxEvent::Timeout {
                key: TxKey::Client(key)
            },
            TxEvent::Terminated {
                key: TxKey::Client(key)
            }
        ]
    );
}

#[test]
fn a_provisional_response_makes_retransmissions_every_t2() {
    let mut layer = layer();
    let t = t0();
    let req = options(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    layer.handle_received(t + ms(100), msg(response(&req, 100, None)), uas_udp());
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Proceeding));
    let sent = run_until(&mut layer, t + ms(9_000));
    // E was armed for 0.5 s before the 100; from then on it runs at T2.
    assert_eq!(gaps_ms(t, &sent), [500, 4000, 4000]);
}

#[test]
fn the_final_response_reaches_the_tu_and_retransmissions_of_it_are_absorbed() {
    let mut layer = layer();
    let t = t0();
    let req = options(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 200, Some("x"))), uas_udp());
    let evs = events(&mut layer);
    assert!(matches!(&evs[..], [TxEvent::Response { key: k, .. }] if *k == key));
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Completed));
    layer.handle_received(t + ms(10), msg(response(&req, 200, Some("x"))), uas_udp());
    assert!(events(&mut layer).is_empty());
}

#[test]
fn timer_k_ends_completed_after_t4_over_udp() {
    let mut layer = layer();
    let t = t0();
    let req = options(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 200, Some("x"))), uas_udp());
    run_until(&mut layer, t + ms(4_999));
    assert_eq!(layer.client_count(), 1);
    run_until(&mut layer, t + secs(5));
    assert_eq!(layer.client_count(), 0);
}

#[test]
fn completed_ends_at_once_over_tcp() {
    let mut layer = layer();
    let t = t0();
    let req = request(&mut layer, Method::Bye, Transport::Tcp);
    layer.send_request(t, req.clone(), uas_tcp()).unwrap();
    layer.handle_received(t, msg(response(&req, 200, Some("x"))), uas_tcp());
    assert_eq!(layer.client_count(), 0);
}

#[test]
fn nothing_is_retransmitted_over_tcp() {
    let mut layer = layer();
    let t = t0();
    let req = request(&mut layer, Method::Options, Transport::Tcp);
    layer.send_request(t, req, uas_tcp()).unwrap();
    transmits(&mut layer);
    assert!(run_until(&mut layer, t + secs(40)).is_empty());
    assert_eq!(count_timeouts(&events(&mut layer)), 1, "timer F still runs");
}

#[test]
fn ack_is_never_sent_in_a_transaction() {
    let mut layer = layer();
    let req = request(&mut layer, Method::Ack, Transport::Udp);
    assert_eq!(
        layer.send_request(t0(), req, uas_udp()),
        Err(TxError::AckIsNotATransaction)
    );
}

#[test]
fn a_request_without_an_rfc3261_branch_is_refused() {
    let mut layer = layer();
    let mut req = options(&mut layer);
    req.headers
        .set(HeaderName::Via, "SIP/2.0/UDP 127.0.0.1:5061;branch=1234");
    assert_eq!(
        layer.send_request(t0(), req, uas_udp()),
        Err(TxError::MissingBranch)
    );
}

#[test]
fn a_branch_in_use_is_refused() {
    let mut layer = layer();
    let req = options(&mut layer);
    layer.send_request(t0(), req.clone(), uas_udp()).unwrap();
    assert_eq!(
        layer.send_request(t0(), req, uas_udp()),
        Err(TxError::DuplicateBranch)
    );
}

#[test]
fn the_client_transaction_cap_is_enforced() {
    let config = Config {
        max_client_transactions: 2,
        ..Config::default()
    };
    let mut layer = TransactionLayer::new(config, 1);
    for _ in 0..2 {
        let req = options(&mut layer);
        layer.send_request(t0(), req, uas_udp()).unwrap();
    }
    let req = options(&mut layer);
    assert_eq!(
        layer.send_request(t0(), req, uas_udp()),
        Err(TxError::Overloaded)
    );
    assert_eq!(layer.client_count(), 2);
}
