//! Outcomes of offers: answered, failed, timed out.
//!
//! A failed offer puts the contact back exactly where it was in the order of service (it keeps
//! its priority and arrival) and counts a miss against the agent: at the queue's limit the agent
//! goes not ready with reason [`MISSED_OFFERS`]; below it they become available again, idle from
//! now, i.e. at the back of a longest-idle line. The contact is routed before the agent is, so
//! it goes to another available agent when there is one.

use std::time::Instant;

use crate::agent_state::{AgentState, ChangeCause, MISSED_OFFERS, OfferFailure};
use crate::contact::LeaveReason;
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId};
use crate::output::Output;
use crate::timers::Timer;

impl crate::Acd {
    pub(crate) fn offer_answered(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        agent_id: AgentId,
    ) -> Result<(), AcdError> {
        self.check_offer(contact_id, agent_id)?;
        let Some(contact) = self.remove_contact(contact_id) else {
            return Err(AcdError::UnknownContact(contact_id));
        };
        let wrap_up = self
            .queues
            .get(&contact.queue)
            .map(|q| q.config.wrap_up)
            .unwrap_or_default();
        if let Some(agent) = self.agents.get_mut(&agent_id) {
            agent.stats.calls_taken += 1;
            agent.stats.missed_offers = 0;
            agent.wrap_up_after_call = wrap_up;
        }
        self.outputs.push_back(Output::ContactAnswered {
            contact: contact_id,
            agent: agent_id,
            queue: contact.queue,
            waited: now.saturating_duration_since(contact.key.arrived_at),
        });
        self.set_state(
            now,
            agent_id,
            AgentState::OnCall {
                contact: contact_id,
                queue: contact.queue,
            },
            ChangeCause::Answered,
        );
        Ok(())
    }

    pub(crate) fn offer_failed(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        agent_id: AgentId,
        reason: OfferFailure,
    ) -> Result<(), AcdError> {
        self.check_offer(contact_id, agent_id)?;
        self.timers.cancel(Timer::Offer(contact_id));
        self.offer_lost(now, contact_id, agent_id, reason);
        Ok(())
    }

    pub(crate) fn offer_timed_out(&mut self, now: Instant, contact_id: ContactId) {
        let Some(agent_id) = self.contacts.get(&contact_id).and_then(|c| c.offered_to) else {
            return;
        };
        self.outputs.push_back(Output::OfferTimedOut {
            contact: contact_id,
            agent: agent_id,
        });
        self.offer_lost(now, contact_id, agent_id, OfferFailure::NoAnswer);
    }

    /// The contact is offered to exactly this agent.
    fn check_offer(&self, contact_id: ContactId, agent_id: AgentId) -> Result<(), AcdError> {
        let contact = self
            .contacts
            .get(&contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        if contact.offered_to != Some(agent_id) {
            return Err(AcdError::NotOffered {
                contact: contact_id,
                agent: agent_id,
            });
        }
        Ok(())
    }

    fn offer_lost(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        agent_id: AgentId,
        reason: OfferFailure,
    ) {
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        contact.offered_to = None;
        let queue_id = contact.queue;
        let key = contact.key;
        let overdue = contact.leave_at.is_some_and(|at| at <= now);
        if overdue {
            if let Some(contact) = self.remove_contact(contact_id) {
                self.record_leave(now, contact_id, &contact, LeaveReason::MaxWait);
            }
        } else if let Some(queue) = self.queues.get_mut(&queue_id) {
            queue.waiting.insert(key);
        }

        let limit = self
            .queues
            .get(&queue_id)
            .map_or(1, |q| q.config.missed_offers_limit);
        let Some(agent) = self.agents.get_mut(&agent_id) else {
            return;
        };
        agent.stats.missed_offers += 1;
        let cause = ChangeCause::OfferFailed(reason);
        if agent.stats.missed_offers >= limit {
            agent.stats.missed_offers = 0;
            let to = AgentState::NotReady {
                reason: MISSED_OFFERS.to_owned(),
            };
            self.set_state(now, agent_id, to, cause);
        } else {
            agent.stats.idle_since = Some(now);
            self.set_state(now, agent_id, AgentState::Available, cause);
        }
        if !overdue {
            self.dispatch_contact(now, contact_id);
        }
        self.dispatch_agent(now, agent_id);
    }
}
