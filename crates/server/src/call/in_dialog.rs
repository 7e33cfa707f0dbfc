//! Requests inside a call (other than BYE): a re-INVITE is answered from the leg's own SDP
//! session and the media task follows the new address or codec; when the agent's re-INVITE
//! holds the call (`sendonly`/`inactive`), the caller hears the hold music and `hold` is
//! logged (`unhold` when it resumes). INFO and OPTIONS are acknowledged; an UPDATE or a
//! re-INVITE without an offer, or with one we cannot take, gets 488; other methods 405.

use std::time::Instant;

use bytes::Bytes;
use media::bridge::LegId;
use sip::dialog::DialogKey;
use sip::sdp::SessionDescription;
use sip::transaction::ServerKey;
use sip::{HeaderName, Method, Request, Response, StatusCode};
use store::NewEvent;

use super::inbound_call::leg_config;
use super::switchboard::{Board, Leg};
use crate::media::{LegMedia, MediaCommand};
use crate::sip::options;

impl Board {
    pub(crate) fn on_in_dialog(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        dialog: DialogKey,
    ) {
        match request.method {
            Method::Invite => self.reinvite(now, key, request, dialog),
            Method::Refer => self.on_refer(now, key, request, dialog),
            Method::Options | Method::Info => {
                self.respond_status(now, key, &request, StatusCode::OK);
            }
            Method::Update if request.body.is_empty() => {
                self.respond_status(now, key, &request, StatusCode::OK);
            }
            Method::Update => {
                self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
            }
            _ => {
                let tag = self.sip.layer.new_tag();
                let response = options::refuse_method(&request, &tag);
                self.respond(now, key, &request, response);
            }
        }
    }

    fn reinvite(&mut self, now: Instant, key: ServerKey, request: Request, dialog: DialogKey) {
        if self.consult_reinvite(now, key, &request, dialog)
            || self.monitor_reinvite(now, key, &request, dialog)
        {
            return;
        }
        let Some(&(id, leg)) = self.by_dialog.get(&dialog) else {
            self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            return;
        };
        let offer = match SessionDescription::parse(&request.body) {
            Ok(offer) if !request.body.is_empty() => offer,
            _ => {
                self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
                return;
            }
        };
        let Some(call) = self.calls.get_mut(&id) else {
            self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
            return;
        };
        let answered = match leg {
            Leg::A => call.a.sdp.answer(&offer, &call.a.media),
            Leg::B => match call.offers.iter_mut().find(|b| b.dialog == Some(dialog)) {
                Some(b) => b.sdp.answer(&offer, &b.media),
                None => {
                    self.respond_status(now, key, &request, StatusCode::CALL_DOES_NOT_EXIST);
                    return;
                }
            },
        };
        let Ok((answer, negotiated)) = answered else {
            self.respond_status(now, key, &request, StatusCode::NOT_ACCEPTABLE_HERE);
            return;
        };
        let holds = !negotiated.direction.sends() || negotiated.remote.ip().is_unspecified();
        let was_held = call.held;
        let (tenant, interaction) = (call.tenant, call.interaction);
        let media_leg = match leg {
            Leg::A => LegId::A,
            Leg::B => LegId::B,
        };
        if let Some(config) = leg_config(&negotiated) {
            self.media_command(
                id,
                MediaCommand::UpdateRemote {
                    leg: media_leg,
                    media: LegMedia {
                        remote: negotiated.remote,
                        config,
                    },
                },
            );
        }
        if leg == Leg::B && holds != was_held {
            if let Some(call) = self.calls.get_mut(&id) {
                call.held = holds;
            }
            let at = crate::log::now_ms();
            let (command, event) = if holds {
                (
                    MediaCommand::Hold { leg: LegId::A },
                    NewEvent::hold(interaction, at),
                )
            } else {
                (
                    MediaCommand::Unhold { leg: LegId::A },
                    NewEvent::unhold(interaction, at),
                )
            };
            self.media_command(id, command);
            self.log_event(tenant, event);
        }
        self.accept_reinvite(now, key, &request, dialog, &answer);
    }

    /// Answers a re-INVITE of `dialog` 200 with our Contact and `answer`: the one way every
    /// leg (caller, agent, consulted agent, supervisor) accepts a new offer.
    pub(crate) fn accept_reinvite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
        answer: &SessionDescription,
    ) {
        let tag = self.sip.layer.new_tag();
        let mut ok = Response::for_request(request, StatusCode::OK, Some(&tag));
        if let Some(peer) = self.sip.dialogs.get(dialog).map(|d| d.peer().clone()) {
            ok.headers
                .push(HeaderName::Contact, self.contact_for(&peer, None));
        }
        ok.set_body("application/sdp", Bytes::from(answer.to_bytes()));
        self.respond(now, key, request, ok);
    }
}
