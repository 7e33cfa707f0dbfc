//! Reading a remote description against our capabilities: the decisions shared by answering an
//! offer and accepting an answer (RFC 3264 §6.1 and §7).

use std::net::SocketAddr;

use super::{Codec, CodecPreference, Direction, LocalMedia, MediaView, NegotiationError};

/// What the media layer needs once offer and answer agree, for one audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Index of the `m=` line this applies to.
    pub stream: usize,
    /// Where to send RTP (the address is unspecified, 0.0.0.0 or `::`, in an RFC 2543 hold).
    pub remote: SocketAddr,
    /// The codec to send and expect.
    pub codec: Codec,
    /// Its payload type on this call (the remote's number for it).
    pub payload_type: u8,
    /// The payload type for RFC 4733 events, when both sides use them.
    pub telephone_event: Option<u8>,
    /// Packet duration to send, in ms: the remote's `a=ptime` (bounded by its `a=maxptime`),
    /// else ours.
    pub ptime: u32,
    /// What *we* do: `SendOnly` means we send and do not receive.
    pub direction: Direction,
    /// RTCP on the RTP port (RFC 5761), agreed by both sides.
    pub rtcp_mux: bool,
}

/// The first codec both sides support, in the remote's order or ours.
pub(crate) fn pick_codec(
    view: &MediaView<'_>,
    codecs: &[Codec],
    preference: CodecPreference,
) -> Option<(Codec, u8)> {
    let matching = |codec: &Codec| {
        view.payload_types()
            .find(|pt| codec.matches(*pt, view.rtpmap(*pt).as_ref()))
            .map(|pt| (*codec, pt))
    };
    match preference {
        CodecPreference::Remote => view.payload_types().find_map(|pt| {
            let map = view.rtpmap(pt);
            codecs
                .iter()
                .find(|c| c.matches(pt, map.as_ref()))
                .map(|c| (*c, pt))
        }),
        CodecPreference::Ours => codecs.iter().find_map(matching),
    }
}

/// Negotiates one remote audio stream (an offer's, or the answer to ours) with `local`.
pub(crate) fn negotiate(
    view: &MediaView<'_>,
    local: &LocalMedia,
    preference: CodecPreference,
) -> Result<Negotiated, NegotiationError> {
    let (codec, payload_type) = pick_codec(view, &local.codecs, preference).ok_or_else(|| {
        NegotiationError::NoCommonCodec {
            offered: describe_formats(view),
        }
    })?;
    let connection = view
        .connection()
        .ok_or(NegotiationError::MissingConnection {
            stream: view.index(),
        })?;
    let ip = connection
        .ip()
        .ok_or_else(|| NegotiationError::UnusableAddress(connection.address.clone()))?;
    let mut direction = view.direction().answer(local.direction);
    if ip.is_unspecified() {
        // RFC 2543 hold: there is nowhere to send to.
        direction = Direction::from_flags(false, direction.receives());
    }
    let mut ptime = view.ptime().unwrap_or(local.ptime);
    if let Some(max) = view.maxptime() {
        ptime = ptime.min(max);
    }
    Ok(Negotiated {
        stream: view.index(),
        remote: SocketAddr::new(ip, view.media().port),
        codec,
        payload_type,
        telephone_event: local
            .telephone_event
            .and_then(|_| view.telephone_event(codec.clock_rate)),
        ptime,
        direction,
        rtcp_mux: local.rtcp_mux && view.rtcp_mux(),
    })
}

/// The offered formats for an error message: `encoding/clock` where an rtpmap says, else the
/// payload type number.
fn describe_formats(view: &MediaView<'_>) -> String {
    let described: Vec<String> = view
        .media()
        .formats
        .iter()
        .map(|f| {
            f.parse()
                .ok()
                .and_then(|pt| view.rtpmap(pt))
                .map_or_else(|| f.clone(), |m| format!("{}/{}", m.encoding, m.clock_rate))
        })
        .collect();
    if described.is_empty() {
        "nothing".to_owned()
    } else {
        described.join(" ")
    }
}
