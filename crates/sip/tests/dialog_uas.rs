//! The UAS side of the dialog set: dialogs created from the responses it sends, the 2xx
//! retransmitted until its ACK (RFC 3261 §13.3.1.4), and requests received in dialogs.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::dialog::{
    DialogConfig, DialogError, DialogEvent, DialogKey, DialogState, DialogUpdate, Dialogs,
};
use sip::header::Transport;
use sip::transaction::{Config, Label, Peer, ServerKey, TransactionLayer, Trying, TxEvent};
use sip::{HeaderName, Method, Request, StatusCode};
use transaction_support::*;

struct Uas {
    layer: TransactionLayer,
    dialogs: Dialogs,
    /// Builds the caller's requests.
    caller: TransactionLayer,
}

fn uas() -> Uas {
    let config = Config {
        trying: Trying::Never,
        ..Config::default()
    };
    Uas {
        layer: TransactionLayer::new(config, 51),
        dialogs: Dialogs::new(DialogConfig::default()),
        caller: TransactionLayer::new(Config::default(), 52),
    }
}

impl Uas {
    /// Receives `request` from `source` and returns its server transaction.
    fn receive(&mut self, request: &Request, source: Peer) -> (ServerKey, DialogUpdate) {
        self.layer
            .handle_received(t0(), msg(request.clone()), source);
        let mut found = None;
        for (event, update) in pump(&mut self.layer, &mut self.dialogs, t0()) {
            if let TxEvent::Request { key, .. } = event {
                found = Some((key, update));
            }
        }
        found.expect("a new request")
    }

    fn answer(
        &mut self,
        key: ServerKey,
        request: &Request,
        status: u16,
        tag: &str,
    ) -> Option<DialogKey> {
        let r = response(request, status, Some(tag));
        self.dialogs
            .respond(t0(), &mut self.layer, key, request, r)
            .unwrap()
    }

    /// An INVITE received and answered 200 with tag `u1`.
    fn call(&mut self, source: Peer) -> (Request, ServerKey, DialogKey) {
        let transport = if source.is_reliable() {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        let req = request(&mut self.caller, Method::Invite, transport);
        let (key, _) = self.receive(&req, source);
        let dk = self.answer(key, &req, 200, "u1").expect("a dialog");
        transmits(&mut self.layer);
        (req, key, dk)
    }
}

/// The ACK the caller sends for the 200 (a new branch, the INVITE's CSeq).
fn ack_for(req: &Request, caller: &mut TransactionLayer) -> Request {
    let ok = response(req, 200, Some("u1"));
    let mut ack = req.ack_for(&ok).unwrap();
    ack.headers.set(
        HeaderName::Via,
        format!(
            "SIP/2.0/UDP 127.0.0.1:5061;branch={};rport",
            caller.new_branch()
        ),
    );
    ack
}

fn oks(
    sent: &[(std::time::Instant, sip::transaction::Transmit)],
) -> Vec<(std::time::Instant, sip::transaction::Transmit)> {
    sent.iter()
        .filter(|(_, t)| t.label == Label::Response(StatusCode::OK))
        .cloned()
        .collect()
}

#[test]
fn a_ringing_response_with_a_tag_creates_an_early_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, update) = uas.receive(&req, uac_udp());
    assert_eq!(update, DialogUpdate::None, "an INVITE outside any dialog");
    let dk = uas.answer(key, &req, 180, "u1").expect("early dialog");
    let dialog = uas.dialogs.get(dk).unwrap();
    assert_eq!(dialog.state(), DialogState::Early);
    assert_eq!(dialog.id().local_tag, "u1");
}

#[test]
fn a_100_trying_creates_no_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    let trying = response(&req, 100, None);
    let got = uas
        .dialogs
        .respond(t0(), &mut uas.layer, key, &req, trying)
        .unwrap();
    assert_eq!(got, None);
    assert!(uas.dialogs.is_empty());
}

#[test]
fn the_2xx_confirms_the_early_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    let early = uas.answer(key, &req, 180, "u1");
    let confirmed = uas.answer(key, &req, 200, "u1");
    assert_eq!(early, confirmed);
    assert_eq!(uas.dialogs.len(), 1);
    assert_eq!(
        uas.dialogs.get(confirmed.unwrap()).unwrap().state(),
        DialogState::Confirmed
    );
}

#[test]
fn a_failure_ends_the_early_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    uas.answer(key, &req, 180, "u1");
    assert_eq!(uas.answer(key, &req, 486, "u1"), None);
    assert!(uas.dialogs.is_empty());
}

#[test]
fn a_2xx_with_another_tag_than_the_ringing_ends_the_early_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    let early = uas.answer(key, &req, 180, "u1").unwrap();
    let confirmed = uas.answer(key, &req, 200, "u2").unwrap();
    assert_ne!(early, confirmed);
    assert!(uas.dialogs.get(early).is_none());
    assert_eq!(uas.dialogs.len(), 1);
}

#[test]
fn the_2xx_is_retransmitted_with_t1_doubling_to_t2() {
    let mut uas = uas();
    let (_, _, _) = uas.call(uac_udp());
    let t = t0();
    let (sent, _) = run_both_until(&mut uas.layer, &mut uas.dialogs, t + secs(31));
    let oks = oks(&sent);
    assert_eq!(
        gaps_ms(t, &oks),
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000]
    );
    assert!(
        oks.iter()
            .all(|(_, t)| t.retransmission && t.peer == uac_udp())
    );
}

#[test]
fn the_ack_stops_the_retransmissions() {
    let mut uas = uas();
    let (req, _, dk) = uas.call(uac_udp());
    let t = t0();
    run_both_until(&mut uas.layer, &mut uas.dialogs, t + ms(1600));
    let ack = ack_for(&req, &mut uas.caller);
    uas.layer.handle_received(t + ms(1600), msg(ack), uac_udp());
    let updates = pump(&mut uas.layer, &mut uas.dialogs, t + ms(1600));
    assert!(matches!(&updates[..], [(TxEvent::Ack { .. }, DialogUpdate::Ack(k))] if *k == dk));
    transmits(&mut uas.layer);
    let (sent, events) = run_both_until(&mut uas.layer, &mut uas.dialogs, t + secs(60));
    assert!(oks(&sent).is_empty());
    assert!(events.is_empty());
}

#[test]
fn no_ack_within_64_t1_asks_the_tu_to_hang_up() {
    let mut uas = uas();
    let (_, _, dk) = uas.call(uac_udp());
    let t = t0();
    let (_, events) = run_both_until(&mut uas.layer, &mut uas.dialogs, t + ms(31_999));
    assert!(events.is_empty());
    let (_, events) = run_both_until(&mut uas.layer, &mut uas.dialogs, t + secs(32));
    assert_eq!(events, [DialogEvent::AckTimeout { dialog: dk }]);
    assert_eq!(
        uas.dialogs.get(dk).unwrap().state(),
        DialogState::Confirmed,
        "the dialog stays until the TU's BYE"
    );
}

#[test]
fn over_tcp_the_2xx_is_not_retransmitted_but_the_ack_is_still_awaited() {
    let mut uas = uas();
    let (_, _, dk) = uas.call(uac_tcp());
    let (sent, events) = run_both_until(&mut uas.layer, &mut uas.dialogs, t0() + secs(40));
    assert!(oks(&sent).is_empty());
    assert_eq!(events, [DialogEvent::AckTimeout { dialog: dk }]);
}

#[test]
fn a_request_naming_no_dialog_gets_481() {
    let mut uas = uas();
    let mut bye = request(&mut uas.caller, Method::Bye, Transport::Udp);
    bye.headers
        .set(HeaderName::To, "<sip:agent@127.0.0.1>;tag=nobody");
    let (_, update) = uas.receive(&bye, uac_udp());
    assert_eq!(
        update,
        DialogUpdate::Rejected(StatusCode::CALL_DOES_NOT_EXIST)
    );
    let sent = transmits(&mut uas.layer);
    assert_eq!(
        sent_response(&sent[0]).status,
        StatusCode::CALL_DOES_NOT_EXIST
    );
}

/// A request from the caller inside the dialog of `req` (answered with tag `u1`).
fn in_dialog(uas: &mut Uas, req: &Request, method: Method, seq: u32) -> Request {
    let mut r = request(&mut uas.caller, method.clone(), Transport::Udp);
    for name in [HeaderName::From, HeaderName::CallId] {
        r.headers
            .set(name.clone(), req.headers.get(&name).unwrap().clone());
    }
    r.headers
        .set(HeaderName::To, "<sip:agent@127.0.0.1>;tag=u1");
    r.headers.set(HeaderName::CSeq, format!("{seq} {method}"));
    r
}

#[test]
fn a_request_with_a_lower_cseq_gets_500() {
    let mut uas = uas();
    let (req, _, dk) = uas.call(uac_udp());
    let info = in_dialog(&mut uas, &req, Method::Info, 5);
    assert_eq!(uas.receive(&info, uac_udp()).1, DialogUpdate::Request(dk));
    let late = in_dialog(&mut uas, &req, Method::Info, 3);
    assert_eq!(
        uas.receive(&late, uac_udp()).1,
        DialogUpdate::Rejected(StatusCode::SERVER_INTERNAL_ERROR)
    );
    let sent = transmits(&mut uas.layer);
    assert_eq!(
        sent_response(sent.last().unwrap()).status,
        StatusCode::SERVER_INTERNAL_ERROR
    );
}

#[test]
fn a_bye_ends_the_dialog() {
    let mut uas = uas();
    let (req, _, dk) = uas.call(uac_udp());
    let bye = in_dialog(&mut uas, &req, Method::Bye, 2);
    let (key, update) = uas.receive(&bye, uac_udp());
    assert_eq!(update, DialogUpdate::Ended(dk));
    assert!(uas.dialogs.is_empty());
    // The TU answers the BYE itself.
    uas.layer
        .send_response(t0(), key, response(&bye, 200, None))
        .unwrap();
}

#[test]
fn a_reinvite_refreshes_the_target_and_its_2xx_waits_for_its_own_ack() {
    let mut uas = uas();
    let (req, _, dk) = uas.call(uac_udp());
    let ack = ack_for(&req, &mut uas.caller);
    uas.layer.handle_received(t0(), msg(ack), uac_udp());
    pump(&mut uas.layer, &mut uas.dialogs, t0());
    let mut reinvite = in_dialog(&mut uas, &req, Method::Invite, 2);
    reinvite
        .headers
        .set(HeaderName::Contact, "<sip:queue@127.0.0.1:7000>");
    let (key, update) = uas.receive(&reinvite, uac_udp());
    assert_eq!(update, DialogUpdate::Request(dk));
    assert_eq!(
        uas.dialogs.get(dk).unwrap().remote_target().to_string(),
        "sip:queue@127.0.0.1:7000"
    );
    assert_eq!(uas.answer(key, &reinvite, 200, "u1"), Some(dk));
    transmits(&mut uas.layer);
    let (sent, _) = run_both_until(&mut uas.layer, &mut uas.dialogs, t0() + ms(600));
    assert_eq!(oks(&sent).len(), 1, "the re-INVITE's 200 is retransmitted");
}

#[test]
fn an_invite_the_layer_answers_408_loses_its_early_dialog() {
    let mut uas = uas();
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    uas.answer(key, &req, 180, "u1");
    let guard = uas.layer.config().timers.unanswered_invite;
    run_both_until(&mut uas.layer, &mut uas.dialogs, t0() + guard);
    assert!(uas.dialogs.is_empty());
}

#[test]
fn the_dialog_cap_is_enforced() {
    let mut uas = uas();
    uas.dialogs = Dialogs::new(DialogConfig {
        max_dialogs: 1,
        ..DialogConfig::default()
    });
    uas.call(uac_udp());
    let req = invite(&mut uas.caller);
    let (key, _) = uas.receive(&req, uac_udp());
    let ok = response(&req, 200, Some("u2"));
    assert_eq!(
        uas.dialogs.respond(t0(), &mut uas.layer, key, &req, ok),
        Err(DialogError::Overloaded)
    );
    assert_eq!(uas.dialogs.len(), 1);
}
