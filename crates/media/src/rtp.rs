//! RTP (RFC 3550): the packets that carry a call's audio.
//!
//! - [`RtpPacket`] is a zero-copy view over received bytes: parsing validates the header, CSRC
//!   list, header extension and padding once, and the accessors then read fields in place.
//! - [`RtpHeader`] and [`RtpBuilder`] write packets into a caller's buffer; nothing allocates,
//!   because the relay handles every packet of every call.
//! - [`SequenceTracker`] follows one source's sequence numbers as RFC 3550 Appendix A.1 does
//!   (extended 32-bit numbers, probation of new sources, restart detection), and the small
//!   helpers [`seq_delta`], [`timestamp_delta`] and [`TimestampUnwrapper`] do the wrap-around
//!   arithmetic the rest of the crate needs; [`ReplacedSource`] tells stragglers of a replaced
//!   SSRC from its return.
//!
//! ```
//! use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
//!
//! let header = RtpHeader { marker: true, payload_type: 0, sequence_number: 7, timestamp: 160, ssrc: 42 };
//! let mut buf = [0u8; 1500];
//! let len = RtpBuilder::new(header, &[0xFF; 160]).write(&mut buf)?;
//! let packet = RtpPacket::parse(&buf[..len])?;
//! assert_eq!((packet.sequence_number(), packet.payload().len()), (7, 160));
//! # Ok::<(), media::rtp::RtpError>(())
//! ```

mod packet;
mod sequence;

pub use packet::{
    Extension, HEADER_LEN, MAX_CSRCS, RtpBuilder, RtpError, RtpHeader, RtpPacket, VERSION,
};
pub use sequence::{
    MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL, ReplacedSource, STALE_SOURCE_GRACE, SeqOutcome,
    SequenceTracker, TimestampUnwrapper, seq_delta, timestamp_delta,
};
