//! A UAC and a UAS, each a transaction layer with its dialogs, over a simulated network on a
//! simulated clock: seeded loss, random delay (reordering) and UDP semantics, or a reliable
//! link. Two small TUs play the parties.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use std::time::{Duration, Instant};

use sip::dialog::{DialogEvent, DialogUpdate};
use sip::header::{Transport, Via};
use sip::transaction::{ClientKey, Label, ServerKey, TxEvent};
use sip::{Host, Method, Request, StatusCode};
use transaction_support::sim::{Input, Net, Party, Side, Sim};
use transaction_support::*;

/// When the UAS answers an INVITE with 200 (it sends 180 at once).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    AtOnce,
    /// At this many ms after the start, unless cancelled first.
    Later(u64),
    /// Never (the INVITE keeps ringing).
    Never,
}

const WAKE_ANSWER: u32 = 1;
const WAKE_CANCEL: u32 = 2;

/// The phone's TU.
struct Uas {
    answer: Answer,
    pending: Option<(ServerKey, Request, String)>,
    requests: Vec<Method>,
    updates: Vec<DialogUpdate>,
    cancelled: usize,
    ack_at: Option<Instant>,
    ack_timeouts: usize,
}

impl Uas {
    fn new(answer: Answer) -> Uas {
        Uas {
            answer,
            pending: None,
            requests: Vec::new(),
            updates: Vec::new(),
            cancelled: 0,
            ack_at: None,
            ack_timeouts: 0,
        }
    }

    fn respond(
        &mut self,
        party: &mut Party,
        now: Instant,
        key: ServerKey,
        request: &Request,
        status: u16,
        tag: &str,
    ) {
        let r = response(request, status, Some(tag));
        party
            .dialogs
            .respond(now, &mut party.layer, key, request, r)
            .unwrap_or_else(|e| panic!("{status}: {e}"));
    }

    fn on(&mut self, party: &mut Party, input: Input, now: Instant, start: Instant) {
        match input {
            Input::Tx(TxEvent::Request { key, request, .. }, update) => {
                self.requests.push(request.method.clone());
                self.updates.push(update.clone());
                if matches!(update, DialogUpdate::Rejected(_)) {
                    return;
                }
                if request.method != Method::Invite {
                    self.respond(party, now, key, &request, 200, "uas");
                    return;
                }
                let tag = party.layer.new_tag();
                self.respond(party, now, key, &request, 180, &tag);
                match self.answer {
                    Answer::AtOnce => self.respond(party, now, key, &request, 200, &tag),
                    Answer::Later(ms) => {
                        party.wake_at(start + Duration::from_millis(ms), WAKE_ANSWER);
                        self.pending = Some((key, request, tag));
                    }
                    Answer::Never => self.pending = Some((key, request, tag)),
                }
            }
            Input::Tx(TxEvent::Cancelled { invite, .. }, _) => {
                self.cancelled += 1;
                if let Some((key, request, tag)) = self.pending.take() {
                    assert_eq!(key, invite);
                    self.respond(party, now, key, &request, 487, &tag);
                }
            }
            Input::Tx(TxEvent::Ack { .. }, update) => {
                if matches!(update, DialogUpdate::Ack(_)) {
                    self.ack_at.get_or_insert(now);
                }
                self.updates.push(update);
            }
            Input::Wake(WAKE_ANSWER) => {
                if let Some((key, request, tag)) = self.pending.take() {
                    self.respond(party, now, key, &request, 200, &tag);
                }
            }
            Input::Dialog(DialogEvent::AckTimeout { .. }) => self.ack_timeouts += 1,
            Input::Tx(_, update) => self.updates.push(update),
            Input::Wake(_) => {}
        }
    }
}

/// The B2BUA's TU toward the phone.
#[derive(Default)]
struct Uac {
    invite: Option<ClientKey>,
    statuses: Vec<u16>,
    updates: Vec<DialogUpdate>,
    timeouts: usize,
    /// Hang up (BYE) as soon as the call is confirmed: what a B2BUA does with a 200 that
    /// crossed its CANCEL.
    bye_when_confirmed: bool,
}

impl Uac {
    fn on(&mut self, party: &mut Party, input: Input, now: Instant, transport: &Transport) {
        match input {
            Input::Tx(TxEvent::Response { response, .. }, update) => {
                self.statuses.push(response.status.as_u16());
                if let (DialogUpdate::Confirmed(dk), true) = (&update, self.bye_when_confirmed) {
                    let via = via(party, transport.clone());
                    let bye = party
                        .dialogs
                        .request(*dk, Method::Bye, via)
                        .expect("dialog")
                        .build();
                    party
                        .dialogs
                        .send(now, &mut party.layer, *dk, bye)
                        .expect("BYE sent");
                }
                self.updates.push(update);
            }
            Input::Tx(TxEvent::Timeout { .. }, update) => {
                self.timeouts += 1;
                self.updates.push(update);
            }
            Input::Wake(WAKE_CANCEL) => {
                let key = self.invite.expect("an INVITE was sent");
                party.layer.cancel(now, key).expect("cancellable");
            }
            Input::Tx(_, update) => self.updates.push(update),
            _ => {}
        }
    }
}

fn via(party: &mut Party, transport: Transport) -> Via {
    let host = Host::parse("127.0.0.1").expect("host");
    let mut via = Via::new(transport, host, Some(UAC_PORT), &party.layer.new_branch());
    via.params.set("rport", None);
    via
}

/// Starts a call (or another request) from the UAC and runs both parties for `span`.
fn call(sim: &mut Sim, method: Method, uac: &mut Uac, uas: &mut Uas, span: Duration) {
    let transport = if sim.uac.remote.is_reliable() {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let now = sim.now;
    let party = &mut sim.uac;
    let req = request(&mut party.layer, method.clone(), transport.clone());
    let remote = party.remote.clone();
    let key = if method == Method::Invite {
        party
            .dialogs
            .send_invite(now, &mut party.layer, req, remote)
    } else {
        party
            .layer
            .send_request(now, req, remote)
            .map_err(Into::into)
    };
    uac.invite = Some(key.expect("sent"));
    let start = sim.start;
    sim.run(span, |party, side, input, now| match side {
        Side::Uac => uac.on(party, input, now, &transport),
        Side::Uas => uas.on(party, input, now, start),
    });
}

fn sent_with_status(party: &Party, status: StatusCode) -> Vec<Instant> {
    party
        .sent
        .iter()
        .filter(|(_, t)| t.label == Label::Response(status))
        .map(|(at, _)| *at)
        .collect()
}

fn no_transactions_left(sim: &Sim) -> bool {
    sim.uac.layer.client_count() + sim.uac.layer.server_count() == 0
        && sim.uas.layer.client_count() + sim.uas.layer.server_count() == 0
}

#[test]
fn an_invite_transaction_completes_over_a_lossy_link() {
    let mut lost = 0;
    for seed in 0..20 {
        let mut sim = Sim::new(seed, Net::lossy(0.3));
        let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::AtOnce));
        call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(80));
        lost += sim.lost;
        assert_eq!(uac.timeouts, 0, "seed {seed}");
        assert!(
            uac.statuses.contains(&200),
            "seed {seed}: {:?}",
            uac.statuses
        );
        let confirmed = uac
            .updates
            .iter()
            .filter(|u| matches!(u, DialogUpdate::Confirmed(_)))
            .count();
        assert_eq!(confirmed, 1, "seed {seed}");
        assert!(uas.ack_at.is_some(), "seed {seed}: the ACK got through");
        assert_eq!(uas.ack_timeouts, 0, "seed {seed}");
        assert!(no_transactions_left(&sim), "seed {seed}");
        assert_eq!((sim.uac.dialogs.len(), sim.uas.dialogs.len()), (1, 1));
    }
    assert!(lost > 0, "the link lost datagrams");
}

#[test]
fn the_2xx_is_retransmitted_until_the_ack_arrives() {
    let mut retransmitted = 0;
    for seed in 0..20 {
        let mut sim = Sim::new(seed, Net::lossy(0.3));
        let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::AtOnce));
        call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(80));
        let oks = sent_with_status(&sim.uas, StatusCode::OK);
        let ack_at = uas.ack_at.expect("the ACK got through");
        assert!(
            oks.iter().all(|&at| at <= ack_at),
            "seed {seed}: no 200 after the ACK"
        );
        if oks.len() > 1 {
            retransmitted += 1;
            // Each retransmitted 200 that reached the UAC was ACKed again.
            let acks = sim
                .uac
                .sent
                .iter()
                .filter(|(_, t)| t.label == Label::Request(Method::Ack))
                .count();
            assert!(acks >= 1, "seed {seed}");
        }
    }
    assert!(retransmitted > 0, "some seeds lost a 200 or its ACK");
}

#[test]
fn timer_b_fires_when_nobody_answers() {
    let mut sim = Sim::new(1, Net::black_hole());
    let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::AtOnce));
    call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(40));
    assert_eq!(uac.timeouts, 1);
    assert!(uac.updates.contains(&DialogUpdate::Failed));
    assert_eq!(sim.now, sim.start + secs(32), "timer B is 64·T1");
    let invites = sim
        .uac
        .sent
        .iter()
        .filter(|(_, t)| t.label == Label::Request(Method::Invite))
        .count();
    assert_eq!(invites, 7, "the INVITE and six retransmissions");
    assert!(uas.requests.is_empty());
    assert!(no_transactions_left(&sim));
}

#[test]
fn timer_f_fires_when_nobody_answers() {
    let mut sim = Sim::new(1, Net::black_hole());
    let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::AtOnce));
    call(&mut sim, Method::Options, &mut uac, &mut uas, secs(40));
    assert_eq!(uac.timeouts, 1);
    assert_eq!(sim.now, sim.start + secs(32), "timer F is 64·T1");
    assert!(no_transactions_left(&sim));
}

#[test]
fn a_non_invite_transaction_completes_over_a_lossy_link() {
    for seed in 0..20 {
        let mut sim = Sim::new(seed, Net::lossy(0.3));
        let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::AtOnce));
        call(&mut sim, Method::Options, &mut uac, &mut uas, secs(80));
        assert_eq!(uac.timeouts, 0, "seed {seed}");
        assert_eq!(
            uac.statuses,
            [200],
            "seed {seed}: the 200 once, however often sent"
        );
        assert_eq!(
            uas.requests,
            [Method::Options],
            "seed {seed}: one request for the TU"
        );
        assert!(no_transactions_left(&sim), "seed {seed}");
    }
}

#[test]
fn a_cancel_before_the_answer_gets_487_and_the_transaction_acks_it() {
    let mut sim = Sim::new(3, Net::perfect());
    let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::Later(5_000)));
    sim.uac.wake_at(sim.start + secs(1), WAKE_CANCEL);
    call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(80));
    assert_eq!(uas.cancelled, 1);
    assert!(uac.statuses.contains(&487));
    assert!(!uac.statuses.contains(&200));
    assert!(uac.updates.contains(&DialogUpdate::Failed));
    let acks = sim
        .uac
        .sent
        .iter()
        .filter(|(_, t)| t.label == Label::Request(Method::Ack))
        .count();
    assert_eq!(acks, 1, "the client transaction ACKs the 487");
    assert!(
        sent_with_status(&sim.uas, StatusCode::OK).len() == 1,
        "the CANCEL's 200"
    );
    assert!(no_transactions_left(&sim));
    assert_eq!((sim.uac.dialogs.len(), sim.uas.dialogs.len()), (0, 0));
}

#[test]
fn a_200_crossing_the_cancel_is_acked_and_then_byed() {
    // A fixed 50 ms one-way delay: the UAS answers at 1.000 s, the UAC cancels at 1.010 s,
    // before the 200 reaches it at 1.050 s; the CANCEL reaches the UAS at 1.060 s.
    let net = Net {
        loss: 0.0,
        min_delay: ms(50),
        max_delay: ms(50),
        reliable: false,
    };
    let mut sim = Sim::new(4, net);
    let mut uac = Uac {
        bye_when_confirmed: true,
        ..Uac::default()
    };
    let mut uas = Uas::new(Answer::Later(1_000));
    sim.uac.wake_at(sim.start + ms(1_010), WAKE_CANCEL);
    call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(80));
    assert_eq!(
        uas.cancelled, 0,
        "the INVITE was answered when the CANCEL came"
    );
    assert_eq!(
        sent_with_status(&sim.uas, StatusCode::OK).len(),
        3,
        "200 to the INVITE, to the CANCEL, to the BYE"
    );
    assert!(uac.statuses.contains(&200));
    assert!(!uac.statuses.contains(&487), "the INVITE stays answered");
    assert!(
        uac.updates
            .iter()
            .any(|u| matches!(u, DialogUpdate::Confirmed(_)))
    );
    assert!(uas.ack_at.is_some(), "the UAC ACKed the 200");
    assert!(uas.requests.contains(&Method::Bye));
    assert!(
        uac.updates
            .iter()
            .any(|u| matches!(u, DialogUpdate::Ended(_)))
    );
    assert!(
        uas.updates
            .iter()
            .any(|u| matches!(u, DialogUpdate::Ended(_)))
    );
    assert_eq!((sim.uac.dialogs.len(), sim.uas.dialogs.len()), (0, 0));
    assert!(no_transactions_left(&sim));
}

#[test]
fn a_call_over_a_reliable_transport_sends_no_retransmission() {
    let mut sim = Sim::new(5, Net::reliable());
    let mut uac = Uac {
        bye_when_confirmed: true,
        ..Uac::default()
    };
    let mut uas = Uas::new(Answer::AtOnce);
    call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(80));
    assert!(uac.statuses.contains(&200));
    assert!(uas.ack_at.is_some());
    assert!(uas.requests.contains(&Method::Bye));
    assert_eq!(sim.uac.retransmissions(), 0);
    assert_eq!(sim.uas.retransmissions(), 0);
    assert!(no_transactions_left(&sim));
}

#[test]
fn a_ringing_invite_is_cancelled_by_timer_c() {
    let mut sim = Sim::new(6, Net::perfect());
    let (mut uac, mut uas) = (Uac::default(), Uas::new(Answer::Never));
    call(&mut sim, Method::Invite, &mut uac, &mut uas, secs(400));
    assert_eq!(uas.cancelled, 1, "timer C sent a CANCEL after 180 s");
    assert!(uac.statuses.contains(&487));
    assert!(no_transactions_left(&sim));
}
