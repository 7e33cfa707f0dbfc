//! The gateway's SIP side: one SIP user agent on loopback standing in for every browser, as
//! the agents' desk phones would. Sans-IO like the `sip` crate it drives (its transaction
//! layer and dialogs): datagrams and time in; datagrams, deadlines and [`PhoneEvent`]s out.
//!
//! Each browser's agent has a Contact `sip:wp<user id>@<our SIP address>` bound in the
//! switchboard's location service, so the switchboard's INVITEs (offers, transfers, consults,
//! supervisor legs) land here with the agent in the Request-URI. An agent has at most one
//! call here at a time; a second INVITE meanwhile is answered 486.
//!
//! | switchboard → us | we do |
//! |---|---|
//! | INVITE | SDP answer prepared (488 if none), 180 with a To tag, [`PhoneEvent::Ringing`] |
//! | CANCEL | 487 to the INVITE, [`PhoneEvent::Ended`] `cancelled` |
//! | BYE | 200, [`PhoneEvent::Ended`] `remote_hangup` |
//! | re-INVITE | 200 with our answer to the new offer, [`PhoneEvent::Media`] |
//!
//! | browser → [`SipPhone`] | we send |
//! |---|---|
//! | [`SipPhone::answer`] | 200 with SDP (c=127.0.0.1, our loopback RTP port, PCMU/PCMA as offered, telephone-event) |
//! | [`SipPhone::hangup`] | 603 while ringing, BYE once answered |
//! | [`SipPhone::hold`] | re-INVITE `a=sendonly` (and back to `sendrecv`) |
//!
//! ```text
//! phone.handle_datagram(now, bytes, source);   // or handle_timeout(now), answer(now, user)...
//! while let Some(t) = phone.poll_transmit() { socket.try_send_to(&t.bytes, t.peer.addr); }
//! while let Some(e) = phone.poll_event() { /* tell the browser */ }
//! let wake = phone.poll_timeout();
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use sip::dialog::{DialogConfig, DialogEvent, DialogKey, DialogUpdate, Dialogs};
use sip::header::{NameAddr, Transport, Via};
use sip::sdp::{Codec, Direction, LocalMedia, LocalSession, Negotiated, SessionDescription};
use sip::transaction::TransactionLayer;
use sip::transaction::{ClientKey, Config, Peer, ServerKey, Transmit, TxEvent, TxKey};
use sip::validate::{Policy, Verdict, inspect};
use sip::{HeaderName, Host, Message, Method, Request, Response, StatusCode, Uri};
use store::UserId;

/// The header the switchboard names the interaction in.
const INTERACTION_HEADER: &str = "X-Plateau-Interaction";

/// The Request-URI user of an agent's gateway binding: `wp<user id>`.
const USER_PREFIX: &str = "wp";

/// Why a browser's request could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The agent has no call here.
    #[error("no call")]
    NoCall,
    /// The call is not in a state that allows it (answering twice, holding a ringing call).
    #[error("not possible now")]
    WrongState,
    /// The SIP request or response could not be built or sent.
    #[error("SIP: {0}")]
    Sip(String),
}

/// What happened to an agent's call, for the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneEvent {
    /// A call is offered to the agent.
    Ringing {
        /// The agent.
        user: UserId,
        /// The interaction (`X-Plateau-Interaction`), if the switchboard named one.
        interaction: Option<String>,
        /// Who calls (From's user part, else its display name).
        from: String,
    },
    /// The agent answered; audio flows.
    Connected {
        /// The agent.
        user: UserId,
        /// The interaction.
        interaction: Option<String>,
    },
    /// Where and how the switchboard's audio for this call is (at answer and at each re-INVITE).
    Media {
        /// The agent.
        user: UserId,
        /// The result of the offer/answer.
        negotiated: Negotiated,
    },
    /// The call is over.
    Ended {
        /// The agent.
        user: UserId,
        /// The interaction.
        interaction: Option<String>,
        /// `cancelled`, `remote_hangup`, `local_hangup`, `declined`, `unavailable`, `failed`.
        reason: &'static str,
    },
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// 180 sent; waiting for the browser.
    Ringing,
    /// 200 sent (retransmitted by the dialogs until the ACK).
    Answered,
}

/// One call to an agent.
#[derive(Debug)]
pub struct PhoneCall {
    /// The interaction.
    pub interaction: Option<String>,
    /// Who calls.
    pub from: String,
    /// Where it stands.
    pub phase: Phase,
    /// The audio as negotiated.
    pub negotiated: Negotiated,
    /// Whether we put the switchboard on hold.
    pub held: bool,
    invite: Request,
    invite_key: ServerKey,
    tag: String,
    dialog: Option<DialogKey>,
    session: LocalSession,
    local: LocalMedia,
    answer: SessionDescription,
}

/// The SIP user agent of the gateway; see the module doc.
#[derive(Debug)]
pub struct SipPhone {
    layer: TransactionLayer,
    dialogs: Dialogs,
    policy: Policy,
    local_sip: SocketAddr,
    local_rtp: SocketAddr,
    present: HashSet<UserId>,
    calls: HashMap<UserId, PhoneCall>,
    by_dialog: HashMap<DialogKey, UserId>,
    by_server: HashMap<ServerKey, UserId>,
    holds: HashMap<ClientKey, UserId>,
    events: VecDeque<PhoneEvent>,
    next_session: u64,
}

impl SipPhone {
    /// A user agent answering on `local_sip` with audio on `local_rtp`; `seed` makes its
    /// branches and tags.
    pub fn new(local_sip: SocketAddr, local_rtp: SocketAddr, seed: u64) -> SipPhone {
        SipPhone {
            layer: TransactionLayer::new(Config::default(), seed),
            dialogs: Dialogs::new(DialogConfig::default()),
            policy: Policy::default(),
            local_sip,
            local_rtp,
            present: HashSet::new(),
            calls: HashMap::new(),
            by_dialog: HashMap::new(),
            by_server: HashMap::new(),
            holds: HashMap::new(),
            events: VecDeque::new(),
            next_session: seed,
        }
    }

    /// The Contact the switchboard binds for `user`.
    pub fn contact(&self, user: UserId) -> String {
        format!("sip:{USER_PREFIX}{}@{}", user.0, self.local_sip)
    }

    /// Whether `user`'s browser is there to take calls; when it leaves, its call ends.
    pub fn set_present(&mut self, now: Instant, user: UserId, present: bool) {
        if present {
            self.present.insert(user);
        } else {
            self.present.remove(&user);
            let _ = self.hangup(now, user);
        }
    }

    /// `user`'s call, if any.
    pub fn call(&self, user: UserId) -> Option<&PhoneCall> {
        self.calls.get(&user)
    }

    /// A datagram from `source` (the switchboard).
    pub fn handle_datagram(&mut self, now: Instant, bytes: Bytes, source: SocketAddr) {
        let peer = Peer::udp(source);
        match inspect(bytes, &self.policy) {
            Verdict::Accept(message) => {
                self.layer.handle_received(now, message, peer);
            }
            Verdict::Respond { response, .. } => {
                self.layer
                    .send_stateless(&Message::Response(response), peer);
            }
            Verdict::Discard { .. } => {}
        }
        self.drive(now);
    }

    /// Time passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.dialogs.handle_timeout(now, &mut self.layer);
        self.drive(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.layer.poll_transmit()
    }

    /// The next event for the browsers.
    pub fn poll_event(&mut self) -> Option<PhoneEvent> {
        self.events.pop_front()
    }

    /// When [`SipPhone::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.layer.poll_timeout(), self.dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The browser answers `user`'s ringing call: 200 with our SDP.
    pub fn answer(&mut self, now: Instant, user: UserId) -> Result<(), PhoneError> {
        let contact = self.contact(user);
        let call = self.calls.get_mut(&user).ok_or(PhoneError::NoCall)?;
        if call.phase != Phase::Ringing {
            return Err(PhoneError::WrongState);
        }
        let mut ok = Response::for_request(&call.invite, StatusCode::OK, Some(&call.tag));
        ok.headers.push(HeaderName::Contact, format!("<{contact}>"));
        ok.set_body("application/sdp", Bytes::from(call.answer.to_bytes()));
        let invite = call.invite.clone();
        let key = call.invite_key;
        call.phase = Phase::Answered;
        let interaction = call.interaction.clone();
        let negotiated = call.negotiated.clone();
        match self.dialogs.respond(now, &mut self.layer, key, &invite, ok) {
            Ok(Some(dialog)) => {
                if let Some(call) = self.calls.get_mut(&user) {
                    call.dialog = Some(dialog);
                }
                self.by_dialog.insert(dialog, user);
            }
            Ok(None) => {}
            Err(error) => {
                self.end(user, "failed");
                return Err(PhoneError::Sip(error.to_string()));
            }
        }
        self.events
            .push_back(PhoneEvent::Connected { user, interaction });
        self.events
            .push_back(PhoneEvent::Media { user, negotiated });
        Ok(())
    }

    /// The browser hangs up: 603 Decline while ringing, BYE once answered.
    pub fn hangup(&mut self, now: Instant, user: UserId) -> Result<(), PhoneError> {
        let call = self.calls.get(&user).ok_or(PhoneError::NoCall)?;
        match (call.phase, call.dialog) {
            (Phase::Ringing, _) => {
                let decline =
                    Response::for_request(&call.invite, StatusCode::DECLINE, Some(&call.tag));
                let invite = call.invite.clone();
                let key = call.invite_key;
                let _ = self
                    .dialogs
                    .respond(now, &mut self.layer, key, &invite, decline);
                self.end(user, "declined");
            }
            (Phase::Answered, Some(dialog)) => {
                let via = self.via();
                let sent = self
                    .dialogs
                    .request(dialog, Method::Bye, via)
                    .map(|builder| builder.build())
                    .and_then(|bye| self.dialogs.send(now, &mut self.layer, dialog, bye));
                self.end(user, "local_hangup");
                sent.map_err(|e| PhoneError::Sip(e.to_string()))?;
            }
            (Phase::Answered, None) => self.end(user, "local_hangup"),
        }
        Ok(())
    }

    /// The browser puts the switchboard on hold (`on`) or takes it back: a re-INVITE with
    /// `a=sendonly` / `a=sendrecv`.
    pub fn hold(&mut self, now: Instant, user: UserId, on: bool) -> Result<(), PhoneError> {
        let via = self.via();
        let contact = self.contact(user);
        let call = self.calls.get_mut(&user).ok_or(PhoneError::NoCall)?;
        let (Phase::Answered, Some(dialog)) = (call.phase, call.dialog) else {
            return Err(PhoneError::WrongState);
        };
        if call.held == on {
            return Ok(());
        }
        call.held = on;
        call.local.direction = if on {
            Direction::SendRecv.held()
        } else {
            Direction::SendRecv
        };
        let offer = call.session.offer(&call.local);
        let contact =
            NameAddr::parse(&format!("<{contact}>")).map_err(|e| PhoneError::Sip(e.to_string()))?;
        let request = self
            .dialogs
            .request(dialog, Method::Invite, via)
            .map_err(|e| PhoneError::Sip(e.to_string()))?
            .contact(contact)
            .body("application/sdp", Bytes::from(offer.to_bytes()))
            .build();
        let key = self
            .dialogs
            .send(now, &mut self.layer, dialog, request)
            .map_err(|e| PhoneError::Sip(e.to_string()))?;
        self.holds.insert(key, user);
        Ok(())
    }

    fn via(&mut self) -> Via {
        let branch = self.layer.new_branch();
        let mut via = Via::new(
            Transport::Udp,
            Host::from(self.local_sip.ip()),
            Some(self.local_sip.port()),
            &branch,
        );
        via.params.set("rport", None);
        via
    }

    fn drive(&mut self, now: Instant) {
        loop {
            if let Some(event) = self.layer.poll_event() {
                let update = self.dialogs.handle_tx_event(now, &mut self.layer, &event);
                self.on_tx_event(now, event, update);
                continue;
            }
            if let Some(DialogEvent::AckTimeout { dialog }) = self.dialogs.poll_event() {
                if let Some(user) = self.by_dialog.get(&dialog).copied() {
                    let _ = self.hangup(now, user);
                }
                continue;
            }
            break;
        }
    }

    fn on_tx_event(&mut self, now: Instant, event: TxEvent, update: DialogUpdate) {
        match event {
            TxEvent::Request { key, request, .. } => match update {
                DialogUpdate::Rejected(_) => {}
                DialogUpdate::Ended(dialog) => {
                    self.respond_status(now, key, &request, StatusCode::OK);
                    if let Some(user) = self.by_dialog.remove(&dialog) {
                        self.end(user, "remote_hangup");
                    }
                }
                DialogUpdate::Request(dialog) if request.method == Method::Invite => {
                    self.on_reinvite(now, key, &request, dialog);
                }
                DialogUpdate::Request(_) => self.respond_status(now, key, &request, StatusCode::OK),
                _ => self.on_new_request(now, key, request),
            },
            TxEvent::Cancelled { invite, .. } => {
                if let Some(user) = self.by_server.get(&invite).copied()
                    && let Some(call) = self.calls.get(&user)
                    && call.phase == Phase::Ringing
                {
                    let terminated = Response::for_request(
                        &call.invite,
                        StatusCode::REQUEST_TERMINATED,
                        Some(&call.tag),
                    );
                    let request = call.invite.clone();
                    let _ =
                        self.dialogs
                            .respond(now, &mut self.layer, invite, &request, terminated);
                    self.end(user, "cancelled");
                }
            }
            TxEvent::Response { key, response } => {
                if let Some(user) = self.holds.get(&key).copied()
                    && response.status.as_u16() >= 200
                {
                    self.holds.remove(&key);
                    if let Some(call) = self.calls.get_mut(&user)
                        && response.status.as_u16() < 300
                        && let Ok(sdp) = SessionDescription::parse(&response.body)
                        && let Ok(negotiated) = call.session.accept_answer(&sdp, &call.local)
                    {
                        call.negotiated = negotiated.clone();
                        self.events
                            .push_back(PhoneEvent::Media { user, negotiated });
                    }
                }
                if let DialogUpdate::Ended(dialog) = update
                    && let Some(user) = self.by_dialog.remove(&dialog)
                {
                    self.end(user, "remote_hangup");
                }
            }
            TxEvent::Timeout { key } | TxEvent::TransportError { key } => {
                if let TxKey::Client(client) = key {
                    self.holds.remove(&client);
                }
                if let DialogUpdate::Ended(dialog) = update
                    && let Some(user) = self.by_dialog.remove(&dialog)
                {
                    self.end(user, "failed");
                }
            }
            TxEvent::Terminated { key } => match key {
                TxKey::Server(key) => {
                    self.by_server.remove(&key);
                }
                TxKey::Client(key) => {
                    self.holds.remove(&key);
                }
            },
            TxEvent::Overloaded { request, reply_to } => {
                if request.method != Method::Ack {
                    let busy = Response::for_request(
                        &request,
                        StatusCode::SERVICE_UNAVAILABLE,
                        Some("overload"),
                    );
                    self.layer
                        .send_stateless(&Message::Response(busy), reply_to);
                }
            }
            TxEvent::Ack { .. } | TxEvent::StrayResponse { .. } => {}
        }
    }

    fn on_new_request(&mut self, now: Instant, key: ServerKey, request: Request) {
        match request.method {
            Method::Invite => self.on_invite(now, key, request),
            Method::Options => self.respond_status(now, key, &request, StatusCode::OK),
            Method::Bye | Method::Info | Method::Update | Method::Prack => {
                self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            }
            _ => self.respond_status(now, key, &request, StatusCode::METHOD_NOT_ALLOWED),
        }
    }

    fn on_invite(&mut self, now: Instant, key: ServerKey, request: Request) {
        let Some(user) = agent_of(&request.uri) else {
            return self.respond_status(now, key, &request, StatusCode::NOT_FOUND);
        };
        if !self.present.contains(&user) {
            return self.respond_status(now, key, &request, StatusCode::TEMPORARILY_UNAVAILABLE);
        }
        if self.calls.contains_key(&user) {
            return self.respond_status(now, key, &request, StatusCode::BUSY_HERE);
        }
        let Ok(offer) = SessionDescription::parse(&request.body) else {
            return self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
        };
        self.next_session = self.next_session.wrapping_add(1);
        let mut session = LocalSession::new(self.next_session);
        let local = self.local_media();
        let Ok((answer, negotiated)) = session.answer(&offer, &local) else {
            return self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
        };
        let tag = self.layer.new_tag();
        let mut ringing = Response::for_request(&request, StatusCode::RINGING, Some(&tag));
        ringing
            .headers
            .push(HeaderName::Contact, format!("<{}>", self.contact(user)));
        let interaction = HeaderName::new(INTERACTION_HEADER).ok().and_then(|name| {
            request
                .headers
                .get(&name)
                .and_then(|v| v.to_str())
                .map(str::to_owned)
        });
        let from = request
            .headers
            .from()
            .ok()
            .and_then(|from| {
                let user = match &from.uri {
                    Uri::Sip(uri) => uri.user.clone(),
                    _ => None,
                };
                user.or(from.display_name)
            })
            .unwrap_or_default();
        let dialog = self
            .dialogs
            .respond(now, &mut self.layer, key, &request, ringing)
            .ok()
            .flatten();
        if let Some(dialog) = dialog {
            self.by_dialog.insert(dialog, user);
        }
        self.by_server.insert(key, user);
        self.events.push_back(PhoneEvent::Ringing {
            user,
            interaction: interaction.clone(),
            from: from.clone(),
        });
        self.calls.insert(
            user,
            PhoneCall {
                interaction,
                from,
                phase: Phase::Ringing,
                negotiated,
                held: false,
                invite: request,
                invite_key: key,
                tag,
                dialog,
                session,
                local,
                answer,
            },
        );
    }

    fn on_reinvite(&mut self, now: Instant, key: ServerKey, request: &Request, dialog: DialogKey) {
        let contact = self.by_dialog.get(&dialog).map(|user| self.contact(*user));
        let Some(user) = self.by_dialog.get(&dialog).copied() else {
            return self.respond_status(now, key, request, StatusCode::CALL_DOES_NOT_EXIST);
        };
        let Some(call) = self.calls.get_mut(&user) else {
            return self.respond_status(now, key, request, StatusCode::CALL_DOES_NOT_EXIST);
        };
        // A re-INVITE without a body asks for our offer; ours is the last answer, resent.
        let answered = if request.body.is_empty() {
            Some((call.answer.clone(), call.negotiated.clone()))
        } else {
            SessionDescription::parse(&request.body)
                .ok()
                .and_then(|offer| call.session.answer(&offer, &call.local).ok())
        };
        let Some((answer, negotiated)) = answered else {
            return self.respond_status(now, key, request, StatusCode::NOT_ACCEPTABLE_HERE);
        };
        call.answer = answer.clone();
        call.negotiated = negotiated.clone();
        let mut ok = Response::for_request(request, StatusCode::OK, None);
        if let Some(contact) = contact {
            ok.headers.push(HeaderName::Contact, format!("<{contact}>"));
        }
        ok.set_body("application/sdp", Bytes::from(answer.to_bytes()));
        let _ = self.dialogs.respond(now, &mut self.layer, key, request, ok);
        self.events
            .push_back(PhoneEvent::Media { user, negotiated });
    }

    fn local_media(&self) -> LocalMedia {
        LocalMedia::new(
            self.local_rtp.ip(),
            self.local_rtp.port(),
            vec![Codec::PCMU, Codec::PCMA],
        )
    }

    fn respond_status(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        status: StatusCode,
    ) {
        let tag = self.layer.new_tag();
        let response = Response::for_request(request, status, Some(&tag));
        let _ = self
            .dialogs
            .respond(now, &mut self.layer, key, request, response);
    }

    fn end(&mut self, user: UserId, reason: &'static str) {
        let Some(call) = self.calls.remove(&user) else {
            return;
        };
        if let Some(dialog) = call.dialog {
            self.by_dialog.remove(&dialog);
        }
        self.by_server.remove(&call.invite_key);
        self.events.push_back(PhoneEvent::Ended {
            user,
            interaction: call.interaction,
            reason,
        });
    }
}

/// The agent a Request-URI `sip:wp<id>@…` names.
fn agent_of(uri: &Uri) -> Option<UserId> {
    let Uri::Sip(uri) = uri else {
        return None;
    };
    let id = uri
        .user
        .as_deref()?
        .strip_prefix(USER_PREFIX)?
        .parse()
        .ok()?;
    Some(UserId(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tests play the switchboard: they need an origin for the engine's clock.
    #[allow(clippy::disallowed_methods)]
    fn origin() -> Instant {
        Instant::now()
    }

    const SWITCHBOARD: &str = "127.0.0.1:5060";

    fn phone() -> SipPhone {
        SipPhone::new(
            "127.0.0.1:7000".parse().expect("literal"),
            "127.0.0.1:7002".parse().expect("literal"),
            7,
        )
    }

    fn invite(user: &str, branch: &str) -> Bytes {
        let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n\
                   a=fmtp:101 0-16\r\n";
        Bytes::from(format!(
            "INVITE sip:{user}@127.0.0.1:7000 SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK{branch}\r\nMax-Forwards: 70\r\n\
             From: <sip:+33612345678@plateau.local>;tag=sb1\r\nTo: <sip:{user}@127.0.0.1>\r\n\
             Call-ID: call-{branch}\r\nCSeq: 1 INVITE\r\nContact: <sip:sb@127.0.0.1:5060>\r\n\
             X-Plateau-Interaction: 42\r\nContent-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        ))
    }

    fn sent(phone: &mut SipPhone) -> Vec<String> {
        std::iter::from_fn(|| phone.poll_transmit())
            .map(|t| String::from_utf8_lossy(&t.bytes).into_owned())
            .collect()
    }

    fn source() -> SocketAddr {
        SWITCHBOARD.parse().expect("literal")
    }

    #[test]
    fn an_invite_for_a_present_agent_rings_with_the_interaction_and_caller() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let out = sent(&mut phone);
        assert!(out.iter().any(|m| m.starts_with("SIP/2.0 180")), "{out:?}");
        assert_eq!(
            phone.poll_event(),
            Some(PhoneEvent::Ringing {
                user: UserId(3),
                interaction: Some("42".into()),
                from: "+33612345678".into(),
            })
        );
    }

    #[test]
    fn an_invite_for_an_absent_agent_is_refused_480() {
        let now = origin();
        let mut phone = phone();
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let out = sent(&mut phone);
        assert!(out.iter().any(|m| m.starts_with("SIP/2.0 480")), "{out:?}");
        assert_eq!(phone.poll_event(), None);
    }

    #[test]
    fn a_second_invite_while_ringing_is_busy() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let _ = sent(&mut phone);
        phone.handle_datagram(now, invite("wp3", "b2"), source());
        assert!(
            sent(&mut phone)
                .iter()
                .any(|m| m.starts_with("SIP/2.0 486"))
        );
    }

    #[test]
    fn answering_sends_200_with_loopback_sdp_in_the_offered_codec() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let _ = sent(&mut phone);
        phone.answer(now, UserId(3)).expect("ringing");
        let out = sent(&mut phone);
        let ok = out
            .iter()
            .find(|m| m.starts_with("SIP/2.0 200"))
            .expect("200 sent");
        assert!(ok.contains("c=IN IP4 127.0.0.1"), "{ok}");
        assert!(ok.contains("m=audio 7002 RTP/AVP 8 101"), "{ok}");
        assert!(ok.contains("telephone-event/8000"), "{ok}");
        let events: Vec<_> = std::iter::from_fn(|| phone.poll_event()).collect();
        assert!(
            events
                .iter()
                .any(|e| matches!(e, PhoneEvent::Connected { .. }))
        );
        assert!(events.iter().any(|e| matches!(
            e,
            PhoneEvent::Media { negotiated, .. } if negotiated.codec == Codec::PCMA
                && negotiated.remote == "127.0.0.1:40000".parse().expect("literal")
        )));
    }

    #[test]
    fn a_cancel_while_ringing_ends_the_call_487() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let _ = sent(&mut phone);
        let _ = phone.poll_event();
        let cancel = "CANCEL sip:wp3@127.0.0.1:7000 SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa1\r\nMax-Forwards: 70\r\n\
             From: <sip:+33612345678@plateau.local>;tag=sb1\r\nTo: <sip:wp3@127.0.0.1>\r\n\
             Call-ID: call-a1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
        phone.handle_datagram(now, Bytes::from_static(cancel.as_bytes()), source());
        let out = sent(&mut phone);
        assert!(out.iter().any(|m| m.starts_with("SIP/2.0 487")), "{out:?}");
        assert_eq!(
            phone.poll_event(),
            Some(PhoneEvent::Ended {
                user: UserId(3),
                interaction: Some("42".into()),
                reason: "cancelled"
            })
        );
        assert!(phone.call(UserId(3)).is_none());
    }

    #[test]
    fn hanging_up_a_ringing_call_declines_it() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        let _ = sent(&mut phone);
        phone.hangup(now, UserId(3)).expect("a call");
        assert!(
            sent(&mut phone)
                .iter()
                .any(|m| m.starts_with("SIP/2.0 603"))
        );
    }

    #[test]
    fn hanging_up_an_answered_call_sends_bye() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        phone.answer(now, UserId(3)).expect("ringing");
        let _ = sent(&mut phone);
        phone.hangup(now, UserId(3)).expect("a call");
        let out = sent(&mut phone);
        assert!(
            out.iter()
                .any(|m| m.starts_with("BYE sip:sb@127.0.0.1:5060")),
            "{out:?}"
        );
    }

    #[test]
    fn holding_sends_a_sendonly_reinvite() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        phone.answer(now, UserId(3)).expect("ringing");
        let _ = sent(&mut phone);
        phone.hold(now, UserId(3), true).expect("answered");
        let out = sent(&mut phone);
        let reinvite = out
            .iter()
            .find(|m| m.starts_with("INVITE sip:sb@127.0.0.1:5060"))
            .expect("re-INVITE sent");
        assert!(reinvite.contains("a=sendonly"), "{reinvite}");
    }

    #[test]
    fn holding_a_ringing_call_is_refused() {
        let now = origin();
        let mut phone = phone();
        phone.set_present(now, UserId(3), true);
        phone.handle_datagram(now, invite("wp3", "a1"), source());
        assert_eq!(
            phone.hold(now, UserId(3), true),
            Err(PhoneError::WrongState)
        );
    }

    #[test]
    fn the_agent_is_read_from_the_request_uri() {
        let uri = Uri::parse("sip:wp17@127.0.0.1:7000").expect("valid");
        assert_eq!(agent_of(&uri), Some(UserId(17)));
        let other = Uri::parse("sip:1001@127.0.0.1").expect("valid");
        assert_eq!(agent_of(&other), None);
    }
}
