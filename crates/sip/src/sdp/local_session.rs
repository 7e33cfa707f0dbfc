//! Our side of the offer/answer exchange (RFC 3264): building offers and answers for one audio
//! stream, and keeping the `o=` line's version right across re-offers (hold, resume, refresh).

use std::net::IpAddr;

use super::codec::{TELEPHONE_EVENT, TELEPHONE_EVENT_FMTP};
use super::description::addr_type;
use super::negotiation::negotiate;
use super::{
    Attribute, Codec, Connection, Direction, MediaDescription, Negotiated, NegotiationError,
    Origin, RtpMap, SessionDescription, Timing,
};

/// Whose codec order decides when several codecs are common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodecPreference {
    /// The remote's order (the offerer's, when we answer): RFC 3264 §6.1 reads the offer's
    /// list as its preference, and following it spares the caller a transcoding relay.
    #[default]
    Remote,
    /// Our order in [`LocalMedia::codecs`].
    Ours,
}

/// What we can and want to do for the audio of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// Our RTP address (written in `o=` and `c=`).
    pub address: IpAddr,
    /// Our RTP port.
    pub port: u16,
    /// Codecs we support, preferred first.
    pub codecs: Vec<Codec>,
    /// Payload type we offer for telephone-event (answers reuse the offerer's); `None` to
    /// neither offer nor accept RFC 4733 events. Must not clash with a codec's payload type.
    pub telephone_event: Option<u8>,
    /// Packet duration we want to receive, in ms (`a=ptime`).
    pub ptime: u32,
    /// What we want: `SendRecv` normally, [`Direction::held`] to put the other side on hold.
    pub direction: Direction,
    /// Whether we can take RTCP on the RTP port (RFC 5761).
    pub rtcp_mux: bool,
    /// Whose codec order wins.
    pub preference: CodecPreference,
}

impl LocalMedia {
    /// Defaults: telephone-event on payload type 101, ptime 20, `sendrecv`, no rtcp-mux, the
    /// remote's codec order.
    pub fn new(address: IpAddr, port: u16, codecs: Vec<Codec>) -> LocalMedia {
        LocalMedia {
            address,
            port,
            codecs,
            telephone_event: Some(101),
            ptime: 20,
            direction: Direction::SendRecv,
            rtcp_mux: false,
            preference: CodecPreference::Remote,
        }
    }
}

/// Our session description across a call: its id, its version, our last offer.
#[derive(Debug, Clone)]
pub struct LocalSession {
    session_id: u64,
    last_sent: Option<SessionDescription>,
    pending_offer: Option<SessionDescription>,
}

impl LocalSession {
    /// A session with id `session_id` (random, from the caller); the first description sent
    /// carries version `session_id` as well, as is common practice.
    pub fn new(session_id: u64) -> LocalSession {
        LocalSession {
            session_id,
            last_sent: None,
            pending_offer: None,
        }
    }

    /// The `o=` version of the last description sent, if any.
    pub fn version(&self) -> Option<u64> {
        self.last_sent.as_ref().map(|d| d.origin.session_version)
    }

    /// Builds an offer (initial, or a re-offer for hold/resume/refresh) and remembers it for
    /// [`LocalSession::accept_answer`].
    pub fn offer(&mut self, local: &LocalMedia) -> SessionDescription {
        let formats = local
            .codecs
            .iter()
            .map(|c| (c.payload_type, c.rtpmap(c.payload_type)))
            .collect();
        let media = audio_media(
            local,
            "RTP/AVP",
            formats,
            local.telephone_event,
            local.direction,
            local.rtcp_mux,
        );
        let offer = self.stamp(self.description(local, vec![media]));
        self.pending_offer = Some(offer.clone());
        offer
    }

    /// Answers a remote offer (RFC 3264 §6): one `m=` line per offered one, in order; the
    /// first plain-RTP audio stream with a common codec is accepted with that one codec (plus
    /// telephone-event under the offerer's payload type), every other stream is rejected with
    /// port 0. An error means the offer is unacceptable: answer 488.
    pub fn answer(
        &mut self,
        offer: &SessionDescription,
        local: &LocalMedia,
    ) -> Result<(SessionDescription, Negotiated), NegotiationError> {
        let mut accepted: Option<Negotiated> = None;
        let mut first_error = None;
        let mut media = Vec::with_capacity(offer.media.len());
        for view in offer.media_views() {
            let candidate = accepted.is_none()
                && view.kind().eq_ignore_ascii_case("audio")
                && !view.is_rejected()
                && view.is_plain_rtp();
            if candidate {
                match negotiate(&view, local, local.preference) {
                    Ok(n) => {
                        let te = n.telephone_event;
                        let direction = view.direction().answer(local.direction);
                        let formats = vec![(n.payload_type, n.codec.rtpmap(n.payload_type))];
                        let protocol = view.media().protocol.as_str();
                        media.push(audio_media(
                            local, protocol, formats, te, direction, n.rtcp_mux,
                        ));
                        accepted = Some(n);
                        continue;
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            media.push(rejected(view.media()));
        }
        let negotiated =
            accepted.ok_or_else(|| first_error.unwrap_or(NegotiationError::NoAudioStream))?;
        let answer = self.stamp(self.description(local, media));
        Ok((answer, negotiated))
    }

    /// Reads the answer to our last offer (RFC 3264 §7). The answer may come in a 18x and again
    /// in the 2xx; reading it twice is harmless.
    pub fn accept_answer(
        &self,
        answer: &SessionDescription,
        local: &LocalMedia,
    ) -> Result<Negotiated, NegotiationError> {
        let offer = self
            .pending_offer
            .as_ref()
            .ok_or(NegotiationError::NoOfferPending)?;
        if answer.media.len() != offer.media.len() {
            return Err(NegotiationError::MediaCountMismatch {
                offer: offer.media.len(),
                answer: answer.media.len(),
            });
        }
        let index = offer
            .media_views()
            .position(|v| !v.is_rejected())
            .ok_or(NegotiationError::NoAudioStream)?;
        let view = answer
            .media_views()
            .nth(index)
            .ok_or(NegotiationError::NoAudioStream)?;
        if view.is_rejected() {
            return Err(NegotiationError::Rejected);
        }
        negotiate(&view, local, CodecPreference::Remote)
    }

    /// Sets the version: unchanged if the description equals the last one sent, else one more
    /// (RFC 3264 §8: a changed description must carry a higher version).
    fn stamp(&mut self, mut description: SessionDescription) -> SessionDescription {
        let version = match &self.last_sent {
            None => self.session_id,
            Some(last) => {
                description.origin.session_version = last.origin.session_version;
                if *last == description {
                    last.origin.session_version
                } else {
                    last.origin.session_version.wrapping_add(1)
                }
            }
        };
        description.origin.session_version = version;
        self.last_sent = Some(description.clone());
        description
    }

    fn description(&self, local: &LocalMedia, media: Vec<MediaDescription>) -> SessionDescription {
        SessionDescription {
            origin: Origin {
                username: "-".into(),
                session_id: self.session_id.to_string(),
                session_version: 0,
                net_type: "IN".into(),
                addr_type: addr_type(local.address).into(),
                address: local.address.to_string(),
            },
            session_name: "-".into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: Some(Connection::for_ip(local.address)),
            bandwidths: Vec::new(),
            timings: vec![Timing {
                start: 0,
                stop: 0,
                repeats: Vec::new(),
            }],
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media,
        }
    }
}

/// Our audio `m=` section: codecs with rtpmaps, telephone-event, ptime, rtcp-mux, direction.
fn audio_media(
    local: &LocalMedia,
    protocol: &str,
    formats: Vec<(u8, RtpMap)>,
    telephone_event: Option<u8>,
    direction: Direction,
    rtcp_mux: bool,
) -> MediaDescription {
    let clock_rate = formats.first().map_or(8000, |(_, map)| map.clock_rate);
    let mut payload_types: Vec<String> = formats.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut attributes: Vec<Attribute> = formats
        .iter()
        .map(|(_, map)| Attribute::value("rtpmap", map.to_string()))
        .collect();
    if let Some(pt) = telephone_event {
        payload_types.push(pt.to_string());
        let map = RtpMap {
            payload_type: pt,
            encoding: TELEPHONE_EVENT.into(),
            clock_rate,
            channels: None,
        };
        attributes.push(Attribute::value("rtpmap", map.to_string()));
        attributes.push(Attribute::value(
            "fmtp",
            format!("{pt} {TELEPHONE_EVENT_FMTP}"),
        ));
    }
    attributes.push(Attribute::value("ptime", local.ptime.to_string()));
    if rtcp_mux {
        attributes.push(Attribute::property("rtcp-mux"));
    }
    attributes.push(direction.attribute());
    MediaDescription {
        kind: "audio".into(),
        port: local.port,
        port_count: None,
        protocol: protocol.to_owned(),
        formats: payload_types,
        information: None,
        connections: Vec::new(),
        bandwidths: Vec::new(),
        key: None,
        attributes,
    }
}

/// The answer's line for a stream we do not take: same media and formats, port 0.
fn rejected(offered: &MediaDescription) -> MediaDescription {
    MediaDescription {
        kind: offered.kind.clone(),
        port: 0,
        port_count: None,
        protocol: offered.protocol.clone(),
        formats: offered.formats.clone(),
        information: None,
        connections: Vec::new(),
        bandwidths: Vec::new(),
        key: None,
        attributes: Vec::new(),
    }
}
