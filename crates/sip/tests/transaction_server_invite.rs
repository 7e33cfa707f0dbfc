//! The INVITE server transaction (RFC 3261 §17.2.1, RFC 6026), driven through the layer.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use std::time::Duration;

use sip::header::Transport;
use sip::transaction::{
    Config, Label, Received, TransactionLayer, Trying, TxError, TxEvent, TxKey, TxState,
    response_peer,
};
use sip::{HeaderName, Method, Request, StatusCode};
use transaction_support::*;

fn server(trying: Trying) -> TransactionLayer {
    let config = Config {
        trying,
        ..Config::default()
    };
    TransactionLayer::new(config, 21)
}

/// An INVITE as the UAS receives it, and the layer that received it at `t0`.
fn received(trying: Trying) -> (TransactionLayer, Request, sip::transaction::ServerKey) {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let req = invite(&mut client);
    let mut layer = server(trying);
    layer.handle_received(t0(), msg(req.clone()), uac_udp());
    let (key, _) = new_request(&events(&mut layer));
    (layer, req, key)
}

fn statuses(sent: &[sip::transaction::Transmit]) -> Vec<u16> {
    sent.iter()
        .map(|t| sent_response(t).status.as_u16())
        .collect()
}

#[test]
fn a_new_invite_reaches_the_tu_in_proceeding() {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let req = invite(&mut client);
    let mut layer = server(Trying::Never);
    let outcome = layer.handle_received(t0(), msg(req.clone()), uac_udp());
    let Received::NewTransaction(key) = outcome else {
        panic!("{outcome:?}");
    };
    let (event_key, got) = new_request(&events(&mut layer));
    assert_eq!(event_key, key);
    assert_eq!(got.headers.call_id(), req.headers.call_id());
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Proceeding));
}

#[test]
fn trying_is_sent_at_once_when_the_tu_chose_so() {
    let (mut layer, _, _) = received(Trying::Immediately);
    let sent = transmits(&mut layer);
    assert_eq!(statuses(&sent), [100]);
    assert_eq!(sent_response(&sent[0]).headers.to().unwrap().tag(), None);
}

#[test]
fn a_delayed_trying_goes_out_after_the_delay() {
    let (mut layer, _, _) = received(Trying::After(Duration::from_millis(200)));
    assert!(transmits(&mut layer).is_empty());
    let sent = run_until(&mut layer, t0() + ms(250));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent_response(&sent[0].1).status, StatusCode::TRYING);
}

#[test]
fn a_delayed_trying_is_skipped_when_the_tu_answered_first() {
    let (mut layer, req, key) = received(Trying::After(Duration::from_millis(200)));
    let t = t0();
    layer
        .send_response(t + ms(50), key, response(&req, 180, Some("u")))
        .unwrap();
    transmits(&mut layer);
    assert!(run_until(&mut layer, t + ms(1000)).is_empty());
}

#[test]
fn no_trying_when_the_tu_sends_its_own() {
    let (mut layer, _, _) = received(Trying::Never);
    assert!(run_until(&mut layer, t0() + secs(2)).is_empty());
}

#[test]
fn a_retransmitted_invite_gets_the_last_provisional_again() {
    let (mut layer, req, key) = received(Trying::Immediately);
    layer
        .send_response(t0(), key, response(&req, 180, Some("u")))
        .unwrap();
    transmits(&mut layer);
    let outcome = layer.handle_received(t0() + ms(500), msg(req.clone()), uac_udp());
    assert_eq!(outcome, Received::Retransmission(key));
    let sent = transmits(&mut layer);
    assert_eq!(statuses(&sent), [180]);
    assert!(sent[0].retransmission);
    assert!(
        events(&mut layer).is_empty(),
        "retransmissions do not reach the TU"
    );
}

#[test]
fn a_retransmitted_invite_before_any_response_is_absorbed_silently() {
    let (mut layer, req, _) = received(Trying::Never);
    layer.handle_received(t0() + ms(500), msg(req), uac_udp());
    assert!(transmits(&mut layer).is_empty());
    assert!(events(&mut layer).is_empty());
}

#[test]
fn a_failure_is_retransmitted_with_timer_g_until_timer_h() {
    let (mut layer, req, key) = received(Trying::Never);
    let t = t0();
    layer
        .send_response(t, key, response(&req, 486, Some("u")))
        .unwrap();
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Completed));
    transmits(&mut layer);
    let sent = run_until(&mut layer, t + secs(40));
    let gaps = gaps_ms(t, &sent);
    assert_eq!(&gaps[..5], [500, 1000, 2000, 4000, 4000]);
    assert!(gaps[5..].iter().all(|&g| g == 4000));
    assert!(
        sent.iter()
            .all(|(_, s)| s.label == Label::Response(StatusCode::BUSY_HERE))
    );
    let evs = events(&mut layer);
    assert!(evs.contains(&TxEvent::Timeout {
        key: TxKey::Server(key)
    }));
    assert_eq!(layer.server_count(), 0);
}

#[test]
fn the_ack_of_a_failure_is_absorbed_and_confirms() {
    let (mut layer, req, key) = received(Trying::Never);
    let t = t0();
    let busy = response(&req, 486, Some("u"));
    layer.send_response(t, key, busy.clone()).unwrap();
    let ack = req.ack_for(&busy).unwrap();
    let outcome = layer.handle_received(t + ms(100), msg(ack), uac_udp());
    assert_eq!(outcome, Received::AckAbsorbed(key));
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Confirmed));
    assert!(events(&mut layer).is_empty());
    transmits(&mut layer);
    assert!(
        run_until(&mut layer, t + secs(10)).is_empty(),
        "timer G stopped"
    );
}

#[test]
fn timer_i_ends_confirmed_after_t4() {
    let (mut layer, req, key) = received(Trying::Never);
    let t = t0();
    let busy = response(&req, 486, Some("u"));
    layer.send_response(t, key, busy.clone()).unwrap();
    layer.handle_received(t, msg(req.ack_for(&busy).unwrap()), uac_udp());
    run_until(&mut layer, t + ms(4_999));
    assert_eq!(layer.server_count(), 1);
    run_until(&mut layer, t + secs(5));
    assert_eq!(layer.server_count(), 0);
}

#[test]
fn a_2xx_moves_to_accepted_where_invite_retransmissions_are_absorbed() {
    let (mut layer, req, key) = received(Trying::Immediately);
    let t = t0();
    layer
        .send_response(t, key, response(&req, 200, Some("u")))
        .unwrap();
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Accepted));
    transmits(&mut layer);
    layer.handle_received(t + ms(100), msg(req), uac_udp());
    assert!(
        transmits(&mut layer).is_empty(),
        "RFC 6026: the TU retransmits the 2xx"
    );
    assert!(run_until(&mut layer, t + secs(10)).is_empty());
}

#[test]
fn an_ack_while_accepted_goes_to_the_tu() {
    let (mut layer, req, key) = received(Trying::Never);
    let t = t0();
    let ok = response(&req, 200, Some("u"));
    layer.send_response(t, key, ok.clone()).unwrap();
    // A 2xx ACK from an RFC 3261 UAC has a new branch, so it matches no transaction; it
    // reaches the TU all the same.
    let mut ack = req.ack_for(&ok).unwrap();
    ack.headers.set(
        HeaderName::Via,
        "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKack1",
    );
    assert_eq!(
        layer.handle_received(t, msg(ack.clone()), uac_udp()),
        Received::Ack
    );
    assert_eq!(
        events(&mut layer),
        [TxEvent::Ack {
            request: ack,
            source: uac_udp()
        }]
    );
}

#[test]
fn the_tu_may_send_the_2xx_again_while_accepted() {
    let (mut layer, req, key) = received(Trying::Never);
    let ok = response(&req, 200, Some("u"));
    layer.send_response(t0(), key, ok.clone()).unwrap();
    layer.send_response(t0() + ms(500), key, ok).unwrap();
    let sent = transmits(&mut layer);
    assert_eq!(statuses(&sent), [200, 200]);
    assert!(sent[1].retransmission);
}

#[test]
fn a_response_after_the_final_one_is_refused() {
    let (mut layer, req, key) = received(Trying::Never);
    layer
        .send_response(t0(), key, response(&req, 486, Some("u")))
        .unwrap();
    assert_eq!(
        layer.send_response(t0(), key, response(&req, 200, Some("u"))),
        Err(TxError::InvalidState)
    );
}

#[test]
fn timer_l_ends_accepted() {
    let (mut layer, req, key) = received(Trying::Never);
    let t = t0();
    layer
        .send_response(t, key, response(&req, 200, Some("u")))
        .unwrap();
    run_until(&mut layer, t + ms(31_999));
    assert_eq!(layer.server_count(), 1);
    run_until(&mut layer, t + secs(32));
    assert_eq!(layer.server_count(), 0);
    assert!(events(&mut layer).contains(&TxEvent::Terminated {
        key: TxKey::Server(key)
    }));
}

#[test]
fn an_unanswered_invite_gets_408_from_the_transaction() {
    let (mut layer, _, key) = received(Trying::Never);
    let guard = layer.config().timers.unanswered_invite;
    assert!(run_until(&mut layer, t0() + guard - ms(1)).is_empty());
    let sent = run_until(&mut layer, t0() + guard);
    assert_eq!(
        sent_response(&sent[0].1).status,
        StatusCode::REQUEST_TIMEOUT
    );
    assert!(events(&mut layer).contains(&TxEvent::Timeout {
        key: TxKey::Server(key)
    }));
    assert_eq!(layer.state(TxKey::Server(key)), Some(TxState::Completed));
}

#[test]
fn over_tcp_a_failure_is_not_retransmitted_and_the_ack_ends_it() {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let req = request(&mut client, Method::Invite, Transport::Tcp);
    let mut layer = server(Trying::Never);
    let t = t0();
    layer.handle_received(t, msg(req.clone()), uac_tcp());
    let (key, _) = new_request(&events(&mut layer));
    let busy = response(&req, 486, Some("u"));
    layer.send_response(t, key, busy.clone()).unwrap();
    transmits(&mut layer);
    assert!(run_until(&mut layer, t + secs(20)).is_empty());
    layer.handle_received(t + secs(20), msg(req.ack_for(&busy).unwrap()), uac_tcp());
    assert_eq!(layer.server_count(), 0, "timer I is zero over TCP");
}

#[test]
fn responses_go_back_over_the_connection_the_request_came_on() {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let req = request(&mut client, Method::Invite, Transport::Tcp);
    let mut layer = server(Trying::Immediately);
    layer.handle_received(t0(), msg(req), uac_tcp());
    let sent = transmits(&mut layer);
    assert_eq!(sent[0].peer, uac_tcp());
}

#[test]
fn received_and_rport_are_filled_in_on_the_request() {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let req = invite(&mut client);
    let mut layer = server(Trying::Immediately);
    let nat: std::net::SocketAddr = ([127, 0, 0, 9], 40000).into();
    layer.handle_received(t0(), msg(req), sip::transaction::Peer::udp(nat));
    let (_, got) = new_request(&events(&mut layer));
    let via = got.headers.top_via().unwrap();
    assert_eq!(via.received(), Some(nat.ip()));
    assert_eq!(via.rport(), Some(Some(40000)));
    let sent = transmits(&mut layer);
    assert_eq!(sent[0].peer.addr, nat, "rport: back to the source address");
    let trying = sent_response(&sent[0]);
    assert_eq!(trying.headers.top_via().unwrap().received(), Some(nat.ip()));
}

#[test]
fn without_rport_a_udp_response_goes_to_the_via_port() {
    let via = sip::header::Via::parse("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx").unwrap();
    let source = sip::transaction::Peer::udp(([127, 0, 0, 1], 40001).into());
    assert_eq!(response_peer(&source, &via).addr.port(), 5070);
    let via = sip::header::Via::parse("SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx").unwrap();
    assert_eq!(response_peer(&source, &via).addr.port(), 5060);
}

#[test]
fn a_request_without_via_is_dropped() {
    let mut client = TransactionLayer::new(Config::default(), 99);
    let mut req = invite(&mut client);
    req.headers.remove(&HeaderName::Via);
    let mut layer = server(Trying::Immediately);
    assert_eq!(
        layer.handle_received(t0(), msg(req), uac_udp()),
        Received::Dropped
    );
    assert!(events(&mut layer).is_empty());
    assert!(transmits(&mut layer).is_empty());
}
