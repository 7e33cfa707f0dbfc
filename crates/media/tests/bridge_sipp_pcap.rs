//! SIPp's A-law capture (`/usr/share/sip-tester/g711a.pcap`, Debian package `sip-tester`)
//! through the parser, receiver statistics, the jitter buffer and a bridge to a µ-law leg.

use std::time::{Duration, Instant};

use media::bridge::{Bridge, LegConfig, LegId, StreamSeed};
use media::g711::{Codec, alaw_to_ulaw};
use media::jitter_buffer::{FrameKind, JitterBuffer, JitterBufferConfig};
use media::rtp::{RtpPacket, seq_delta};
use media::stats::ReceiverStats;

const PCAP: &str = "/usr/share/sip-tester/g711a.pcap";

#[allow(clippy::disallowed_methods)] // tests need an Instant origin; only offsets matter
fn origin() -> Instant {
    Instant::now()
}

/// UDP payloads of a classic pcap file with their capture time: Ethernet (optionally one VLAN
/// tag) or Linux cooked capture, IPv4, UDP.
fn udp_payloads(file: &[u8]) -> Vec<(Duration, Vec<u8>)> {
    let u32_at = |b: &[u8], at: usize, le: bool| {
        let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if le {
            u32::from_le_bytes(w)
        } else {
            u32::from_be_bytes(w)
        }
    };
    let (le, nanos) = match &file[..4] {
        [0xD4, 0xC3, 0xB2, 0xA1] => (true, false),
        [0xA1, 0xB2, 0xC3, 0xD4] => (false, false),
        [0x4D, 0x3C, 0xB2, 0xA1] => (true, true),
        [0xA1, 0xB2, 0x3C, 0x4D] => (false, true),
        other => panic!("not a pcap file: magic {other:02x?}"),
    };
    let link_type = u32_at(file, 20, le);
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let (secs, frac) = (u32_at(file, at, le), u32_at(file, at + 4, le));
        let captured = u32_at(file, at + 8, le) as usize;
        let frame = &file[at + 16..at + 16 + captured];
        at += 16 + captured;
        let time = Duration::from_secs(u64::from(secs))
            + if nanos {
                Duration::from_nanos(u64::from(frac))
            } else {
                Duration::from_micros(u64::from(frac))
            };
        let ip = match link_type {
            1 => {
                let mut offset = 12;
                if frame[offset..offset + 2] == [0x81, 0x00] {
                    offset += 4;
                }
                if frame[offset..offset + 2] != [0x08, 0x00] {
                    continue;
                }
                &frame[offset + 2..]
            }
            113 if frame[14..16] == [0x08, 0x00] => &frame[16..],
            _ => continue,
        };
        if ip[0] >> 4 != 4 || ip[9] != 17 {
            continue;
        }
        let header_len = usize::from(ip[0] & 0x0F) * 4;
        let udp = &ip[header_len..];
        let udp_len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        out.push((time, udp[8..udp_len].to_vec()));
    }
    out
}

fn capture() -> Vec<(Duration, Vec<u8>)> {
    let file = std::fs::read(PCAP).unwrap_or_else(|e| {
        panic!("{PCAP} is needed by this test (Debian package sip-tester; the test script installs it): {e}")
    });
    udp_payloads(&file)
}

#[test]
fn sipp_alaw_capture_parses_with_no_loss_and_30_ms_packets() {
    let packets = capture();
    assert_eq!(packets.len(), 236);
    let t0 = origin();
    let start = packets[0].0;
    let first = RtpPacket::parse(&packets[0].1).unwrap();
    let mut stats = ReceiverStats::new(first.ssrc(), 8_000);
    for (time, bytes) in &packets {
        let p = RtpPacket::parse(bytes).unwrap();
        assert_eq!(p.payload_type(), 8);
        assert_eq!(p.payload().len(), 240);
        stats.on_rtp(t0 + (*time - start), &p);
    }
    assert_eq!(
        (stats.expected(), stats.received(), stats.lost()),
        (236, 236, 0)
    );
    assert_eq!((stats.duplicates(), stats.out_of_order()), (0, 0));
    assert_eq!(stats.packet_duration(), Some(240));
    assert_eq!(stats.ptime(), Some(Duration::from_millis(30)));
    // SIPp paced the capture by its own clock: a few milliseconds of jitter at most.
    assert!(stats.jitter_ms() < 5.0, "{}", stats.jitter_ms());
}

#[test]
fn sipp_alaw_capture_is_bridged_to_a_ulaw_leg() {
    let packets = capture();
    let t0 = origin();
    let start = packets[0].0;
    let seeds = [
        StreamSeed {
            ssrc: 1,
            sequence_number: 10,
            timestamp: 0,
        },
        StreamSeed {
            ssrc: 2,
            sequence_number: 65_500,
            timestamp: 7,
        },
    ];
    let mut bridge = Bridge::new(
        LegConfig::new(Codec::Pcma),
        LegConfig::new(Codec::Pcmu),
        seeds,
    );
    let mut out = [0u8; 1500];
    let mut pcm = [0i16; 480];
    let mut previous: Option<(u16, u32)> = None;
    let mut decoded = 0;
    for (time, bytes) in &packets {
        let input = RtpPacket::parse(bytes).unwrap();
        let r = bridge
            .relay_decoding(t0 + (*time - start), LegId::A, bytes, &mut out, &mut pcm)
            .unwrap()
            .expect("every packet is relayed");
        let output = RtpPacket::parse(&out[..r.len]).unwrap();
        assert_eq!((output.payload_type(), output.ssrc()), (0, 2));
        let expected: Vec<u8> = input.payload().iter().map(|&c| alaw_to_ulaw(c)).collect();
        assert_eq!(output.payload(), &expected[..]);
        if let Some((seq, ts)) = previous {
            assert_eq!(seq_delta(seq, output.sequence_number()), 1);
            assert_eq!(output.timestamp().wrapping_sub(ts), 240);
        }
        previous = Some((output.sequence_number(), output.timestamp()));
        decoded += r.samples;
    }
    let (a, b) = (bridge.counters(LegId::A), bridge.counters(LegId::B));
    assert_eq!((a.packets_in, a.dropped, b.packets_out), (236, 0, 236));
    assert_eq!(b.bytes_out, 236 * 252);
    assert_eq!(decoded, 236 * 240);
}

#[test]
fn sipp_alaw_capture_plays_out_as_20_ms_frames() {
    let packets = capture();
    let t0 = origin();
    let start = packets[0].0;
    let mut jb = JitterBuffer::new(JitterBufferConfig::default());
    let end = packets[packets.len() - 1].0 - start + Duration::from_millis(200);
    let mut next = 0;
    let mut now = Duration::ZERO;
    let mut audio = 0;
    while now <= end {
        while next < packets.len() && packets[next].0 - start <= now {
            let p = RtpPacket::parse(&packets[next].1).unwrap();
            jb.push(t0 + (packets[next].0 - start), &p, Codec::Pcma);
            next += 1;
        }
        if jb.pop(t0 + now).kind == FrameKind::Audio {
            audio += 1;
        }
        now += Duration::from_millis(20);
    }
    assert_eq!(jb.packet_time(), Duration::from_millis(30));
    // 236 packets of 30 ms are 354 frames of 20 ms; allow a frame or two of adaptation.
    assert!(
        (350..=354).contains(&audio),
        "{audio} audio frames, {:?}",
        jb.stats()
    );
}
