//! Agents' own changes (log in, ready, not ready, log out, more wrap-up time), the end of their
//! calls, and the wrap-up timer.
//!
//! Every request is checked against [`AgentState::accepts`] before anything changes. Leaving
//! wrap-up by any request disarms its timer. Becoming available restarts the agent's idle time.

use std::time::{Duration, Instant};

use crate::agent_state::{AgentState, ChangeCause, MISSED_OFFERS, Request};
use crate::error::AcdError;
use crate::ids::AgentId;
use crate::output::Output;
use crate::routing::after;
use crate::timers::Timer;

/// The longest wrap-up extension one request may ask for.
pub const MAX_WRAP_UP_EXTENSION: Duration = Duration::from_secs(24 * 3600);

impl crate::Acd {
    pub(crate) fn login(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        not_ready: Option<String>,
    ) -> Result<(), AcdError> {
        if let Some(reason) = &not_ready {
            self.check_reason(reason)?;
        }
        self.check_request(agent_id, Request::Login, None)?;
        match not_ready {
            Some(reason) => self.set_state(
                now,
                agent_id,
                AgentState::NotReady { reason },
                ChangeCause::Requested,
            ),
            None => self.become_available(now, agent_id, ChangeCause::Requested, false),
        }
        Ok(())
    }

    pub(crate) fn ready(&mut self, now: Instant, agent_id: AgentId) -> Result<(), AcdError> {
        self.check_request(agent_id, Request::Ready, None)?;
        self.timers.cancel(Timer::WrapUp(agent_id));
        self.become_available(now, agent_id, ChangeCause::Requested, false);
        Ok(())
    }

    pub(crate) fn not_ready(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        reason: String,
    ) -> Result<(), AcdError> {
        self.check_reason(&reason)?;
        self.check_request(agent_id, Request::NotReady, Some(&reason))?;
        self.timers.cancel(Timer::WrapUp(agent_id));
        self.set_state(
            now,
            agent_id,
            AgentState::NotReady { reason },
            ChangeCause::Requested,
        );
        Ok(())
    }

    pub(crate) fn logout(&mut self, now: Instant, agent_id: AgentId) -> Result<(), AcdError> {
        self.check_request(agent_id, Request::Logout, None)?;
        self.timers.cancel(Timer::WrapUp(agent_id));
        if let Some(agent) = self.agents.get_mut(&agent_id) {
            agent.stats.missed_offers = 0;
        }
        self.set_state(now, agent_id, AgentState::LoggedOut, ChangeCause::Requested);
        let queues: Vec<_> = self
            .agents
            .get(&agent_id)
            .map(|a| a.config.queues.keys().copied().collect())
            .unwrap_or_default();
        self.leave_if_unstaffed(now, &queues);
        Ok(())
    }

    pub(crate) fn extend_wrap_up(
        &mut self,
        agent_id: AgentId,
        by: Duration,
    ) -> Result<(), AcdError> {
        self.check_request(agent_id, Request::ExtendWrapUp, None)?;
        if by > MAX_WRAP_UP_EXTENSION {
            return Err(AcdError::ExtensionTooLong(by));
        }
        let Some(agent) = self.agents.get_mut(&agent_id) else {
            return Err(AcdError::UnknownAgent(agent_id));
        };
        if let AgentState::WrapUp { until, .. } = &mut agent.state
            && let Some(later) = after(*until, by)
        {
            *until = later;
            self.timers.arm(later, Timer::WrapUp(agent_id));
            self.outputs.push_back(Output::WrapUpExtended {
                agent: agent_id,
                until: later,
            });
        }
        Ok(())
    }

    /// The agent's connected call ended: wrap-up with the time fixed at answer, or available at
    /// once when it is zero.
    pub(crate) fn call_ended(&mut self, now: Instant, agent_id: AgentId) -> Result<(), AcdError> {
        let agent = self
            .agents
            .get_mut(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        let AgentState::OnCall { queue, .. } = agent.state else {
            return Err(AcdError::NotOnCall {
                agent: agent_id,
                state: agent.state.kind(),
            });
        };
        let talk = agent
            .since
            .map_or(Duration::ZERO, |since| now.saturating_duration_since(since));
        agent.stats.talk_time += talk;
        let wrap_up = agent.wrap_up_after_call;
        if let Some(q) = self.queues.get_mut(&queue) {
            q.record_handle_time(talk + wrap_up);
        }
        match after(now, wrap_up).filter(|_| !wrap_up.is_zero()) {
            Some(until) => {
                self.timers.arm(until, Timer::WrapUp(agent_id));
                let to = AgentState::WrapUp { queue, until };
                self.set_state(now, agent_id, to, ChangeCause::CallEnded);
            }
            None => self.become_available(now, agent_id, ChangeCause::CallEnded, false),
        }
        Ok(())
    }

    pub(crate) fn wrap_up_expired(&mut self, now: Instant, agent_id: AgentId) {
        let in_wrap_up = self
            .agents
            .get(&agent_id)
            .is_some_and(|a| a.state.kind() == crate::AgentStateKind::WrapUp);
        if in_wrap_up {
            self.become_available(now, agent_id, ChangeCause::WrapUpExpired, false);
        }
    }

    pub(crate) fn set_not_ready_reasons(&mut self, reasons: Vec<String>) -> Result<(), AcdError> {
        if reasons.iter().any(String::is_empty) {
            return Err(AcdError::EmptyReason);
        }
        self.not_ready_reasons = (!reasons.is_empty()).then(|| reasons.into_iter().collect());
        Ok(())
    }

    /// Refuses an empty reason code, and one outside the configured list when there is one.
    /// [`MISSED_OFFERS`](crate::MISSED_OFFERS) is the engine's own and always accepted.
    fn check_reason(&self, reason: &str) -> Result<(), AcdError> {
        if reason.is_empty() {
            return Err(AcdError::EmptyReason);
        }
        match &self.not_ready_reasons {
            Some(codes) if reason != MISSED_OFFERS && !codes.contains(reason) => {
                Err(AcdError::UnknownReason(reason.to_owned()))
            }
            _ => Ok(()),
        }
    }

    /// Refuses `request` unless the agent exists and its state accepts it.
    fn check_request(
        &self,
        agent_id: AgentId,
        request: Request,
        not_ready_reason: Option<&str>,
    ) -> Result<(), AcdError> {
        let agent = self
            .agents
            .get(&agent_id)
            .ok_or(AcdError::UnknownAgent(agent_id))?;
        if agent.state.accepts(request, not_ready_reason) {
            Ok(())
        } else {
            Err(AcdError::InvalidTransition {
                agent: agent_id,
                from: agent.state.kind(),
                request,
            })
        }
    }
}
