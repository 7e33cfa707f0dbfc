//! What the switchboard does with each transaction event (after the dialogs have seen it):
//! new requests by method, responses to our INVITEs and BYEs, timeouts and transport errors,
//! overload. Requests inside a call go to [`super::in_dialog`], INVITEs to
//! [`super::inbound_call`], offers' responses to [`super::offer`].

use std::time::Instant;

use sip::dialog::{DialogEvent, DialogKey, DialogUpdate};
use sip::header::Via;
use sip::transaction::{ClientKey, Peer, ServerKey, TxEvent, TxKey};
use sip::{HeaderName, Host, Message, Method, Request, Response, StatusCode};

use super::call::EndReason;
use super::switchboard::{Board, Leg};
use crate::sip::options;
use crate::sip::registrar::{Decision, Register};

impl Board {
    pub(crate) fn on_tx_event(&mut self, now: Instant, event: TxEvent, update: DialogUpdate) {
        match event {
            TxEvent::Request {
                key,
                request,
                source,
            } => self.on_request(now, key, request, source, update),
            TxEvent::Cancelled { invite, .. } => self.on_cancelled(now, invite),
            TxEvent::Ack { .. } => {
                if let DialogUpdate::Ack(dialog) = update {
                    self.on_ack_received(now, dialog);
                }
            }
            TxEvent::Response { key, response } => self.on_response(now, key, &response, update),
            TxEvent::StrayResponse { .. } => {}
            TxEvent::Timeout { key } | TxEvent::TransportError { key } => {
                if let TxKey::Client(key) = key {
                    self.on_client_failure(now, key, update);
                }
            }
            TxEvent::Terminated { key } => match key {
                TxKey::Client(key) => self.forget_client(key),
                TxKey::Server(key) => {
                    self.by_server.remove(&key);
                }
            },
            TxEvent::Overloaded { request, reply_to } => {
                self.metrics.error("sip_overload");
                if request.method != Method::Ack {
                    let mut response = Response::for_request(
                        &request,
                        StatusCode::SERVICE_UNAVAILABLE,
                        Some("overload"),
                    );
                    response.headers.push(
                        HeaderName::RetryAfter,
                        crate::sip::transport_udp::OVERLOAD_RETRY_AFTER,
                    );
                    self.sip
                        .layer
                        .send_stateless(&Message::Response(response), reply_to);
                }
            }
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
        update: DialogUpdate,
    ) {
        match update {
            // The dialogs answered it (481, or 500 for a CSeq out of order).
            DialogUpdate::Rejected(_) => return,
            DialogUpdate::Ended(dialog) => return self.on_bye(now, key, request, dialog),
            DialogUpdate::Request(dialog) => return self.on_in_dialog(now, key, request, dialog),
            _ => {}
        }
        match request.method {
            Method::Invite => match self.internal_parties(&request, &source) {
                Some(parties) => self.on_internal_invite(now, key, request, source, parties),
                None => self.on_invite(now, key, request, source),
            },
            Method::Register => self.on_register(now, key, request, source),
            Method::Options => {
                let tag = self.sip.layer.new_tag();
                let response = options::answer(&request, &tag);
                self.respond(now, key, &request, response);
            }
            // A request that belongs in a dialog, outside any (no To tag).
            Method::Bye | Method::Info | Method::Update | Method::Prack => {
                self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            }
            _ => {
                let tag = self.sip.layer.new_tag();
                let response = options::refuse_method(&request, &tag);
                self.respond(now, key, &request, response);
            }
        }
    }

    /// Sends a response in a server transaction (through the dialogs, which create or
    /// update a dialog from it).
    pub(crate) fn respond(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        response: Response,
    ) -> Option<DialogKey> {
        match self
            .sip
            .dialogs
            .respond(now, &mut self.sip.layer, key, request, response)
        {
            Ok(dialog) => dialog,
            Err(error) => {
                tracing::debug!(%error, "response not sent");
                None
            }
        }
    }

    /// A response with just a status (and our tag).
    pub(crate) fn respond_status(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        status: StatusCode,
    ) {
        let tag = self.sip.layer.new_tag();
        let response = Response::for_request(request, status, Some(&tag));
        self.respond(now, key, request, response);
    }

    fn on_register(&mut self, now: Instant, key: ServerKey, request: Request, source: Peer) {
        let tag = self.sip.layer.new_tag();
        let reg = Register {
            request: &request,
            source: &source,
            tag: &tag,
            now,
            wall: self.wall(),
            now_ms: crate::log::now_ms(),
        };
        match self
            .registrar
            .register(&reg, &self.directory, &mut self.location)
        {
            Decision::Respond(response) => {
                let _ = self.sip.layer.send_response(now, key, response);
            }
            Decision::Persist {
                tenant,
                rows,
                response,
            } => self.registrations.push((tenant, rows, key, response)),
        }
    }

    /// A BYE in a call's dialog (the dialog is already gone).
    fn on_bye(&mut self, now: Instant, key: ServerKey, request: Request, dialog: DialogKey) {
        if self.consult_bye(now, key, &request, dialog)
            || self.monitor_bye(now, key, &request, dialog)
        {
            return;
        }
        let Some((call, leg)) = self.by_dialog.remove(&dialog) else {
            // A BYE crossing ours, or for a call already gone: it is over either way.
            self.respond_status(now, key, &request, StatusCode::OK);
            return;
        };
        if let Some(c) = self.calls.get_mut(&call) {
            match leg {
                Leg::A => c.a.dialog = None,
                Leg::B => {
                    for offer in &mut c.offers {
                        if offer.dialog == Some(dialog) {
                            offer.dialog = None;
                        }
                    }
                }
            }
        }
        if self.callback_leg_left(now, call, leg) {
            // A callback's caller hanging up after booking it, or its agent before the
            // customer answered: the interaction goes on.
            self.respond_status(now, key, &request, StatusCode::OK);
            return;
        }
        if leg == Leg::B && self.return_to_flow(now, call) {
            // The caller stays, for an after-call survey: nothing to wait for before the 200.
            self.respond_status(now, key, &request, StatusCode::OK);
            return;
        }
        let reason = match leg {
            Leg::A => EndReason::CallerHangup,
            Leg::B => EndReason::AgentHangup,
        };
        self.end_call(now, call, reason, Some((key, request)));
    }

    /// A CANCEL reached an INVITE we had not answered yet.
    fn on_cancelled(&mut self, now: Instant, invite: ServerKey) {
        if self.consult_cancelled(now, invite) {
            return;
        }
        let Some(call) = self.by_server.get(&invite).copied() else {
            return;
        };
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if c.a.dialog.is_none() {
            let request = c.a.invite.clone();
            self.respond_status(now, invite, &request, StatusCode::REQUEST_TERMINATED);
            self.end_call(now, call, EndReason::CallerHangup, None);
        }
    }

    fn on_response(
        &mut self,
        now: Instant,
        key: ClientKey,
        response: &Response,
        update: DialogUpdate,
    ) {
        if let DialogUpdate::Ended(dialog) = update {
            // Our BYE's answer (or a 481/408 to a request in the dialog).
            self.by_dialog.remove(&dialog);
            return;
        }
        if self.by_client.contains_key(&key) {
            self.on_offer_response(now, key, response, update);
        } else if self.consults.by_client.contains_key(&key) {
            self.on_consult_response(now, key, response, update);
        } else if self.monitors.has_client(key) {
            self.on_monitor_response(now, key, response, update);
        } else if self.outbound.contains(key) {
            self.on_outbound_response(now, key, response, update);
        }
    }

    fn on_client_failure(&mut self, now: Instant, key: ClientKey, update: DialogUpdate) {
        if let DialogUpdate::Ended(dialog) = update {
            self.by_dialog.remove(&dialog);
            return;
        }
        if update == DialogUpdate::Failed && self.by_client.contains_key(&key) {
            self.on_offer_unreachable(now, key);
        } else if update == DialogUpdate::Failed && self.consults.by_client.contains_key(&key) {
            self.on_consult_failure(now, key);
        } else if update == DialogUpdate::Failed && self.monitors.has_client(key) {
            self.on_monitor_failure(key);
        } else if self.outbound.contains(key) {
            self.on_outbound_unreachable(now, key);
        }
    }

    pub(crate) fn on_dialog_event(&mut self, now: Instant, event: DialogEvent) {
        let DialogEvent::AckTimeout { dialog } = event;
        let Some(&(call, _)) = self.by_dialog.get(&dialog) else {
            return;
        };
        tracing::warn!(call = call.0, "no ACK for our 200; hanging up");
        self.metrics.error("sip_ack_timeout");
        self.end_call(now, call, EndReason::Error, None);
    }

    /// Sends BYE in `dialog`.
    pub(crate) fn send_bye(&mut self, now: Instant, dialog: DialogKey) {
        let Some(peer) = self.sip.dialogs.get(dialog).map(|d| d.peer().clone()) else {
            return;
        };
        let via = self.via_toward(&peer);
        let request = match self.sip.dialogs.request(dialog, Method::Bye, via) {
            Ok(builder) => builder.build(),
            Err(_) => return,
        };
        if let Err(error) = self
            .sip
            .dialogs
            .send(now, &mut self.sip.layer, dialog, request)
        {
            tracing::debug!(%error, "BYE not sent");
        }
    }

    /// A Via for a request of ours to `peer`, with a fresh branch and `rport`.
    pub(crate) fn via_toward(&mut self, peer: &Peer) -> Via {
        let local = self.sip.local_for(peer);
        let branch = self.sip.layer.new_branch();
        let mut via = Via::new(
            peer.transport.clone(),
            Host::from(local.ip()),
            Some(local.port()),
            &branch,
        );
        via.params.set("rport", None);
        via
    }
}
