//! Two parties (a UAC and a UAS, each a transaction layer with a dialog set) joined by a
//! simulated network on a simulated clock: seeded loss, random delay (so reordering) and UDP
//! semantics, or a lossless in-order "reliable" link. The test plays both TUs through one
//! callback.

use std::time::{Duration, Instant};

use bytes::Bytes;
use sip::Message;
use sip::dialog::{DialogConfig, DialogEvent, DialogUpdate, Dialogs};
use sip::transaction::{Config, IdGenerator, Peer, TransactionLayer, Transmit, TxEvent};

use super::{UAS_PORT, t0, uac_tcp, uac_udp, uas_tcp, uas_udp};

/// The link between the parties.
#[derive(Debug, Clone)]
pub struct Net {
    /// Share of datagrams lost, 0 to 1 (ignored on a reliable link).
    pub loss: f64,
    /// Delay of each datagram, drawn uniformly from this range (fixed at `min` on a
    /// reliable link, which keeps order).
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// TCP-like: no loss, in order; the parties use TCP peers (no retransmission timers).
    pub reliable: bool,
}

impl Net {
    pub fn lossy(loss: f64) -> Net {
        Net {
            loss,
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(80),
            reliable: false,
        }
    }

    pub fn perfect() -> Net {
        Net::lossy(0.0)
    }

    pub fn black_hole() -> Net {
        Net::lossy(1.0)
    }

    pub fn reliable() -> Net {
        Net {
            loss: 0.0,
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(20),
            reliable: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Uac,
    Uas,
}

/// One party: its engines, what it sent, and wake-ups its TU asked for.
pub struct Party {
    pub layer: TransactionLayer,
    pub dialogs: Dialogs,
    /// The other party, as a destination.
    pub remote: Peer,
    /// Everything this party sent, in order, with when.
    pub sent: Vec<(Instant, Transmit)>,
    wakes: Vec<(Instant, u32)>,
}

impl Party {
    /// Calls the TU with `Input::Wake(tag)` at `at`.
    pub fn wake_at(&mut self, at: Instant, tag: u32) {
        self.wakes.push((at, tag));
    }

    /// How many retransmissions this party sent.
    pub fn retransmissions(&self) -> usize {
        self.sent.iter().filter(|(_, t)| t.retransmission).count()
    }
}

/// What the TU callback is told (moved once per event; size does not matter here).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Input {
    Tx(TxEvent, DialogUpdate),
    Dialog(DialogEvent),
    Wake(u32),
}

struct Packet {
    at: Instant,
    seq: u64,
    to: Side,
    bytes: Bytes,
    from: Peer,
}

pub struct Sim {
    pub now: Instant,
    pub start: Instant,
    pub uac: Party,
    pub uas: Party,
    net: Net,
    rng: IdGenerator,
    in_flight: Vec<Packet>,
    seq: u64,
    pub lost: usize,
    pub delivered: usize,
}

impl Sim {
    pub fn new(seed: u64, net: Net) -> Sim {
        let start = t0();
        let (uac_peer, uas_peer) = if net.reliable {
            (uac_tcp(), uas_tcp())
        } else {
            (uac_udp(), uas_udp())
        };
        let party = |remote: Peer, seed: u64| Party {
            layer: TransactionLayer::new(Config::default(), seed),
            dialogs: Dialogs::new(DialogConfig::default()),
            remote,
            sent: Vec::new(),
            wakes: Vec::new(),
        };
        Sim {
            now: start,
            start,
            uac: party(uas_peer, seed.wrapping_mul(3).wrapping_add(1)),
            uas: party(uac_peer, seed.wrapping_mul(5).wrapping_add(2)),
            net,
            rng: IdGenerator::new(seed),
            in_flight: Vec::new(),
            seq: 0,
            lost: 0,
            delivered: 0,
        }
    }

    pub fn party(&mut self, side: Side) -> &mut Party {
        match side {
            Side::Uac => &mut self.uac,
            Side::Uas => &mut self.uas,
        }
    }

    /// The peer a message from `side` appears to come from.
    fn source_of(&self, side: Side) -> Peer {
        match side {
            Side::Uac => self.uas.remote.clone(),
            Side::Uas => self.uac.remote.clone(),
        }
    }

    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Moves what the parties sent onto the wire.
    fn flush(&mut self) {
        for side in [Side::Uac, Side::Uas] {
            while let Some(t) = self.party(side).layer.poll_transmit() {
                let now = self.now;
                self.party(side).sent.push((now, t.clone()));
                let to = if t.peer.addr.port() == UAS_PORT {
                    Side::Uas
                } else {
                    Side::Uac
                };
                let lost = !self.net.reliable && self.uniform() < self.net.loss;
                if lost {
                    self.lost += 1;
                    continue;
                }
                let delay = if self.net.reliable {
                    self.net.min_delay
                } else {
                    let span = self.net.max_delay.saturating_sub(self.net.min_delay);
                    self.net.min_delay + span.mul_f64(self.uniform())
                };
                self.seq += 1;
                let from = self.source_of(side);
                self.in_flight.push(Packet {
                    at: self.now + delay,
                    seq: self.seq,
                    to,
                    bytes: t.bytes,
                    from,
                });
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let packets = self.in_flight.iter().map(|p| p.at);
        let parties = [&self.uac, &self.uas].into_iter().flat_map(|p| {
            [p.layer.poll_timeout(), p.dialogs.poll_timeout()]
                .into_iter()
                .flatten()
                .chain(p.wakes.iter().map(|w| w.0))
        });
        packets.chain(parties).min()
    }

    /// Feeds every pending event of `side` to the dialogs and then to the TU.
    fn drain(&mut self, side: Side, tu: &mut impl FnMut(&mut Party, Side, Input, Instant)) {
        let now = self.now;
        let party = self.party(side);
        loop {
            if let Some(event) = party.layer.poll_event() {
                let update = party.dialogs.handle_tx_event(now, &mut party.layer, &event);
                tu(party, side, Input::Tx(event, update), now);
            } else if let Some(event) = party.dialogs.poll_event() {
                tu(party, side, Input::Dialog(event), now);
            } else {
                break;
            }
        }
    }

    /// Runs the simulation until `start + span` or until nothing is left to happen.
    pub fn run(&mut self, span: Duration, mut tu: impl FnMut(&mut Party, Side, Input, Instant)) {
        let until = self.start + span;
        loop {
            for side in [Side::Uac, Side::Uas] {
                self.drain(side, &mut tu);
            }
            self.flush();
            let Some(next) = self.next_deadline().filter(|&at| at <= until) else {
                break;
            };
            self.now = self.now.max(next);
            let now = self.now;
            // Packets due now, in the order they will arrive.
            self.in_flight
                .sort_by_key(|p| std::cmp::Reverse((p.at, p.seq)));
            while self.in_flight.last().is_some_and(|p| p.at <= now) {
                let Some(packet) = self.in_flight.pop() else {
                    break;
                };
                self.delivered += 1;
                let message = Message::parse(packet.bytes).expect("parties send valid messages");
                self.party(packet.to)
                    .layer
                    .handle_received(now, message, packet.from);
                self.drain(packet.to, &mut tu);
            }
            for side in [Side::Uac, Side::Uas] {
                let party = self.party(side);
                party.layer.handle_timeout(now);
                party.dialogs.handle_timeout(now, &mut party.layer);
                let due: Vec<u32> = party
                    .wakes
                    .iter()
                    .filter(|w| w.0 <= now)
                    .map(|w| w.1)
                    .collect();
                party.wakes.retain(|w| w.0 > now);
                for tag in due {
                    tu(party, side, Input::Wake(tag), now);
                }
            }
        }
    }
}
