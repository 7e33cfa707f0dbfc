//! Sender and receiver reports (RFC 3550 §6.4): sender info, report blocks, NTP timestamps.

use std::time::Duration;

use super::{MAX_COUNT, RtcpError, be32};

/// Bytes of one report block.
pub(super) const BLOCK_LEN: usize = 24;
/// Bytes of the sender info in an SR.
pub(super) const SENDER_INFO_LEN: usize = 20;

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp: seconds since 1900 in the high 32 bits, the fraction in the low 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NtpTimestamp(pub u64);

impl NtpTimestamp {
    /// The NTP time of a wall-clock instant given as time since the Unix epoch (the caller
    /// reads the clock; this crate does not).
    pub fn from_unix(since_epoch: Duration) -> NtpTimestamp {
        let secs = since_epoch.as_secs().wrapping_add(NTP_UNIX_OFFSET_SECS);
        let frac = (u64::from(since_epoch.subsec_nanos()) << 32) / 1_000_000_000;
        NtpTimestamp((secs << 32) | frac)
    }

    /// The middle 32 bits (16.16 fixed point seconds), as carried in LSR.
    pub fn compact(self) -> u32 {
        (self.0 >> 16) as u32
    }
}

/// Converts a compact 16.16 NTP duration (DLSR, round-trip time) to a `Duration`.
pub fn compact_to_duration(compact: u32) -> Duration {
    Duration::from_nanos((u64::from(compact) * 1_000_000_000) >> 16)
}

/// Converts a `Duration` to compact 16.16 NTP units, saturating.
pub fn duration_to_compact(d: Duration) -> u32 {
    let units = (d.as_nanos() << 16) / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// The sender info of an SR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderInfo {
    /// Wall-clock time of the report.
    pub ntp: NtpTimestamp,
    /// The same instant on the RTP timestamp clock.
    pub rtp_timestamp: u32,
    /// Packets sent since the start of transmission.
    pub packet_count: u32,
    /// Payload octets sent since the start of transmission.
    pub octet_count: u32,
}

/// One reception report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the previous report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative packets lost, a signed 24-bit value (negative with duplicates).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest_seq: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP timestamp of the last SR received from the source (0: none).
    pub last_sr: u32,
    /// Delay since that SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// Largest and smallest values of the signed 24-bit cumulative-lost field.
pub(super) const LOST_MAX: i32 = 0x7F_FFFF;
pub(super) const LOST_MIN: i32 = -0x80_0000;

impl ReportBlock {
    fn read(b: &[u8]) -> ReportBlock {
        // Sign-extend the 24-bit field by shifting it into the top of an i32.
        let lost = (i32::from_be_bytes([b[5], b[6], b[7], 0])) >> 8;
        ReportBlock {
            ssrc: be32(b, 0),
            fraction_lost: b[4],
            cumulative_lost: lost,
            extended_highest_seq: be32(b, 8),
            jitter: be32(b, 12),
            last_sr: be32(b, 16),
            delay_since_last_sr: be32(b, 20),
        }
    }

    pub(super) fn write(&self, out: &mut [u8; BLOCK_LEN]) {
        let lost = self.cumulative_lost.clamp(LOST_MIN, LOST_MAX).to_be_bytes();
        out[0..4].copy_from_slice(&self.ssrc.to_be_bytes());
        out[4] = self.fraction_lost;
        out[5..8].copy_from_slice(&lost[1..4]);
        out[8..12].copy_from_slice(&self.extended_highest_seq.to_be_bytes());
        out[12..16].copy_from_slice(&self.jitter.to_be_bytes());
        out[16..20].copy_from_slice(&self.last_sr.to_be_bytes());
        out[20..24].copy_from_slice(&self.delay_since_last_sr.to_be_bytes());
    }
}

/// Iterates report blocks stored back to back.
fn blocks(bytes: &[u8]) -> impl ExactSizeIterator<Item = ReportBlock> + '_ {
    bytes.chunks_exact(BLOCK_LEN).map(ReportBlock::read)
}

/// Splits `body` after `fixed` bytes into `count` report blocks and the profile extension.
fn split_blocks(
    body: &[u8],
    fixed: usize,
    count: u8,
    what: &'static str,
) -> Result<usize, RtcpError> {
    let end = fixed + BLOCK_LEN * usize::from(count);
    if body.len() < end {
        return Err(RtcpError::Malformed(what));
    }
    Ok(end)
}

/// A sender report: the sender's info and its report blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    body: &'a [u8],
    blocks_end: usize,
}

impl<'a> SenderReport<'a> {
    pub(super) fn parse(count: u8, body: &'a [u8]) -> Result<Self, RtcpError> {
        let blocks_end = split_blocks(body, 4 + SENDER_INFO_LEN, count, "SR")?;
        Ok(SenderReport { body, blocks_end })
    }

    /// The sender's SSRC.
    pub fn ssrc(&self) -> u32 {
        be32(self.body, 0)
    }

    /// The sender info.
    pub fn sender_info(&self) -> SenderInfo {
        let b = self.body;
        SenderInfo {
            ntp: NtpTimestamp((u64::from(be32(b, 4)) << 32) | u64::from(be32(b, 8))),
            rtp_timestamp: be32(b, 12),
            packet_count: be32(b, 16),
            octet_count: be32(b, 20),
        }
    }

    /// The report blocks.
    pub fn report_blocks(&self) -> impl ExactSizeIterator<Item = ReportBlock> + 'a {
        blocks(
            self.body
                .get(4 + SENDER_INFO_LEN..self.blocks_end)
                .unwrap_or_default(),
        )
    }

    /// Profile-specific extension after the blocks (usually empty).
    pub fn profile_extension(&self) -> &'a [u8] {
        self.body.get(self.blocks_end..).unwrap_or_default()
    }
}

/// A receiver report: report blocks from a participant that does not send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    body: &'a [u8],
    blocks_end: usize,
}

impl<'a> ReceiverReport<'a> {
    pub(super) fn parse(count: u8, body: &'a [u8]) -> Result<Self, RtcpError> {
        let blocks_end = split_blocks(body, 4, count, "RR")?;
        Ok(ReceiverReport { body, blocks_end })
    }

    /// The reporter's SSRC.
    pub fn ssrc(&self) -> u32 {
        be32(self.body, 0)
    }

    /// The report blocks.
    pub fn report_blocks(&self) -> impl ExactSizeIterator<Item = ReportBlock> + 'a {
        blocks(self.body.get(4..self.blocks_end).unwrap_or_default())
    }

    /// Profile-specific extension after the blocks (usually empty).
    pub fn profile_extension(&self) -> &'a [u8] {
        self.body.get(self.blocks_end..).unwrap_or_default()
    }
}

/// Checks a block count given to the writer.
pub(super) fn check_count(n: usize, what: &'static str) -> Result<u8, RtcpError> {
    if n > MAX_COUNT {
        return Err(RtcpError::FieldOutOfRange(what));
    }
    // n <= 31
    Ok(n as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_from_unix_epoch_is_the_1970_offset() {
        let ntp = NtpTimestamp::from_unix(Duration::from_millis(1_500));
        assert_eq!(ntp.0 >> 32, NTP_UNIX_OFFSET_SECS + 1);
        assert_eq!(ntp.0 & 0xFFFF_FFFF, 1 << 31);
    }

    #[test]
    fn compact_time_keeps_the_middle_bits() {
        assert_eq!(NtpTimestamp(0x1234_5678_9ABC_DEF0).compact(), 0x5678_9ABC);
        assert_eq!(
            compact_to_duration(0x0001_8000),
            Duration::from_millis(1_500)
        );
        assert_eq!(duration_to_compact(Duration::from_millis(250)), 0x4000);
    }

    #[test]
    fn negative_cumulative_loss_survives_the_24_bit_field() {
        let mut raw = [0u8; BLOCK_LEN];
        let block = ReportBlock {
            cumulative_lost: -3,
            ..Default::default()
        };
        block.write(&mut raw);
        assert_eq!(ReportBlock::read(&raw).cumulative_lost, -3);
        let huge = ReportBlock {
            cumulative_lost: i32::MAX,
            ..Default::default()
        };
        huge.write(&mut raw);
        assert_eq!(ReportBlock::read(&raw).cumulative_lost, LOST_MAX);
    }
}
