//! Blind transfers of a connected call, asked through the API (`POST
//! /api/v1/calls/{id}/transfer`): the agent's leg ends (BYE; the `acd` starts their wrap-up),
//! the media task drops it and plays hold music to the caller, `transferred{from, to, by}` is
//! logged, and the caller goes to the target, in the same interaction (one contact, one
//! recording, a new segment from the `transferred` event on):
//! - a queue (`queue:<name>`): the caller joins it at the highest priority a flow may give
//!   ([`HEAD_PRIORITY`]), so they are served before the callers waiting there (among
//!   transferred callers, the earlier transfer first);
//! - an agent (`agent:<extension>`): their phone is called directly, outside the `acd` (the
//!   queue's strategy does not choose a named agent). If that phone does not answer within
//!   [`TRANSFER_RING`] (or is busy), the caller goes back, at the head, to the queue the call
//!   came from.
//!
//! The `acd` does not see the call on the target agent: while it rings or talks, the engine
//! may still offer them a queued call (their phone then answers busy, a missed offer).

use std::time::Instant;

use bytes::Bytes;
use serde_json::json;
use sip::dialog::DialogKey;
use sip::header::NameAddr;
use sip::transaction::ServerKey;
use sip::{HeaderName, Method, Request, StatusCode, Uri};
use store::{EventKind, InteractionId, NewEvent, TenantId, UserId};

use super::call::OfferState;
use super::directory::agent_id;
use super::switchboard::{Board, Leg};
use crate::control::{CallPhase, TransferError, TransferTarget};
use crate::media::{CallRef, MediaCommand};

/// The priority of a transferred caller in their new queue: the highest a flow may give.
const HEAD_PRIORITY: u8 = 100;

/// How long the phone of an agent a call is transferred to may ring.
const TRANSFER_RING: std::time::Duration = std::time::Duration::from_secs(20);

/// Where the caller goes, resolved.
enum Resolved {
    Queue(String),
    Agent(UserId),
    /// Through the trunk ([`super::transfer_number`]).
    Number(String),
}

impl Board {
    /// Starts a blind transfer of the call of `interaction` to `to` (see the module doc).
    /// `only_agent`: the asker is this agent, who may only transfer their own call.
    pub(crate) fn transfer(
        &mut self,
        now: Instant,
        tenant: TenantId,
        interaction: InteractionId,
        to: &TransferTarget,
        only_agent: Option<UserId>,
    ) -> Result<(), TransferError> {
        let id = self
            .calls
            .iter()
            .find(|(_, c)| c.tenant == tenant && c.interaction == interaction)
            .map(|(id, _)| *id)
            .ok_or(TransferError::UnknownCall)?;
        let (agent, resolved) = self.check_transfer(id, to, only_agent)?;
        self.carry_out_transfer(now, id, agent, resolved, to, "api");
        Ok(())
    }

    /// Whether call `id` may be transferred to `to` now: its agent, and the target resolved.
    fn check_transfer(
        &self,
        id: CallRef,
        to: &TransferTarget,
        only_agent: Option<UserId>,
    ) -> Result<(UserId, Resolved), TransferError> {
        let call = self.calls.get(&id).ok_or(TransferError::UnknownCall)?;
        let agent = match (call.phase, call.agent) {
            (CallPhase::Connected, Some(agent)) if !call.is_ending() => agent,
            _ => return Err(TransferError::NotConnected),
        };
        if only_agent.is_some_and(|asker| asker != agent) {
            return Err(TransferError::NotYourCall);
        }
        let resolved = self.resolve_target(call.tenant, to)?;
        if let Resolved::Agent(target) = resolved {
            let reachable = self.location.target(target, crate::log::now_ms()).is_some();
            if target == agent || !reachable {
                return Err(TransferError::TargetUnavailable);
            }
        }
        Ok((agent, resolved))
    }

    /// Ends `agent`'s leg of call `id`, logs `transferred` (`by`: `api` or `refer`) and sends
    /// the caller to the target.
    fn carry_out_transfer(
        &mut self,
        now: Instant,
        id: CallRef,
        agent: UserId,
        resolved: Resolved,
        to: &TransferTarget,
        by: &str,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        self.release_agent(now, id, agent);
        let from = self
            .directory
            .agents
            .get(&agent)
            .map_or_else(String::new, |a| a.username.clone());
        let event = NewEvent::new(
            interaction,
            crate::log::now_ms(),
            EventKind::Transferred,
            json!({ "from": from, "to": to.to_string(), "by": by }),
        );
        self.log_event(tenant, event);
        tracing::info!(interaction = %interaction, to = %to.for_log(), by, "call transferred");
        match resolved {
            Resolved::Queue(name) => self.enqueue(now, id, &name, Some(HEAD_PRIORITY)),
            Resolved::Number(number) => self.dial_transfer(now, id, &number),
            Resolved::Agent(target) => {
                if let Some(call) = self.calls.get_mut(&id) {
                    call.phase = CallPhase::Ringing;
                }
                if self.send_offer(now, id, target, true).is_err() {
                    self.transfer_unanswered(now, id);
                    return;
                }
                let ringing = self
                    .calls
                    .get(&id)
                    .and_then(|c| c.offers.last())
                    .map(|offer| offer.invite);
                if let Some(key) = ringing {
                    self.transfer_rings.push((now + TRANSFER_RING, id, key));
                }
            }
        }
    }

    /// A REFER in a call's dialog: the agent's phone transfers the caller (blind). Answered
    /// 202, then NOTIFYs with `message/sipfrag` bodies `SIP/2.0 100 Trying` and `SIP/2.0 200
    /// OK` (the subscription ends there: from then on the caller is the server's to place),
    /// then the agent's leg is ended with a BYE and the caller goes to the target, as for a
    /// transfer by API. `Refer-To`: `sip:<extension>@...` (an agent) or
    /// `sip:queue-<name>@...` (a queue). Refused: a REFER from the caller (403), a target
    /// that does not exist (404) or cannot take the call (480), a call not talking to its
    /// agent (403), URI headers other than `Replaces` (501), anything else 404. A user part
    /// with a leading `+` is an outside number, called through the trunk
    /// ([`super::transfer_number`]; 404 without a trunk). With `Replaces`, it is an attended transfer
    /// ([`super::consult`]).
    pub(crate) fn on_refer(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        dialog: DialogKey,
    ) {
        let Some(&(id, leg)) = self.by_dialog.get(&dialog) else {
            self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            return;
        };
        if leg != Leg::B {
            self.respond_status(now, key, &request, StatusCode::FORBIDDEN);
            return;
        }
        match super::consult::refer_replaces(&request) {
            Ok(Some(replaces)) => {
                return self.on_attended_refer(now, key, request, dialog, &replaces);
            }
            Ok(None) => {}
            Err(status) => {
                self.respond_status(now, key, &request, status);
                return;
            }
        }
        let target = match refer_target(&request) {
            Ok(target) => target,
            Err(status) => {
                self.respond_status(now, key, &request, status);
                return;
            }
        };
        let agent = self
            .calls
            .get(&id)
            .and_then(|c| c.offers.iter().find(|b| b.dialog == Some(dialog)))
            .map(|b| b.agent);
        let checked = agent
            .ok_or(TransferError::NotConnected)
            .and_then(|agent| self.check_transfer(id, &target, Some(agent)));
        let (agent, resolved) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                let status = match error {
                    TransferError::UnknownTarget
                    | TransferError::UnknownCall
                    | TransferError::NoTrunk => StatusCode::NOT_FOUND,
                    TransferError::TargetUnavailable => StatusCode::TEMPORARILY_UNAVAILABLE,
                    TransferError::NotConnected | TransferError::NotYourCall => {
                        StatusCode::FORBIDDEN
                    }
                };
                self.respond_status(now, key, &request, status);
                return;
            }
        };
        self.accept_refer(now, key, &request, dialog);
        self.carry_out_transfer(now, id, agent, resolved, &target, "refer");
    }

    /// Accepts a REFER the server carries out at once: 202, then the implicit subscription's
    /// NOTIFYs, `100 Trying` and the final `200 OK` that ends it.
    pub(crate) fn accept_refer(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
    ) {
        self.respond_status(now, key, request, StatusCode::ACCEPTED);
        self.notify_refer(now, dialog, "SIP/2.0 100 Trying", "active;expires=60");
        self.notify_refer(
            now,
            dialog,
            "SIP/2.0 200 OK",
            "terminated;reason=noresource",
        );
    }

    /// A NOTIFY of the implicit REFER subscription (RFC 3515 §2.4.4) with a sipfrag body.
    fn notify_refer(&mut self, now: Instant, dialog: DialogKey, status_line: &str, state: &str) {
        let Some(peer) = self.sip.dialogs.get(dialog).map(|d| d.peer().clone()) else {
            return;
        };
        let via = self.via_toward(&peer);
        let Ok(builder) = self.sip.dialogs.request(dialog, Method::Notify, via) else {
            return;
        };
        let Ok(contact) = NameAddr::parse(&self.contact_for(&peer, None)) else {
            return;
        };
        let request = builder
            .contact(contact)
            .header(HeaderName::Event, "refer")
            .header(HeaderName::SubscriptionState, state.to_owned())
            .body(
                "message/sipfrag;version=2.0",
                Bytes::from(format!("{status_line}\r\n")),
            )
            .build();
        if let Err(error) = self
            .sip
            .dialogs
            .send(now, &mut self.sip.layer, dialog, request)
        {
            tracing::debug!(%error, "NOTIFY not sent");
        }
    }

    fn resolve_target(
        &self,
        tenant: TenantId,
        to: &TransferTarget,
    ) -> Result<Resolved, TransferError> {
        match to {
            TransferTarget::Queue(name) => self
                .directory
                .tenants
                .get(&tenant)
                .filter(|t| t.queues_by_name.contains_key(name))
                .map(|_| Resolved::Queue(name.clone()))
                .ok_or(TransferError::UnknownTarget),
            TransferTarget::Agent(extension) => self
                .directory
                .agents
                .iter()
                .find(|(_, a)| a.tenant == tenant && a.extension.as_deref() == Some(extension))
                .map(|(user, _)| Resolved::Agent(*user))
                .ok_or(TransferError::UnknownTarget),
            TransferTarget::Number(number) => self.number_target(number).map(Resolved::Number),
        }
    }

    /// Ends the agent's leg of call `id` (BYE), starts their wrap-up, and puts the caller on
    /// hold music.
    pub(crate) fn release_agent(&mut self, now: Instant, id: CallRef, agent: UserId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let mut dialogs = Vec::new();
        for offer in &mut call.offers {
            if offer.state == OfferState::Answered {
                offer.state = OfferState::Cancelled;
                dialogs.extend(offer.dialog.take());
            }
        }
        call.agent = None;
        call.held = false;
        for dialog in dialogs {
            self.by_dialog.remove(&dialog);
            self.send_bye(now, dialog);
        }
        // A supervisor or conference party was on the agent's call: they leave with the agent.
        self.monitor_call_ending(now, id);
        let _ = self.acd.handle_input(
            now,
            acd::Input::CallEnded {
                agent: agent_id(agent),
            },
        );
        self.media_command(id, MediaCommand::DisconnectAgent);
        let playlist = self.hold_music.clone();
        self.media_command(id, MediaCommand::StartMoh { playlist });
    }

    /// The agent a call was transferred to answered: log it and bridge (the `acd` did not
    /// make this offer, so no `ContactAnswered` comes).
    pub(crate) fn transfer_answered(&mut self, id: CallRef, agent: UserId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let username = self
            .directory
            .agents
            .get(&agent)
            .map_or_else(String::new, |a| a.username.clone());
        let event = NewEvent::answered(interaction, crate::log::now_ms(), &username, agent);
        self.log_event(tenant, event);
        self.connect_agent(id);
    }

    /// Cancels the transfer offers that rang [`TRANSFER_RING`] unanswered; their callers go
    /// back to their queue.
    pub(crate) fn transfer_rings_due(&mut self, now: Instant) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.transfer_rings)
            .into_iter()
            .partition(|(at, _, _)| *at <= now);
        self.transfer_rings = later;
        for (_, id, key) in due {
            let Some(call) = self.calls.get_mut(&id) else {
                continue;
            };
            let Some(offer) = call
                .offers
                .iter_mut()
                .find(|b| b.invite == key && b.state == OfferState::Ringing)
            else {
                continue;
            };
            offer.state = OfferState::Cancelled;
            offer.socket = None;
            let agent = offer.agent;
            if let Err(error) = self.sip.layer.cancel(now, key) {
                tracing::debug!(%error, "CANCEL not sent (a final response came first)");
            }
            self.offer_missed(id, agent, "no_answer");
            self.transfer_unanswered(now, id);
        }
    }

    /// The agent a call was transferred to did not take it: the caller goes back, at the
    /// head, to the queue the call came from (or is hung up if it never was in one).
    pub(crate) fn transfer_unanswered(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.is_ending() {
            return;
        }
        let queue = call
            .queue
            .and_then(|q| self.directory.queues.get(&q))
            .map(|q| q.name.clone());
        match queue {
            Some(name) => self.enqueue(now, id, &name, Some(HEAD_PRIORITY)),
            None => self.end_call(now, id, super::call::EndReason::NoAgent, None),
        }
    }
}

/// The prefix of a queue's user part in a `Refer-To`: `sip:queue-support@...`.
const QUEUE_PREFIX: &str = "queue-";

/// Where a REFER sends the caller, or the status refusing it.
fn refer_target(request: &Request) -> Result<TransferTarget, StatusCode> {
    let value = request
        .headers
        .get(&HeaderName::ReferTo)
        .and_then(|v| v.to_str())
        .ok_or(StatusCode::BAD_REQUEST)?;
    let refer_to = NameAddr::parse(value.trim()).map_err(|_| StatusCode::BAD_REQUEST)?;
    let Uri::Sip(uri) = refer_to.uri else {
        // A tel: URI is an outside number: no trunk to reach it yet.
        return Err(StatusCode::NOT_FOUND);
    };
    if uri.headers.is_some() {
        // Headers for the INVITE to the target (`?Replaces=` is handled before).
        return Err(StatusCode::NOT_IMPLEMENTED);
    }
    let user = uri.user.ok_or(StatusCode::NOT_FOUND)?;
    Ok(match user.strip_prefix(QUEUE_PREFIX) {
        Some(queue) if !queue.is_empty() => TransferTarget::Queue(queue.to_owned()),
        // `sip:+33...@`: an outside number (extensions have no `+`).
        _ if user.starts_with('+') => TransferTarget::Number(user),
        _ => TransferTarget::Agent(user),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip::Message;

    fn refer(refer_to: Option<&str>) -> Request {
        let header = refer_to.map_or_else(String::new, |r| format!("Refer-To: {r}\r\n"));
        let text = format!(
            "REFER sip:pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1\r\n\
             From: <sip:1001@example.com>;tag=1\r\nTo: <sip:pbx.example.com>;tag=2\r\n\
             Call-ID: c\r\nCSeq: 2 REFER\r\n{header}Content-Length: 0\r\n\r\n"
        );
        match Message::parse_slice(text.as_bytes()).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn an_extension_in_refer_to_names_an_agent() {
        assert_eq!(
            refer_target(&refer(Some("<sip:1002@pbx.example.com>"))),
            Ok(TransferTarget::Agent("1002".to_owned()))
        );
    }

    #[test]
    fn a_plus_number_in_refer_to_is_an_outside_number() {
        assert_eq!(
            refer_target(&refer(Some("<sip:+33612345678@pbx.example.com>"))),
            Ok(TransferTarget::Number("+33612345678".to_owned()))
        );
    }

    #[test]
    fn a_queue_prefix_in_refer_to_names_a_queue() {
        assert_eq!(
            refer_target(&refer(Some("sip:queue-support@pbx.example.com"))),
            Ok(TransferTarget::Queue("support".to_owned()))
        );
    }

    #[test]
    fn other_uri_headers_in_refer_to_are_not_implemented() {
        let to = "<sip:1002@pbx.example.com?Priority=urgent>";
        assert_eq!(
            refer_target(&refer(Some(to))),
            Err(StatusCode::NOT_IMPLEMENTED)
        );
    }

    #[test]
    fn an_outside_number_is_not_found() {
        assert_eq!(
            refer_target(&refer(Some("<tel:+33123456789>"))),
            Err(StatusCode::NOT_FOUND)
        );
    }

    #[test]
    fn a_refer_without_refer_to_is_a_bad_request() {
        assert_eq!(refer_target(&refer(None)), Err(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn targets_read_as_the_log_writes_them() {
        assert_eq!(
            TransferTarget::Agent("1002".into()).to_string(),
            "agent:1002"
        );
        assert_eq!(
            TransferTarget::Queue("support".into()).to_string(),
            "queue:support"
        );
    }
}
