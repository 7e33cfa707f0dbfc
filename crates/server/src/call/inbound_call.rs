//! A new call: the INVITE is checked (number, flow, SDP offer), answered with our SDP from a
//! fresh RTP port, the media task starts for the caller's leg, and the interaction is logged
//! (`arrived`). The flow starts when the caller's ACK arrives.
//!
//! Refusals: draining → 503 with `Retry-After`; a number we do not have → 404; its flow did
//! not load → 480; no offer, a broken one or one we cannot take → 488 with a `Warning` saying
//! why; no RTP port or a full interaction log → 503.

use std::time::Instant;

use bytes::Bytes;
use media::bridge::LegConfig;
use serde_json::json;
use sip::sdp::{Codec, LocalMedia, LocalSession, Negotiated, SessionDescription};
use sip::transaction::{Peer, ServerKey};
use sip::{HeaderName, Request, Response, StatusCode, Uri};
use store::{EventKind, InteractionId, NewEvent, NewInteraction};

use super::call::{Call, LegA};
use super::number;
use super::switchboard::{Board, Leg};
use crate::control::CallPhase;
use crate::log::LogEntry;
use crate::media::LegMedia;
use crate::redact;
use crate::sip::options;

/// Seconds a caller is asked to wait before calling again while we drain.
const DRAIN_RETRY_AFTER: &str = "60";

impl Board {
    pub(crate) fn on_invite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
    ) {
        if self.drain.is_some() {
            let tag = self.sip.layer.new_tag();
            let mut response =
                Response::for_request(&request, StatusCode::SERVICE_UNAVAILABLE, Some(&tag));
            response
                .headers
                .push(HeaderName::RetryAfter, DRAIN_RETRY_AFTER);
            self.respond(now, key, &request, response);
            return;
        }
        let dialled = dialled(&request);
        let Some(e164) = dialled.as_deref().and_then(number::normalize) else {
            self.refuse_call(now, key, &request, StatusCode::NOT_FOUND, "not a number");
            return;
        };
        let Some(route) = self.directory.route(&e164).cloned() else {
            tracing::info!(dialed = %redact::phone(&e164), "call to a number we do not have");
            self.refuse_call(now, key, &request, StatusCode::NOT_FOUND, "unknown number");
            return;
        };
        let flow = self
            .directory
            .flow(route.flow_id)
            .and_then(|f| f.flow.clone().map(|flow| (flow, f.version)));
        let Some((flow, flow_version)) = flow else {
            tracing::error!(dialed = %redact::phone(&e164), "the number's flow is missing or did not load; call refused");
            self.refuse_call(
                now,
                key,
                &request,
                StatusCode::TEMPORARILY_UNAVAILABLE,
                "flow unavailable",
            );
            return;
        };
        if request.body.is_empty() {
            self.refuse_sdp(now, key, &request, 399, "an SDP offer is required");
            return;
        }
        let offer = match SessionDescription::parse(&request.body) {
            Ok(offer) => offer,
            Err(error) => {
                self.refuse_sdp(now, key, &request, 399, &format!("malformed SDP: {error}"));
                return;
            }
        };
        let socket = match self.rtp.allocate() {
            Ok(socket) => socket,
            Err(error) => {
                self.metrics.error("rtp_ports");
                tracing::warn!(%error, "no RTP port for a new call");
                self.refuse_call(
                    now,
                    key,
                    &request,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no media port",
                );
                return;
            }
        };
        let local = LocalMedia::new(
            self.sdp_address(source.addr.ip()),
            socket.port(),
            vec![Codec::PCMA, Codec::PCMU],
        );
        let mut sdp = LocalSession::new(self.session_id());
        let (answer, negotiated) = match sdp.answer(&offer, &local) {
            Ok(answered) => answered,
            Err(error) => {
                self.refuse_sdp(now, key, &request, error.warning_code(), &error.to_string());
                return;
            }
        };
        let Some(config) = leg_config(&negotiated) else {
            self.refuse_sdp(now, key, &request, 305, "no common codec");
            return;
        };

        let now_ms = crate::log::now_ms();
        let Ok(interaction) = InteractionId::generate(now_ms) else {
            self.refuse_call(
                now,
                key,
                &request,
                StatusCode::SERVER_INTERNAL_ERROR,
                "no id",
            );
            return;
        };
        let tenant = route.tenant_id;
        let caller = caller(&request);
        let created = LogEntry::Interaction {
            tenant,
            interaction: NewInteraction::inbound_call(interaction, &caller, &e164, now_ms),
        };
        if self.log.try_log(created).is_err() {
            // Refuse rather than take a call whose end could not be logged.
            self.metrics.error("log_full");
            self.refuse_call(
                now,
                key,
                &request,
                StatusCode::SERVICE_UNAVAILABLE,
                "log full",
            );
            return;
        }
        let arrived = NewEvent::new(
            interaction,
            now_ms,
            EventKind::Arrived,
            json!({ "source": source.addr.to_string() }),
        );
        self.log_event(tenant, arrived);

        let id = self.new_call_ref();
        let media = self.media.start_call(
            id,
            socket,
            LegMedia {
                remote: negotiated.remote,
                config,
            },
        );
        let tag = self.sip.layer.new_tag();
        let mut ok = Response::for_request(&request, StatusCode::OK, Some(&tag));
        ok.headers
            .push(HeaderName::Contact, self.contact_for(&source, Some(&e164)));
        ok.headers.push(HeaderName::Allow, options::ALLOW);
        ok.set_body("application/sdp", Bytes::from(answer.to_bytes()));
        let dialog = self.respond(now, key, &request, ok);
        let call = Call {
            interaction,
            tenant,
            phase: CallPhase::Ivr,
            flow,
            flow_version,
            caller,
            dialed: e164,
            a: LegA {
                invite_key: key,
                invite: request,
                dialog,
                acked: false,
                sdp,
                media: local,
                codec: negotiated.codec,
            },
            offers: Vec::new(),
            media: Some(media),
            ivr: None,
            ivr_armed: None,
            held: false,
            queue: None,
            agent: None,
            recording: None,
            ending: None,
            next_announcement: super::call::ANNOUNCEMENT_IDS,
            queue_language: None,
            callback: super::callback::CallbackState::default(),
        };
        tracing::info!(
            interaction = %interaction,
            caller = %redact::phone(&call.caller),
            dialed = %redact::phone(&call.dialed),
            "call answered"
        );
        self.calls.insert(id, call);
        self.by_server.insert(key, id);
        self.metrics.set_calls_active(self.calls.len() as i64);
        match dialog {
            Some(dialog) => {
                self.by_dialog.insert(dialog, (id, Leg::A));
            }
            None => {
                tracing::error!(interaction = %interaction, "our 200 made no dialog; ending the call");
                self.end_call(now, id, super::call::EndReason::Error, None);
            }
        }
    }

    /// The ACK of a 200 of ours: the caller's leg is up, its flow starts.
    pub(crate) fn on_ack_received(&mut self, now: Instant, dialog: sip::dialog::DialogKey) {
        let Some(&(id, Leg::A)) = self.by_dialog.get(&dialog) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.a.acked || call.is_ending() {
            return;
        }
        call.a.acked = true;
        if call.phase == CallPhase::Ivr && call.ivr.is_none() {
            self.start_ivr(now, id);
        }
    }

    fn refuse_call(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        status: StatusCode,
        why: &str,
    ) {
        self.metrics.error("call_refused");
        tracing::debug!(status = status.as_u16(), why, "call refused");
        self.respond_status(now, key, request, status);
    }

    /// 488 with a `Warning` header (RFC 3261 §20.43) naming what is wrong with the offer.
    fn refuse_sdp(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        code: u16,
        why: &str,
    ) {
        self.metrics.error("sdp");
        tracing::info!(why, "INVITE refused: unusable SDP offer");
        let tag = self.sip.layer.new_tag();
        let mut response =
            Response::for_request(request, StatusCode::NOT_ACCEPTABLE_HERE, Some(&tag));
        response
            .headers
            .push(HeaderName::Warning, warning(code, why));
        self.respond(now, key, request, response);
    }

    /// Our Contact toward `peer` (`user` as the user part, when given).
    pub(crate) fn contact_for(&mut self, peer: &Peer, user: Option<&str>) -> String {
        let local = self.sip.local_for(peer);
        let host = match local {
            std::net::SocketAddr::V4(v4) => v4.to_string(),
            std::net::SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
        };
        let transport = match peer.transport {
            sip::header::Transport::Tcp => ";transport=tcp",
            _ => "",
        };
        match user {
            Some(user) => format!("<sip:{}@{host}{transport}>", user_part(user)),
            None => format!("<sip:plateau@{host}{transport}>"),
        }
    }

    /// The address our SDP carries toward `peer`: the RTP bind address when it is a
    /// specific one, else our address toward the peer.
    pub(crate) fn sdp_address(&mut self, peer: std::net::IpAddr) -> std::net::IpAddr {
        let ip = self.config.rtp.ip;
        if ip.is_unspecified() {
            self.sip.local.toward(peer)
        } else {
            ip
        }
    }

    /// Queues an interaction event (not waited for).
    pub(crate) fn log_event(&mut self, tenant: store::TenantId, event: NewEvent) {
        if self.log.try_log(LogEntry::Event { tenant, event }).is_err() {
            self.metrics.error("log_full");
            tracing::warn!("interaction log full: an event was not logged");
        }
    }
}

/// The number dialled: the Request-URI's user part (or tel number), else the To URI's.
fn dialled(request: &Request) -> Option<String> {
    uri_number(&request.uri).or_else(|| uri_number(&request.headers.to().ok()?.uri))
}

fn uri_number(uri: &Uri) -> Option<String> {
    match uri {
        Uri::Sip(sip) => sip
            .user_decoded()
            .and_then(|user| String::from_utf8(user.into_owned()).ok()),
        Uri::Tel(tel) => Some(tel.number.clone()),
        Uri::Other(_) => None,
    }
}

/// The caller's number or name as the From header gives it.
fn caller(request: &Request) -> String {
    request
        .headers
        .from()
        .ok()
        .and_then(|from| uri_number(&from.uri))
        .filter(|user| !user.is_empty())
        .unwrap_or_else(|| "anonymous".to_owned())
}

/// A user part safe to write in a URI of ours: characters outside the unreserved set and
/// `+*#` are dropped.
pub(crate) fn user_part(user: &str) -> String {
    let safe: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*' | '#' | '-' | '_' | '.'))
        .collect();
    if safe.is_empty() {
        "anonymous".to_owned()
    } else {
        safe
    }
}

/// A `Warning` header value: `399 plateau "why"`.
fn warning(code: u16, why: &str) -> String {
    let text: String = why
        .chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '\''
            } else {
                c
            }
        })
        .collect();
    format!("{code} plateau \"{text}\"")
}

/// The media layer's view of what the SDP negotiated.
pub(crate) fn leg_config(negotiated: &Negotiated) -> Option<LegConfig> {
    let codec = match negotiated.codec.encoding {
        e if e.eq_ignore_ascii_case("PCMA") => media::g711::Codec::Pcma,
        e if e.eq_ignore_ascii_case("PCMU") => media::g711::Codec::Pcmu,
        _ => return None,
    };
    Some(LegConfig {
        codec,
        payload_type: negotiated.payload_type,
        telephone_event: negotiated.telephone_event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_quote_their_text_safely() {
        assert_eq!(
            warning(399, "line 3: \"x\"\r\n"),
            "399 plateau \"line 3: 'x'''\""
        );
    }

    #[test]
    fn user_parts_keep_only_safe_characters() {
        assert_eq!(user_part("+33 6 12"), "+33612");
        assert_eq!(user_part("<>"), "anonymous");
    }
}
