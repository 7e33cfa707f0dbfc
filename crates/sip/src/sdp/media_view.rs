//! One media section read the way a media engine needs it, with session-level fallbacks
//! applied (RFC 4566 §5.7, RFC 3264 §5.1: a media-level `c=` or direction overrides the
//! session-level one).

use std::net::SocketAddr;

use super::codec::TELEPHONE_EVENT;
use super::description::find_attribute;
use super::rtpmap::parse_payload_type;
use super::{Connection, Direction, MediaDescription, RtpMap, SessionDescription};

/// A media section and the session it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct MediaView<'a> {
    session: &'a SessionDescription,
    index: usize,
    media: &'a MediaDescription,
}

impl<'a> MediaView<'a> {
    pub(crate) fn new(
        session: &'a SessionDescription,
        index: usize,
        media: &'a MediaDescription,
    ) -> MediaView<'a> {
        MediaView {
            session,
            index,
            media,
        }
    }

    /// Position of the `m=` line (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The raw section.
    pub fn media(&self) -> &'a MediaDescription {
        self.media
    }

    /// `audio`, `video`...
    pub fn kind(&self) -> &'a str {
        &self.media.kind
    }

    /// Whether the stream is rejected or disabled (port 0).
    pub fn is_rejected(&self) -> bool {
        self.media.port == 0
    }

    /// Whether the transport is plain RTP (`RTP/AVP`, or `RTP/AVPF` whose feedback is
    /// optional): the ones Plateau's media engine speaks without SRTP.
    pub fn is_plain_rtp(&self) -> bool {
        let p = &self.media.protocol;
        p.eq_ignore_ascii_case("RTP/AVP") || p.eq_ignore_ascii_case("RTP/AVPF")
    }

    /// The connection: the media's first `c=`, else the session's.
    pub fn connection(&self) -> Option<&'a Connection> {
        self.media
            .connections
            .first()
            .or(self.session.connection.as_ref())
    }

    /// Where to send RTP: the connection address and the media port.
    pub fn rtp_address(&self) -> Option<SocketAddr> {
        let ip = self.connection()?.ip()?;
        Some(SocketAddr::new(ip, self.media.port))
    }

    /// The direction: the media's attribute, else the session's, else `sendrecv`.
    pub fn direction(&self) -> Direction {
        Direction::from_attributes(&self.media.attributes)
            .or_else(|| Direction::from_attributes(&self.session.attributes))
            .unwrap_or_default()
    }

    /// Whether the writer put the other side on hold: `sendonly` or `inactive`, or the
    /// RFC 2543 form with connection address 0.0.0.0 (or `::`).
    pub fn is_hold(&self) -> bool {
        let unspecified = self
            .connection()
            .and_then(Connection::ip)
            .is_some_and(|ip| ip.is_unspecified());
        unspecified || !self.direction().receives()
    }

    /// The formats that are RTP payload types, in the offered order (preference order).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + 'a {
        self.media
            .formats
            .iter()
            .filter_map(|f| parse_payload_type(f))
    }

    /// The rtpmap of payload type `pt`, if present and well-formed.
    pub fn rtpmap(&self, pt: u8) -> Option<RtpMap> {
        self.media
            .attributes
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case("rtpmap"))
            .filter_map(|a| RtpMap::parse(a.value.as_deref()?))
            .find(|m| m.payload_type == pt)
    }

    /// The format parameters of payload type `pt` (the text after `a=fmtp:<pt> `).
    pub fn fmtp(&self, pt: u8) -> Option<&'a str> {
        self.media
            .attributes
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case("fmtp"))
            .filter_map(|a| {
                let (format, params) = a.value.as_deref()?.trim().split_once([' ', '\t'])?;
                (parse_payload_type(format) == Some(pt)).then(|| params.trim())
            })
            .next()
    }

    /// The payload type of `telephone-event` at `clock_rate`, if offered.
    pub fn telephone_event(&self, clock_rate: u32) -> Option<u8> {
        self.payload_types().find(|pt| {
            self.rtpmap(*pt)
                .is_some_and(|m| m.is(TELEPHONE_EVENT, clock_rate))
        })
    }

    /// `a=ptime` in milliseconds (media level, else session level).
    pub fn ptime(&self) -> Option<u32> {
        self.millis("ptime")
    }

    /// `a=maxptime` in milliseconds (media level, else session level).
    pub fn maxptime(&self) -> Option<u32> {
        self.millis("maxptime")
    }

    /// Whether `a=rtcp-mux` is present: RTCP shares the RTP port (RFC 5761).
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }

    /// The value of the first media-level attribute `name` (`Some("")` for a property).
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        find_attribute(&self.media.attributes, name)
    }

    fn millis(&self, name: &str) -> Option<u32> {
        let text = self
            .attribute(name)
            .or_else(|| self.session.attribute(name))?;
        let text = text.trim();
        if let Ok(ms) = text.parse::<u32>() {
            return (ms > 0).then_some(ms);
        }
        // Some phones write `20.0`; round fractional values, refuse anything absurd.
        let ms: f64 = text.parse().ok()?;
        (1.0..=10_000.0).contains(&ms).then(|| ms.round() as u32)
    }
}
