//! Calls in queues: handing a call to the `acd` (`ContactArrived`, hold music, `queued`), and
//! carrying out what the engine decides — offers to agents ([`super::offer`]), cancelled
//! offers, answers, callers leaving, position announcements over the hold music, and every
//! agent state change (agent log and metrics).

use std::time::Instant;

use acd::{AgentState, ContactId, Input, LeaveReason, Output};
use serde_json::json;
use store::{EventKind, NewAgentEvent, NewEvent};

use super::call::EndReason;
use super::directory::{acd_queue, user_id};
use super::switchboard::Board;
use crate::control::CallPhase;
use crate::log::LogEntry;
use crate::media::{CallRef, MediaCommand, PlayId};

/// The prompts around the position in an announcement.
const YOU_ARE_NUMBER: &str = media::prompt::standard::YOU_ARE_NUMBER;
const IN_THE_QUEUE: &str = media::prompt::standard::IN_THE_QUEUE;

impl Board {
    /// The flow hands the call to `queue`.
    pub(crate) fn enqueue(&mut self, now: Instant, id: CallRef, queue: &str, priority: Option<u8>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let found = self
            .directory
            .tenants
            .get(&call.tenant)
            .and_then(|t| t.queues_by_name.get(queue))
            .copied();
        let Some(queue_id) = found else {
            tracing::error!(interaction = %call.interaction, queue, "the flow names a queue that does not exist");
            self.end_call(now, id, EndReason::Error, None);
            return;
        };
        call.ivr = None;
        call.ivr_armed = None;
        call.queue = Some(queue_id);
        call.phase = CallPhase::Queued;
        let (tenant, interaction) = (call.tenant, call.interaction);
        let arrived = self.acd.handle_input(
            now,
            Input::ContactArrived {
                contact: ContactId(id.0),
                queue: acd_queue(queue_id),
                priority: priority.map_or(0, i32::from),
            },
        );
        if let Err(error) = arrived {
            tracing::error!(interaction = %interaction, %error, "the acd refused the call");
            self.end_call(now, id, EndReason::Error, None);
            return;
        }
        self.log_event(
            tenant,
            NewEvent::queued(interaction, crate::log::now_ms(), queue),
        );
        let playlist = self.hold_music.clone();
        self.media_command(id, MediaCommand::StartMoh { playlist });
    }

    pub(crate) fn on_acd(&mut self, now: Instant, output: Output) {
        match output {
            Output::Offer { contact, agent, .. } => self.offer(now, contact, agent),
            Output::OfferTimedOut { contact, agent } => {
                self.cancel_offer(now, CallRef(contact.0), Some("no_answer"), agent);
            }
            Output::OfferWithdrawn { contact, agent } => {
                self.cancel_offer(now, CallRef(contact.0), None, agent);
            }
            Output::ContactAnswered {
                contact,
                agent,
                waited,
                ..
            } => {
                let Some(call) = self.calls.get(&CallRef(contact.0)) else {
                    return;
                };
                let user = user_id(agent);
                let username = self
                    .directory
                    .agents
                    .get(&user)
                    .map_or_else(String::new, |a| a.username.clone());
                let mut event =
                    NewEvent::answered(call.interaction, crate::log::now_ms(), &username, user);
                event.data["waited_ms"] = json!(waited.as_millis() as u64);
                let tenant = call.tenant;
                self.log_event(tenant, event);
                self.connect_agent(CallRef(contact.0));
            }
            Output::ContactLeft {
                contact,
                reason,
                waited,
                ..
            } => self.contact_left(now, CallRef(contact.0), reason, waited),
            Output::AnnouncePosition {
                contact, position, ..
            } => self.announce(CallRef(contact.0), position),
            Output::AgentStateChanged {
                agent,
                from,
                to,
                cause,
                ..
            } => self.agent_changed(agent, &from, &to, cause),
            Output::WrapUpExtended { .. } => {}
            // Not produced until the server configures overflow and offers callbacks (acd
            // issue 5 API, still to wire).
            Output::DialCallback { .. } | Output::ContactOverflowed { .. } => {}
        }
    }

    fn contact_left(
        &mut self,
        now: Instant,
        id: CallRef,
        reason: LeaveReason,
        waited: std::time::Duration,
    ) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        match reason {
            LeaveReason::Abandoned => {
                // A call cut by the drain or a failure did not abandon: its `ended` says why.
                let abandoned = call
                    .ending
                    .as_ref()
                    .is_none_or(|e| e.reason == EndReason::Abandoned);
                if abandoned {
                    let event = NewEvent::new(
                        interaction,
                        crate::log::now_ms(),
                        EventKind::Abandoned,
                        json!({ "waited_ms": waited.as_millis() as u64 }),
                    );
                    self.log_event(tenant, event);
                }
            }
            LeaveReason::QueueFull
            | LeaveReason::MaxWait
            | LeaveReason::NoAgents
            | LeaveReason::CallbackFailed => {
                tracing::info!(interaction = %interaction, reason = reason.as_str(), "the queue let the call go");
                self.end_call(now, id, EndReason::NoAgent, None);
            }
        }
    }

    /// "You are number N in the queue", over the hold music.
    fn announce(&mut self, id: CallRef, position: usize) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != CallPhase::Queued && call.phase != CallPhase::Ringing {
            return;
        }
        call.next_announcement += 1;
        let play = PlayId(call.next_announcement);
        let language = call.flow.language().to_owned();
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        let lang = media::prompt::Language::from_code(&language)
            .unwrap_or(media::prompt::Language::English);
        let built = Ok(media::playback::Sequence::builder(&self.library, lang).barge_in(false))
            .and_then(|b| b.prompt(YOU_ARE_NUMBER))
            .and_then(|b| b.number(position))
            .and_then(|b| b.prompt(IN_THE_QUEUE));
        match built {
            Ok(builder) => self.media_command(
                id,
                MediaCommand::Play {
                    id: play,
                    sequence: builder.build(),
                },
            ),
            Err(error) => {
                self.metrics.error("prompt_missing");
                tracing::warn!(%error, "position announcement not played");
            }
        }
    }

    fn agent_changed(
        &mut self,
        agent: acd::AgentId,
        from: &AgentState,
        to: &AgentState,
        cause: acd::ChangeCause,
    ) {
        let user = user_id(agent);
        for (kind, delta) in [(from.kind(), -1), (to.kind(), 1)] {
            let count = self.agents_by_state.entry(kind).or_insert(0);
            *count += delta;
            self.metrics.set_agents(kind, *count);
        }
        let Some(entry) = self.directory.agents.get(&user) else {
            return;
        };
        let tenant = entry.tenant;
        let reason = match to {
            AgentState::NotReady { reason } => Some(reason.as_str()),
            _ => None,
        };
        let mut event = NewAgentEvent::state_changed(
            user,
            crate::log::now_ms(),
            from.kind().as_str(),
            to.kind().as_str(),
            reason,
        );
        event.data["cause"] = json!(cause.as_str());
        let contact = match to {
            AgentState::Ringing { contact, .. } | AgentState::OnCall { contact, .. } => {
                Some(*contact)
            }
            _ => None,
        };
        if let Some(interaction) = contact
            .and_then(|c| self.calls.get(&CallRef(c.0)))
            .map(|c| c.interaction)
        {
            self.last_interaction.insert(user, interaction);
            event = event.for_interaction(interaction);
        }
        tracing::info!(
            agent = user.0,
            from = from.kind().as_str(),
            to = to.kind().as_str(),
            cause = cause.as_str(),
            "agent state changed"
        );
        if self
            .log
            .try_log(LogEntry::AgentEvent { tenant, event })
            .is_err()
        {
            self.metrics.error("log_full");
        }
    }
}
