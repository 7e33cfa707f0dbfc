//! Telling RTCP from RTP (RFC 5761 §4) and both from STUN and DTLS (RFC 7983) on one port.

/// What a datagram on a multiplexed port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demux {
    /// STUN (first octet 0..=3).
    Stun,
    /// DTLS (first octet 20..=63).
    Dtls,
    /// RTP (first octet 128..=191, second octet outside 192..=223).
    Rtp,
    /// RTCP (first octet 128..=191, packet type 192..=223).
    Rtcp,
    /// Anything else.
    Unknown,
}

/// True when a version-2 packet's second octet is an RTCP packet type.
///
/// RFC 5761 §4: RTCP packet types 192–223 collide with RTP payload types 64–95 with the
/// marker bit set, which is why those payload types must not be used when RTP and RTCP share
/// a port.
pub fn is_rtcp(packet: &[u8]) -> bool {
    matches!(packet, [first, second, ..] if first >> 6 == 2 && (192..=223).contains(second))
}

/// Classifies a datagram received on a port that multiplexes RTP, RTCP, STUN and DTLS.
pub fn demux(packet: &[u8]) -> Demux {
    match packet.first() {
        Some(0..=3) => Demux::Stun,
        Some(20..=63) => Demux::Dtls,
        Some(128..=191) if is_rtcp(packet) => Demux::Rtcp,
        Some(128..=191) => Demux::Rtp,
        _ => Demux::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtcp_types_are_told_from_rtp_payload_types() {
        assert!(is_rtcp(&[0x80, 200, 0, 6]));
        assert!(is_rtcp(&[0x81, 201]));
        assert!(!is_rtcp(&[0x80, 0])); // PCMU
        assert!(!is_rtcp(&[0x80, 0x80 | 8])); // PCMA with marker
        assert!(!is_rtcp(&[0x80, 101])); // telephone-event
        assert!(is_rtcp(&[0x80, 0x80 | 72])); // RTP PT 72 with marker looks like RTCP SR
        assert!(!is_rtcp(&[0x40, 200]));
        assert!(!is_rtcp(&[0x80]));
    }

    #[test]
    fn stun_and_dtls_are_recognised_by_the_first_octet() {
        assert_eq!(demux(&[0x00, 0x01]), Demux::Stun);
        assert_eq!(demux(&[22, 0xFE]), Demux::Dtls);
        assert_eq!(demux(&[0x80, 0]), Demux::Rtp);
        assert_eq!(demux(&[0x80, 203]), Demux::Rtcp);
        assert_eq!(demux(&[]), Demux::Unknown);
        assert_eq!(demux(&[255]), Demux::Unknown);
    }
}
