//! Builds compound RTCP packets into a caller's buffer.

use super::report::{BLOCK_LEN, check_count};
use super::{
    Bye, PT_BYE, PT_RR, PT_SDES, PT_SR, ReceiverReport, ReportBlock, RtcpError, RtcpPacket,
    SdesChunk, SdesItem, SenderInfo, SenderReport, sdes_type,
};

/// Appends RTCP packets to a buffer; each call adds one packet of a compound datagram.
///
/// A failed call leaves what was written before it intact.
#[derive(Debug)]
pub struct CompoundWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> CompoundWriter<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        CompoundWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reserves a packet of `body_len` bytes (a multiple of 4) after a 4-byte header; returns
    /// the body to fill. The packet is committed by [`CompoundWriter::commit`].
    fn begin(
        &mut self,
        count: u8,
        packet_type: u8,
        body_len: usize,
    ) -> Result<&mut [u8], RtcpError> {
        debug_assert!(body_len.is_multiple_of(4), "RTCP bodies are whole words");
        let words =
            u16::try_from(body_len / 4).map_err(|_| RtcpError::FieldOutOfRange("packet length"))?;
        let needed = self.len + 4 + body_len;
        let available = self.buf.len();
        let packet = self
            .buf
            .get_mut(self.len..needed)
            .ok_or(RtcpError::BufferTooSmall {
                needed,
                len: available,
            })?;
        packet[0] = 0x80 | count;
        packet[1] = packet_type;
        packet[2..4].copy_from_slice(&words.to_be_bytes());
        let body = &mut packet[4..];
        body.fill(0);
        Ok(body)
    }

    fn commit(&mut self, body_len: usize) {
        self.len += 4 + body_len;
    }

    fn write_blocks<I>(body: &mut [u8], blocks: I)
    where
        I: Iterator<Item = ReportBlock>,
    {
        for (block, out) in blocks.zip(body.chunks_exact_mut(BLOCK_LEN)) {
            if let Ok(out) = <&mut [u8; BLOCK_LEN]>::try_from(out) {
                block.write(out);
            }
        }
    }

    fn report<I>(
        &mut self,
        packet_type: u8,
        ssrc: u32,
        info: Option<&SenderInfo>,
        blocks: I,
        extension: &[u8],
    ) -> Result<&mut Self, RtcpError>
    where
        I: ExactSizeIterator<Item = ReportBlock>,
    {
        let count = check_count(blocks.len(), "more than 31 report blocks")?;
        if !extension.len().is_multiple_of(4) {
            return Err(RtcpError::FieldOutOfRange("profile extension length"));
        }
        let fixed = if info.is_some() { 24 } else { 4 };
        let blocks_len = BLOCK_LEN * usize::from(count);
        let body_len = fixed + blocks_len + extension.len();
        let body = self.begin(count, packet_type, body_len)?;
        body[0..4].copy_from_slice(&ssrc.to_be_bytes());
        if let Some(info) = info {
            body[4..12].copy_from_slice(&info.ntp.0.to_be_bytes());
            body[12..16].copy_from_slice(&info.rtp_timestamp.to_be_bytes());
            body[16..20].copy_from_slice(&info.packet_count.to_be_bytes());
            body[20..24].copy_from_slice(&info.octet_count.to_be_bytes());
        }
        Self::write_blocks(&mut body[fixed..fixed + blocks_len], blocks);
        body[fixed + blocks_len..].copy_from_slice(extension);
        self.commit(body_len);
        Ok(self)
    }

    /// Appends a sender report.
    pub fn sender_report(
        &mut self,
        ssrc: u32,
        info: &SenderInfo,
        blocks: &[ReportBlock],
    ) -> Result<&mut Self, RtcpError> {
        self.report(PT_SR, ssrc, Some(info), blocks.iter().copied(), &[])
    }

    /// Appends a receiver report.
    pub fn receiver_report(
        &mut self,
        ssrc: u32,
        blocks: &[ReportBlock],
    ) -> Result<&mut Self, RtcpError> {
        self.report(PT_RR, ssrc, None, blocks.iter().copied(), &[])
    }

    /// Appends an SDES packet with one chunk per `(ssrc, items)`.
    pub fn sdes(&mut self, chunks: &[(u32, &[SdesItem<'_>])]) -> Result<&mut Self, RtcpError> {
        for (_, items) in chunks {
            for item in *items {
                if item.kind == sdes_type::END || item.value.len() > 255 {
                    return Err(RtcpError::FieldOutOfRange("SDES item"));
                }
            }
        }
        let encoded = || {
            chunks.iter().map(|(ssrc, items)| {
                let items_len = items.iter().map(|i| 2 + i.value.len()).sum::<usize>();
                (*ssrc, items_len, ItemsSource::Items(items))
            })
        };
        self.sdes_chunks(encoded, chunks.len())
    }

    /// Appends an SDES packet carrying one CNAME.
    pub fn sdes_cname(&mut self, ssrc: u32, cname: &[u8]) -> Result<&mut Self, RtcpError> {
        self.sdes(&[(
            ssrc,
            &[SdesItem {
                kind: sdes_type::CNAME,
                value: cname,
            }],
        )])
    }

    /// Writes an SDES packet from `chunks()`, called twice: once to size it, once to fill it.
    fn sdes_chunks<'i, F, I>(&mut self, chunks: F, n: usize) -> Result<&mut Self, RtcpError>
    where
        F: Fn() -> I,
        I: Iterator<Item = (u32, usize, ItemsSource<'i>)>,
    {
        let count = check_count(n, "more than 31 SDES chunks")?;
        // Each chunk: SSRC, items, END octet, nulls to the next word.
        let chunk_len = |items_len: usize| 4 + ((items_len + 4) & !3);
        let body_len: usize = chunks().map(|(_, items_len, _)| chunk_len(items_len)).sum();
        let body = self.begin(count, PT_SDES, body_len)?;
        let mut at = 0;
        for (ssrc, items_len, items) in chunks() {
            body[at..at + 4].copy_from_slice(&ssrc.to_be_bytes());
            let mut i = at + 4;
            match items {
                ItemsSource::Items(items) => {
                    for item in items {
                        body[i] = item.kind;
                        // Checked to be at most 255 by `sdes`.
                        body[i + 1] = item.value.len() as u8;
                        body[i + 2..i + 2 + item.value.len()].copy_from_slice(item.value);
                        i += 2 + item.value.len();
                    }
                }
                ItemsSource::Raw(raw) => body[i..i + raw.len()].copy_from_slice(raw),
            }
            // The END octet and padding are already zero (`begin` cleared the body).
            at += chunk_len(items_len);
        }
        self.commit(body_len);
        Ok(self)
    }

    /// Appends a BYE for `sources`, with an optional reason (at most 255 octets).
    pub fn bye(&mut self, sources: &[u32], reason: Option<&[u8]>) -> Result<&mut Self, RtcpError> {
        self.bye_iter(sources.iter().copied(), reason)
    }

    fn bye_iter<I>(&mut self, sources: I, reason: Option<&[u8]>) -> Result<&mut Self, RtcpError>
    where
        I: ExactSizeIterator<Item = u32>,
    {
        let count = check_count(sources.len(), "more than 31 BYE sources")?;
        let reason_len = match reason {
            Some(r) if r.len() > 255 => return Err(RtcpError::FieldOutOfRange("BYE reason")),
            Some(r) => (1 + r.len() + 3) & !3,
            None => 0,
        };
        let sources_len = 4 * usize::from(count);
        let body_len = sources_len + reason_len;
        let body = self.begin(count, PT_BYE, body_len)?;
        for (ssrc, out) in sources.zip(body.chunks_exact_mut(4)) {
            out.copy_from_slice(&ssrc.to_be_bytes());
        }
        if let Some(r) = reason {
            // Checked to be at most 255 above.
            body[sources_len] = r.len() as u8;
            body[sources_len + 1..sources_len + 1 + r.len()].copy_from_slice(r);
        }
        self.commit(body_len);
        Ok(self)
    }

    /// Appends a parsed packet in canonical form (no padding; bodies of unknown types are
    /// zero-filled to a whole word).
    pub fn packet(&mut self, packet: &RtcpPacket<'_>) -> Result<&mut Self, RtcpError> {
        match packet {
            RtcpPacket::SenderReport(sr) => self.copy_sr(sr),
            RtcpPacket::ReceiverReport(rr) => self.copy_rr(rr),
            RtcpPacket::SourceDescription(sdes) => {
                let chunks = || {
                    sdes.chunks().map(|c: SdesChunk<'_>| {
                        (c.ssrc, c.raw_items().len(), ItemsSource::Raw(c.raw_items()))
                    })
                };
                let n = sdes.chunks().count();
                self.sdes_chunks(chunks, n)
            }
            RtcpPacket::Bye(bye) => self.copy_bye(bye),
            RtcpPacket::Other {
                packet_type,
                count,
                body,
            } => {
                let body_len = (body.len() + 3) & !3;
                let out = self.begin(*count & 0x1F, *packet_type, body_len)?;
                out[..body.len()].copy_from_slice(body);
                self.commit(body_len);
                Ok(self)
            }
        }
    }

    fn copy_sr(&mut self, sr: &SenderReport<'_>) -> Result<&mut Self, RtcpError> {
        let ext = sr.profile_extension();
        self.report(
            PT_SR,
            sr.ssrc(),
            Some(&sr.sender_info()),
            sr.report_blocks(),
            ext,
        )
    }

    fn copy_rr(&mut self, rr: &ReceiverReport<'_>) -> Result<&mut Self, RtcpError> {
        self.report(
            PT_RR,
            rr.ssrc(),
            None,
            rr.report_blocks(),
            rr.profile_extension(),
        )
    }

    fn copy_bye(&mut self, bye: &Bye<'_>) -> Result<&mut Self, RtcpError> {
        self.bye_iter(bye.sources(), bye.reason())
    }
}

/// Where a chunk's items come from: values to encode, or bytes already encoded.
#[derive(Clone, Copy)]
enum ItemsSource<'i> {
    Items(&'i [SdesItem<'i>]),
    Raw(&'i [u8]),
}

#[cfg(test)]
mod tests {
    use super::super::{Compound, NtpTimestamp};
    use super::*;

    #[test]
    fn sender_report_round_trips() {
        let info = SenderInfo {
            ntp: NtpTimestamp(0x0102_0304_0506_0708),
            rtp_timestamp: 160,
            packet_count: 10,
            octet_count: 1600,
        };
        let block = ReportBlock {
            ssrc: 9,
            fraction_lost: 25,
            cumulative_lost: -2,
            extended_highest_seq: 0x0001_0005,
            jitter: 40,
            last_sr: 0x0304_0506,
            delay_since_last_sr: 65536,
        };
        let mut buf = [0u8; 128];
        let mut w = CompoundWriter::new(&mut buf);
        w.sender_report(7, &info, &[block]).unwrap();
        let len = w.len();
        assert_eq!(len, 4 + 24 + 24);
        let c = Compound::parse(&buf[..len]).unwrap();
        let Some(RtcpPacket::SenderReport(sr)) = c.packets().next() else {
            panic!("not an SR")
        };
        assert_eq!(sr.ssrc(), 7);
        assert_eq!(sr.sender_info(), info);
        assert_eq!(sr.report_blocks().collect::<Vec<_>>(), vec![block]);
    }

    #[test]
    fn compound_of_rr_sdes_and_bye_parses_back_in_order() {
        let mut buf = [0u8; 256];
        let mut w = CompoundWriter::new(&mut buf);
        w.receiver_report(1, &[]).unwrap();
        w.sdes_cname(1, b"agent-7@plateau").unwrap();
        w.bye(&[1, 2], Some(b"transfer")).unwrap();
        let len = w.len();
        let c = Compound::parse(&buf[..len]).unwrap();
        let packets: Vec<_> = c.packets().collect();
        assert_eq!(packets.len(), 3);
        let RtcpPacket::SourceDescription(sdes) = packets[1] else {
            panic!("not SDES")
        };
        assert_eq!(
            sdes.chunks().next().and_then(|c| c.cname()),
            Some(&b"agent-7@plateau"[..])
        );
        let RtcpPacket::Bye(bye) = packets[2] else {
            panic!("not BYE")
        };
        assert_eq!(bye.sources().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(bye.reason(), Some(&b"transfer"[..]));
    }

    #[test]
    fn too_many_blocks_are_refused() {
        let mut buf = [0u8; 2048];
        let mut w = CompoundWriter::new(&mut buf);
        let blocks = [ReportBlock::default(); 32];
        assert!(matches!(
            w.receiver_report(1, &blocks),
            Err(RtcpError::FieldOutOfRange(_))
        ));
        assert!(w.is_empty());
    }

    #[test]
    fn small_buffer_keeps_what_was_written() {
        let mut buf = [0u8; 12];
        let mut w = CompoundWriter::new(&mut buf);
        w.receiver_report(1, &[]).unwrap();
        assert!(matches!(
            w.bye(&[1], None),
            Err(RtcpError::BufferTooSmall { .. })
        ));
        assert_eq!(w.len(), 8);
    }

    #[test]
    fn cname_of_every_length_pads_to_a_word() {
        for n in 0..=255usize {
            let name = vec![b'x'; n];
            let mut buf = [0u8; 300];
            let mut w = CompoundWriter::new(&mut buf);
            w.sdes_cname(5, &name).unwrap();
            let len = w.len();
            assert_eq!(len % 4, 0);
            let c = Compound::parse(&buf[..len]).unwrap();
            let Some(RtcpPacket::SourceDescription(s)) = c.packets().next() else {
                panic!()
            };
            assert_eq!(s.chunks().next().and_then(|c| c.cname()), Some(&name[..]));
        }
    }
}
