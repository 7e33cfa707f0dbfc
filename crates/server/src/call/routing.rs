//! Calls in queues: handing a call to the `acd` (`ContactArrived`, or
//! `ContactArrivedWithSkills` with the skills the flow asked for; hold music, `queued`), and
//! carrying out what the engine decides — offers to agents ([`super::offer`]), cancelled
//! offers, answers, moves to an overflow queue ([`super::overflow`]), callers leaving,
//! position and estimated-wait announcements over the hold music, and every agent state
//! change (agent log and metrics).

use std::time::{Duration, Instant};

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
const ESTIMATED_WAIT: &str = media::prompt::standard::ESTIMATED_WAIT;

/// An estimated wait as announced: whole minutes, rounded up, at least one (an estimate in
/// seconds promises a precision it does not have).
fn whole_minutes(wait: Duration) -> Duration {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    Duration::from_secs(minutes.saturating_mul(60))
}

impl Board {
    /// The flow hands the call to `queue`.
    pub(crate) fn enqueue(&mut self, now: Instant, id: CallRef, queue: &str, priority: Option<u8>) {
        self.enqueue_with_skills(now, id, queue, priority, acd::Skills::new());
    }

    /// The flow hands the call to `queue`, for an agent with `skills` (the queue node's and
    /// the language the caller chose; none: any member of the queue).
    pub(crate) fn enqueue_with_skills(
        &mut self,
        now: Instant,
        id: CallRef,
        queue: &str,
        priority: Option<u8>,
        skills: acd::Skills,
    ) {
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
        // The session stays while it waits to continue after the call (a queue node's
        // `after_call`: see `super::survey`); a finished one is dropped by `drive_ivr`.
        call.queue = Some(queue_id);
        call.phase = CallPhase::Queued;
        if let Some(session) = &call.ivr {
            call.queue_language = Some(session.language().to_owned());
        }
        let (tenant, interaction) = (call.tenant, call.interaction);
        let (contact, queue_ref, priority) = (
            ContactId(id.0),
            acd_queue(queue_id),
            priority.map_or(0, i32::from),
        );
        let input = if skills.is_empty() {
            Input::ContactArrived {
                contact,
                queue: queue_ref,
                priority,
            }
        } else {
            Input::ContactArrivedWithSkills {
                contact,
                queue: queue_ref,
                priority,
                skills,
            }
        };
        let arrived = self.acd.handle_input(now, input);
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
                if !self.callback_timed_out(now, CallRef(contact.0), agent) {
                    self.cancel_offer(now, CallRef(contact.0), Some("no_answer"), agent);
                }
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
                contact,
                position,
                estimated_wait,
                ..
            } => self.announce(CallRef(contact.0), position, estimated_wait),
            Output::AgentStateChanged {
                agent,
                from,
                to,
                cause,
                ..
            } => self.agent_changed(agent, &from, &to, cause),
            Output::WrapUpExtended { .. } => {}
            Output::ContactOverflowed {
                contact,
                from,
                to,
                waited,
            } => self.overflowed(CallRef(contact.0), from, to, waited),
            Output::DialCallback {
                contact,
                agent,
                attempt,
                give_up_at,
                ..
            } => self.dial_callback(now, CallRef(contact.0), agent, attempt, give_up_at),
        }
    }

    fn contact_left(&mut self, now: Instant, id: CallRef, reason: LeaveReason, waited: Duration) {
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

    /// "You are number N in the queue", then the estimated wait when the engine has one
    /// ("estimated wait: 3 minutes", rounded up to the minute), over the hold music, in the
    /// language the caller chose.
    fn announce(&mut self, id: CallRef, position: usize, estimated_wait: Option<Duration>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != CallPhase::Queued && call.phase != CallPhase::Ringing {
            return;
        }
        call.next_announcement += 1;
        let play = PlayId(call.next_announcement);
        let language = call
            .queue_language
            .clone()
            .unwrap_or_else(|| call.flow.language().to_owned());
        let position = u32::try_from(position).unwrap_or(u32::MAX);
        let offer_callback = call.callback.is_offered();
        let lang = media::prompt::Language::from_code(&language)
            .unwrap_or(media::prompt::Language::English);
        let built = Ok(media::playback::Sequence::builder(&self.library, lang).barge_in(false))
            .and_then(|b| b.prompt(YOU_ARE_NUMBER))
            .and_then(|b| b.number(position))
            .and_then(|b| b.prompt(IN_THE_QUEUE))
            .and_then(|b| match estimated_wait {
                Some(wait) => b
                    .prompt(ESTIMATED_WAIT)?
                    .prompts(media::say::duration(lang, whole_minutes(wait))),
                None => Ok(b),
            })
            .and_then(|b| match offer_callback {
                true => b.prompt(super::callback::CALLBACK_OFFER),
                false => Ok(b),
            });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimated_waits_are_announced_in_whole_minutes_rounded_up() {
        let minutes = |secs: u64| whole_minutes(Duration::from_secs(secs)).as_secs() / 60;
        assert_eq!(minutes(0), 1);
        assert_eq!(minutes(59), 1);
        assert_eq!(minutes(60), 1);
        assert_eq!(minutes(61), 2);
        assert_eq!(minutes(3_600), 60);
    }
}
