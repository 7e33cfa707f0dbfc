//! The INVITE client transaction (RFC 3261 §17.1.1, RFC 6026), driven through the layer.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::header::Transport;
use sip::transaction::{Config, Label, TransactionLayer, TxError, TxEvent, TxKey, TxState};
use sip::{Message, Method};
use transaction_support::*;

fn layer() -> TransactionLayer {
    TransactionLayer::new(Config::default(), 11)
}

fn responses(events: &[TxEvent]) -> Vec<u16> {
    events
        .iter()
        .filter_map(|e| match e {
            TxEvent::Response { response, .. } => Some(response.status.as_u16()),
            _ => None,
        })
        .collect()
}

#[test]
fn invite_is_sent_at_once() {
    let mut layer = layer();
    let req = invite(&mut layer);
    let key = layer.send_request(t0(), req.clone(), uas_udp()).unwrap();
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].peer, uas_udp());
    assert!(!sent[0].retransmission);
    assert_eq!(sent_request(&sent[0]), req);
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Calling));
}

#[test]
fn invite_is_retransmitted_until_provisional_response() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    let before = run_until(&mut layer, t + ms(3600));
    assert_eq!(before.len(), 3, "at 0.5 s, 1.5 s and 3.5 s");
    assert!(before.iter().all(|(_, tx)| tx.retransmission));
    layer.handle_received(t + ms(3600), msg(response(&req, 180, Some("a"))), uas_udp());
    assert!(run_until(&mut layer, t + secs(20)).is_empty());
}

#[test]
fn a_100_trying_also_stops_retransmissions() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    layer.handle_received(t + ms(100), msg(response(&req, 100, None)), uas_udp());
    assert!(run_until(&mut layer, t + secs(20)).is_empty());
}

#[test]
fn timer_a_doubles_without_a_cap() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req, uas_udp()).unwrap();
    transmits(&mut layer);
    let sent = run_until(&mut layer, t + secs(40));
    assert_eq!(
        gaps_ms(t, &sent),
        [500, 1000, 2000, 4000, 8000, 16000],
        "the 7th send would be at 63.5 s, after timer B"
    );
}

#[test]
fn timer_b_fires_when_nobody_answers() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
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
    assert_eq!(layer.client_count(), 0);
}

#[test]
fn timer_b_fires_over_tcp_too() {
    let mut layer = layer();
    let t = t0();
    let req = request(&mut layer, Method::Invite, Transport::Tcp);
    layer.send_request(t, req, uas_tcp()).unwrap();
    transmits(&mut layer);
    assert!(
        run_until(&mut layer, t + secs(32)).is_empty(),
        "no retransmission over TCP"
    );
    assert_eq!(count_timeouts(&events(&mut layer)), 1);
}

#[test]
fn a_provisional_response_reaches_the_tu_in_proceeding() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 180, Some("a"))), uas_udp());
    layer.handle_received(t, msg(response(&req, 183, Some("a"))), uas_udp());
    assert_eq!(responses(&events(&mut layer)), [180, 183]);
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Proceeding));
}

#[test]
fn a_2xx_moves_to_accepted_and_reaches_the_tu() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    layer.handle_received(t, msg(response(&req, 200, Some("a"))), uas_udp());
    assert_eq!(responses(&events(&mut layer)), [200]);
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Accepted));
    assert!(
        transmits(&mut layer).is_empty(),
        "the TU ACKs a 2xx, not the transaction"
    );
}

#[test]
fn retransmitted_and_forked_2xx_reach_the_tu_while_accepted() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 200, Some("a"))), uas_udp());
    layer.handle_received(t + ms(500), msg(response(&req, 200, Some("a"))), uas_udp());
    layer.handle_received(
        t + ms(600),
        msg(response(&req, 200, Some("fork2"))),
        uas_udp(),
    );
    layer.handle_received(t + ms(700), msg(response(&req, 486, Some("b"))), uas_udp());
    assert_eq!(responses(&events(&mut layer)), [200, 200, 200]);
}

#[test]
fn timer_m_ends_the_accepted_state() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t + secs(1), msg(response(&req, 200, Some("a"))), uas_udp());
    events(&mut layer);
    run_until(&mut layer, t + ms(32_999));
    assert_eq!(layer.client_count(), 1);
    run_until(&mut layer, t + secs(33));
    assert_eq!(
        events(&mut layer),
        [TxEvent::Terminated {
            key: TxKey::Client(key)
        }]
    );
}

#[test]
fn a_failure_is_acked_by_the_transaction() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    layer.handle_received(t, msg(response(&req, 486, Some("busy"))), uas_udp());
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].label, Label::Request(Method::Ack));
    let ack = sent_request(&sent[0]);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, req.uri);
    assert_eq!(ack.headers.to().unwrap().tag(), Some("busy"));
    assert_eq!(
        ack.headers.top_via().unwrap().branch(),
        req.headers.top_via().unwrap().branch()
    );
    assert_eq!(ack.headers.cseq().unwrap().seq, 1);
    assert_eq!(responses(&events(&mut layer)), [486]);
    assert_eq!(layer.state(TxKey::Client(key)), Some(TxState::Completed));
}

#[test]
fn a_retransmitted_failure_is_acked_again_and_absorbed() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 486, Some("busy"))), uas_udp());
    transmits(&mut layer);
    events(&mut layer);
    layer.handle_received(
        t + ms(500),
        msg(response(&req, 486, Some("busy"))),
        uas_udp(),
    );
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].retransmission);
    assert_eq!(sent_request(&sent[0]).method, Method::Ack);
    assert!(events(&mut layer).is_empty());
}

#[test]
fn timer_d_keeps_completed_for_32_s_over_udp() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 404, Some("x"))), uas_udp());
    run_until(&mut layer, t + ms(31_999));
    assert_eq!(layer.client_count(), 1);
    run_until(&mut layer, t + secs(32));
    assert_eq!(layer.client_count(), 0);
}

#[test]
fn completed_ends_at_once_over_tcp() {
    let mut layer = layer();
    let t = t0();
    let req = request(&mut layer, Method::Invite, Transport::Tcp);
    let key = layer.send_request(t, req.clone(), uas_tcp()).unwrap();
    layer.handle_received(t, msg(response(&req, 404, Some("x"))), uas_tcp());
    assert_eq!(layer.client_count(), 0);
    assert!(events(&mut layer).contains(&TxEvent::Terminated {
        key: TxKey::Client(key)
    }));
    assert_eq!(transmits(&mut layer).len(), 2, "INVITE and ACK");
}

#[test]
fn cancel_before_a_provisional_is_deferred_until_one_arrives() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    transmits(&mut layer);
    layer.cancel(t + ms(100), key).unwrap();
    assert!(
        transmits(&mut layer).is_empty(),
        "§9.1: no CANCEL before a provisional"
    );
    layer.handle_received(t + ms(200), msg(response(&req, 180, Some("a"))), uas_udp());
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    let cancel = sent_request(&sent[0]);
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel, req.cancel().unwrap());
}

#[test]
fn cancel_after_a_provisional_is_sent_at_once() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 180, Some("a"))), uas_udp());
    transmits(&mut layer);
    layer.cancel(t + secs(1), key).unwrap();
    let sent = transmits(&mut layer);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].label, Label::Request(Method::Cancel));
    assert_eq!(sent[0].peer, uas_udp());
}

#[test]
fn cancel_after_a_final_response_is_refused() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 200, Some("a"))), uas_udp());
    assert_eq!(layer.cancel(t, key), Err(TxError::InvalidState));
}

#[test]
fn cancel_of_a_non_invite_is_refused() {
    let mut layer = layer();
    let req = request(&mut layer, Method::Options, Transport::Udp);
    let key = layer.send_request(t0(), req, uas_udp()).unwrap();
    assert_eq!(layer.cancel(t0(), key), Err(TxError::InvalidState));
}

#[test]
fn the_cancel_is_retransmitted_and_its_responses_are_absorbed() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 180, Some("a"))), uas_udp());
    layer.cancel(t, key).unwrap();
    transmits(&mut layer);
    events(&mut layer);
    let again = run_until(&mut layer, t + ms(600));
    assert_eq!(again.len(), 1, "timer E of the CANCEL");
    assert_eq!(again[0].1.label, Label::Request(Method::Cancel));
    let cancel = req.cancel().unwrap();
    layer.handle_received(
        t + ms(700),
        msg(response(&cancel, 200, Some("a"))),
        uas_udp(),
    );
    assert!(
        events(&mut layer).is_empty(),
        "the TU hears of the INVITE, not the CANCEL"
    );
    layer.handle_received(t + ms(800), msg(response(&req, 487, Some("a"))), uas_udp());
    assert_eq!(responses(&events(&mut layer)), [487]);
}

#[test]
fn the_cancel_guard_ends_an_invite_that_gets_no_final_response() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 180, Some("a"))), uas_udp());
    layer.cancel(t + secs(10), key).unwrap();
    events(&mut layer);
    run_until(&mut layer, t + secs(41));
    assert!(events(&mut layer).is_empty());
    run_until(&mut layer, t + secs(42));
    let evs = events(&mut layer);
    assert!(evs.contains(&TxEvent::Timeout {
        key: TxKey::Client(key)
    }));
    assert_eq!(layer.state(TxKey::Client(key)), None);
}

#[test]
fn timer_c_cancels_an_invite_that_rings_forever() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    layer.handle_received(t, msg(response(&req, 180, Some("a"))), uas_udp());
    transmits(&mut layer);
    layer.handle_received(t + secs(60), msg(response(&req, 180, Some("a"))), uas_udp());
    assert!(
        run_until(&mut layer, t + secs(239)).is_empty(),
        "timer C restarts on each 1xx"
    );
    let sent = run_until(&mut layer, t + secs(240));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.label, Label::Request(Method::Cancel));
}

#[test]
fn a_transport_error_ends_the_transaction_with_an_event() {
    let mut layer = layer();
    let t = t0();
    let req = invite(&mut layer);
    let key = layer.send_request(t, req, uas_udp()).unwrap();
    layer.handle_transport_error(t, &uas_udp());
    assert_eq!(
        events(&mut layer),
        [
            TxEvent::TransportError {
                key: TxKey::Client(key)
            },
            TxEvent::Terminated {
                key: TxKey::Client(key)
            }
        ]
    );
}

#[test]
fn responses_with_an_unknown_branch_are_stray() {
    let mut layer = layer();
    let t = t0();
    let mut req = invite(&mut layer);
    layer.send_request(t, req.clone(), uas_udp()).unwrap();
    req.headers.set(
        sip::HeaderName::Via,
        "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKother",
    );
    let stray = response(&req, 200, Some("a"));
    layer.handle_received(t, Message::Response(stray.clone()), uas_udp());
    assert_eq!(
        events(&mut layer),
        [TxEvent::StrayResponse {
            response: stray,
            source: uas_udp()
        }]
    );
}
