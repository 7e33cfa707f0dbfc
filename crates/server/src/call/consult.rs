//! Consultations: an agent talking to a caller calls another agent about the call while the
//! caller waits on hold, then completes (the caller joins the consulted agent: an attended
//! transfer) or cancels (the caller comes back to the first agent).
//!
//! Two ways in, one state ([`Consult`]):
//! - **From the agent's phone** ([`Board::on_internal_invite`]): agent A's phone holds the
//!   caller with a re-INVITE (`sendonly`, as phones do; the caller hears hold music, see
//!   [`super::in_dialog`]) and INVITEs agent B's extension. The switchboard is the B2BUA of
//!   that internal call: it rings B's phone (ringback `180` to A), answers A once B answers,
//!   and a media task of the consultation's own relays A ↔ B (leg A: A's consultation leg,
//!   leg B: B). Completing is A's REFER on the caller's dialog with `Refer-To:
//!   <sip:B@...?Replaces=<consultation dialog>>` (RFC 5589 §7,
//!   [`Board::on_attended_refer`]); cancelling is A or B hanging up the consultation.
//! - **By API** ([`Board::consult`], [`Board::complete_consult`], [`Board::cancel_consult`]):
//!   the server holds the caller and rings B; when B answers, agent A's leg (still the
//!   caller's dialog) moves out of the call's media task into the consultation's (leg A: B,
//!   leg B: A), and the caller hears hold music. Cancelling moves A's leg back.
//!
//! Completing, either way: B's leg (dialog, SDP session, RTP socket) joins the caller's call
//! as its agent leg. The media tasks hand the socket over ([`MediaCommand::HandOver`]), so
//! B's phone is not re-INVITEd: it keeps sending to the same port. A's legs get BYEs and A's
//! wrap-up starts; the interaction keeps its id, its recording (agent channel now B), and
//! logs `consult_ended{outcome: transferred}`, `transferred{from, to, by, kind: attended}`
//! and `answered{B}` (the new segment).
//!
//! An internal call with no customer call behind it (A talks to nobody) is an ordinary
//! call between two agents, with nothing logged. Like transfers, consultations are outside
//! the `acd`: it does not see B busy (it may offer B a queued call meanwhile; B's phone then
//! answers busy, a missed offer).

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use media::bridge::LegId;
use serde_json::json;
use sip::dialog::{DialogId, DialogKey, DialogUpdate};
use sip::header::{NameAddr, Replaces};
use sip::sdp::{Codec, LocalMedia, LocalSession, SessionDescription};
use sip::transaction::{ClientKey, Peer, ServerKey};
use sip::{HeaderName, Request, Response, StatusCode, Uri};
use store::{EventKind, NewEvent, TenantId, UserId};

use super::call::{LegB, OfferState};
use super::inbound_call::leg_config;
use super::switchboard::{Board, Leg};
use crate::control::{CallPhase, ConsultError, TransferError};
use crate::media::{CallRef, LegMedia, MediaCommand, MediaHandle, RtpSocket};

/// Agent A's own leg of a consultation made from their phone (an internal call).
#[derive(Debug)]
pub(crate) struct ConsultCaller {
    /// The INVITE's server transaction.
    pub(crate) key: ServerKey,
    /// The INVITE.
    pub(crate) invite: Request,
    /// Our To tag (the 180 and the 200 carry the same).
    pub(crate) tag: String,
    /// Where the INVITE came from.
    pub(crate) peer: Peer,
    /// The dialog, once answered.
    pub(crate) dialog: Option<DialogKey>,
    /// Our SDP toward A's phone.
    pub(crate) sdp: LocalSession,
    /// What we answer with.
    pub(crate) media: LocalMedia,
    /// Our answer, sent when B answers.
    pub(crate) answer: Bytes,
    /// The RTP socket of the leg, until the media task takes it.
    pub(crate) socket: Option<RtpSocket>,
    /// What A's offer negotiated.
    pub(crate) leg: LegMedia,
}

/// One consultation (see the module doc).
#[derive(Debug)]
pub(crate) struct Consult {
    /// The consulting agent (A).
    pub(crate) from: UserId,
    /// The consulted agent (B).
    pub(crate) to: UserId,
    /// The caller's call it is about, while that call is connected to A.
    pub(crate) customer: Option<CallRef>,
    /// A's consultation leg (from A's phone); `None` for a consultation by API, where A
    /// stays on the caller's dialog.
    pub(crate) caller: Option<ConsultCaller>,
    /// B's leg.
    pub(crate) b: LegB,
    /// The consultation's media task, once B answered.
    pub(crate) media: Option<MediaHandle>,
}

impl Consult {
    /// The leg of the consultation's media task that B is on.
    fn b_media_leg(&self) -> LegId {
        if self.caller.is_some() {
            LegId::B
        } else {
            LegId::A
        }
    }

    fn answered(&self) -> bool {
        self.b.state == OfferState::Answered && self.media.is_some()
    }
}

/// The consultations, and how SIP finds them.
#[derive(Debug, Default)]
pub(crate) struct Consults {
    pub(crate) by_ref: HashMap<CallRef, Consult>,
    /// Their dialogs: `Leg::A` for A's consultation leg, `Leg::B` for B's.
    pub(crate) by_dialog: HashMap<DialogKey, (CallRef, Leg)>,
    /// B's INVITE.
    pub(crate) by_client: HashMap<ClientKey, CallRef>,
    /// A's INVITE.
    pub(crate) by_server: HashMap<ServerKey, CallRef>,
}

impl Consults {
    /// The consultation about the customer call `id`, if any.
    fn of_customer(&self, id: CallRef) -> Option<CallRef> {
        self.by_ref
            .iter()
            .find(|(_, c)| c.customer == Some(id))
            .map(|(r, _)| *r)
    }
}

/// How a consultation ended, as `consult_ended` logs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Cancelled,
    Unanswered,
    Transferred,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Cancelled => "cancelled",
            Outcome::Unanswered => "unanswered",
            Outcome::Transferred => "transferred",
        }
    }
}

impl Board {
    /// Whether INVITE `request` from `source` is an internal call: its Request-URI user is
    /// the extension of an agent of the tenant of the agent whose phone sent it. That agent
    /// is the one named in `From` (by extension or username) whose registered binding is
    /// the INVITE's source: the phone authenticated when it registered, and only that
    /// address speaks for it. Returns (caller, callee).
    pub(crate) fn internal_parties(
        &self,
        request: &Request,
        source: &Peer,
    ) -> Option<(UserId, UserId)> {
        let Uri::Sip(uri) = &request.uri else {
            return None;
        };
        let dialled = uri.user.as_deref()?;
        // Most INVITEs are customers dialling numbers: no extension, no further look.
        let extension = |a: &super::directory::AgentEntry| a.extension.as_deref() == Some(dialled);
        if !self.directory.agents.values().any(extension) {
            return None;
        }
        let from = request.headers.from().ok()?;
        let Uri::Sip(from_uri) = &from.uri else {
            return None;
        };
        let from_user = from_uri.user.as_deref()?;
        let now_ms = crate::log::now_ms();
        let (caller, entry) = self.directory.agents.iter().find(|(user, a)| {
            (a.extension.as_deref() == Some(from_user) || a.username == from_user)
                && self
                    .location
                    .target(**user, now_ms)
                    .is_some_and(|(binding, _)| binding.source == source.addr)
        })?;
        let callee = self
            .directory
            .agents
            .iter()
            .find(|(_, a)| a.tenant == entry.tenant && extension(a))
            .map(|(user, _)| *user)?;
        Some((*caller, callee))
    }

    /// The customer call agent `agent` is connected to, if any.
    fn customer_call_of(&self, agent: UserId) -> Option<CallRef> {
        self.calls
            .iter()
            .find(|(_, c)| {
                c.agent == Some(agent) && c.phase == CallPhase::Connected && !c.is_ending()
            })
            .map(|(id, _)| *id)
    }

    /// An internal call from agent `from`'s phone to agent `to` (see the module doc).
    pub(crate) fn on_internal_invite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
        (from, to): (UserId, UserId),
    ) {
        if self.drain.is_some() || from == to {
            let status = if from == to {
                StatusCode::BUSY_HERE
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            self.respond_status(now, key, &request, status);
            return;
        }
        let offer = match SessionDescription::parse(&request.body) {
            Ok(offer) if !request.body.is_empty() => offer,
            _ => {
                self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
                return;
            }
        };
        let socket = match self.rtp.allocate() {
            Ok(socket) => socket,
            Err(error) => {
                self.metrics.error("rtp_ports");
                tracing::warn!(%error, "no RTP port for an internal call");
                self.respond_status(now, key, &request, StatusCode::SERVICE_UNAVAILABLE);
                return;
            }
        };
        let media = LocalMedia::new(
            self.sdp_address(source.addr.ip()),
            socket.port(),
            vec![Codec::PCMA, Codec::PCMU],
        );
        let mut sdp = LocalSession::new(self.session_id());
        let answered = sdp
            .answer(&offer, &media)
            .ok()
            .and_then(|(answer, negotiated)| {
                let config = leg_config(&negotiated)?;
                Some((answer, negotiated, config))
            });
        let Some((answer, negotiated, config)) = answered else {
            self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
            return;
        };
        let customer = self.customer_call_of(from);
        let from_name = self.agent_label(from);
        let codec = customer
            .and_then(|c| self.calls.get(&c))
            .map_or(negotiated.codec, |c| c.a.codec);
        let interaction = customer
            .and_then(|c| self.calls.get(&c))
            .map(|c| c.interaction);
        let Ok(b) = self.invite_agent(now, to, &from_name, codec, interaction) else {
            self.respond_status(now, key, &request, StatusCode::TEMPORARILY_UNAVAILABLE);
            return;
        };
        let tag = self.sip.layer.new_tag();
        let ringing = Response::for_request(&request, StatusCode::RINGING, Some(&tag));
        self.respond(now, key, &request, ringing);
        let id = self.new_call_ref();
        self.consults.by_client.insert(b.invite, id);
        self.consults.by_server.insert(key, id);
        self.consults.by_ref.insert(
            id,
            Consult {
                from,
                to,
                customer,
                caller: Some(ConsultCaller {
                    key,
                    invite: request,
                    tag,
                    peer: source,
                    dialog: None,
                    sdp,
                    media,
                    answer: Bytes::from(answer.to_bytes()),
                    socket: Some(socket),
                    leg: LegMedia {
                        remote: negotiated.remote,
                        config,
                    },
                }),
                b,
                media: None,
            },
        );
        tracing::info!(from = from.0, to = to.0, "internal call");
        self.log_consult_started(id, "phone");
    }

    /// A consultation's name for an agent: their extension, else their username.
    fn agent_label(&self, agent: UserId) -> String {
        self.directory.agents.get(&agent).map_or_else(
            || agent.0.to_string(),
            |a| a.extension.clone().unwrap_or_else(|| a.username.clone()),
        )
    }

    fn username(&self, agent: UserId) -> String {
        self.directory
            .agents
            .get(&agent)
            .map_or_else(String::new, |a| a.username.clone())
    }

    /// Logs `kind` with `data` on the interaction of consultation `id`'s customer call.
    fn log_on_customer(&mut self, id: CallRef, kind: EventKind, data: serde_json::Value) {
        let Some(call) = self
            .consults
            .by_ref
            .get(&id)
            .and_then(|c| c.customer)
            .and_then(|c| self.calls.get(&c))
        else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let event = NewEvent::new(interaction, crate::log::now_ms(), kind, data);
        self.log_event(tenant, event);
    }

    fn log_consult_started(&mut self, id: CallRef, by: &str) {
        let Some(consult) = self.consults.by_ref.get(&id) else {
            return;
        };
        let data = json!({
            "from": self.username(consult.from),
            "to": self.username(consult.to),
            "by": by,
        });
        self.log_on_customer(id, EventKind::ConsultStarted, data);
    }

    fn log_consult_ended(&mut self, id: CallRef, outcome: Outcome) {
        let Some(consult) = self.consults.by_ref.get(&id) else {
            return;
        };
        let data = json!({ "to": self.username(consult.to), "outcome": outcome.as_str() });
        self.log_on_customer(id, EventKind::ConsultEnded, data);
    }

    /// A response to B's INVITE.
    pub(crate) fn on_consult_response(
        &mut self,
        now: Instant,
        key: ClientKey,
        response: &Response,
        update: DialogUpdate,
    ) {
        let Some(&id) = self.consults.by_client.get(&key) else {
            return;
        };
        let status = response.status;
        if status.is_provisional() {
            return;
        }
        self.consults.by_client.remove(&key);
        if !self.consults.by_ref.contains_key(&id) {
            // The consultation ended while B's phone rang: a 200 crossing our CANCEL.
            if let DialogUpdate::Confirmed(dialog) = update {
                self.send_bye(now, dialog);
            }
            return;
        }
        if !status.is_success() {
            if let Some(consult) = self.consults.by_ref.get_mut(&id) {
                consult.b.state = OfferState::Cancelled;
                self.consult_unanswered(now, id, status);
            }
            return;
        }
        if let DialogUpdate::Confirmed(dialog) = update {
            self.consult_answered(now, id, dialog, response);
        }
    }

    /// B's INVITE timed out or could not be delivered.
    pub(crate) fn on_consult_failure(&mut self, now: Instant, key: ClientKey) {
        if let Some(id) = self.consults.by_client.remove(&key) {
            self.consult_unanswered(now, id, StatusCode::TEMPORARILY_UNAVAILABLE);
        }
    }

    /// B did not answer: A's INVITE gets B's final status (a 487 of ours stays 487), the
    /// caller of an API consultation comes off hold.
    fn consult_unanswered(&mut self, now: Instant, id: CallRef, status: StatusCode) {
        self.log_consult_ended(id, Outcome::Unanswered);
        let Some(consult) = self.remove_consult(id) else {
            return;
        };
        match consult.caller {
            Some(caller) => {
                let status = if status.as_u16() >= 400 {
                    status
                } else {
                    StatusCode::TEMPORARILY_UNAVAILABLE
                };
                let response =
                    Response::for_request(&caller.invite, status, Some(caller.tag.as_str()));
                self.respond(now, caller.key, &caller.invite, response);
            }
            None => {
                if let Some(customer) = consult.customer {
                    self.unhold_customer(customer);
                }
            }
        }
    }

    /// Forgets consultation `id` and its dialogs; returns it. B's INVITE stays known until
    /// its final response (a 200 crossing our CANCEL gets a BYE).
    fn remove_consult(&mut self, id: CallRef) -> Option<Consult> {
        let consult = self.consults.by_ref.remove(&id)?;
        self.consults.by_dialog.retain(|_, (c, _)| *c != id);
        self.consults.by_server.retain(|_, c| *c != id);
        Some(consult)
    }

    /// B answered (the dialogs ACKed the 200): start the consultation's media.
    fn consult_answered(
        &mut self,
        now: Instant,
        id: CallRef,
        dialog: DialogKey,
        response: &Response,
    ) {
        let Some(consult) = self.consults.by_ref.get_mut(&id) else {
            self.send_bye(now, dialog);
            return;
        };
        consult.b.dialog = Some(dialog);
        let negotiated = SessionDescription::parse(&response.body)
            .ok()
            .and_then(|answer| consult.b.sdp.accept_answer(&answer, &consult.b.media).ok())
            .and_then(|n| leg_config(&n).map(|config| (n.remote, config)));
        let (Some((remote, config)), Some(b_socket)) = (negotiated, consult.b.socket.take()) else {
            tracing::warn!("the consulted agent's answer has unusable SDP; hanging up");
            self.metrics.error("sdp");
            self.send_bye(now, dialog);
            self.consult_unanswered(now, id, StatusCode::NOT_ACCEPTABLE_HERE);
            return;
        };
        consult.b.state = OfferState::Answered;
        let b_leg = LegMedia { remote, config };
        self.consults.by_dialog.insert(dialog, (id, Leg::B));
        let Some(consult) = self.consults.by_ref.get_mut(&id) else {
            return;
        };
        match consult.caller.as_mut() {
            Some(caller) => {
                let Some(a_socket) = caller.socket.take() else {
                    return;
                };
                let media = self.media.start_call(id, a_socket, caller.leg);
                let _ = media.send(MediaCommand::ConnectAgent {
                    socket: b_socket,
                    media: b_leg,
                });
                consult.media = Some(media);
                let (key, invite, tag, peer, answer) = (
                    caller.key,
                    caller.invite.clone(),
                    caller.tag.clone(),
                    caller.peer.clone(),
                    caller.answer.clone(),
                );
                let mut ok = Response::for_request(&invite, StatusCode::OK, Some(&tag));
                ok.headers
                    .push(HeaderName::Contact, self.contact_for(&peer, None));
                ok.headers
                    .push(HeaderName::Allow, crate::sip::options::ALLOW);
                ok.set_body("application/sdp", answer);
                let a_dialog = self.respond(now, key, &invite, ok);
                if let Some(a_dialog) = a_dialog {
                    self.consults.by_dialog.insert(a_dialog, (id, Leg::A));
                }
                if let Some(caller) = self
                    .consults
                    .by_ref
                    .get_mut(&id)
                    .and_then(|c| c.caller.as_mut())
                {
                    caller.dialog = a_dialog;
                }
            }
            None => {
                // A's leg moves from the caller's media task to the consultation's; the
                // caller hears hold music.
                let media = self.media.start_call(id, b_socket, b_leg);
                consult.media = Some(media.clone());
                let customer = consult.customer;
                if let Some(customer) = customer {
                    self.media_command(
                        customer,
                        MediaCommand::HandOver {
                            leg: LegId::B,
                            to: media,
                        },
                    );
                    let playlist = self.hold_music.clone();
                    self.media_command(customer, MediaCommand::StartMoh { playlist });
                }
            }
        }
        tracing::info!(consult = id.0, "consulted agent answered");
    }

    /// A CANCEL of A's INVITE (A gave up before B answered); `false` if not a
    /// consultation's.
    pub(crate) fn consult_cancelled(&mut self, now: Instant, invite: ServerKey) -> bool {
        let Some(&id) = self.consults.by_server.get(&invite) else {
            return false;
        };
        let Some(consult) = self.consults.by_ref.get_mut(&id) else {
            return true;
        };
        if consult.b.state == OfferState::Ringing {
            consult.b.state = OfferState::Cancelled;
            let key = consult.b.invite;
            if let Err(error) = self.sip.layer.cancel(now, key) {
                tracing::debug!(%error, "CANCEL not sent (a final response came first)");
            }
            self.consult_unanswered(now, id, StatusCode::REQUEST_TERMINATED);
        }
        true
    }

    /// A BYE in a consultation's dialog (already gone); `false` if not a consultation's.
    pub(crate) fn consult_bye(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
    ) -> bool {
        let Some(&(id, _)) = self.consults.by_dialog.get(&dialog) else {
            return false;
        };
        self.consults.by_dialog.remove(&dialog);
        self.respond_status(now, key, request, StatusCode::OK);
        self.end_consult(now, id);
        true
    }

    /// Ends consultation `id` without a transfer: its legs get BYEs (a ringing B a CANCEL),
    /// its media stops, and the caller of an API consultation gets agent A back.
    fn end_consult(&mut self, now: Instant, id: CallRef) {
        let ringing = self
            .consults
            .by_ref
            .get(&id)
            .is_some_and(|c| c.b.state == OfferState::Ringing);
        if ringing {
            if let Some(key) = self.consults.by_ref.get(&id).map(|c| c.b.invite) {
                let _ = self.sip.layer.cancel(now, key);
            }
            self.consult_unanswered(now, id, StatusCode::REQUEST_TERMINATED);
            return;
        }
        self.log_consult_ended(id, Outcome::Cancelled);
        let live: Vec<DialogKey> = self
            .consults
            .by_dialog
            .iter()
            .filter(|(_, (c, _))| *c == id)
            .map(|(d, _)| *d)
            .collect();
        let Some(consult) = self.remove_consult(id) else {
            return;
        };
        for dialog in live {
            self.send_bye(now, dialog);
        }
        if let Some(media) = &consult.media {
            let customer_media = consult
                .customer
                .filter(|_| consult.caller.is_none())
                .and_then(|c| self.calls.get(&c))
                .and_then(|c| c.media.clone());
            if let Some(to) = customer_media {
                // A's leg goes back to the caller's media task (which stops the music).
                let _ = media.send(MediaCommand::HandOver { leg: LegId::B, to });
            }
            let _ = media.send(MediaCommand::Stop);
        }
        if consult.caller.is_none()
            && let Some(customer) = consult.customer
        {
            self.unhold_customer(customer);
        }
        tracing::info!(consult = id.0, "consultation ended");
    }

    /// The caller of call `id` comes off the hold an API consultation put them on.
    fn unhold_customer(&mut self, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.is_ending() {
            return;
        }
        call.held = false;
        let (tenant, interaction) = (call.tenant, call.interaction);
        self.media_command(id, MediaCommand::Unhold { leg: LegId::A });
        self.log_event(tenant, NewEvent::unhold(interaction, crate::log::now_ms()));
    }

    /// A re-INVITE in a consultation's dialog (a phone holding or moving its media);
    /// `false` if the dialog is not a consultation's.
    pub(crate) fn consult_reinvite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
    ) -> bool {
        let Some(&(id, leg)) = self.consults.by_dialog.get(&dialog) else {
            return false;
        };
        let Some(consult) = self.consults.by_ref.get_mut(&id) else {
            return false;
        };
        let b_media_leg = consult.b_media_leg();
        let answered = SessionDescription::parse(&request.body)
            .ok()
            .filter(|_| !request.body.is_empty())
            .and_then(|offer| match (leg, consult.caller.as_mut()) {
                (Leg::A, Some(caller)) => caller.sdp.answer(&offer, &caller.media).ok(),
                (Leg::B, _) => consult.b.sdp.answer(&offer, &consult.b.media).ok(),
                (Leg::A, None) => None,
            });
        let Some((answer, negotiated)) = answered else {
            self.respond_status(now, key, request, StatusCode::NOT_ACCEPTABLE_HERE);
            return true;
        };
        let media_leg = match leg {
            Leg::A => LegId::A,
            Leg::B => b_media_leg,
        };
        if let (Some(config), Some(media)) = (leg_config(&negotiated), &consult.media) {
            let _ = media.send(MediaCommand::UpdateRemote {
                leg: media_leg,
                media: LegMedia {
                    remote: negotiated.remote,
                    config,
                },
            });
        }
        self.accept_reinvite(now, key, request, dialog, &answer);
        true
    }

    /// A REFER on the caller's dialog with `Replaces` naming agent A's consultation dialog:
    /// the attended transfer (see the module doc). Answered 202 and NOTIFYs as a blind
    /// transfer's; refused 403 (not the caller's agent, from the caller), 481 (no such
    /// consultation of that agent, or not answered yet).
    pub(crate) fn on_attended_refer(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        dialog: DialogKey,
        replaces: &Replaces,
    ) {
        let agent = match self.by_dialog.get(&dialog) {
            Some(&(id, Leg::B)) => self.calls.get(&id).and_then(|call| {
                let leg = call.offers.iter().find(|b| b.dialog == Some(dialog))?;
                let talking = call.phase == CallPhase::Connected
                    && !call.is_ending()
                    && call.agent == Some(leg.agent);
                talking.then_some((id, leg.agent))
            }),
            _ => None,
        };
        let Some((id, agent)) = agent else {
            self.respond_status(now, key, &request, StatusCode::FORBIDDEN);
            return;
        };
        // Replaces names the dialog as A's phone sees it: its To tag is ours.
        let replaced = self.sip.dialogs.find(&DialogId {
            call_id: replaces.call_id.clone(),
            local_tag: replaces.to_tag.clone(),
            remote_tag: replaces.from_tag.clone(),
        });
        let consult = replaced
            .and_then(|d| self.consults.by_dialog.get(&d))
            .filter(|(_, leg)| *leg == Leg::A)
            .map(|(c, _)| *c)
            .filter(|c| {
                self.consults
                    .by_ref
                    .get(c)
                    .is_some_and(|c| c.from == agent && c.answered())
            });
        let Some(consult) = consult else {
            self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            return;
        };
        if let Some(c) = self.consults.by_ref.get_mut(&consult) {
            // A consultation begun before this call reached A is about it now.
            c.customer = Some(id);
        }
        self.accept_refer(now, key, &request, dialog);
        self.join_consulted(now, consult, "refer");
    }

    /// Completes consultation `consult`: the caller's call goes to B (see the module doc).
    fn join_consulted(&mut self, now: Instant, consult: CallRef, by: &str) {
        self.log_consult_ended(consult, Outcome::Transferred);
        let a_dialog = self
            .consults
            .by_dialog
            .iter()
            .find(|(_, (c, leg))| *c == consult && *leg == Leg::A)
            .map(|(d, _)| *d);
        let Some(c) = self.remove_consult(consult) else {
            return;
        };
        let Some(id) = c.customer else {
            return;
        };
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction, held) = (call.tenant, call.interaction, call.held);
        let customer_media = call.media.clone();
        self.release_agent(now, id, c.from);
        if let Some(a_dialog) = a_dialog {
            self.send_bye(now, a_dialog);
        }
        if let (Some(media), Some(to)) = (&c.media, customer_media) {
            let _ = media.send(MediaCommand::HandOver {
                leg: c.b_media_leg(),
                to,
            });
            let _ = media.send(MediaCommand::Stop);
        }
        let (b_agent, b_dialog) = (c.to, c.b.dialog);
        let from = self.username(c.from);
        let to = format!("agent:{}", self.agent_label(b_agent));
        let at = crate::log::now_ms();
        let transferred = NewEvent::new(
            interaction,
            at,
            EventKind::Transferred,
            json!({ "from": from, "to": to, "by": by, "kind": "attended" }),
        );
        self.log_event(tenant, transferred);
        if held {
            self.log_event(tenant, NewEvent::unhold(interaction, at));
        }
        let username = self.username(b_agent);
        self.log_event(
            tenant,
            NewEvent::answered(interaction, at, &username, b_agent),
        );
        if let Some(b_dialog) = b_dialog {
            self.by_dialog.insert(b_dialog, (id, Leg::B));
        }
        if let Some(call) = self.calls.get_mut(&id) {
            let mut leg = c.b;
            leg.transfer = true;
            leg.state = OfferState::Answered;
            leg.socket = None;
            leg.answer = None;
            call.offers.push(leg);
            call.agent = Some(b_agent);
            call.phase = CallPhase::Connected;
            call.held = false;
        }
        tracing::info!(interaction = %interaction, from = c.from.0, to = b_agent.0, by, "attended transfer");
    }

    /// Call `id` is ending: its consultation by API ends with it (A's leg is in the
    /// consultation's media task); one from A's phone goes on as a call between agents.
    pub(crate) fn customer_call_ending(&mut self, now: Instant, id: CallRef) {
        let Some(consult) = self.consults.of_customer(id) else {
            return;
        };
        let by_api = self
            .consults
            .by_ref
            .get(&consult)
            .is_some_and(|c| c.caller.is_none());
        self.log_consult_ended(consult, Outcome::Cancelled);
        if by_api {
            if let Some(c) = self.consults.by_ref.get_mut(&consult) {
                c.customer = None;
            }
            self.end_consult(now, consult);
        } else if let Some(c) = self.consults.by_ref.get_mut(&consult) {
            c.customer = None;
        }
    }

    /// Starts a consultation by API: the caller of the call of `interaction` is held and
    /// agent `to` (an extension) rung. `only_agent`: the asker is this agent, who may only
    /// consult about their own call.
    pub(crate) fn consult(
        &mut self,
        now: Instant,
        tenant: TenantId,
        interaction: store::InteractionId,
        to: &str,
        only_agent: Option<UserId>,
    ) -> Result<(), ConsultError> {
        let id = self.api_call(tenant, interaction, only_agent)?;
        if self.consults.of_customer(id).is_some() {
            return Err(ConsultError::InProgress);
        }
        let Some(call) = self.calls.get(&id) else {
            return Err(TransferError::UnknownCall.into());
        };
        let Some(agent) = call.agent else {
            return Err(TransferError::NotConnected.into());
        };
        let codec = call.a.codec;
        let target = self
            .directory
            .agents
            .iter()
            .find(|(_, a)| a.tenant == tenant && a.extension.as_deref() == Some(to))
            .map(|(user, _)| *user)
            .ok_or(TransferError::UnknownTarget)?;
        if target == agent {
            return Err(TransferError::TargetUnavailable.into());
        }
        let from_name = self.agent_label(agent);
        let b = self
            .invite_agent(now, target, &from_name, codec, Some(interaction))
            .map_err(|_| TransferError::TargetUnavailable)?;
        let consult = self.new_call_ref();
        self.consults.by_client.insert(b.invite, consult);
        self.consults.by_ref.insert(
            consult,
            Consult {
                from: agent,
                to: target,
                customer: Some(id),
                caller: None,
                b,
                media: None,
            },
        );
        self.log_consult_started(consult, "api");
        if let Some(call) = self.calls.get_mut(&id)
            && !call.held
        {
            call.held = true;
            self.media_command(id, MediaCommand::Hold { leg: LegId::A });
            self.log_event(tenant, NewEvent::hold(interaction, crate::log::now_ms()));
        }
        Ok(())
    }

    /// Completes the consultation about the call of `interaction` (the attended transfer).
    pub(crate) fn complete_consult(
        &mut self,
        now: Instant,
        tenant: TenantId,
        interaction: store::InteractionId,
        only_agent: Option<UserId>,
    ) -> Result<(), ConsultError> {
        let id = self.api_call(tenant, interaction, only_agent)?;
        let consult = self
            .consults
            .of_customer(id)
            .ok_or(ConsultError::NoConsult)?;
        if !self
            .consults
            .by_ref
            .get(&consult)
            .is_some_and(Consult::answered)
        {
            return Err(ConsultError::NotAnswered);
        }
        self.join_consulted(now, consult, "api");
        Ok(())
    }

    /// Cancels the consultation about the call of `interaction`: B's leg ends, the caller is
    /// back with A.
    pub(crate) fn cancel_consult(
        &mut self,
        now: Instant,
        tenant: TenantId,
        interaction: store::InteractionId,
        only_agent: Option<UserId>,
    ) -> Result<(), ConsultError> {
        let id = self.api_call(tenant, interaction, only_agent)?;
        let consult = self
            .consults
            .of_customer(id)
            .ok_or(ConsultError::NoConsult)?;
        self.end_consult(now, consult);
        Ok(())
    }

    /// The connected call of `interaction`, checked as for a transfer by API.
    fn api_call(
        &self,
        tenant: TenantId,
        interaction: store::InteractionId,
        only_agent: Option<UserId>,
    ) -> Result<CallRef, TransferError> {
        let (id, call) = self
            .calls
            .iter()
            .find(|(_, c)| c.tenant == tenant && c.interaction == interaction)
            .ok_or(TransferError::UnknownCall)?;
        let agent = match (call.phase, call.agent) {
            (CallPhase::Connected, Some(agent)) if !call.is_ending() => agent,
            _ => return Err(TransferError::NotConnected),
        };
        if only_agent.is_some_and(|asker| asker != agent) {
            return Err(TransferError::NotYourCall);
        }
        Ok(*id)
    }
}

/// The `Replaces` of a REFER's `Refer-To` (`<sip:1002@...?Replaces=...>`), if it has one:
/// `Ok(None)` without, `Err` when it is there but unreadable.
pub(crate) fn refer_replaces(request: &Request) -> Result<Option<Replaces>, StatusCode> {
    let Some(value) = request
        .headers
        .get(&HeaderName::ReferTo)
        .and_then(|v| v.to_str())
    else {
        return Ok(None);
    };
    let Ok(refer_to) = NameAddr::parse(value.trim()) else {
        return Ok(None);
    };
    let Uri::Sip(uri) = refer_to.uri else {
        return Ok(None);
    };
    let Some((_, replaces)) = uri
        .headers_decoded()
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("replaces"))
    else {
        return Ok(None);
    };
    Replaces::parse(&replaces)
        .map(Some)
        .map_err(|_| StatusCode::BAD_REQUEST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip::Message;

    fn refer(refer_to: &str) -> Request {
        let text = format!(
            "REFER sip:pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1\r\n\
             From: <sip:1001@example.com>;tag=1\r\nTo: <sip:pbx.example.com>;tag=2\r\n\
             Call-ID: c\r\nCSeq: 2 REFER\r\nRefer-To: {refer_to}\r\nContent-Length: 0\r\n\r\n"
        );
        match Message::parse_slice(text.as_bytes()).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn replaces_in_refer_to_names_the_consultation_dialog() {
        let to =
            "<sip:1002@pbx.example.com?Replaces=consult%2F%2F%2Fabc%3Bto-tag%3D7%3Bfrom-tag%3D9>";
        let replaces = refer_replaces(&refer(to)).unwrap().expect("a Replaces");
        assert_eq!(replaces.call_id, "consult///abc");
        assert_eq!(replaces.to_tag, "7");
        assert_eq!(replaces.from_tag, "9");
    }

    #[test]
    fn a_blind_refer_has_no_replaces() {
        assert_eq!(
            refer_replaces(&refer("<sip:1002@pbx.example.com>")),
            Ok(None)
        );
    }

    #[test]
    fn a_replaces_without_tags_is_a_bad_request() {
        let to = "<sip:1002@pbx.example.com?Replaces=abc>";
        assert_eq!(refer_replaces(&refer(to)), Err(StatusCode::BAD_REQUEST));
    }
}
