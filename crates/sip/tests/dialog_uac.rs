//! The UAC side of the dialog set: early dialogs per fork, the first 2xx confirmed and ACKed
//! (RFC 3261 §13.2.2.4), other forks' 2xx ACKed and BYEd, requests sent in dialogs.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::dialog::{DialogConfig, DialogKey, DialogState, DialogUpdate, Dialogs};
use sip::header::{Transport, Via};
use sip::transaction::{Config, Label, TransactionLayer, Transmit};
use sip::{HeaderName, Host, Method, Request, Response};
use transaction_support::*;

struct Uac {
    layer: TransactionLayer,
    dialogs: Dialogs,
    invite: Request,
}

fn uac() -> Uac {
    let mut layer = TransactionLayer::new(Config::default(), 61);
    let mut dialogs = Dialogs::new(DialogConfig::default());
    let invite = invite(&mut layer);
    dialogs
        .send_invite(t0(), &mut layer, invite.clone(), uas_udp())
        .unwrap();
    transmits(&mut layer);
    Uac {
        layer,
        dialogs,
        invite,
    }
}

impl Uac {
    /// Feeds a response; returns the dialog update of the `Response` event, and what was sent.
    fn receive(&mut self, response: Response) -> (DialogUpdate, Vec<Transmit>) {
        self.layer.handle_received(t0(), msg(response), uas_udp());
        let updates = pump(&mut self.layer, &mut self.dialogs, t0());
        let update = updates
            .into_iter()
            .map(|(_, u)| u)
            .find(|u| *u != DialogUpdate::None)
            .unwrap_or(DialogUpdate::None);
        (update, transmits(&mut self.layer))
    }

    fn answer(&mut self, status: u16, tag: &str) -> (DialogUpdate, Vec<Transmit>) {
        let r = response(&self.invite, status, Some(tag));
        self.receive(r)
    }

    fn confirmed(&mut self) -> DialogKey {
        match self.answer(200, "a").0 {
            DialogUpdate::Confirmed(dk) => dk,
            other => panic!("{other:?}"),
        }
    }

    fn via(&mut self) -> Via {
        let host = Host::parse("127.0.0.1").unwrap();
        Via::new(
            Transport::Udp,
            host,
            Some(UAC_PORT),
            &self.layer.new_branch(),
        )
    }

    /// Sends `method` in dialog `dk`; returns the request sent.
    fn send(&mut self, dk: DialogKey, method: Method) -> Request {
        let via = self.via();
        let mut builder = self.dialogs.request(dk, method, via).unwrap();
        builder =
            builder.contact(sip::header::NameAddr::parse("<sip:queue@127.0.0.1:5061>").unwrap());
        let req = builder.build();
        self.dialogs
            .send(t0(), &mut self.layer, dk, req.clone())
            .unwrap();
        transmits(&mut self.layer);
        req
    }
}

fn early(update: DialogUpdate) -> DialogKey {
    match update {
        DialogUpdate::Early(dk) => dk,
        other => panic!("expected an early dialog, got {other:?}"),
    }
}

#[test]
fn a_ringing_response_with_a_tag_creates_an_early_dialog() {
    let mut uac = uac();
    let dk = early(uac.answer(180, "a").0);
    let dialog = uac.dialogs.get(dk).unwrap();
    assert_eq!(dialog.state(), DialogState::Early);
    assert_eq!(dialog.id().remote_tag, "a");
}

#[test]
fn a_100_trying_creates_no_dialog() {
    let mut uac = uac();
    let trying = response(&uac.invite, 100, None);
    assert_eq!(uac.receive(trying).0, DialogUpdate::None);
    assert!(uac.dialogs.is_empty());
}

#[test]
fn ringing_from_two_forks_creates_two_early_dialogs() {
    let mut uac = uac();
    let a = early(uac.answer(180, "a").0);
    let b = early(uac.answer(180, "b").0);
    assert_ne!(a, b);
    assert_eq!(early(uac.answer(183, "a").0), a, "the same fork again");
    assert_eq!(uac.dialogs.len(), 2);
}

#[test]
fn the_first_2xx_confirms_the_dialog_and_is_acked() {
    let mut uac = uac();
    let a = early(uac.answer(180, "a").0);
    let (update, sent) = uac.answer(200, "a");
    assert_eq!(update, DialogUpdate::Confirmed(a));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].label, Label::Request(Method::Ack));
    assert_eq!(sent[0].peer, uas_udp());
    let ack = sent_request(&sent[0]);
    assert_eq!(ack.headers.cseq().unwrap().to_string(), "1 ACK");
    assert_eq!(
        ack.uri.to_string(),
        "sip:agent@127.0.0.1:5062",
        "the Contact"
    );
    assert_eq!(ack.headers.to().unwrap().tag(), Some("a"));
    assert_ne!(
        ack.headers.top_via().unwrap().branch(),
        uac.invite.headers.top_via().unwrap().branch(),
        "the ACK of a 2xx is a new transaction"
    );
}

#[test]
fn a_retransmitted_2xx_gets_the_same_ack_again() {
    let mut uac = uac();
    let (_, first) = uac.answer(200, "a");
    let (update, again) = uac.answer(200, "a");
    assert!(matches!(update, DialogUpdate::AckResent(_)));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].bytes, first[0].bytes);
}

#[test]
fn a_2xx_from_another_fork_is_acked_and_then_byed() {
    let mut uac = uac();
    uac.answer(180, "b");
    let a = uac.confirmed();
    let (update, sent) = uac.answer(200, "b");
    let DialogUpdate::ForkReleased { id, bye } = update else {
        panic!("{update:?}");
    };
    assert_eq!(id.remote_tag, "b");
    assert!(bye.is_some());
    let methods: Vec<Method> = sent.iter().map(|t| sent_request(t).method).collect();
    assert_eq!(methods, [Method::Ack, Method::Bye]);
    let bye = sent_request(&sent[1]);
    assert_eq!(bye.headers.to().unwrap().tag(), Some("b"));
    assert_eq!(bye.headers.cseq().unwrap().seq, 2);
    assert_eq!(uac.dialogs.len(), 1, "only the confirmed dialog is kept");
    assert!(uac.dialogs.get(a).is_some());
}

#[test]
fn a_retransmission_of_a_released_forks_2xx_is_only_acked() {
    let mut uac = uac();
    uac.confirmed();
    let (_, first) = uac.answer(200, "b");
    let (update, again) = uac.answer(200, "b");
    assert_eq!(update, DialogUpdate::None);
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].bytes, first[0].bytes,
        "the same ACK, no second BYE"
    );
}

#[test]
fn a_failure_drops_the_early_dialogs() {
    let mut uac = uac();
    uac.answer(180, "a");
    uac.answer(180, "b");
    let (update, _) = uac.answer(486, "a");
    assert_eq!(update, DialogUpdate::Failed);
    assert!(uac.dialogs.is_empty());
}

#[test]
fn forks_still_early_go_when_the_invite_transaction_ends() {
    let mut uac = uac();
    uac.answer(180, "b");
    let a = uac.confirmed();
    assert_eq!(uac.dialogs.len(), 2);
    run_both_until(&mut uac.layer, &mut uac.dialogs, t0() + secs(33));
    assert_eq!(uac.layer.client_count(), 0);
    assert_eq!(uac.dialogs.len(), 1);
    assert!(uac.dialogs.get(a).is_some());
}

#[test]
fn a_timed_out_invite_fails() {
    let mut uac = uac();
    run_both_until(&mut uac.layer, &mut uac.dialogs, t0() + secs(31));
    uac.layer.handle_timeout(t0() + secs(32));
    let updates = pump(&mut uac.layer, &mut uac.dialogs, t0() + secs(32));
    assert!(updates.iter().any(|(_, u)| *u == DialogUpdate::Failed));
}

#[test]
fn the_ack_carries_the_invites_credentials() {
    let mut layer = TransactionLayer::new(Config::default(), 61);
    let mut dialogs = Dialogs::new(DialogConfig::default());
    let mut invite = invite(&mut layer);
    invite.headers.push(
        HeaderName::Authorization,
        "Digest username=\"q\", realm=\"r\", nonce=\"n\", uri=\"sip:a@b\", response=\"x\"",
    );
    dialogs
        .send_invite(t0(), &mut layer, invite.clone(), uas_udp())
        .unwrap();
    transmits(&mut layer);
    layer.handle_received(t0(), msg(response(&invite, 200, Some("a"))), uas_udp());
    pump(&mut layer, &mut dialogs, t0());
    let ack = sent_request(&transmits(&mut layer)[0]);
    assert_eq!(
        ack.headers.get(&HeaderName::Authorization),
        invite.headers.get(&HeaderName::Authorization)
    );
}

#[test]
fn the_final_response_to_our_bye_ends_the_dialog() {
    let mut uac = uac();
    let dk = uac.confirmed();
    let bye = uac.send(dk, Method::Bye);
    let (update, _) = uac.receive(response(&bye, 200, Some("a")));
    assert_eq!(update, DialogUpdate::Ended(dk));
    assert!(uac.dialogs.is_empty());
}

#[test]
fn a_481_to_a_request_in_the_dialog_ends_it() {
    let mut uac = uac();
    let dk = uac.confirmed();
    let info = uac.send(dk, Method::Info);
    let (update, _) = uac.receive(response(&info, 481, Some("a")));
    assert_eq!(update, DialogUpdate::Ended(dk));
}

#[test]
fn a_2xx_to_a_reinvite_is_acked_and_refreshes_the_target() {
    let mut uac = uac();
    let dk = uac.confirmed();
    let reinvite = uac.send(dk, Method::Invite);
    let mut ok = response(&reinvite, 200, Some("a"));
    ok.headers
        .set(HeaderName::Contact, "<sip:agent@127.0.0.1:7777>");
    let (update, sent) = uac.receive(ok.clone());
    assert_eq!(update, DialogUpdate::Response(dk));
    let ack = sent_request(&sent[0]);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.headers.cseq().unwrap().seq, 2, "the re-INVITE's CSeq");
    assert_eq!(ack.uri.to_string(), "sip:agent@127.0.0.1:7777");
    let (update, again) = uac.receive(ok);
    assert_eq!(update, DialogUpdate::AckResent(dk));
    assert_eq!(again[0].bytes, sent[0].bytes);
}

#[test]
fn a_2xx_to_an_update_refreshes_the_target() {
    let mut uac = uac();
    let dk = uac.confirmed();
    let update_req = uac.send(dk, Method::Update);
    let mut ok = response(&update_req, 200, Some("a"));
    ok.headers
        .set(HeaderName::Contact, "<sip:agent@127.0.0.1:8888>");
    uac.receive(ok);
    assert_eq!(
        uac.dialogs.get(dk).unwrap().remote_target().to_string(),
        "sip:agent@127.0.0.1:8888"
    );
}

#[test]
fn a_2xx_arriving_after_timer_m_is_acked_again() {
    let mut uac = uac();
    let dk = uac.confirmed();
    run_both_until(&mut uac.layer, &mut uac.dialogs, t0() + secs(33));
    assert_eq!(uac.layer.client_count(), 0);
    let (update, sent) = uac.answer(200, "a");
    assert_eq!(update, DialogUpdate::AckResent(dk));
    assert_eq!(sent_request(&sent[0]).method, Method::Ack);
}
