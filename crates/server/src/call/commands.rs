//! The control plane's answers to the HTTP API and the shutdown sequence
//! ([`crate::control::Command`]): live agent states, agent state changes (through the `acd`,
//! which checks them), queue counts, live calls with their per-leg RTP counters, and the
//! drain.
//!
//! The drain: new INVITEs get 503 with `Retry-After`; calls in progress go on until the
//! deadline; then every call left is ended (`ended{cause: drained}`, BYE both legs); the
//! report is sent once no call is left (or a few seconds after the cut), and the switchboard
//! returns.

use std::time::Instant;

use acd::{AgentState, AgentStateKind, Input};
use store::{InteractionId, TenantId, UserId};

use super::call::{Call, EndReason, OfferState};
use super::directory::{acd_queue, agent_id};
use super::switchboard::{Board, Drain};
use crate::control::{
    AgentCounts, AgentLive, CallLive, Command, ConsultAction, LegCounters, LegLive, LegRole,
    QueueLive, RequestedState, SetStateError,
};

/// How long cut calls may take to leave before the drain reports anyway.
const CUT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl Board {
    pub(crate) fn on_command(&mut self, now: Instant, command: Command) {
        match command {
            Command::AgentStates { tenant, reply } => {
                let agents = self
                    .directory
                    .tenants
                    .get(&tenant)
                    .map(|t| t.agents.clone())
                    .unwrap_or_default();
                let live = agents
                    .into_iter()
                    .filter_map(|user| self.agent_live(now, user))
                    .collect();
                let _ = reply.send(live);
            }
            Command::SetAgentState {
                tenant,
                agent,
                state,
                reason,
                reply,
            } => {
                let _ = reply.send(self.set_agent_state(now, tenant, agent, state, reason));
            }
            Command::QueueCounts { tenant, reply } => {
                let _ = reply.send(self.queue_counts(now, tenant));
            }
            Command::LiveCall {
                tenant,
                interaction,
                reply,
            } => {
                let live = self
                    .calls
                    .values()
                    .find(|c| c.tenant == tenant && c.interaction == interaction)
                    .map(call_live);
                let _ = reply.send(live);
            }
            Command::ActiveCalls { tenant, reply } => {
                let mut calls: Vec<CallLive> = self
                    .calls
                    .values()
                    .filter(|c| c.tenant == tenant)
                    .map(call_live)
                    .collect();
                calls.sort_by_key(|c| c.interaction);
                let _ = reply.send(calls);
            }
            Command::Transfer {
                tenant,
                interaction,
                to,
                only_agent,
                reply,
            } => {
                let _ = reply.send(self.transfer(now, tenant, interaction, &to, only_agent));
            }
            Command::Consult {
                tenant,
                interaction,
                action,
                only_agent,
                reply,
            } => {
                let done = match action {
                    ConsultAction::Start { to } => {
                        self.consult(now, tenant, interaction, &to, only_agent)
                    }
                    ConsultAction::Complete => {
                        self.complete_consult(now, tenant, interaction, only_agent)
                    }
                    ConsultAction::Cancel => {
                        self.cancel_consult(now, tenant, interaction, only_agent)
                    }
                };
                let _ = reply.send(done);
            }
            Command::Monitor {
                tenant,
                interaction,
                by,
                action,
                reply,
            } => {
                let _ = reply.send(self.monitor(now, tenant, interaction, by, action));
            }
            Command::BindWebPhone {
                tenant,
                agent,
                contact,
                source,
            } => {
                let extension = self
                    .directory
                    .agents
                    .get(&agent)
                    .or_else(|| self.directory.staff.get(&agent))
                    .filter(|entry| entry.tenant == tenant)
                    .and_then(|entry| entry.extension.clone());
                let aor = match extension {
                    Some(extension) => self.registrar.aor(&extension),
                    None => format!("webphone:{}", agent.0),
                };
                let now_ms = crate::log::now_ms();
                if !self
                    .location
                    .bind_webphone(agent, &aor, &contact, source, now_ms)
                {
                    tracing::warn!(agent = agent.0, "web phone contact unreadable; not bound");
                }
            }
            Command::UnbindWebPhone {
                tenant: _,
                agent,
                contact,
            } => self.location.unbind_webphone(agent, &contact),
            Command::PromptLibrary { reply } => {
                let _ = reply.send(std::sync::Arc::clone(&self.library));
            }
            Command::Reload { reply } => self.ask_reload(reply),
            Command::Drain { deadline, reply } => {
                tracing::info!(calls = self.calls.len(), "draining: new calls are refused");
                self.drain = Some(Drain {
                    deadline: deadline.into_std(),
                    cut: false,
                    give_up: None,
                    report: Default::default(),
                    reply: Some(reply),
                });
                self.drain_deadline(now);
            }
        }
    }

    fn agent_live(&self, now: Instant, user: UserId) -> Option<AgentLive> {
        let view = self.acd.agent_view(agent_id(user), now).ok()?;
        let now_ms = crate::log::now_ms();
        let since_ms = now_ms - i64::try_from(view.time_in_state.as_millis()).unwrap_or(0);
        let (reason, contact) = match &view.state {
            AgentState::NotReady { reason } => (Some(reason.clone()), None),
            AgentState::Ringing { contact, .. } | AgentState::OnCall { contact, .. } => {
                (None, Some(*contact))
            }
            _ => (None, None),
        };
        let interaction: Option<InteractionId> = match view.state.kind() {
            AgentStateKind::Ringing | AgentStateKind::OnCall => contact
                .and_then(|c| self.calls.get(&crate::media::CallRef(c.0)))
                .map(|c| c.interaction),
            AgentStateKind::WrapUp => self.last_interaction.get(&user).copied(),
            _ => None,
        };
        Some(AgentLive {
            user_id: user,
            state: view.state.kind(),
            reason,
            since_ms,
            interaction,
            registered: self.location.is_registered(user, now_ms),
        })
    }

    fn set_agent_state(
        &mut self,
        now: Instant,
        tenant: TenantId,
        user: UserId,
        state: RequestedState,
        reason: Option<String>,
    ) -> Result<AgentLive, SetStateError> {
        let known = self
            .directory
            .agents
            .get(&user)
            .is_some_and(|a| a.tenant == tenant);
        if !known {
            return Err(SetStateError::UnknownAgent);
        }
        let agent = agent_id(user);
        let current = self
            .acd
            .agent_state(agent)
            .map_err(|_| SetStateError::UnknownAgent)?
            .clone();
        let reason = reason.unwrap_or_else(|| crate::config::NO_REASON.to_owned());
        let inputs = match (state, current.kind()) {
            (RequestedState::Ready, AgentStateKind::LoggedOut) => vec![Input::Login {
                agent,
                not_ready: None,
            }],
            (RequestedState::Ready, AgentStateKind::Available) => Vec::new(),
            (RequestedState::Ready, _) => vec![Input::Ready { agent }],
            (RequestedState::NotReady, AgentStateKind::LoggedOut) => vec![Input::Login {
                agent,
                not_ready: Some(reason),
            }],
            (RequestedState::NotReady, _)
                if current
                    == (AgentState::NotReady {
                        reason: reason.clone(),
                    }) =>
            {
                Vec::new()
            }
            (RequestedState::NotReady, _) => vec![Input::NotReady { agent, reason }],
            (RequestedState::LoggedOut, AgentStateKind::LoggedOut) => Vec::new(),
            (RequestedState::LoggedOut, _) => vec![Input::Logout { agent }],
        };
        for input in inputs {
            self.acd
                .handle_input(now, input)
                .map_err(|e| SetStateError::Refused(e.to_string()))?;
        }
        self.agent_live(now, user)
            .ok_or(SetStateError::UnknownAgent)
    }

    fn queue_counts(&self, now: Instant, tenant: TenantId) -> Vec<QueueLive> {
        let Some(entry) = self.directory.tenants.get(&tenant) else {
            return Vec::new();
        };
        let mut queues: Vec<QueueLive> = entry
            .queues_by_name
            .values()
            .filter_map(|&queue| {
                let view = self.acd.queue_view(acd_queue(queue), now).ok()?;
                let mut agents = AgentCounts::default();
                for user in &entry.agents {
                    let member = self
                        .directory
                        .agents
                        .get(user)
                        .is_some_and(|a| a.queues.contains(&queue));
                    if !member {
                        continue;
                    }
                    match self.acd.agent_state(agent_id(*user)).map(AgentState::kind) {
                        Ok(AgentStateKind::Available) => agents.available += 1,
                        Ok(AgentStateKind::Ringing) => agents.ringing += 1,
                        Ok(AgentStateKind::OnCall) => agents.on_call += 1,
                        Ok(AgentStateKind::WrapUp) => agents.wrap_up += 1,
                        Ok(AgentStateKind::NotReady) => agents.not_ready += 1,
                        _ => {}
                    }
                }
                Some(QueueLive {
                    queue_id: queue,
                    waiting: u32::try_from(view.waiting + view.ringing).unwrap_or(u32::MAX),
                    waiting_callbacks: u32::try_from(view.waiting_callbacks).unwrap_or(u32::MAX),
                    longest_wait_ms: view
                        .longest_wait
                        .map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
                    estimated_wait_secs: self
                        .acd
                        .estimated_wait(acd_queue(queue))
                        .ok()
                        .flatten()
                        .map(|w| w.as_secs()),
                    agents,
                })
            })
            .collect();
        queues.sort_by_key(|q| q.queue_id);
        queues
    }

    /// At the drain deadline, ends every call still up.
    pub(crate) fn drain_deadline(&mut self, now: Instant) {
        let due = self
            .drain
            .as_ref()
            .is_some_and(|d| !d.cut && now >= d.deadline);
        if !due {
            return;
        }
        if let Some(drain) = &mut self.drain {
            drain.cut = true;
            drain.give_up = Some(now + CUT_GRACE);
        }
        let up: Vec<_> = self
            .calls
            .iter()
            .filter(|(_, c)| !c.is_ending())
            .map(|(id, _)| *id)
            .collect();
        if !up.is_empty() {
            tracing::info!(
                calls = up.len(),
                "drain deadline: ending the calls still up"
            );
        }
        for id in up {
            self.end_call(now, id, EndReason::Drained, None);
        }
    }

    /// Whether the drain is over (report sent): the switchboard then returns.
    pub(crate) fn drain_finished(&mut self, now: Instant) -> bool {
        let Some(drain) = &mut self.drain else {
            return false;
        };
        let gave_up = drain.give_up.is_some_and(|at| now >= at);
        if !self.calls.is_empty() && !gave_up {
            return false;
        }
        if gave_up && !self.calls.is_empty() {
            tracing::warn!(
                calls = self.calls.len(),
                "calls did not finish ending before the drain gave up"
            );
            for call in self.calls.values() {
                drain.report.cut.push(call.interaction);
            }
        }
        if let Some(reply) = drain.reply.take() {
            let _ = reply.send(std::mem::take(&mut drain.report));
        }
        true
    }
}

/// A call's live view.
fn call_live(call: &Call) -> CallLive {
    let counters = call
        .media
        .as_ref()
        .map(|m| m.live().snapshot())
        .unwrap_or_default();
    let mut legs = vec![LegLive {
        role: LegRole::Caller,
        counters: LegCounters::from(counters[0]),
    }];
    if call.agent_leg().is_some() {
        legs.push(LegLive {
            role: LegRole::Agent,
            counters: LegCounters::from(counters[1]),
        });
    }
    let agent = call.agent.or_else(|| {
        call.offers
            .iter()
            .find(|b| b.state == OfferState::Ringing)
            .map(|b| b.agent)
    });
    CallLive {
        interaction: call.interaction,
        phase: call.phase,
        queue: call.queue,
        agent,
        legs,
        callback: call.callback.is_booked(),
    }
}
