//! The jitter buffer under reordering, loss, duplicates, bursts, jitter, other packet times and
//! source changes.

use std::time::{Duration, Instant};

use media::g711::{Codec, linear_to_ulaw, ulaw_to_linear};
use media::jitter_buffer::{FrameKind, JitterBuffer, JitterBufferConfig, PushOutcome};
use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
use media::{FRAME_SAMPLES, Frame};
use proptest::prelude::*;

#[allow(clippy::disallowed_methods)] // tests need an Instant origin; only offsets matter
fn origin() -> Instant {
    Instant::now()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The code carrying packet `n`'s marker value: every sample of packet `n` decodes to a value
/// unique to `n` (n < 120), so a frame says which packet it came from.
fn code_of(n: u16) -> u8 {
    0x80 + (n % 120) as u8
}

fn packet_id(frame: &Frame) -> Option<u16> {
    let first = frame.samples[0];
    if frame.samples.iter().any(|&s| s != first) {
        return None;
    }
    (0..120u16).find(|&n| ulaw_to_linear(code_of(n)) == first)
}

struct Sender {
    ssrc: u32,
    seq: u16,
    ts: u32,
    buf: Vec<u8>,
}

impl Sender {
    fn new(ssrc: u32, seq: u16, ts: u32) -> Self {
        Sender {
            ssrc,
            seq,
            ts,
            buf: vec![0; 1500],
        }
    }

    /// Packet `n` of 20 ms, all samples carrying `code_of(n)`.
    fn packet(&mut self, n: u16) -> RtpPacket<'_> {
        let payload = [code_of(n); FRAME_SAMPLES];
        self.samples_packet(n, &payload)
    }

    fn samples_packet(&mut self, n: u16, payload: &[u8]) -> RtpPacket<'_> {
        let header = RtpHeader {
            marker: false,
            payload_type: 0,
            sequence_number: self.seq.wrapping_add(n),
            timestamp: self.ts.wrapping_add(u32::from(n) * payload.len() as u32),
            ssrc: self.ssrc,
        };
        let len = RtpBuilder::new(header, payload)
            .write(&mut self.buf)
            .expect("1500 bytes hold any test packet");
        RtpPacket::parse(&self.buf[..len]).expect("a built packet parses")
    }
}

/// Pushes packets `(arrival ms, packet number)` in arrival order and pops every 20 ms from
/// `t0` until `end_ms`; returns the frames' (kind, packet id).
fn run(
    t0: Instant,
    jb: &mut JitterBuffer,
    sender: &mut Sender,
    arrivals: &[(u64, u16)],
    end_ms: u64,
) -> Vec<(FrameKind, Option<u16>)> {
    let mut arrivals = arrivals.to_vec();
    arrivals.sort_by_key(|&(at, _)| at);
    let mut next = 0;
    let mut out = Vec::new();
    let mut now = 0;
    while now <= end_ms {
        while next < arrivals.len() && arrivals[next].0 <= now {
            let (at, n) = arrivals[next];
            jb.push(t0 + ms(at), &sender.packet(n), Codec::Pcmu);
            next += 1;
        }
        let p = jb.pop(t0 + ms(now));
        out.push((p.kind, packet_id(p.frame)));
        now += 20;
    }
    out
}

fn audio_ids(frames: &[(FrameKind, Option<u16>)]) -> Vec<u16> {
    frames
        .iter()
        .filter(|(k, _)| *k == FrameKind::Audio)
        .filter_map(|(_, id)| *id)
        .collect()
}

#[test]
fn steady_stream_plays_every_packet_once_in_order() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 65_500, u32::MAX - 1_000); // both counters wrap mid-stream
    let arrivals: Vec<_> = (0..100u16).map(|n| (20 * u64::from(n) + 3, n)).collect();
    let frames = run(origin(), &mut jb, &mut s, &arrivals, 2_020);
    assert_eq!(audio_ids(&frames), (0..100).collect::<Vec<_>>());
    assert_eq!(jb.stats().frames_concealed, 0);
    assert_eq!(jb.target_delay(), ms(20));
}

#[test]
fn nothing_plays_before_the_first_packet() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let t0 = origin();
    let p = jb.pop(t0);
    assert_eq!(p.kind, FrameKind::Silence);
    assert!(p.frame.is_silent());
}

#[test]
fn reordered_packets_play_in_sequence() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    // Pairs swapped: 1 before 0, 3 before 2...; each arrives within 15 ms of its slot.
    let arrivals: Vec<_> = (0..40u16).map(|n| (20 * u64::from(n ^ 1) + 5, n)).collect();
    let frames = run(origin(), &mut jb, &mut s, &arrivals, 1_000);
    assert_eq!(audio_ids(&frames), (0..40).collect::<Vec<_>>());
}

#[test]
fn lost_packet_is_concealed_by_a_fading_repeat() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let arrivals: Vec<_> = (0..20u16)
        .filter(|&n| n != 10)
        .map(|n| (20 * u64::from(n), n))
        .collect();
    let t0 = origin();
    let mut frames = Vec::new();
    let mut next = 0;
    for step in 0..=20u64 {
        while next < arrivals.len() && arrivals[next].0 <= 20 * step {
            jb.push(
                t0 + ms(arrivals[next].0),
                &s.packet(arrivals[next].1),
                Codec::Pcmu,
            );
            next += 1;
        }
        let p = jb.pop(t0 + ms(20 * step));
        frames.push((p.kind, p.frame.clone()));
    }
    let at = frames
        .iter()
        .position(|(k, _)| *k == FrameKind::Concealed)
        .unwrap();
    let (_, concealed) = &frames[at];
    let (_, before) = &frames[at - 1];
    assert_eq!(packet_id(before), Some(9));
    // A repeat of packet 9, fading: starts at its level and ends lower.
    let level = f64::from(ulaw_to_linear(code_of(9)));
    assert!((f64::from(concealed.samples[0]) - level).abs() < 1.0);
    assert!(f64::from(concealed.samples[FRAME_SAMPLES - 1]) < level * 0.7);
    assert_eq!(packet_id(&frames[at + 1].1), Some(11));
    assert_eq!(jb.stats().frames_concealed, 1);
}

#[test]
fn concealment_fades_to_silence_when_the_stream_stops() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let arrivals: Vec<_> = (0..5u16).map(|n| (20 * u64::from(n), n)).collect();
    let frames = run(origin(), &mut jb, &mut s, &arrivals, 400);
    let kinds: Vec<_> = frames.iter().map(|(k, _)| *k).collect();
    let first_concealed = kinds
        .iter()
        .position(|k| *k == FrameKind::Concealed)
        .unwrap();
    // 60 ms of fade is three frames, then silence for good.
    assert_eq!(
        &kinds[first_concealed..first_concealed + 3],
        &[FrameKind::Concealed; 3]
    );
    assert!(
        kinds[first_concealed + 3..]
            .iter()
            .all(|k| *k == FrameKind::Silence)
    );
}

#[test]
fn duplicates_are_dropped() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    assert_eq!(
        jb.push(t0, &s.packet(0), Codec::Pcmu),
        PushOutcome::Buffered
    );
    assert_eq!(
        jb.push(t0 + ms(1), &s.packet(0), Codec::Pcmu),
        PushOutcome::Duplicate
    );
    assert_eq!(jb.buffered_packets(), 1);
}

#[test]
fn packet_arriving_after_its_playout_is_late() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let arrivals: Vec<_> = (0..10u16)
        .filter(|&n| n != 4)
        .map(|n| (20 * u64::from(n), n))
        .collect();
    let t0 = origin();
    run(t0, &mut jb, &mut s, &arrivals, 300);
    // Packet 4 turns up long after frame 4 was concealed.
    assert_eq!(
        jb.push(t0 + ms(310), &s.packet(4), Codec::Pcmu),
        PushOutcome::Late
    );
    assert_eq!(jb.stats().late, 1);
}

#[test]
fn burst_never_holds_more_than_the_cap() {
    let config = JitterBufferConfig {
        max_packets: 8,
        ..JitterBufferConfig::default()
    };
    let mut jb = JitterBuffer::new(config);
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    for n in 0..100u16 {
        jb.push(t0, &s.packet(n), Codec::Pcmu);
        assert!(jb.buffered_packets() <= 8);
    }
    assert_eq!(jb.buffered_packets(), 8);
    assert_eq!(jb.stats().overflow, 92);
    // An older packet cannot displace newer ones.
    assert_eq!(
        jb.push(t0, &s.packet(91), Codec::Pcmu),
        PushOutcome::Overflow
    );
}

#[test]
fn target_delay_follows_jitter_within_bounds() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    // Packets delayed by 0 or 60 ms alternately.
    for n in 0..64u16 {
        let jitter = if n % 2 == 0 { 0 } else { 60 };
        jb.push(
            t0 + ms(20 * u64::from(n) + jitter),
            &s.packet(n),
            Codec::Pcmu,
        );
    }
    assert_eq!(jb.target_delay(), ms(60));
    // Wild delays clamp at the maximum.
    for n in 64..128u16 {
        let jitter = if n % 2 == 0 { 0 } else { 900 };
        jb.push(
            t0 + ms(20 * u64::from(n) + jitter),
            &s.packet(n),
            Codec::Pcmu,
        );
    }
    assert_eq!(jb.target_delay(), ms(200));
    // A calm window brings it back to the minimum.
    for n in 128..200u16 {
        jb.push(t0 + ms(20 * u64::from(n)), &s.packet(n), Codec::Pcmu);
    }
    assert_eq!(jb.target_delay(), ms(20));
}

#[test]
fn jittery_stream_loses_nothing_once_the_delay_has_adapted() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    // Each packet delayed 0–50 ms by a fixed pseudo-random pattern.
    let delay = |n: u16| u64::from((n * 37) % 51);
    let arrivals: Vec<_> = (0..110u16)
        .map(|n| (20 * u64::from(n) + delay(n), n))
        .collect();
    let frames = run(origin(), &mut jb, &mut s, &arrivals, 2_600);
    let ids = audio_ids(&frames);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    // After the first second the buffer has seen the spread and stops concealing.
    let late_part: Vec<_> = ids.iter().filter(|&&n| n >= 50).collect();
    assert_eq!(late_part.len(), 60, "{ids:?}");
}

#[test]
fn thirty_ms_packets_become_continuous_20_ms_frames() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    // A staircase across packet boundaries: sample k of the stream carries level (k / 8) % 200.
    let code_at = |k: usize| linear_to_ulaw((((k / 8) % 200) as i16 - 100) * 64);
    let mut played = Vec::new();
    // 10 ms ticks: packet n (240 samples) is sent at 30 n ms, a frame is taken every 20 ms.
    for tick in 0..120u64 {
        let now = 10 * tick;
        if now % 30 == 0 {
            let n = (now / 30) as u16;
            let payload: Vec<u8> = (0..240)
                .map(|i| code_at(240 * usize::from(n) + i))
                .collect();
            jb.push(t0 + ms(now), &s.samples_packet(n, &payload), Codec::Pcmu);
        }
        if now % 20 == 0 {
            let p = jb.pop(t0 + ms(now));
            if p.kind == FrameKind::Audio {
                played.extend_from_slice(&p.frame.samples);
            }
        }
    }
    assert_eq!(jb.packet_time(), ms(30));
    assert!(
        played.len() >= 55 * FRAME_SAMPLES,
        "{} samples",
        played.len()
    );
    let expected: Vec<i16> = (0..played.len())
        .map(|k| ulaw_to_linear(code_at(k)))
        .collect();
    assert_eq!(played, expected);
    assert_eq!(jb.stats().frames_concealed, 0);
}

#[test]
fn ten_ms_packets_become_20_ms_frames() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    let mut played = 0;
    for step in 0..60u64 {
        for half in 0..2u16 {
            let n = 2 * step as u16 + half;
            let payload = [code_of(n / 2); 80];
            jb.push(
                t0 + ms(10 * u64::from(n)),
                &s.samples_packet(n, &payload),
                Codec::Pcmu,
            );
        }
        let p = jb.pop(t0 + ms(20 * step + 10));
        if p.kind == FrameKind::Audio {
            assert!(
                packet_id(p.frame).is_some(),
                "a frame is two halves of one value"
            );
            played += 1;
        }
    }
    assert!(played >= 55, "{played}");
    assert_eq!(jb.packet_time(), ms(10));
}

#[test]
fn new_ssrc_resyncs_and_plays_the_new_stream() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut a = Sender::new(1, 0, 0);
    let mut b = Sender::new(2, 40_000, 3_000_000_000);
    let t0 = origin();
    let mut ids = Vec::new();
    for step in 0..60u16 {
        let now = t0 + ms(20 * u64::from(step));
        if step < 30 {
            jb.push(now, &a.packet(step), Codec::Pcmu);
        } else {
            jb.push(now, &b.packet(step), Codec::Pcmu);
        }
        let p = jb.pop(now);
        if p.kind == FrameKind::Audio {
            ids.push(packet_id(p.frame).unwrap());
        }
    }
    assert_eq!(jb.stats().resyncs, 1);
    assert!(ids.contains(&29) || ids.contains(&28));
    assert!(
        ids.ends_with(&[58, 59]) || ids.ends_with(&[57, 58]),
        "{ids:?}"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    // A late packet of the old source is ignored.
    assert_eq!(
        jb.push(t0 + ms(1_300), &a.packet(29), Codec::Pcmu),
        PushOutcome::Late
    );
}

#[test]
fn replaced_ssrc_may_come_back_after_the_grace() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut a = Sender::new(1, 0, 0);
    let mut b = Sender::new(2, 0, 0);
    let t0 = origin();
    jb.push(t0, &a.packet(0), Codec::Pcmu);
    jb.push(t0 + ms(20), &b.packet(1), Codec::Pcmu);
    assert_eq!(
        jb.push(t0 + ms(40), &a.packet(2), Codec::Pcmu),
        PushOutcome::Late
    );
    // Off hold, the first phone speaks again with its old SSRC.
    let back = t0 + media::rtp::STALE_SOURCE_GRACE + ms(100);
    assert_eq!(
        jb.push(back, &a.packet(200), Codec::Pcmu),
        PushOutcome::Buffered
    );
    assert_eq!(jb.stats().resyncs, 2);
}

#[test]
fn timestamp_jump_is_confirmed_before_resync() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    for n in 0..10u16 {
        jb.push(t0 + ms(20 * u64::from(n)), &s.packet(n), Codec::Pcmu);
    }
    // The sender restarts its timestamps 5 minutes ahead.
    let mut jumped = Sender::new(1, 10, 8_000 * 300);
    assert_eq!(
        jb.push(t0 + ms(200), &jumped.packet(0), Codec::Pcmu),
        PushOutcome::Jump
    );
    assert_eq!(
        jb.push(t0 + ms(220), &jumped.packet(1), Codec::Pcmu),
        PushOutcome::Buffered
    );
    assert_eq!(jb.stats().resyncs, 1);
}

#[test]
fn single_stray_timestamp_is_dropped_without_resync() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    for n in 0..10u16 {
        jb.push(t0 + ms(20 * u64::from(n)), &s.packet(n), Codec::Pcmu);
    }
    let mut stray = Sender::new(1, 10, 8_000 * 300);
    assert_eq!(
        jb.push(t0 + ms(200), &stray.packet(0), Codec::Pcmu),
        PushOutcome::Jump
    );
    assert_eq!(
        jb.push(t0 + ms(200), &s.packet(10), Codec::Pcmu),
        PushOutcome::Buffered
    );
    assert_eq!(jb.stats().resyncs, 0);
}

#[test]
fn caller_that_stops_polling_is_caught_up_at_once() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    for n in 0..5u16 {
        jb.push(t0 + ms(20 * u64::from(n)), &s.packet(n), Codec::Pcmu);
        jb.pop(t0 + ms(20 * u64::from(n)));
    }
    // Two seconds without polling while packets keep coming.
    for n in 5..105u16 {
        jb.push(t0 + ms(20 * u64::from(n)), &s.packet(n), Codec::Pcmu);
    }
    let p = jb.pop(t0 + ms(2_100));
    assert_eq!(p.kind, FrameKind::Audio);
    let id = packet_id(p.frame).unwrap();
    assert!((102..=104).contains(&id), "played packet {id}");
}

#[test]
fn payloads_longer_than_60_ms_are_rejected() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    assert_eq!(
        jb.push(t0, &s.samples_packet(0, &[0xFF; 481]), Codec::Pcmu),
        PushOutcome::Rejected
    );
    assert_eq!(
        jb.push(t0, &s.samples_packet(0, &[]), Codec::Pcmu),
        PushOutcome::Rejected
    );
}

#[test]
fn alaw_and_ulaw_packets_decode_with_their_own_codec() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut s = Sender::new(1, 0, 0);
    let t0 = origin();
    jb.push(t0, &s.samples_packet(0, &[0xAA; 160]), Codec::Pcma);
    jb.pop(t0);
    let p = jb.pop(t0 + ms(20));
    assert_eq!(p.kind, FrameKind::Audio);
    assert_eq!(p.frame.samples[0], 32256);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_delay_and_loss_pattern_plays_frames_in_order_within_the_cap(
        delays in prop::collection::vec(0u64..120, 60),
        lost in prop::collection::vec(prop::bool::weighted(0.1), 60),
        duplicated in prop::collection::vec(prop::bool::weighted(0.05), 60),
        cap in 4usize..16,
    ) {
        let config = JitterBufferConfig { max_packets: cap, ..JitterBufferConfig::default() };
        let mut jb = JitterBuffer::new(config);
        let mut s = Sender::new(7, 60_000, u32::MAX - 4_000);
        let t0 = origin();
        let mut arrivals: Vec<(u64, u16)> = Vec::new();
        for n in 0..60u16 {
            if lost[usize::from(n)] { continue; }
            let at = 20 * u64::from(n) + delays[usize::from(n)];
            arrivals.push((at, n));
            if duplicated[usize::from(n)] {
                arrivals.push((at + 7, n));
            }
        }
        arrivals.sort_by_key(|&(at, _)| at);
        let mut next = 0;
        let mut ids = Vec::new();
        for step in 0..80u64 {
            let now = 20 * step;
            while next < arrivals.len() && arrivals[next].0 <= now {
                let (at, n) = arrivals[next];
                jb.push(t0 + ms(at), &s.packet(n), Codec::Pcmu);
                prop_assert!(jb.buffered_packets() <= cap);
                next += 1;
            }
            let p = jb.pop(t0 + ms(now));
            if p.kind == FrameKind::Audio {
                ids.push(packet_id(p.frame).unwrap());
            }
            prop_assert!(jb.buffered_packets() <= cap);
        }
        prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "out of order: {:?}", ids);
        let st = jb.stats();
        prop_assert_eq!(st.frames_audio + st.frames_concealed + st.frames_silent, 80);
    }
}
