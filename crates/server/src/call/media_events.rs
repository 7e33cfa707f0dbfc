//! What the calls' media tasks report: the caller's keys and the ends of prompts go to the
//! IVR session; a silent leg ends the call; the task's final report closes the call's books.

use std::time::Instant;

use super::call::{ANNOUNCEMENT_IDS, EndReason};
use super::switchboard::Board;
use crate::media::{MediaEvent, MediaEventEnvelope};

impl Board {
    pub(crate) fn on_media(&mut self, now: Instant, envelope: MediaEventEnvelope) {
        let id = envelope.call;
        match envelope.event {
            MediaEvent::Digit { digit, .. } => {
                // Keys are the IVR's business only: during the talk they may be a card number.
                // A session waiting in a queue to continue after the call hears none either.
                let in_flow = self
                    .calls
                    .get(&id)
                    .is_some_and(|c| c.phase == crate::control::CallPhase::Ivr);
                if in_flow {
                    self.ivr_event(now, id, ivr::Event::Digit(digit.to_char()));
                } else {
                    // Waiting in a queue that offers callbacks: the offer's keys.
                    self.callback_digit(now, id, digit.to_char());
                }
            }
            MediaEvent::PlayFinished { id: play } if play.0 < ANNOUNCEMENT_IDS => {
                self.ivr_event(now, id, ivr::Event::PromptFinished(ivr::PlayId(play.0)));
            }
            MediaEvent::PlayFinished { id: play } => self.callback_play_finished(now, id, play),
            MediaEvent::PlayInterrupted { .. } => {}
            MediaEvent::RtpTimeout { leg } => {
                let Some(call) = self.calls.get(&id) else {
                    return;
                };
                if call.is_ending() {
                    return;
                }
                tracing::warn!(interaction = %call.interaction, ?leg, "no RTP from a leg; ending the call");
                self.metrics.error("rtp_timeout");
                self.end_call(now, id, EndReason::Error, None);
            }
            MediaEvent::RecordingMarked { marker } => {
                tracing::debug!(call = id.0, ?marker, "recording marked");
            }
            MediaEvent::RecordingFailed { reason } => {
                self.metrics.error("recording");
                // The reason names the file, which says whose call it is: only the cause at
                // its end (the system's error) is logged.
                let cause = reason.rsplit(": ").next().unwrap_or_default();
                tracing::warn!(
                    call = id.0,
                    cause,
                    "recording failed; the call goes on unrecorded"
                );
            }
            MediaEvent::Stopped(report) => self.media_stopped(now, id, *report),
        }
    }
}
