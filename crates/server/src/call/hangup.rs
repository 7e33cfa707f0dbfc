//! How a call ends, whoever ends it.
//!
//! 1. The call is marked ending with its reason (a caller hanging up while queued or ringing
//!    is an abandon); the `acd` hears it (`ContactAbandoned`: it withdraws a ringing offer and
//!    reports the wait, logged as `abandoned`; `CallEnded`: the agent's wrap-up starts).
//! 2. The other legs are ended: BYE to a leg with a dialog, CANCEL to a ringing offer; the
//!    media task is told to stop.
//! 3. Once the engines are drained (so `abandoned` precedes it), `ended{cause}` is queued with
//!    an ack. When it is durable, the BYEs received are answered 200 — a `kill -9` after that
//!    200 loses nothing.
//! 4. The media task's report brings the recording's length (`recording_stopped`, and the
//!    recording row's duration) and the legs' figures. The call then leaves the switchboard.

use std::time::Instant;

use serde_json::json;
use sip::Request;
use sip::StatusCode;
use sip::transaction::ServerKey;
use store::NewEvent;

use super::call::{EndReason, Ending, OfferState};
use super::switchboard::{AckPurpose, Board};
use crate::control::CallPhase;
use crate::log::LogEntry;
use crate::media::{CallRef, MediaCommand, MediaReport};

impl Board {
    /// Ends call `id` for `reason`; `bye` is the BYE that ended it, answered once the end is
    /// durable.
    pub(crate) fn end_call(
        &mut self,
        now: Instant,
        id: CallRef,
        reason: EndReason,
        bye: Option<(ServerKey, Request)>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            if let Some((key, request)) = bye {
                self.respond_status(now, key, &request, StatusCode::OK);
            }
            return;
        };
        if let Some(ending) = &mut call.ending {
            if let Some((key, request)) = bye {
                if ending.durable {
                    self.respond_status(now, key, &request, StatusCode::OK);
                } else {
                    ending.byes.push((key, request));
                }
            }
            return;
        }
        let phase = call.phase;
        let reason = match (reason, phase) {
            (EndReason::CallerHangup, CallPhase::Queued | CallPhase::Ringing) => {
                EndReason::Abandoned
            }
            (reason, _) => reason,
        };
        call.ending = Some(Ending {
            reason,
            logged: false,
            durable: false,
            media_stopped: call.media.is_none(),
            byes: bye.into_iter().collect(),
        });
        call.phase = CallPhase::Ending;
        call.ivr = None;
        call.ivr_armed = None;
        let contact = acd::ContactId(id.0);
        let agent = call.agent;

        let mut byes = Vec::new();
        if let Some(dialog) = call.a.dialog.take() {
            byes.push(dialog);
        }
        let mut cancels = Vec::new();
        for offer in &mut call.offers {
            match offer.state {
                OfferState::Ringing => {
                    offer.state = OfferState::Cancelled;
                    offer.socket = None;
                    cancels.push(offer.invite);
                }
                OfferState::Answered | OfferState::Cancelled => {
                    if let Some(dialog) = offer.dialog.take() {
                        byes.push(dialog);
                    }
                }
            }
        }
        if let Some(media) = &call.media {
            let _ = media.send(MediaCommand::Stop);
        }
        match phase {
            CallPhase::Queued | CallPhase::Ringing => {
                let _ = self
                    .acd
                    .handle_input(now, acd::Input::ContactAbandoned { contact });
            }
            CallPhase::Connected => {
                if let Some(agent) = agent {
                    let _ = self.acd.handle_input(
                        now,
                        acd::Input::CallEnded {
                            agent: super::directory::agent_id(agent),
                        },
                    );
                }
            }
            CallPhase::Ivr | CallPhase::Ending => {}
        }
        for dialog in byes {
            self.send_bye(now, dialog);
        }
        for key in cancels {
            let _ = self.sip.layer.cancel(now, key);
        }
        self.cancel_outbound(now, id);
        self.customer_call_ending(now, id);
        self.monitor_call_ending(now, id);
        self.to_log_ended.push(id);
    }

    /// Queues the `ended` events of the calls that ended since the engines were last drained.
    pub(crate) fn log_endings(&mut self) {
        let ended = std::mem::take(&mut self.to_log_ended);
        for id in ended {
            let Some(call) = self.calls.get_mut(&id) else {
                continue;
            };
            let Some(ending) = call.ending.as_mut().filter(|e| !e.logged) else {
                continue;
            };
            ending.logged = true;
            let reason = ending.reason;
            let event = reason.event(call.interaction, crate::log::now_ms());
            let cause = event
                .data
                .get("cause")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_owned();
            tracing::info!(interaction = %call.interaction, cause, "call ended");
            let entry = LogEntry::Event {
                tenant: call.tenant,
                event,
            };
            self.log_durably(entry, AckPurpose::Ended(id));
        }
    }

    /// A call's `ended` event is durable: answer the BYEs, and let it go if its media has.
    pub(crate) fn ended_durable(&mut self, now: Instant, id: CallRef) {
        let Some(ending) = self.calls.get_mut(&id).and_then(|c| c.ending.as_mut()) else {
            return;
        };
        ending.durable = true;
        let byes = std::mem::take(&mut ending.byes);
        for (key, request) in byes {
            self.respond_status(now, key, &request, StatusCode::OK);
        }
        self.try_remove(id);
    }

    /// The media task of call `id` ended, with its report.
    pub(crate) fn media_stopped(&mut self, now: Instant, id: CallRef, report: MediaReport) {
        if self.stale_callback_media(id) {
            // The media of a callback's caller, who hung up to be called back.
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.media = None;
        let (tenant, interaction) = (call.tenant, call.interaction);
        for (leg, figures) in ["caller", "agent"].iter().zip(report.legs.iter()) {
            if let Some(figures) = figures {
                tracing::info!(
                    interaction = %interaction,
                    leg,
                    packets_in = figures.counters.packets_in,
                    packets_out = figures.counters.packets_out,
                    dropped = figures.counters.dropped,
                    send_failures = figures.send_failures,
                    "media leg finished"
                );
            }
        }
        if let Some(recording) = call.recording.take() {
            let duration_ms = report
                .recording
                .as_ref()
                .map_or(0, |r| r.duration().as_millis() as i64);
            let _ = recording.finish.send(duration_ms);
            let mut event =
                NewEvent::recording_stopped(interaction, crate::log::now_ms(), &recording.path);
            event.data["duration_ms"] = json!(duration_ms);
            self.log_event(tenant, event);
        }
        match self.calls.get_mut(&id).and_then(|c| c.ending.as_mut()) {
            Some(ending) => {
                ending.media_stopped = true;
                self.try_remove(id);
            }
            None => {
                // The media task ended by itself: the call cannot go on.
                tracing::warn!(interaction = %interaction, "media ended during the call");
                self.end_call(now, id, EndReason::Error, None);
                if let Some(ending) = self.calls.get_mut(&id).and_then(|c| c.ending.as_mut()) {
                    ending.media_stopped = true;
                }
            }
        }
    }

    /// Removes call `id` once its end is durable and its media gone.
    fn try_remove(&mut self, id: CallRef) {
        if !self.calls.get(&id).is_some_and(|c| c.is_done()) {
            return;
        }
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        self.by_server.remove(&call.a.invite_key);
        if let Some(dialog) = call.a.dialog {
            self.by_dialog.remove(&dialog);
        }
        for offer in &call.offers {
            if let Some(dialog) = offer.dialog {
                self.by_dialog.remove(&dialog);
            }
        }
        self.metrics.set_calls_active(self.calls.len() as i64);
        if let Some(drain) = &mut self.drain {
            let drained = call
                .ending
                .as_ref()
                .is_some_and(|e| e.reason == EndReason::Drained);
            if drained {
                drain.report.cut.push(call.interaction);
            } else {
                drain.report.finished.push(call.interaction);
            }
        }
    }
}
