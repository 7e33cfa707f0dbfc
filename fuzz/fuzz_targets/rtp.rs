//! RTP and RTCP parsers on arbitrary bytes: never panic; what parses builds back.
//!
//! - RTP: a parsed packet rebuilt through its builder has the same length and fields, and the
//!   same bytes when its padding filler is zero (the builder's canonical form).
//! - RTCP: a parsed compound re-encoded packet by packet is canonical: parsing and re-encoding
//!   it again gives the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::rtcp::{Compound, CompoundWriter, RtcpPacket};
use media::rtp::RtpPacket;

fuzz_target!(|data: &[u8]| {
    if let Ok(packet) = RtpPacket::parse(data) {
        let mut out = vec![0u8; data.len()];
        let len = packet
            .to_builder()
            .write(&mut out)
            .expect("same length as the input");
        assert_eq!(len, data.len());
        let again = RtpPacket::parse(&out).expect("a built packet parses");
        assert_eq!(again.header(), packet.header());
        assert_eq!(again.payload(), packet.payload());
        assert_eq!(again.extension(), packet.extension());
        assert!(again.csrcs().eq(packet.csrcs()));
        let padding = packet.padding_len();
        if padding == 0
            || data[data.len() - padding..data.len() - 1]
                .iter()
                .all(|&b| b == 0)
        {
            assert_eq!(out, data);
        }
    }
    if let Ok(compound) = Compound::parse(data) {
        for packet in compound.packets() {
            // Walk every view so lazily read fields are exercised too.
            match packet {
                RtcpPacket::SenderReport(sr) => {
                    let _ = (sr.sender_info(), sr.report_blocks().count());
                }
                RtcpPacket::ReceiverReport(rr) => {
                    let _ = rr.report_blocks().count();
                }
                RtcpPacket::SourceDescription(sdes) => {
                    for chunk in sdes.chunks() {
                        let _ = (chunk.cname(), chunk.items().count());
                    }
                }
                RtcpPacket::Bye(bye) => {
                    let _ = (bye.sources().count(), bye.reason());
                }
                RtcpPacket::Other { .. } => {}
            }
        }
        let first = reencode(&compound);
        let reparsed = Compound::parse(&first).expect("a re-encoded compound parses");
        assert_eq!(reencode(&reparsed), first);
    }
});

fn reencode(compound: &Compound<'_>) -> Vec<u8> {
    // Canonical form never grows a packet by more than 3 bytes of word padding.
    let mut buf = vec![0u8; compound.as_bytes().len() + 4 * compound.packets().count()];
    let mut writer = CompoundWriter::new(&mut buf);
    for packet in compound.packets() {
        writer
            .packet(&packet)
            .expect("buffer sized for the canonical form");
    }
    let len = writer.len();
    buf.truncate(len);
    buf
}
