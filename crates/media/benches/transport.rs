//! Per-packet costs of the transport half of the media crate: what one bridged, recorded call
//! spends 50 times a second in each direction.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use media::bridge::{Bridge, LegConfig, LegId, StreamSeed};
use media::g711::Codec;
use media::jitter_buffer::{JitterBuffer, JitterBufferConfig};
use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
use media::{FRAME_SAMPLES, Frame};

#[allow(clippy::disallowed_methods)] // benchmarks need an Instant origin; only offsets matter
fn origin() -> Instant {
    Instant::now()
}

/// A 20 ms packet with speech-like codes.
fn packet(payload_type: u8, seq: u16, ts: u32) -> Vec<u8> {
    let payload: Vec<u8> = (0..FRAME_SAMPLES)
        .map(|i| (i as u8).wrapping_mul(37))
        .collect();
    let header = RtpHeader {
        marker: false,
        payload_type,
        sequence_number: seq,
        timestamp: ts,
        ssrc: 0x5EED,
    };
    let mut buf = vec![0u8; 12 + FRAME_SAMPLES];
    let len = RtpBuilder::new(header, &payload)
        .write(&mut buf)
        .expect("sized buffer");
    buf.truncate(len);
    buf
}

/// Sets the sequence number and timestamp of a packet in place.
fn renumber(packet: &mut [u8], n: u32) {
    packet[2..4].copy_from_slice(&(n as u16).to_be_bytes());
    packet[4..8].copy_from_slice(&(n.wrapping_mul(160)).to_be_bytes());
}

fn g711(c: &mut Criterion) {
    let codes: [u8; FRAME_SAMPLES] = std::array::from_fn(|i| (i as u8).wrapping_mul(37));
    let mut frame = Frame::SILENCE;
    let mut out = [0u8; FRAME_SAMPLES];
    c.bench_function("g711_decode_encode_frame", |b| {
        b.iter(|| {
            Codec::Pcmu.decode_frame(black_box(&codes), &mut frame);
            Codec::Pcma.encode_frame(&frame, &mut out);
            black_box(&out);
        })
    });
}

fn bridge(c: &mut Criterion, name: &str, b_codec: Codec) {
    let seeds = [
        StreamSeed {
            ssrc: 1,
            sequence_number: 1,
            timestamp: 1,
        },
        StreamSeed {
            ssrc: 2,
            sequence_number: 2,
            timestamp: 2,
        },
    ];
    let mut bridge = Bridge::new(LegConfig::new(Codec::Pcmu), LegConfig::new(b_codec), seeds);
    let mut input = packet(0, 0, 0);
    let mut out = [0u8; 1500];
    let t0 = origin();
    let mut n = 0u32;
    c.bench_function(name, |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            renumber(&mut input, n);
            let now = t0 + Duration::from_millis(20 * u64::from(n % 1_000_000));
            black_box(
                bridge
                    .relay(now, LegId::A, black_box(&input), &mut out)
                    .ok(),
            );
        })
    });
}

fn bridge_same_codec(c: &mut Criterion) {
    bridge(c, "bridge_relay_packet", Codec::Pcmu);
}

fn bridge_transcode(c: &mut Criterion) {
    bridge(c, "bridge_relay_transcode", Codec::Pcma);
}

fn rtp_parse(c: &mut Criterion) {
    let input = packet(8, 1234, 5678);
    c.bench_function("rtp_parse", |b| {
        b.iter(|| {
            let p = RtpPacket::parse(black_box(&input)).ok();
            black_box(p.map(|p| (p.sequence_number(), p.timestamp(), p.payload().len())))
        })
    });
}

fn jitter_buffer(c: &mut Criterion) {
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let mut input = packet(0, 0, 0);
    let t0 = origin();
    let mut n = 0u32;
    c.bench_function("jitter_buffer_push_pop", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            renumber(&mut input, n);
            let now = t0 + Duration::from_millis(20 * u64::from(n));
            if let Ok(p) = RtpPacket::parse(&input) {
                jb.push(now, &p, Codec::Pcmu);
            }
            black_box(jb.pop(now).kind);
        })
    });
}

criterion_group!(
    benches,
    g711,
    bridge_same_codec,
    bridge_transcode,
    rtp_parse,
    jitter_buffer
);
criterion_main!(benches);
