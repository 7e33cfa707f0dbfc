//! Outbound legs through the SIP trunk: the server calls a number (a callback's customer, the
//! target of a transfer to a number) as a UAC, and tells the part that asked how it went.
//!
//! One INVITE to the trunk's proxy over UDP (`sip:<number>@<trunk domain>`, `From` the
//! tenant's number, our SDP offer from a fresh RTP port, PCMA then PCMU and
//! telephone-event). 1xx: it rings (nothing to do). 2xx: the dialogs ACK it; its SDP answer is
//! read and the leg is [`Answered`] (the caller of [`Board::dial`] starts or feeds the media
//! task). 401/407: answered once with the configured digest credentials (a new INVITE, same
//! Call-ID, next CSeq). Failures are [`DialFailure`]s: 486/600 busy, 603 rejected,
//! 408/480/487 and our own ring timeout no answer (the INVITE is CANCELled), anything else
//! and a transport error or a transaction timeout unreachable. A 200 that crosses our CANCEL
//! is hung up at once. At most `trunk.max_calls` legs are up at a time.
//!
//! Who asked is a [`Purpose`]; the outcome goes to [`super::callback`] or
//! [`super::transfer`]-to-number. No call's state lives here but the legs being dialled.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use sip::dialog::{DialogKey, DialogUpdate};
use sip::header::NameAddr;
use sip::sdp::{Codec, LocalMedia, LocalSession, SessionDescription};
use sip::transaction::{ClientKey, Peer};
use sip::{HeaderName, Host, Method, Request, RequestBuilder, Response, SipUri, Uri};

use super::inbound_call::{leg_config, user_part};
use super::switchboard::Board;
use crate::media::{CallRef, LegMedia, RtpSocket};
use crate::sip::options;

/// Who placed an outbound leg, and so who hears how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A callback's customer (see [`super::callback`]).
    Callback,
    /// The target of a transfer to a number (see [`super::transfer`]).
    Transfer,
}

/// Why an outbound call did not connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DialFailure {
    /// No `[trunk]` is configured.
    #[error("no trunk is configured")]
    NoTrunk,
    /// `trunk.max_calls` outbound calls are up already.
    #[error("the trunk's call limit is reached")]
    Limit,
    /// The number cannot be written in a request.
    #[error("the number is not dialable")]
    BadNumber,
    /// 486 or 600.
    #[error("busy")]
    Busy,
    /// It rang until the timeout (or 408/480/487).
    #[error("no answer")]
    NoAnswer,
    /// 603, or another final refusal.
    #[error("rejected")]
    Rejected,
    /// No RTP port, a transport error, a transaction timeout, an unusable answer.
    #[error("unreachable")]
    Unreachable,
}

impl DialFailure {
    /// The word logged (`callback_attempt_failed{reason}`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DialFailure::NoTrunk => "no_trunk",
            DialFailure::Limit => "trunk_busy",
            DialFailure::BadNumber => "bad_number",
            DialFailure::Busy => "busy",
            DialFailure::NoAnswer => "no_answer",
            DialFailure::Rejected => "rejected",
            DialFailure::Unreachable => "unreachable",
        }
    }

    /// The failure a final status means.
    fn from_status(status: u16) -> DialFailure {
        match status {
            486 | 600 => DialFailure::Busy,
            408 | 480 | 487 => DialFailure::NoAnswer,
            403 | 404 | 484 | 603 | 604 => DialFailure::Rejected,
            _ => DialFailure::Unreachable,
        }
    }
}

/// An outbound leg that answered: what the media task needs, and the SDP session to answer
/// re-INVITEs from.
#[derive(Debug)]
pub(crate) struct Answered {
    /// The dialog (ACKed by the dialogs).
    pub(crate) dialog: DialogKey,
    /// Our RTP socket for the leg (its port was in the offer).
    pub(crate) socket: RtpSocket,
    /// What the answer negotiated.
    pub(crate) media: LegMedia,
    /// The codec chosen.
    pub(crate) codec: Codec,
    /// Our SDP session toward the far end.
    pub(crate) sdp: LocalSession,
    /// What we offered.
    pub(crate) offered: LocalMedia,
}

/// One INVITE to the trunk in progress.
#[derive(Debug)]
pub(crate) struct OutboundLeg {
    call: CallRef,
    purpose: Purpose,
    /// The INVITE (sent again with credentials on a 401/407).
    request: Request,
    peer: Peer,
    socket: Option<RtpSocket>,
    sdp: LocalSession,
    media: LocalMedia,
    /// When it stops ringing (CANCEL, no answer).
    give_up_at: Instant,
    /// We cancelled it (timeout, the call ended): a 200 is hung up, nobody is told.
    cancelled: bool,
    /// The credentials were sent once already.
    authenticated: bool,
}

/// The trunk's legs being dialled, by INVITE transaction.
#[derive(Debug, Default)]
pub(crate) struct OutboundLegs {
    legs: HashMap<ClientKey, OutboundLeg>,
    /// Answered legs the call keeps outside its own legs (a transfer's number), hung up
    /// when the call ends.
    answered: HashMap<CallRef, DialogKey>,
    /// Nonces counted for digest `nc`, and a counter for `cnonce`s.
    sent: u64,
}

impl OutboundLegs {
    /// Whether `key` is one of ours.
    pub(crate) fn contains(&self, key: ClientKey) -> bool {
        self.legs.contains_key(&key)
    }

    /// The next ring timeout.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.legs
            .values()
            .filter(|l| !l.cancelled)
            .map(|l| l.give_up_at)
            .min()
    }

    /// Keeps the dialog of call `id`'s answered outbound leg, to hang it up at the end.
    pub(crate) fn keep_answered(&mut self, id: CallRef, dialog: DialogKey) {
        self.answered.insert(id, dialog);
    }

    /// Legs up (counted against `trunk.max_calls`): those not cancelled.
    fn active(&self) -> usize {
        self.legs.values().filter(|l| !l.cancelled).count() + self.answered.len()
    }
}

impl Board {
    /// Calls `number` through the trunk for call `id`, for `purpose`; it rings until the
    /// trunk's ring timeout or `give_up_at`, whichever comes first. The outcome comes later
    /// (to [`super::callback`] or [`super::transfer`]); `Err` when nothing was sent.
    pub(crate) fn dial(
        &mut self,
        now: Instant,
        id: CallRef,
        number: &str,
        purpose: Purpose,
        give_up_at: Option<Instant>,
    ) -> Result<(), DialFailure> {
        let Some(trunk) = self.config.trunk.clone() else {
            return Err(DialFailure::NoTrunk);
        };
        let proxy: SocketAddr = trunk.proxy_addr().ok_or(DialFailure::NoTrunk)?;
        if self.outbound.active() >= trunk.max_calls as usize {
            self.metrics.error("trunk_limit");
            return Err(DialFailure::Limit);
        }
        let user = dialable(number).ok_or(DialFailure::BadNumber)?;
        let slug = self
            .calls
            .get(&id)
            .and_then(|c| self.directory.tenants.get(&c.tenant))
            .map(|t| t.slug.clone())
            .unwrap_or_default();
        let from_number = trunk.from_number_for(&slug).to_owned();
        let peer = Peer::udp(proxy);
        let socket = self.rtp.allocate().map_err(|error| {
            self.metrics.error("rtp_ports");
            tracing::warn!(%error, "no RTP port for an outbound call");
            DialFailure::Unreachable
        })?;
        let media = LocalMedia::new(
            self.sdp_address(proxy.ip()),
            socket.port(),
            vec![Codec::PCMA, Codec::PCMU],
        );
        let mut sdp = LocalSession::new(self.session_id());
        let offer = sdp.offer(&media);

        let domain = trunk.domain();
        let (host, port) = split_host_port(&domain).ok_or(DialFailure::NoTrunk)?;
        let target = |user: &str| {
            Uri::Sip(SipUri {
                user: Some(user.to_owned()),
                port,
                ..SipUri::new(host.clone())
            })
        };
        let local = self.sip.local_for(&peer);
        let mut from = NameAddr::new(Uri::Sip(SipUri {
            user: Some(user_part(&from_number)),
            ..SipUri::new(Host::from(local.ip()))
        }));
        from.set_tag(&self.sip.layer.new_tag());
        let via = self.via_toward(&peer);
        let call_id = self.sip.layer.new_call_id(&local.ip().to_string());
        let contact = self.contact_for(&peer, Some(&from_number));
        let contact = NameAddr::parse(&contact).map_err(|_| DialFailure::Unreachable)?;
        let request = RequestBuilder::new(Method::Invite, target(&user))
            .via(via)
            .from(from)
            .to(NameAddr::new(target(&user)))
            .call_id(&call_id)
            .cseq(1)
            .contact(contact)
            .header(HeaderName::Allow, options::ALLOW)
            .body("application/sdp", Bytes::from(offer.to_bytes()))
            .build();
        let key = self
            .sip
            .dialogs
            .send_invite(now, &mut self.sip.layer, request.clone(), peer.clone())
            .map_err(|error| {
                tracing::warn!(%error, "INVITE to the trunk not sent");
                DialFailure::Unreachable
            })?;
        let ring_until = now + trunk.ring_timeout;
        let give_up_at = give_up_at.map_or(ring_until, |at| at.min(ring_until));
        tracing::info!(
            call = id.0,
            number = %crate::redact::phone(number),
            ?purpose,
            "dialling through the trunk"
        );
        self.outbound.legs.insert(
            key,
            OutboundLeg {
                call: id,
                purpose,
                request,
                peer,
                socket: Some(socket),
                sdp,
                media,
                give_up_at,
                cancelled: false,
                authenticated: false,
            },
        );
        Ok(())
    }

    /// A response to an INVITE of ours to the trunk.
    pub(crate) fn on_outbound_response(
        &mut self,
        now: Instant,
        key: ClientKey,
        response: &Response,
        update: DialogUpdate,
    ) {
        let status = response.status;
        if status.is_provisional() {
            return;
        }
        let Some(mut leg) = self.outbound.legs.remove(&key) else {
            return;
        };
        if status.is_success() {
            let DialogUpdate::Confirmed(dialog) = update else {
                return;
            };
            if leg.cancelled {
                self.send_bye(now, dialog);
                return;
            }
            let negotiated = SessionDescription::parse(&response.body)
                .map_err(|e| e.to_string())
                .and_then(|answer| {
                    leg.sdp
                        .accept_answer(&answer, &leg.media)
                        .map_err(|e| e.to_string())
                });
            let usable = negotiated
                .as_ref()
                .ok()
                .and_then(|n| leg_config(n).map(|c| (n.remote, c, n.codec)));
            let (Some((remote, config, codec)), Some(socket)) = (usable, leg.socket.take()) else {
                tracing::warn!(why = ?negotiated.err(), "the trunk's answer has unusable SDP; hanging up");
                self.metrics.error("sdp");
                self.send_bye(now, dialog);
                self.outbound_failed(now, leg.call, leg.purpose, DialFailure::Unreachable);
                return;
            };
            let answered = Answered {
                dialog,
                socket,
                media: LegMedia { remote, config },
                codec,
                sdp: leg.sdp,
                offered: leg.media,
            };
            self.outbound_answered(now, leg.call, leg.purpose, answered);
            return;
        }
        let code = status.as_u16();
        if (code == 401 || code == 407) && !leg.authenticated && !leg.cancelled {
            match self.authenticate(now, &mut leg, response) {
                Ok(new_key) => {
                    self.outbound.legs.insert(new_key, leg);
                    return;
                }
                Err(why) => tracing::warn!(why, "the trunk's challenge not answered"),
            }
        }
        if leg.cancelled {
            return;
        }
        let failure = DialFailure::from_status(code);
        tracing::info!(
            call = leg.call.0,
            status = code,
            reason = failure.as_str(),
            "outbound call not answered"
        );
        self.outbound_failed(now, leg.call, leg.purpose, failure);
    }

    /// The INVITE to the trunk timed out or could not be delivered.
    pub(crate) fn on_outbound_unreachable(&mut self, now: Instant, key: ClientKey) {
        let Some(leg) = self.outbound.legs.remove(&key) else {
            return;
        };
        if !leg.cancelled {
            self.outbound_failed(now, leg.call, leg.purpose, DialFailure::Unreachable);
        }
    }

    /// Cancels the legs that rang too long: they failed with no answer.
    pub(crate) fn outbound_timeouts_due(&mut self, now: Instant) {
        let due: Vec<ClientKey> = self
            .outbound
            .legs
            .iter()
            .filter(|(_, l)| !l.cancelled && l.give_up_at <= now)
            .map(|(k, _)| *k)
            .collect();
        for key in due {
            let Some(leg) = self.outbound.legs.get_mut(&key) else {
                continue;
            };
            leg.cancelled = true;
            leg.socket = None;
            let (call, purpose) = (leg.call, leg.purpose);
            if let Err(error) = self.sip.layer.cancel(now, key) {
                tracing::debug!(%error, "CANCEL to the trunk not sent");
            }
            self.outbound_failed(now, call, purpose, DialFailure::NoAnswer);
        }
    }

    /// Call `id` no longer wants its outbound legs (it ended, or the attempt was given up):
    /// CANCEL those ringing, BYE one it kept; nobody is told.
    pub(crate) fn cancel_outbound(&mut self, now: Instant, id: CallRef) {
        if let Some(dialog) = self.outbound.answered.remove(&id) {
            self.by_dialog.remove(&dialog);
            self.send_bye(now, dialog);
        }
        let keys: Vec<ClientKey> = self
            .outbound
            .legs
            .iter()
            .filter(|(_, l)| l.call == id && !l.cancelled)
            .map(|(k, _)| *k)
            .collect();
        for key in keys {
            if let Some(leg) = self.outbound.legs.get_mut(&key) {
                leg.cancelled = true;
                leg.socket = None;
            }
            let _ = self.sip.layer.cancel(now, key);
        }
    }

    /// Sends the INVITE again with credentials answering the 401/407 `challenge`; the new
    /// transaction's key.
    fn authenticate(
        &mut self,
        now: Instant,
        leg: &mut OutboundLeg,
        challenge: &Response,
    ) -> Result<ClientKey, &'static str> {
        let trunk = self.config.trunk.as_ref().ok_or("no trunk")?;
        let (Some(username), Some(password)) = (trunk.username.clone(), trunk.password.clone())
        else {
            return Err("no credentials configured");
        };
        let (asked, answer) = if challenge.status.as_u16() == 407 {
            (
                HeaderName::ProxyAuthenticate,
                HeaderName::ProxyAuthorization,
            )
        } else {
            (HeaderName::WwwAuthenticate, HeaderName::Authorization)
        };
        let challenges: Vec<sip::auth::Challenge> = challenge
            .headers
            .get_all(&asked)
            .filter_map(|v| v.to_str())
            .filter_map(|v| sip::auth::Challenge::parse(v).ok())
            .collect();
        let chosen = sip::auth::choose_challenge(&challenges).ok_or("no usable challenge")?;
        self.outbound.sent += 1;
        let cnonce = format!(
            "{:016x}{:08x}",
            self.random.u64().unwrap_or(self.outbound.sent),
            self.outbound.sent
        );
        let uri = leg.request.uri.to_string();
        let credentials = sip::auth::respond(
            chosen,
            &sip::auth::ResponseInput {
                method: "INVITE",
                uri: &uri,
                username: &username,
                secret: sip::auth::Secret::Password(&password),
                cnonce: &cnonce,
                nc: 1,
            },
        )
        .map_err(|_| "the challenge cannot be answered")?;
        let mut request = leg.request.clone();
        let via = self.via_toward(&leg.peer);
        request.headers.set(HeaderName::Via, via.to_string());
        request.headers.set(HeaderName::CSeq, "2 INVITE");
        request.headers.set(answer, credentials.to_string());
        let key = self
            .sip
            .dialogs
            .send_invite(now, &mut self.sip.layer, request.clone(), leg.peer.clone())
            .map_err(|_| "INVITE with credentials not sent")?;
        leg.request = request;
        leg.authenticated = true;
        Ok(key)
    }

    fn outbound_answered(&mut self, now: Instant, id: CallRef, purpose: Purpose, leg: Answered) {
        match purpose {
            Purpose::Callback => self.callback_customer_answered(now, id, leg),
            Purpose::Transfer => self.number_transfer_answered(now, id, leg),
        }
    }

    fn outbound_failed(&mut self, now: Instant, id: CallRef, purpose: Purpose, why: DialFailure) {
        match purpose {
            Purpose::Callback => self.callback_customer_failed(now, id, why),
            Purpose::Transfer => self.number_transfer_failed(now, id, why),
        }
    }
}

/// The user part for `number`: digits, with a leading `+` kept; `None` if no digit is left.
pub(crate) fn dialable(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    Some(if number.trim_start().starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// `host[:port]` (an IPv6 address in brackets) as a URI's host and port.
fn split_host_port(text: &str) -> Option<(Host, Option<u16>)> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some((Host::from(addr.ip()), Some(addr.port())));
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            Some((Host::parse(host).ok()?, Some(port.parse().ok()?)))
        }
        _ => Some((Host::parse(text).ok()?, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialable_number_keeps_its_plus_and_digits_only() {
        assert_eq!(dialable("+33 6 12-34").as_deref(), Some("+3361234"));
        assert_eq!(dialable("0612").as_deref(), Some("0612"));
        assert_eq!(dialable("anonymous"), None);
        assert_eq!(dialable(&"1".repeat(21)), None);
    }

    #[test]
    fn final_statuses_map_to_failures() {
        assert_eq!(DialFailure::from_status(486), DialFailure::Busy);
        assert_eq!(DialFailure::from_status(600), DialFailure::Busy);
        assert_eq!(DialFailure::from_status(487), DialFailure::NoAnswer);
        assert_eq!(DialFailure::from_status(480), DialFailure::NoAnswer);
        assert_eq!(DialFailure::from_status(603), DialFailure::Rejected);
        assert_eq!(DialFailure::from_status(503), DialFailure::Unreachable);
    }

    #[test]
    fn trunk_domains_split_into_host_and_port() {
        let (host, port) = split_host_port("127.0.0.1:5070").expect("address");
        assert_eq!(host.to_string(), "127.0.0.1");
        assert_eq!(port, Some(5070));
        let (host, port) = split_host_port("carrier.example").expect("name");
        assert_eq!(host.to_string(), "carrier.example");
        assert_eq!(port, None);
    }
}
