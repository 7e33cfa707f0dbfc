//! Property tests: whatever sequence of messages (matching, mismatched, malformed), sends,
//! cancels, responses and time jumps the layer and the dialog set get, they never panic,
//! never hold more transactions or dialogs than their caps, always have a timer while they
//! hold a transaction, and forget every transaction once time runs far enough.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sip::dialog::{DialogConfig, Dialogs};
use sip::header::Transport;
use sip::transaction::{Config, Peer, ServerKey, TransactionLayer, Trying, TxEvent};
use sip::{HeaderName, Message, Method, Request, Response, StatusCode};
use transaction_support::*;

const CAP: usize = 4;
const DIALOG_CAP: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// The layer sends a request (INVITE through the dialog set).
    Send {
        method: u8,
        tcp: bool,
    },
    /// A response arrives for the n-th request sent (or, with `foreign`, for none).
    Respond {
        n: u8,
        status: u8,
        tag: u8,
        foreign: bool,
    },
    /// A request arrives; `n` picks a fresh one or one received before (a retransmission
    /// or its ACK/CANCEL); `strip` removes a header.
    Receive {
        n: u8,
        method: u8,
        legacy: bool,
        tcp: bool,
        strip: u8,
        to_tag: bool,
    },
    /// The TU answers the n-th server transaction (through the dialogs for INVITEs).
    Answer {
        n: u8,
        status: u8,
        tag: u8,
    },
    Cancel {
        n: u8,
    },
    TransportError {
        tcp: bool,
    },
    /// Time jumps forward (timers handled late, all at once).
    Jump {
        ms: u32,
    },
    /// Time runs to the next deadline, as a well-behaved drive loop does.
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u8>(), any::<bool>()).prop_map(|(method, tcp)| Op::Send { method, tcp }),
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>()).prop_map(
            |(n, status, tag, foreign)| Op::Respond {
                n,
                status,
                tag,
                foreign
            }
        ),
        (
            any::<u8>(),
            any::<u8>(),
            any::<bool>(),
            any::<bool>(),
            any::<u8>(),
            any::<bool>()
        )
            .prop_map(|(n, method, legacy, tcp, strip, to_tag)| Op::Receive {
                n,
                method,
                legacy,
                tcp,
                strip,
                to_tag
            }),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(n, status, tag)| Op::Answer {
            n,
            status,
            tag
        }),
        any::<u8>().prop_map(|n| Op::Cancel { n }),
        any::<bool>().prop_map(|tcp| Op::TransportError { tcp }),
        (0u32..70_000).prop_map(|ms| Op::Jump { ms }),
        Just(Op::Tick),
    ]
}

const METHODS: [Method; 7] = [
    Method::Invite,
    Method::Options,
    Method::Bye,
    Method::Ack,
    Method::Cancel,
    Method::Info,
    Method::Register,
];
const STATUSES: [u16; 11] = [100, 180, 183, 200, 202, 300, 404, 481, 486, 487, 603];
const TAGS: [&str; 3] = ["t1", "t2", "t3"];
const STRIPPED: [HeaderName; 5] = [
    HeaderName::Via,
    HeaderName::CSeq,
    HeaderName::From,
    HeaderName::To,
    HeaderName::CallId,
];

fn pick<T: Clone>(list: &[T], n: u8) -> Option<T> {
    if list.is_empty() {
        None
    } else {
        list.get(usize::from(n) % list.len()).cloned()
    }
}

struct World {
    now: Instant,
    layer: TransactionLayer,
    dialogs: Dialogs,
    peer_factory: TransactionLayer,
    sent: Vec<Request>,
    received: Vec<Request>,
    servers: Vec<(ServerKey, Request)>,
    clients: Vec<sip::transaction::ClientKey>,
}

impl World {
    fn new() -> World {
        let config = Config {
            max_server_transactions: CAP,
            max_client_transactions: CAP,
            trying: Trying::After(Duration::from_millis(200)),
            ..Config::default()
        };
        World {
            now: t0(),
            layer: TransactionLayer::new(config, 77),
            dialogs: Dialogs::new(DialogConfig {
                max_dialogs: DIALOG_CAP,
                ..DialogConfig::default()
            }),
            peer_factory: TransactionLayer::new(Config::default(), 78),
            sent: Vec::new(),
            received: Vec::new(),
            servers: Vec::new(),
            clients: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(event) = self.layer.poll_event() {
            self.dialogs
                .handle_tx_event(self.now, &mut self.layer, &event);
            if let TxEvent::Request { key, request, .. } = event {
                self.servers.push((key, request));
            }
        }
        while self.dialogs.poll_event().is_some() {}
        while self.layer.poll_transmit().is_some() {}
    }

    fn apply(&mut self, op: Op) {
        let now = self.now;
        match op {
            Op::Send { method, tcp } => {
                let method = pick(&METHODS, method).unwrap_or(Method::Options);
                let (transport, peer) = transport(tcp, false);
                let req = request(&mut self.peer_factory, method.clone(), transport);
                let key = if method == Method::Invite {
                    self.dialogs
                        .send_invite(now, &mut self.layer, req.clone(), peer)
                        .ok()
                } else {
                    self.layer.send_request(now, req.clone(), peer).ok()
                };
                self.sent.push(req);
                self.clients.extend(key);
            }
            Op::Respond {
                n,
                status,
                tag,
                foreign,
            } => {
                let req = if foreign {
                    Some(request(
                        &mut self.peer_factory,
                        Method::Invite,
                        Transport::Udp,
                    ))
                } else {
                    pick(&self.sent, n)
                };
                if let Some(req) = req {
                    let status = pick(&STATUSES, status).unwrap_or(200);
                    let tag = (status != 100).then(|| pick(&TAGS, tag).unwrap_or("t1"));
                    let r = response(&req, status, tag);
                    self.layer
                        .handle_received(now, Message::Response(r), uas_udp());
                }
            }
            Op::Receive {
                n,
                method,
                legacy,
                tcp,
                strip,
                to_tag,
            } => {
                let (transport, source) = transport(tcp, true);
                let mut req = match pick(&self.received, n).filter(|_| n % 2 == 0) {
                    // An earlier request again, or the ACK/CANCEL that follows it.
                    Some(earlier) => match method % 3 {
                        0 => earlier,
                        1 => earlier
                            .ack_for(&response(&earlier, 487, Some("t1")))
                            .unwrap_or(earlier),
                        _ => earlier.cancel().unwrap_or(earlier),
                    },
                    None => {
                        let method = pick(&METHODS, method).unwrap_or(Method::Options);
                        request(&mut self.peer_factory, method, transport)
                    }
                };
                if legacy {
                    req.headers
                        .set(HeaderName::Via, "SIP/2.0/UDP 127.0.0.1:5061;branch=old1");
                }
                if to_tag {
                    req.headers
                        .set(HeaderName::To, "<sip:agent@127.0.0.1>;tag=t1");
                }
                if strip < 40
                    && let Some(name) = pick(&STRIPPED, strip)
                {
                    req.headers.remove(&name);
                }
                self.received.push(req.clone());
                self.layer
                    .handle_received(now, Message::Request(req), source);
            }
            Op::Answer { n, status, tag } => {
                if let Some((key, req)) = pick(&self.servers, n) {
                    let status = pick(&STATUSES, status).unwrap_or(200);
                    let tag = (status != 100).then(|| pick(&TAGS, tag).unwrap_or("t1"));
                    let r: Response = response(&req, status, tag);
                    if req.method == Method::Invite {
                        let _ = self.dialogs.respond(now, &mut self.layer, key, &req, r);
                    } else {
                        let _ = self.layer.send_response(now, key, r);
                    }
                }
            }
            Op::Cancel { n } => {
                if let Some(key) = pick(&self.clients, n) {
                    let _ = self.layer.cancel(now, key);
                }
            }
            Op::TransportError { tcp } => {
                let (_, peer) = transport(tcp, false);
                self.layer.handle_transport_error(now, &peer);
            }
            Op::Jump { ms } => {
                self.now += Duration::from_millis(u64::from(ms));
                self.layer.handle_timeout(self.now);
                self.dialogs.handle_timeout(self.now, &mut self.layer);
            }
            Op::Tick => self.tick(),
        }
        self.drain();
    }

    fn tick(&mut self) {
        let next = [self.layer.poll_timeout(), self.dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        if let Some(at) = next {
            self.now = self.now.max(at);
            self.layer.handle_timeout(self.now);
            self.dialogs.handle_timeout(self.now, &mut self.layer);
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        prop_assert!(self.layer.server_count() <= CAP);
        prop_assert!(self.layer.client_count() <= CAP);
        prop_assert!(self.dialogs.len() <= DIALOG_CAP);
        let busy = self.layer.server_count() + self.layer.client_count() > 0;
        prop_assert!(
            !busy || self.layer.poll_timeout().is_some(),
            "a transaction without timer"
        );
        Ok(())
    }
}

/// A transport and the matching peer: the UAS side for the layer's sends, the UAC side as
/// the source of what it receives.
fn transport(tcp: bool, as_source: bool) -> (Transport, Peer) {
    match (tcp, as_source) {
        (false, false) => (Transport::Udp, uas_udp()),
        (true, false) => (Transport::Tcp, uas_tcp()),
        (false, true) => (Transport::Udp, uac_udp()),
        (true, true) => (Transport::Tcp, uac_tcp()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_layer_never_panics_stays_bounded_and_forgets_everything_in_time(
        ops in prop::collection::vec(op(), 0..80)
    ) {
        let mut world = World::new();
        for op in ops {
            world.apply(op);
            world.check()?;
        }
        // An hour later, every transaction has ended and no timer is left behind.
        let end = world.now + Duration::from_secs(3600);
        let mut steps = 0;
        while let Some(at) = [world.layer.poll_timeout(), world.dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .filter(|&at| at <= end)
        {
            world.now = at;
            world.layer.handle_timeout(at);
            world.dialogs.handle_timeout(at, &mut world.layer);
            world.drain();
            world.check()?;
            steps += 1;
            prop_assert!(steps < 100_000, "timers keep firing");
        }
        prop_assert_eq!(world.layer.server_count(), 0);
        prop_assert_eq!(world.layer.client_count(), 0);
        prop_assert_eq!(world.layer.poll_timeout(), None);
        prop_assert_eq!(world.dialogs.poll_timeout(), None);
    }

    #[test]
    fn the_2xx_of_any_accepted_invite_stops_at_the_ack(ack_after_ms in 0u64..40_000) {
        // Whenever the ACK comes, no 200 leaves after it, and none after 64·T1.
        let mut world = World::new();
        let req = request(&mut world.peer_factory, Method::Invite, Transport::Udp);
        world.layer.handle_received(world.now, Message::Request(req.clone()), uac_udp());
        world.drain();
        let (key, _) = world.servers[0].clone();
        let ok = response(&req, 200, Some("t1"));
        world.dialogs.respond(world.now, &mut world.layer, key, &req, ok.clone()).unwrap();
        let ack_at = world.now + Duration::from_millis(ack_after_ms);
        let mut ack = req.ack_for(&ok).unwrap();
        ack.headers.set(HeaderName::Via, "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKack");
        let mut acked = false;
        let mut late_oks = 0;
        for _ in 0..1000 {
            while let Some(t) = world.layer.poll_transmit() {
                let after_ack = acked && t.label == sip::transaction::Label::Response(StatusCode::OK);
                if after_ack || world.now > t0() + Duration::from_secs(32) {
                    late_oks += 1;
                }
            }
            let next = [world.layer.poll_timeout(), world.dialogs.poll_timeout()]
                .into_iter().flatten().min();
            let next = match (next, acked) {
                (Some(at), false) if at > ack_at => ack_at,
                (None, false) => ack_at,
                (Some(at), _) => at,
                (None, true) => break,
            };
            world.now = next;
            if !acked && world.now >= ack_at {
                world.layer.handle_received(world.now, Message::Request(ack.clone()), uac_udp());
                acked = true;
                // Events of an input are handled before anything else happens.
                while let Some(event) = world.layer.poll_event() {
                    world.dialogs.handle_tx_event(world.now, &mut world.layer, &event);
                }
            }
            world.layer.handle_timeout(world.now);
            world.dialogs.handle_timeout(world.now, &mut world.layer);
            while let Some(event) = world.layer.poll_event() {
                world.dialogs.handle_tx_event(world.now, &mut world.layer, &event);
            }
        }
        prop_assert_eq!(late_oks, 0);
    }
}
