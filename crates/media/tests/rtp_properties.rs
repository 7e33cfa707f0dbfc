//! Properties of the RTP and RTCP codecs and of the sequence arithmetic.

use media::rtcp::{
    Compound, CompoundWriter, NtpTimestamp, ReportBlock, RtcpPacket, SdesItem, SenderInfo,
    sdes_type,
};
use media::rtp::{
    Extension, RtpBuilder, RtpHeader, RtpPacket, SeqOutcome, SequenceTracker, TimestampUnwrapper,
    seq_delta, timestamp_delta,
};
use proptest::prelude::*;

fn header() -> impl Strategy<Value = RtpHeader> {
    (
        any::<bool>(),
        0u8..128,
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(
            |(marker, payload_type, sequence_number, timestamp, ssrc)| RtpHeader {
                marker,
                payload_type,
                sequence_number,
                timestamp,
                ssrc,
            },
        )
}

proptest! {
    #[test]
    fn built_packets_parse_back_to_their_fields(
        h in header(),
        csrcs in prop::collection::vec(any::<u32>(), 0..=15),
        ext in prop::option::of((any::<u16>(), prop::collection::vec(any::<u8>(), 0..8usize).prop_map(|v| {
            let mut v = v; let n = v.len() / 4 * 4; v.truncate(n); v
        }))),
        payload in prop::collection::vec(any::<u8>(), 0..400),
        padding in 0u8..=255,
    ) {
        let mut b = RtpBuilder::new(h, &payload).csrcs(&csrcs).padding(padding);
        if let Some((profile, data)) = &ext {
            b = b.extension(Extension { profile: *profile, data });
        }
        let mut buf = vec![0u8; 2048];
        let len = b.write(&mut buf).unwrap();
        prop_assert_eq!(len, b.len());
        let p = RtpPacket::parse(&buf[..len]).unwrap();
        prop_assert_eq!(p.header(), h);
        prop_assert_eq!(p.csrcs().collect::<Vec<_>>(), csrcs);
        prop_assert_eq!(p.extension().map(|e| (e.profile, e.data.to_vec())), ext);
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.padding_len(), usize::from(padding));
    }

    #[test]
    fn any_bytes_parse_or_fail_without_panic_and_rebuild_canonically(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        if let Ok(p) = RtpPacket::parse(&bytes) {
            let mut out = vec![0u8; bytes.len()];
            let len = p.to_builder().write(&mut out).unwrap();
            prop_assert_eq!(len, bytes.len());
            let canonical_padding =
                p.padding_len() == 0 || bytes[bytes.len() - p.padding_len()..bytes.len() - 1].iter().all(|&b| b == 0);
            if canonical_padding {
                prop_assert_eq!(&out[..], &bytes[..]);
            }
            prop_assert_eq!(RtpPacket::parse(&out[..len]).unwrap().header(), p.header());
        }
    }

    #[test]
    fn seq_delta_inverts_wrapping_add(a in any::<u16>(), d in -32767i16..=32767) {
        prop_assert_eq!(seq_delta(a, a.wrapping_add(d as u16)), d);
        prop_assert_eq!(seq_delta(a.wrapping_add(d as u16), a), -d);
    }

    #[test]
    fn timestamp_delta_inverts_wrapping_add(a in any::<u32>(), d in -(i32::MAX)..=i32::MAX) {
        prop_assert_eq!(timestamp_delta(a, a.wrapping_add(d as u32)), d);
    }

    #[test]
    fn unwrapped_timestamps_follow_the_true_sum(start in any::<u32>(), steps in prop::collection::vec(-2_000i64..100_000, 1..200)) {
        let mut u = TimestampUnwrapper::new();
        let mut truth = i64::from(start);
        prop_assert_eq!(u.unwrap(start), truth);
        for step in steps {
            truth += step;
            prop_assert_eq!(u.unwrap(truth as u32), truth);
        }
    }

    #[test]
    fn in_order_stream_with_loss_counts_expected_across_wraps(
        start in any::<u16>(),
        kept in prop::collection::vec(prop::bool::weighted(0.9), 2..3000),
    ) {
        let mut t = SequenceTracker::new(1);
        let mut received = 0u64;
        let mut last_sent = None;
        let mut first_sent = None;
        let mut previous_extended = None;
        for (i, keep) in kept.iter().enumerate() {
            if !keep { continue; }
            let seq = start.wrapping_add(i as u16);
            let outcome = t.update(seq);
            received += 1;
            let extended = i64::from(start) + i as i64;
            match outcome {
                SeqOutcome::Newer { extended: e, gap } => {
                    prop_assert_eq!(e, extended);
                    if let Some(prev) = previous_extended {
                        prop_assert_eq!(i64::from(gap), extended - prev - 1);
                    }
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
            previous_extended = Some(extended);
            first_sent.get_or_insert(i);
            last_sent = Some(i);
        }
        if let (Some(first), Some(last)) = (first_sent, last_sent) {
            prop_assert_eq!(t.expected(), (last - first + 1) as u64);
            prop_assert_eq!(t.received(), received);
        }
    }

    #[test]
    fn reordered_packets_within_the_window_keep_their_extended_numbers(
        start in any::<u16>(),
        swaps in prop::collection::vec(0usize..500, 0..50),
    ) {
        let mut order: Vec<usize> = (0..500).collect();
        for s in swaps {
            let j = (s + 1).min(499);
            order.swap(s, j);
        }
        let mut t = SequenceTracker::new(1);
        for &i in &order {
            let seq = start.wrapping_add(i as u16);
            let extended = match t.update(seq) {
                SeqOutcome::Newer { extended, .. } | SeqOutcome::Older { extended } => extended,
                other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
            };
            // Relative to the first packet's number: adjacent swaps never move more than one.
            let first = i64::from(start.wrapping_add(order[0] as u16));
            prop_assert_eq!(extended - first, i as i64 - order[0] as i64);
        }
        // A.1 counts from the first packet received; earlier ones that arrive later are extra.
        prop_assert_eq!(t.expected(), 500 - order[0] as u64);
        prop_assert_eq!(t.received(), 500);
    }
}

fn block() -> impl Strategy<Value = ReportBlock> {
    (
        any::<u32>(),
        any::<u8>(),
        -0x80_0000i32..=0x7F_FFFF,
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(
            |(
                ssrc,
                fraction_lost,
                cumulative_lost,
                extended_highest_seq,
                jitter,
                last_sr,
                delay_since_last_sr,
            )| {
                ReportBlock {
                    ssrc,
                    fraction_lost,
                    cumulative_lost,
                    extended_highest_seq,
                    jitter,
                    last_sr,
                    delay_since_last_sr,
                }
            },
        )
}

proptest! {
    #[test]
    fn built_compounds_parse_back_to_their_fields(
        ssrc in any::<u32>(),
        sender in prop::option::of((any::<u64>(), any::<u32>(), any::<u32>(), any::<u32>())),
        blocks in prop::collection::vec(block(), 0..=31),
        cname in prop::collection::vec(any::<u8>(), 0..=255),
        bye in prop::collection::vec(any::<u32>(), 0..=31),
        reason in prop::option::of(prop::collection::vec(any::<u8>(), 0..=255)),
    ) {
        let mut buf = vec![0u8; 4096];
        let mut w = CompoundWriter::new(&mut buf);
        let info = sender.map(|(ntp, rtp_timestamp, packet_count, octet_count)| SenderInfo {
            ntp: NtpTimestamp(ntp), rtp_timestamp, packet_count, octet_count,
        });
        match &info {
            Some(info) => w.sender_report(ssrc, info, &blocks).unwrap(),
            None => w.receiver_report(ssrc, &blocks).unwrap(),
        };
        w.sdes(&[(ssrc, &[SdesItem { kind: sdes_type::CNAME, value: &cname }])]).unwrap();
        w.bye(&bye, reason.as_deref()).unwrap();
        let len = w.len();
        let c = Compound::parse(&buf[..len]).unwrap();
        let packets: Vec<_> = c.packets().collect();
        prop_assert_eq!(packets.len(), 3);
        match (packets[0], &info) {
            (RtcpPacket::SenderReport(sr), Some(info)) => {
                prop_assert_eq!(sr.ssrc(), ssrc);
                prop_assert_eq!(sr.sender_info(), *info);
                prop_assert_eq!(sr.report_blocks().collect::<Vec<_>>(), blocks);
            }
            (RtcpPacket::ReceiverReport(rr), None) => {
                prop_assert_eq!(rr.ssrc(), ssrc);
                prop_assert_eq!(rr.report_blocks().collect::<Vec<_>>(), blocks);
            }
            (other, _) => prop_assert!(false, "unexpected first packet {:?}", other),
        }
        let RtcpPacket::SourceDescription(sdes) = packets[1] else { return Err(TestCaseError::fail("no SDES")) };
        prop_assert_eq!(sdes.chunks().next().and_then(|c| c.cname()), Some(&cname[..]));
        let RtcpPacket::Bye(b) = packets[2] else { return Err(TestCaseError::fail("no BYE")) };
        prop_assert_eq!(b.sources().collect::<Vec<_>>(), bye);
        prop_assert_eq!(b.reason(), reason.as_deref());
    }

    #[test]
    fn any_bytes_parse_as_rtcp_or_fail_and_reencode_idempotently(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        if let Ok(c) = Compound::parse(&bytes) {
            let first = reencode(&c);
            let again = reencode(&Compound::parse(&first).unwrap());
            prop_assert_eq!(first, again);
        }
    }

    #[test]
    fn mutated_compounds_never_panic(
        seed_blocks in prop::collection::vec(block(), 0..4),
        flips in prop::collection::vec((0usize..400, any::<u8>()), 1..8),
        cut in 0usize..400,
    ) {
        let mut buf = vec![0u8; 512];
        let mut w = CompoundWriter::new(&mut buf);
        w.receiver_report(1, &seed_blocks).unwrap();
        w.sdes_cname(1, b"x@y").unwrap();
        w.bye(&[1], Some(b"bye")).unwrap();
        let len = w.len();
        buf.truncate(len);
        for (at, value) in flips {
            if let Some(b) = buf.get_mut(at % len) {
                *b = value;
            }
        }
        buf.truncate(cut.min(len));
        if let Ok(c) = Compound::parse(&buf) {
            for p in c.packets() {
                if let RtcpPacket::SourceDescription(s) = p {
                    for chunk in s.chunks() {
                        let _ = chunk.items().count();
                    }
                }
            }
        }
    }
}

fn reencode(c: &Compound<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 4 * c.as_bytes().len() + 64];
    let mut w = CompoundWriter::new(&mut buf);
    for p in c.packets() {
        w.packet(&p).expect("buffer is four times the input");
    }
    let len = w.len();
    buf.truncate(len);
    buf
}
