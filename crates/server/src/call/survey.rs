//! After-call surveys: when the agent hangs up a call whose flow goes on after the call (a
//! `queue` node with `after_call`, see `docs/ivr.md`), the caller is not hung up. The agent's
//! leg ends and their wrap-up starts as usual, the media task drops the agent's leg so the
//! caller hears prompts again, and the IVR session, kept while the call was queued and
//! talking, hears [`ivr::Event::AgentHungUp`] and plays the survey; `after_call` is logged
//! (the CDR's talk time ends there, not with the survey). The answer is logged as a `survey`
//! event (`{survey, score}`), from which the CSAT KPI is computed (share of 4 and 5).
//! The call ends when the flow hangs up (`ended{cause: agent_hangup}`: the conversation was
//! the agent's to end) or when the caller does (`caller_hangup`).

use std::time::Instant;

use super::call::OfferState;
use super::directory::agent_id;
use super::switchboard::Board;
use crate::control::CallPhase;
use crate::media::{CallRef, MediaCommand};

impl Board {
    /// The agent of call `id` hung up (their dialog is already gone). Returns whether the
    /// caller goes back to the flow; when not, the call ends as usual.
    pub(crate) fn return_to_flow(&mut self, now: Instant, id: CallRef) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let waiting = call
            .ivr
            .as_ref()
            .is_some_and(|session| !session.is_finished());
        if call.phase != CallPhase::Connected || call.is_ending() || !waiting {
            return false;
        }
        call.phase = CallPhase::Ivr;
        call.held = false;
        for offer in &mut call.offers {
            if offer.state == OfferState::Answered {
                offer.state = OfferState::Cancelled;
            }
        }
        let agent = call.agent;
        let (tenant, interaction) = (call.tenant, call.interaction);
        if let Some(agent) = agent {
            let _ = self.acd.handle_input(
                now,
                acd::Input::CallEnded {
                    agent: agent_id(agent),
                },
            );
        }
        tracing::info!(interaction = %interaction, "agent hung up; the caller goes on in the flow");
        let event = store::NewEvent::after_call(interaction, crate::log::now_ms());
        self.log_event(tenant, event);
        self.media_command(id, MediaCommand::DisconnectAgent);
        self.ivr_event(now, id, ivr::Event::AgentHungUp);
        true
    }
}
