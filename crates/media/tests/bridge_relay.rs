//! The bridge: header rewriting, transcoding, telephone-events, source changes, counters.

use std::time::{Duration, Instant};

use media::bridge::{Bridge, BridgeError, LegConfig, LegId, RelayedKind, StreamSeed};
use media::g711::{Codec, alaw_to_linear, ulaw_to_alaw};
use media::rtp::{RtpBuilder, RtpHeader, RtpPacket, seq_delta, timestamp_delta};
use proptest::prelude::*;

#[allow(clippy::disallowed_methods)] // tests need an Instant origin; only offsets matter
fn origin() -> Instant {
    Instant::now()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const SEED_A: StreamSeed = StreamSeed {
    ssrc: 0xA0A0_A0A0,
    sequence_number: 1_000,
    timestamp: 50_000,
};
const SEED_B: StreamSeed = StreamSeed {
    ssrc: 0xB0B0_B0B0,
    sequence_number: 65_530,
    timestamp: u32::MAX - 200,
};

fn bridge(a: Codec, b: Codec) -> Bridge {
    Bridge::new(LegConfig::new(a), LegConfig::new(b), [SEED_A, SEED_B])
}

fn rtp(pt: u8, ssrc: u32, seq: u16, ts: u32, payload: &[u8]) -> Vec<u8> {
    let header = RtpHeader {
        marker: false,
        payload_type: pt,
        sequence_number: seq,
        timestamp: ts,
        ssrc,
    };
    let mut buf = vec![0u8; 12 + payload.len()];
    let len = RtpBuilder::new(header, payload)
        .write(&mut buf)
        .expect("buffer sized for the packet");
    buf.truncate(len);
    buf
}

fn payload(seed: u8) -> Vec<u8> {
    (0..160u32)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

#[test]
fn same_codec_copies_the_payload_and_rewrites_the_header() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let input = rtp(0, 0x1234, 77, 9_000, &payload(1));
    let r = b.relay(t0, LegId::A, &input, &mut out).unwrap().unwrap();
    let p = RtpPacket::parse(&out[..r.len]).unwrap();
    assert_eq!(p.payload(), &payload(1)[..]);
    assert_eq!(
        (p.ssrc(), p.sequence_number(), p.timestamp()),
        (SEED_B.ssrc, SEED_B.sequence_number, SEED_B.timestamp)
    );
    assert_eq!(p.payload_type(), 0);
    assert_eq!(r.kind, RelayedKind::Audio);
    assert!(!b.transcodes(LegId::A));
}

#[test]
fn alaw_leg_is_transcoded_for_a_ulaw_leg_by_the_direct_table() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcma);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let input = rtp(0, 0x1234, 1, 0, &payload(3));
    let r = b.relay(t0, LegId::A, &input, &mut out).unwrap().unwrap();
    let p = RtpPacket::parse(&out[..r.len]).unwrap();
    assert_eq!(p.payload_type(), 8);
    let expected: Vec<u8> = payload(3).iter().map(|&c| ulaw_to_alaw(c)).collect();
    assert_eq!(p.payload(), &expected[..]);
    assert!(b.transcodes(LegId::B));
}

#[test]
fn both_directions_use_their_own_outgoing_streams() {
    let mut b = bridge(Codec::Pcma, Codec::Pcma);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let from_a = b
        .relay(t0, LegId::A, &rtp(8, 1, 5, 5, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    assert_eq!(
        RtpPacket::parse(&out[..from_a.len]).unwrap().ssrc(),
        SEED_B.ssrc
    );
    let from_b = b
        .relay(t0, LegId::B, &rtp(8, 2, 9, 9, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    assert_eq!(
        RtpPacket::parse(&out[..from_b.len]).unwrap().ssrc(),
        SEED_A.ssrc
    );
    assert_eq!(from_b.sequence_number, SEED_A.sequence_number);
    assert_eq!(b.outgoing_ssrc(LegId::A), SEED_A.ssrc);
}

#[test]
fn telephone_event_takes_the_other_legs_payload_type() {
    let mut a_cfg = LegConfig::new(Codec::Pcmu);
    a_cfg.telephone_event = Some(101);
    let mut b_cfg = LegConfig::new(Codec::Pcma);
    b_cfg.telephone_event = Some(96);
    let mut b = Bridge::new(a_cfg, b_cfg, [SEED_A, SEED_B]);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let event = [5u8, 0x0A, 0x00, 0xA0]; // digit 5, volume 10, duration 160
    let r = b
        .relay(t0, LegId::A, &rtp(101, 1, 1, 0, &event), &mut out)
        .unwrap()
        .unwrap();
    let p = RtpPacket::parse(&out[..r.len]).unwrap();
    assert_eq!((p.payload_type(), p.payload()), (96, &event[..]));
    assert_eq!(r.kind, RelayedKind::TelephoneEvent);
}

#[test]
fn telephone_event_is_dropped_when_the_other_leg_has_none() {
    let mut b_cfg = LegConfig::new(Codec::Pcmu);
    b_cfg.telephone_event = None;
    let mut b = Bridge::new(LegConfig::new(Codec::Pcmu), b_cfg, [SEED_A, SEED_B]);
    let mut out = [0u8; 1500];
    assert_eq!(
        b.relay(
            origin(),
            LegId::A,
            &rtp(101, 1, 1, 0, &[1, 0, 0, 160]),
            &mut out
        ),
        Ok(None)
    );
    assert_eq!(b.counters(LegId::A).dropped, 1);
}

#[test]
fn unknown_payload_types_are_dropped_and_counted() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let mut out = [0u8; 1500];
    assert_eq!(
        b.relay(origin(), LegId::A, &rtp(13, 1, 1, 0, &[40]), &mut out),
        Ok(None)
    );
    let c = b.counters(LegId::A);
    assert_eq!((c.packets_in, c.dropped), (1, 1));
    assert_eq!(b.counters(LegId::B).packets_out, 0);
}

#[test]
fn static_g711_type_other_than_negotiated_is_transcoded_too() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let mut out = [0u8; 1500];
    // Leg A switches to PCMA without renegotiating: still heard on B as PCMU.
    let r = b
        .relay(origin(), LegId::A, &rtp(8, 1, 1, 0, &[0xD5; 160]), &mut out)
        .unwrap()
        .unwrap();
    let p = RtpPacket::parse(&out[..r.len]).unwrap();
    assert_eq!(p.payload_type(), 0);
    assert!(
        p.payload()
            .iter()
            .all(|&c| c == media::g711::alaw_to_ulaw(0xD5))
    );
}

#[test]
fn malformed_packet_is_an_error_and_counted() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let mut out = [0u8; 1500];
    assert!(matches!(
        b.relay(origin(), LegId::B, &[0x80, 0, 1], &mut out),
        Err(BridgeError::Rtp(_))
    ));
    assert_eq!(b.counters(LegId::B).dropped, 1);
}

#[test]
fn small_output_buffer_is_an_error() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let mut out = [0u8; 100];
    assert_eq!(
        b.relay(origin(), LegId::A, &rtp(0, 1, 1, 0, &payload(0)), &mut out),
        Err(BridgeError::BufferTooSmall {
            needed: 172,
            len: 100
        })
    );
}

#[test]
fn loss_and_reordering_show_through_unchanged() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let mut seqs = Vec::new();
    for (i, n) in [0u16, 1, 3, 2, 5].into_iter().enumerate() {
        let r = b.relay(
            t0 + ms(20 * i as u64),
            LegId::A,
            &rtp(0, 9, 100 + n, 160 * u32::from(n), &payload(0)),
            &mut out,
        );
        seqs.push(r.unwrap().unwrap().sequence_number);
    }
    let base = SEED_B.sequence_number;
    let expected: Vec<u16> = [0u16, 1, 3, 2, 5]
        .iter()
        .map(|n| base.wrapping_add(*n))
        .collect();
    assert_eq!(seqs, expected);
}

#[test]
fn new_ssrc_continues_the_sequence_and_advances_time() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let mut last = None;
    for n in 0..10u16 {
        let r = b.relay(
            t0 + ms(20 * u64::from(n)),
            LegId::A,
            &rtp(0, 1, 500 + n, 8_000 + 160 * u32::from(n), &payload(0)),
            &mut out,
        );
        last = r.unwrap();
    }
    let last = last.unwrap();
    // Re-INVITE: new SSRC, new numbering, 100 ms after the last packet.
    let r = b
        .relay(
            t0 + ms(280),
            LegId::A,
            &rtp(0, 2, 40_000, 123, &payload(0)),
            &mut out,
        )
        .unwrap()
        .unwrap();
    assert_eq!(r.sequence_number, last.sequence_number.wrapping_add(1));
    assert_eq!(timestamp_delta(last.timestamp, r.timestamp), 800);
    assert!(r.marker, "the discontinuity is marked");
    let next = b
        .relay(
            t0 + ms(300),
            LegId::A,
            &rtp(0, 2, 40_001, 283, &payload(0)),
            &mut out,
        )
        .unwrap()
        .unwrap();
    assert_eq!(next.sequence_number, r.sequence_number.wrapping_add(1));
    assert_eq!(timestamp_delta(r.timestamp, next.timestamp), 160);
    assert!(!next.marker);
}

#[test]
fn immediate_source_switch_advances_at_least_one_packet_time() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let first = b
        .relay(t0, LegId::A, &rtp(0, 1, 1, 0, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    let second = b
        .relay(t0, LegId::A, &rtp(0, 2, 1, 0, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    assert_eq!(timestamp_delta(first.timestamp, second.timestamp), 160);
}

#[test]
fn sequence_restart_within_one_ssrc_is_a_new_source() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let first = b
        .relay(t0, LegId::A, &rtp(0, 1, 30_000, 0, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    let restarted = b
        .relay(
            t0 + ms(20),
            LegId::A,
            &rtp(0, 1, 7, 0, &payload(0)),
            &mut out,
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        restarted.sequence_number,
        first.sequence_number.wrapping_add(1)
    );
}

#[test]
fn stray_packets_of_the_old_source_are_dropped_for_a_while() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    b.relay(t0, LegId::A, &rtp(0, 1, 10, 0, &payload(0)), &mut out)
        .unwrap();
    b.relay(
        t0 + ms(20),
        LegId::A,
        &rtp(0, 2, 500, 0, &payload(0)),
        &mut out,
    )
    .unwrap();
    assert_eq!(
        b.relay(
            t0 + ms(30),
            LegId::A,
            &rtp(0, 1, 11, 160, &payload(0)),
            &mut out
        ),
        Ok(None)
    );
    assert_eq!(b.counters(LegId::A).dropped, 1);
    // Long after, the old SSRC may come back as a source of its own.
    let back = b
        .relay(
            t0 + ms(5_000),
            LegId::A,
            &rtp(0, 1, 12, 320, &payload(0)),
            &mut out,
        )
        .unwrap();
    assert!(back.is_some());
}

#[test]
fn replace_leg_changes_codec_and_drops_the_old_remote() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcmu);
    let t0 = origin();
    let mut out = [0u8; 1500];
    let old = b
        .relay(t0, LegId::B, &rtp(0, 0xB1, 1, 0, &payload(0)), &mut out)
        .unwrap()
        .unwrap();
    // Transfer: the agent leg now is an A-law phone.
    b.replace_leg(t0 + ms(10), LegId::B, LegConfig::new(Codec::Pcma));
    assert_eq!(
        b.relay(
            t0 + ms(15),
            LegId::B,
            &rtp(0, 0xB1, 2, 160, &payload(0)),
            &mut out
        ),
        Ok(None)
    );
    let new = b
        .relay(
            t0 + ms(40),
            LegId::B,
            &rtp(8, 0xB2, 900, 0, &[0xD5; 160]),
            &mut out,
        )
        .unwrap()
        .unwrap();
    assert_eq!(new.sequence_number, old.sequence_number.wrapping_add(1));
    let p = RtpPacket::parse(&out[..new.len]).unwrap();
    assert_eq!(p.payload_type(), 0, "leg A still hears PCMU");
    assert_eq!(p.ssrc(), SEED_A.ssrc);
    assert_eq!(b.config(LegId::B).codec, Codec::Pcma);
}

#[test]
fn decoding_for_the_recorder_gives_the_incoming_audio() {
    let mut b = bridge(Codec::Pcma, Codec::Pcmu);
    let mut out = [0u8; 1500];
    let mut pcm = [0i16; 480];
    let r = b
        .relay_decoding(
            origin(),
            LegId::A,
            &rtp(8, 1, 1, 0, &[0xAA; 240]),
            &mut out,
            &mut pcm,
        )
        .unwrap()
        .unwrap();
    assert_eq!(r.samples, 240);
    assert!(pcm[..240].iter().all(|&s| s == alaw_to_linear(0xAA)));
    let plain = b
        .relay(
            origin(),
            LegId::A,
            &rtp(8, 1, 2, 240, &[0xAA; 240]),
            &mut out,
        )
        .unwrap()
        .unwrap();
    assert_eq!(plain.samples, 0);
}

#[test]
fn counters_add_up_per_leg() {
    let mut b = bridge(Codec::Pcmu, Codec::Pcma);
    let t0 = origin();
    let mut out = [0u8; 1500];
    for n in 0..5u16 {
        b.relay(
            t0,
            LegId::A,
            &rtp(0, 1, n, 160 * u32::from(n), &payload(0)),
            &mut out,
        )
        .unwrap();
    }
    b.relay(t0, LegId::B, &rtp(8, 2, 0, 0, &payload(0)), &mut out)
        .unwrap();
    b.relay(t0, LegId::B, &rtp(99, 2, 1, 160, &payload(0)), &mut out)
        .unwrap();
    let (a, bb) = (*b.counters(LegId::A), *b.counters(LegId::B));
    assert_eq!(
        (
            a.packets_in,
            a.bytes_in,
            a.packets_out,
            a.bytes_out,
            a.dropped
        ),
        (5, 860, 1, 172, 0)
    );
    assert_eq!(
        (
            bb.packets_in,
            bb.bytes_in,
            bb.packets_out,
            bb.bytes_out,
            bb.dropped
        ),
        (2, 344, 5, 860, 1)
    );
}

proptest! {
    #[test]
    fn output_sequence_steps_by_one_across_source_changes(
        segments in prop::collection::vec((any::<u32>(), any::<u16>(), any::<u32>(), 1usize..40, 0u64..2_000), 1..8),
        transcode in any::<bool>(),
    ) {
        let mut b = bridge(Codec::Pcmu, if transcode { Codec::Pcma } else { Codec::Pcmu });
        let t0 = origin();
        let mut now = 0u64;
        let mut out = [0u8; 1500];
        let mut previous: Option<(u16, u32)> = None;
        let mut relayed = 0;
        for (i, &(ssrc, seq0, ts0, count, pause)) in segments.iter().enumerate() {
            // Distinct SSRCs per segment, as a re-INVITE or transfer brings.
            let ssrc = ssrc.wrapping_add(i as u32);
            now += pause;
            for n in 0..count {
                let input = rtp(0, ssrc, seq0.wrapping_add(n as u16), ts0.wrapping_add(160 * n as u32), &payload(n as u8));
                let Some(r) = b.relay(t0 + ms(now), LegId::A, &input, &mut out).unwrap() else {
                    return Err(TestCaseError::fail("packet dropped"));
                };
                let p = RtpPacket::parse(&out[..r.len]).unwrap();
                prop_assert_eq!(p.ssrc(), SEED_B.ssrc);
                if let Some((seq, ts)) = previous {
                    prop_assert_eq!(seq_delta(seq, p.sequence_number()), 1);
                    prop_assert!(timestamp_delta(ts, p.timestamp()) >= 160);
                } else {
                    prop_assert_eq!(p.sequence_number(), SEED_B.sequence_number);
                }
                previous = Some((p.sequence_number(), p.timestamp()));
                relayed += 1;
                now += 20;
            }
        }
        prop_assert_eq!(b.counters(LegId::B).packets_out, relayed);
    }
}
