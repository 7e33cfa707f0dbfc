//! RFC 4733 round trip: a sender and a receiver over a simulated network that loses,
//! duplicates, delays and reorders packets. Every press whose packets are not all lost is
//! reported exactly once, in order; its duration is exact when an end packet got through.

use std::time::{Duration, Instant};

use media::comfort_noise::NoiseSource;
use media::dtmf::{
    Digit, DtmfEvent, DtmfReceiver, DtmfSender, EventPacket, ReceiverConfig, SenderConfig,
};
use proptest::prelude::*;

/// The simulation's time origin: the state machines never read the clock themselves.
#[allow(clippy::disallowed_methods)] // one real Instant to offset simulated time from
fn origin() -> Instant {
    Instant::now()
}

struct Network {
    rng: NoiseSource,
    loss: f64,
    duplicate: f64,
    max_jitter_ms: u64,
}

impl Network {
    fn chance(&mut self, p: f64) -> bool {
        (self.rng.next_uniform() + 1.0) / 2.0 < p
    }

    /// Arrival times of one packet (none if lost, two if duplicated).
    fn deliver(&mut self, packet: &EventPacket) -> Vec<Instant> {
        let mut arrivals = Vec::new();
        let copies = if self.chance(self.duplicate) { 2 } else { 1 };
        for _ in 0..copies {
            if !self.chance(self.loss) {
                let jitter = self.rng.next_u64() % (self.max_jitter_ms + 1);
                arrivals.push(packet.send_at + Duration::from_millis(10 + jitter));
            }
        }
        arrivals
    }
}

struct Outcome {
    pressed: Vec<(Digit, Duration)>,
    /// Per press sent: did any packet arrive, did an end packet arrive while it was current.
    heard: Vec<(bool, bool)>,
}

fn simulate(presses: &[(Digit, u64)], network: &mut Network) -> Outcome {
    let t0 = origin();
    let mut sender = DtmfSender::new(SenderConfig::default(), t0, 123_456);
    for &(digit, ms) in presses {
        sender.send_digit(t0, digit, Duration::from_millis(ms));
    }
    // Send everything, noting which press each packet belongs to (presses get increasing
    // timestamps, so a new marker-less timestamp means the next press).
    let mut in_flight: Vec<(Instant, u32, bool, [u8; 4], usize, bool)> = Vec::new();
    let mut press_index = 0usize;
    let mut started = false;
    while let Some(at) = sender.poll_timeout() {
        while let Some(packet) = sender.poll_packet(at) {
            // Each press opens with one marked packet (later segments of a long press do not).
            if packet.marker {
                press_index += usize::from(started);
                started = true;
            }
            for arrival in network.deliver(&packet) {
                in_flight.push((
                    arrival,
                    packet.timestamp,
                    packet.marker,
                    packet.payload.to_bytes(),
                    press_index,
                    packet.payload.end,
                ));
            }
        }
    }
    in_flight.sort_by_key(|p| p.0);

    // A press's duration is exact when one of its end packets reaches the receiver while the
    // press is still current: before any later press's packet, and before the receiver gave up
    // on it (a silence of `end_timeout` between two of its packets).
    let timeout = ReceiverConfig::default().end_timeout;
    let mut heard = vec![(false, false); presses.len()];
    let mut last_arrival: Vec<Option<Instant>> = vec![None; presses.len()];
    let mut timed_out = vec![false; presses.len()];
    let mut newest_press = 0;
    for &(arrival, _, _, _, press, end) in &in_flight {
        newest_press = newest_press.max(press);
        if let Some(last) = last_arrival[press]
            && arrival.duration_since(last) >= timeout
        {
            timed_out[press] = true;
        }
        last_arrival[press] = Some(arrival);
        heard[press].0 = true;
        if end && press == newest_press && !timed_out[press] {
            heard[press].1 = true;
        }
    }

    let mut receiver = DtmfReceiver::new(ReceiverConfig::default());
    let mut pressed = Vec::new();
    let mut drain = |receiver: &mut DtmfReceiver| {
        while let Some(event) = receiver.poll_event() {
            if let DtmfEvent::DigitPressed { digit, duration } = event {
                pressed.push((digit, duration));
            }
        }
    };
    for (arrival, timestamp, marker, payload, _, _) in in_flight {
        if let Some(deadline) = receiver.poll_timeout().filter(|&d| d <= arrival) {
            receiver.handle_timeout(deadline);
        }
        receiver
            .handle_packet(arrival, timestamp, marker, &payload)
            .expect("the sender builds valid payloads");
        drain(&mut receiver);
    }
    if let Some(deadline) = receiver.poll_timeout() {
        receiver.handle_timeout(deadline);
    }
    drain(&mut receiver);
    Outcome { pressed, heard }
}

fn check(presses: &[(Digit, u64)], outcome: &Outcome) {
    let expected: Vec<(Digit, u64, bool)> = presses
        .iter()
        .zip(&outcome.heard)
        .filter(|(_, (any, _))| *any)
        .map(|(&(digit, ms), &(_, end))| (digit, ms, end))
        .collect();
    assert_eq!(
        outcome.pressed.iter().map(|p| p.0).collect::<Vec<_>>(),
        expected.iter().map(|e| e.0).collect::<Vec<_>>(),
        "keys reported"
    );
    for ((digit, duration), (_, ms, end_heard)) in outcome.pressed.iter().zip(&expected) {
        let sent = Duration::from_millis(*ms);
        if *end_heard {
            assert_eq!(*duration, sent, "{digit}");
        } else {
            assert!(*duration <= sent, "{digit}: {duration:?} > {sent:?}");
        }
    }
}

#[test]
fn clean_network_delivers_every_press_with_its_duration() {
    let presses: Vec<(Digit, u64)> = Digit::ALL.iter().map(|&d| (d, 100)).collect();
    let mut network = Network {
        rng: NoiseSource::new(0),
        loss: 0.0,
        duplicate: 0.0,
        max_jitter_ms: 0,
    };
    let outcome = simulate(&presses, &mut network);
    assert_eq!(
        outcome.pressed,
        presses
            .iter()
            .map(|&(d, ms)| (d, Duration::from_millis(ms)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn lossy_duplicating_reordering_network_reports_each_press_once() {
    let presses: Vec<(Digit, u64)> = (0..40)
        .map(|i| (Digit::ALL[(i * 7) % 16], 40 + (i as u64 * 37) % 260))
        .collect();
    for seed in 0..50 {
        let mut network = Network {
            rng: NoiseSource::new(seed),
            loss: 0.2,
            duplicate: 0.2,
            max_jitter_ms: 40,
        };
        check(&presses, &simulate(&presses, &mut network));
    }
}

#[test]
fn long_press_survives_the_network_as_one_press() {
    let presses = [(Digit::Pound, 12_000), (Digit::One, 100)];
    for seed in 0..5 {
        let mut network = Network {
            rng: NoiseSource::new(seed),
            loss: 0.1,
            duplicate: 0.1,
            max_jitter_ms: 20,
        };
        let outcome = simulate(&presses, &mut network);
        check(&presses, &outcome);
        assert_eq!(outcome.pressed.len(), 2);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_presses_any_network(
        presses in proptest::collection::vec((0usize..16, 20u64..400), 1..12),
        loss in 0.0f64..0.4,
        duplicate in 0.0f64..0.4,
        jitter in 0u64..60,
        seed: u64,
    ) {
        let presses: Vec<(Digit, u64)> = presses.into_iter().map(|(d, ms)| (Digit::ALL[d], ms)).collect();
        let mut network = Network { rng: NoiseSource::new(seed), loss, duplicate, max_jitter_ms: jitter };
        check(&presses, &simulate(&presses, &mut network));
    }
}
