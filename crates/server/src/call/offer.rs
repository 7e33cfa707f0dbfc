//! Offering a call to an agent (leg B): the INVITE to the agent's phone, and what its
//! answers mean for the call and the `acd`.
//!
//! The INVITE goes to the agent's reachable binding (see [`crate::sip::location`]) with our
//! SDP offer from a new RTP port (the caller's codec offered first, so the bridge need not
//! transcode), `From` the caller's number, and `X-Plateau-Interaction: <id>`. No binding, no
//! port or an INVITE that cannot be sent is `OfferFailed{Unreachable}` at once.
//!
//! Answers: a 1xx changes nothing (the caller hears hold music); a 2xx is ACKed (by the
//! dialogs), its SDP read, the `acd` told `OfferAnswered`, the legs bridged and the recording
//! started; 486/600 are `Busy`, 603 `Rejected`, 408/480 and a timeout `NoAnswer`, anything
//! else (and a transport error) `Unreachable` — the caller stays queued, the agent's miss is
//! logged (`offer_missed`). An offer that could not be sent at all fails a second later (see
//! [`Board::defer_unreachable`]). An offer the `acd` gave up on (ring timeout: `offer_missed`
//! `no_answer`; the caller gone) is cancelled; a 200 crossing the CANCEL is hung up at once.

use std::time::{Instant, SystemTime};

use acd::{ContactId, Input, OfferFailure};
use bytes::Bytes;
use sip::dialog::{DialogKey, DialogUpdate};
use sip::header::NameAddr;
use sip::sdp::{Codec, LocalMedia, LocalSession, SessionDescription};
use sip::transaction::ClientKey;
use sip::{HeaderName, Host, Method, RequestBuilder, Response, SipUri, Uri};
use store::{NewEvent, UserId};

use super::call::{LegB, OfferState, RecordingInProgress};
use super::directory::{agent_id, user_id};
use super::inbound_call::{leg_config, user_part};
use super::recording_row;
use super::switchboard::{Board, Leg};
use crate::control::CallPhase;
use crate::media::{CallRef, LegMedia, MediaCommand, recording_path};
use crate::sip::options;

/// The header naming the interaction in INVITEs to agents.
const INTERACTION_HEADER: &str = "X-Plateau-Interaction";

/// An offer's INVITE could not be sent (the reason is logged where it happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotSent;

/// How long after an offer that could not be sent its failure is reported.
const UNREACHABLE_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

impl Board {
    /// The `acd` offers call `contact` to `agent`.
    pub(crate) fn offer(&mut self, now: Instant, contact: ContactId, agent: acd::AgentId) {
        let id = CallRef(contact.0);
        let user = user_id(agent);
        if !self.calls.contains_key(&id) {
            // The call left between two outputs of the engine: withdraw it.
            let _ = self
                .acd
                .handle_input(now, Input::ContactAbandoned { contact });
            return;
        }
        if self.send_offer(now, id, user, false).is_err() {
            self.offer_missed(id, user, "unreachable");
            self.defer_unreachable(now, contact, agent);
        }
    }

    /// Sends the INVITE of an offer of call `id` to `user`'s phone; `transfer`: an offer made
    /// by a transfer, outside the `acd`. `Err` when it could not be sent (no reachable phone,
    /// no RTP port, the INVITE refused by the layer).
    pub(crate) fn send_offer(
        &mut self,
        now: Instant,
        id: CallRef,
        user: UserId,
        transfer: bool,
    ) -> Result<(), NotSent> {
        let Some(call) = self.calls.get(&id) else {
            return Err(NotSent);
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let caller = call.caller.clone();
        let codec = call.a.codec;
        let mut offer = self.invite_agent(now, user, &caller, codec, Some(interaction))?;
        offer.transfer = transfer;
        self.by_client.insert(offer.invite, id);
        let username = self
            .directory
            .agents
            .get(&user)
            .map_or_else(String::new, |a| a.username.clone());
        if let Some(call) = self.calls.get_mut(&id) {
            call.offers.push(offer);
            call.phase = CallPhase::Ringing;
        }
        tracing::info!(interaction = %interaction, agent = user.0, "offered to an agent");
        self.log_event(
            tenant,
            NewEvent::offered(interaction, crate::log::now_ms(), &username, user),
        );
        Ok(())
    }

    /// Sends an INVITE to `user`'s phone, `From` `from_user`, with our SDP offer from a new
    /// RTP port (`codec` offered first, so that the bridge to a leg using it need not
    /// transcode), and the interaction's header when there is one. The leg is returned
    /// ringing; the caller keeps it and maps its client transaction.
    pub(crate) fn invite_agent(
        &mut self,
        now: Instant,
        user: UserId,
        from_user: &str,
        codec: Codec,
        interaction: Option<store::InteractionId>,
    ) -> Result<LegB, NotSent> {
        let codecs = if codec == Codec::PCMU {
            vec![Codec::PCMU, Codec::PCMA]
        } else {
            vec![Codec::PCMA, Codec::PCMU]
        };
        let Some(target) = self
            .location
            .target(user, crate::log::now_ms())
            .map(|(b, p)| (b.uri.clone(), p))
        else {
            tracing::info!(agent = user.0, "agent has no reachable phone");
            return Err(NotSent);
        };
        let (uri, peer) = target;
        let socket = match self.rtp.allocate() {
            Ok(socket) => socket,
            Err(error) => {
                self.metrics.error("rtp_ports");
                tracing::warn!(%error, "no RTP port for an offer");
                return Err(NotSent);
            }
        };
        let media = LocalMedia::new(self.sdp_address(peer.addr.ip()), socket.port(), codecs);
        let mut sdp = LocalSession::new(self.session_id());
        let offer = sdp.offer(&media);

        let local = self.sip.local_for(&peer);
        let via = self.via_toward(&peer);
        let mut from = NameAddr::new(Uri::Sip(SipUri {
            user: Some(user_part(from_user)),
            ..SipUri::new(Host::from(local.ip()))
        }));
        from.set_tag(&self.sip.layer.new_tag());
        let extension = self
            .directory
            .person(user)
            .and_then(|a| a.extension.clone())
            .unwrap_or_else(|| user.0.to_string());
        let Ok(domain) = Host::parse(&self.config.sip.domain) else {
            return Err(NotSent);
        };
        let to = NameAddr::new(Uri::Sip(SipUri {
            user: Some(user_part(&extension)),
            ..SipUri::new(domain)
        }));
        let call_id = self.sip.layer.new_call_id(&local.ip().to_string());
        let contact_value = self.contact_for(&peer, None);
        let Ok(contact_addr) = NameAddr::parse(&contact_value) else {
            return Err(NotSent);
        };
        let Ok(interaction_header) = HeaderName::new(INTERACTION_HEADER) else {
            return Err(NotSent);
        };
        let mut request = RequestBuilder::new(Method::Invite, uri)
            .via(via)
            .from(from)
            .to(to)
            .call_id(&call_id)
            .cseq(1)
            .contact(contact_addr);
        if let Some(interaction) = interaction {
            request = request.header(interaction_header, interaction.to_string());
        }
        let request = request
            .header(HeaderName::Allow, options::ALLOW)
            .body("application/sdp", Bytes::from(offer.to_bytes()))
            .build();
        let key = match self
            .sip
            .dialogs
            .send_invite(now, &mut self.sip.layer, request, peer)
        {
            Ok(key) => key,
            Err(error) => {
                tracing::warn!(%error, "INVITE to the agent not sent");
                return Err(NotSent);
            }
        };
        Ok(LegB {
            agent: user,
            invite: key,
            dialog: None,
            socket: Some(socket),
            sdp,
            media,
            state: OfferState::Ringing,
            answer: None,
            transfer: false,
        })
    }

    /// An offer that could not even be sent fails [`UNREACHABLE_DELAY`] later, not at once:
    /// when the unreachable agent is the only one available (and the queue never sets agents
    /// not ready), the `acd` would offer the call to them again at once, and again, without
    /// end. Meanwhile the agent shows as ringing and the caller keeps hearing hold music.
    fn defer_unreachable(&mut self, now: Instant, contact: ContactId, agent: acd::AgentId) {
        self.deferred_failures
            .push((now + UNREACHABLE_DELAY, contact, agent));
    }

    /// Reports the deferred failures that are due.
    pub(crate) fn deferred_failures_due(&mut self, now: Instant) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.deferred_failures)
            .into_iter()
            .partition(|(at, _, _)| *at <= now);
        self.deferred_failures = later;
        for (_, contact, agent) in due {
            self.fail_offer(now, contact, agent, OfferFailure::Unreachable);
        }
    }

    fn fail_offer(
        &mut self,
        now: Instant,
        contact: ContactId,
        agent: acd::AgentId,
        reason: OfferFailure,
    ) {
        if let Err(error) = self.acd.handle_input(
            now,
            Input::OfferFailed {
                contact,
                agent,
                reason,
            },
        ) {
            tracing::debug!(%error, "offer failure not taken by the acd");
        }
    }

    /// Logs `offer_missed` for `user` on call `id`.
    pub(crate) fn offer_missed(&mut self, id: CallRef, user: UserId, reason: &str) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let username = self
            .directory
            .agents
            .get(&user)
            .map_or_else(String::new, |a| a.username.clone());
        self.log_event(
            tenant,
            NewEvent::offer_missed(interaction, crate::log::now_ms(), &username, user, reason),
        );
    }

    /// The `acd` gave up on the offer ringing for call `id` (`missed`: why, to log it as
    /// the agent's miss): CANCEL it.
    pub(crate) fn cancel_offer(
        &mut self,
        now: Instant,
        id: CallRef,
        missed: Option<&str>,
        agent: acd::AgentId,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let user = user_id(agent);
        let Some(offer) = call
            .offers
            .iter_mut()
            .find(|b| b.state == OfferState::Ringing && b.agent == user)
        else {
            return;
        };
        offer.state = OfferState::Cancelled;
        offer.socket = None;
        let key = offer.invite;
        if !call.is_ending() {
            call.phase = CallPhase::Queued;
        }
        if let Err(error) = self.sip.layer.cancel(now, key) {
            tracing::debug!(%error, "CANCEL not sent (a final response came first)");
        }
        if let Some(reason) = missed {
            self.offer_missed(id, user, reason);
        }
    }

    /// A response to an INVITE we sent to an agent.
    pub(crate) fn on_offer_response(
        &mut self,
        now: Instant,
        key: ClientKey,
        response: &Response,
        update: DialogUpdate,
    ) {
        let Some(&id) = self.by_client.get(&key) else {
            return;
        };
        let status = response.status;
        if status.is_provisional() {
            return;
        }
        if status.is_success() {
            if let DialogUpdate::Confirmed(dialog) = update {
                self.offer_answered(now, id, key, dialog, response);
            }
            return;
        }
        let failure = match status.as_u16() {
            486 | 600 => OfferFailure::Busy,
            603 => OfferFailure::Rejected,
            408 | 480 | 487 => OfferFailure::NoAnswer,
            _ => OfferFailure::Unreachable,
        };
        self.offer_ended(now, id, key, failure, status.as_u16());
    }

    /// The INVITE to an agent timed out or could not be delivered.
    pub(crate) fn on_offer_unreachable(&mut self, now: Instant, key: ClientKey) {
        let Some(&id) = self.by_client.get(&key) else {
            return;
        };
        self.offer_ended(now, id, key, OfferFailure::Unreachable, 0);
    }

    /// An offer ended without an answer.
    fn offer_ended(
        &mut self,
        now: Instant,
        id: CallRef,
        key: ClientKey,
        failure: OfferFailure,
        status: u16,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(at) = call.offers.iter().position(|b| b.invite == key) else {
            return;
        };
        let offer = call.offers.remove(at);
        if offer.state != OfferState::Ringing {
            return;
        }
        if !call.is_ending() {
            call.phase = CallPhase::Queued;
        }
        let reason = match failure {
            OfferFailure::Busy => "busy",
            OfferFailure::Rejected => "rejected",
            OfferFailure::NoAnswer => "no_answer",
            OfferFailure::Unreachable => "unreachable",
        };
        tracing::info!(
            call = id.0,
            agent = offer.agent.0,
            status,
            reason,
            "offer not taken"
        );
        self.offer_missed(id, offer.agent, reason);
        if offer.transfer {
            self.transfer_unanswered(now, id);
        } else {
            self.fail_offer(now, ContactId(id.0), agent_id(offer.agent), failure);
        }
    }

    /// The agent answered (the dialogs have ACKed the 200).
    fn offer_answered(
        &mut self,
        now: Instant,
        id: CallRef,
        key: ClientKey,
        dialog: DialogKey,
        response: &Response,
    ) {
        self.by_dialog.insert(dialog, (id, Leg::B));
        let Some(call) = self.calls.get_mut(&id) else {
            self.send_bye(now, dialog);
            return;
        };
        let ending = call.is_ending();
        // A callback's agent answers first; the `acd` hears of it once the customer does.
        let callback = call.callback.is_dialling();
        let Some(offer) = call.offer_mut(key) else {
            self.send_bye(now, dialog);
            return;
        };
        offer.dialog = Some(dialog);
        if offer.state != OfferState::Ringing || ending {
            // The 200 crossed our CANCEL, or the call is over.
            offer.state = OfferState::Cancelled;
            self.send_bye(now, dialog);
            return;
        }
        let agent = offer.agent;
        let offer_transfer = offer.transfer;
        let negotiated = SessionDescription::parse(&response.body)
            .map_err(|e| e.to_string())
            .and_then(|answer| {
                offer
                    .sdp
                    .accept_answer(&answer, &offer.media)
                    .map_err(|e| e.to_string())
            });
        let config = negotiated
            .as_ref()
            .ok()
            .and_then(|n| leg_config(n).map(|c| (n.remote, c)));
        let Some((remote, config)) = config else {
            offer.state = OfferState::Cancelled;
            tracing::warn!(agent = agent.0, why = ?negotiated.err(), "the agent's answer has unusable SDP; hanging up the agent");
            self.metrics.error("sdp");
            self.send_bye(now, dialog);
            self.offer_missed(id, agent, "bad_sdp");
            if offer_transfer {
                self.transfer_unanswered(now, id);
            } else {
                self.fail_offer(
                    now,
                    ContactId(id.0),
                    agent_id(agent),
                    OfferFailure::Unreachable,
                );
            }
            return;
        };
        let transfer = offer_transfer;
        if !transfer
            && !callback
            && let Err(error) = self.acd.handle_input(
                now,
                Input::OfferAnswered {
                    contact: ContactId(id.0),
                    agent: agent_id(agent),
                },
            )
        {
            tracing::info!(%error, "answer after the offer ended; hanging up the agent");
            offer.state = OfferState::Cancelled;
            self.send_bye(now, dialog);
            return;
        }
        offer.state = OfferState::Answered;
        offer.answer = Some(LegMedia { remote, config });
        if callback {
            call.agent = Some(agent);
            self.callback_agent_answered(now, id);
            return;
        }
        call.phase = CallPhase::Connected;
        call.agent = Some(agent);
        if transfer {
            // No `acd` answer follows: log it and bridge now.
            self.transfer_answered(id, agent);
        }
    }

    /// The `acd` took the answer (after `answered` was logged): bridge the legs and record.
    pub(crate) fn connect_agent(&mut self, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let Some(offer) = call
            .offers
            .iter_mut()
            .find(|b| b.state == OfferState::Answered)
        else {
            return;
        };
        let agent = offer.agent;
        let (Some(socket), Some(media)) = (offer.socket.take(), offer.answer.take()) else {
            return;
        };
        let recording = call.recording.is_some();
        self.media_command(id, MediaCommand::ConnectAgent { socket, media });
        if recording {
            // A transferred call: its one recording goes on across the agents.
            return;
        }
        let started = SystemTime::now();
        let file = recording_path(&self.config.data_dir, tenant, interaction, started);
        let stored = file
            .strip_prefix(&self.config.data_dir)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.media_command(id, MediaCommand::StartRecording { path: file });
        let at_ms = crate::log::unix_ms(started);
        self.log_event(
            tenant,
            NewEvent::recording_started(interaction, at_ms, &stored),
        );
        let finish = self
            .directory
            .tenants
            .get(&tenant)
            .map(|t| recording_row::spawn(t.store.clone(), interaction, stored.clone(), at_ms));
        if let (Some(call), Some(finish)) = (self.calls.get_mut(&id), finish) {
            call.recording = Some(RecordingInProgress {
                path: stored,
                finish,
            });
        }
        tracing::info!(interaction = %interaction, agent = agent.0, "agent answered; bridged and recording");
    }

    /// An INVITE client transaction ended: its offer, if cancelled, can go.
    pub(crate) fn forget_client(&mut self, key: ClientKey) {
        let Some(id) = self.by_client.remove(&key) else {
            return;
        };
        if let Some(call) = self.calls.get_mut(&id) {
            call.offers.retain(|b| {
                !(b.invite == key && b.state == OfferState::Cancelled && b.dialog.is_none())
            });
        }
    }
}
