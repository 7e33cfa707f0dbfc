//! Outcomes of offers: answered, failed, timed out.
//!
//! A failed offer puts the contact back exactly where it was in the order of service (it keeps
//! its priority and arrival) and counts a miss against the agent: at the queue's limit the agent
//! goes not ready with reason [`MISSED_OFFERS`]; below it they become available again, idle from
//! now, i.e. at the back of a longest-idle line. The contact is routed before the agent is, so
//! it goes to another available agent when there is one.
//!
//! Ring-all: the first agent to answer takes the contact and the others' offers are withdrawn
//! (no miss); an agent declining while others still ring takes a miss and the contact rings on;
//! the ring timeout times every ringing agent out at once.

use std::time::Instant;

use crate::agent_state::{AgentState, ChangeCause, MISSED_OFFERS, OfferFailure};
use crate::contact::LeaveReason;
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId, QueueId};
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
        // Ring-all: the others stop ringing, keeping their place (they missed nothing).
        for other in contact.ringing().filter(|a| *a != agent_id) {
            self.outputs.push_back(Output::OfferWithdrawn {
                contact: contact_id,
                agent: other,
            });
            self.become_available(now, other, ChangeCause::OfferWithdrawn, true);
        }
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
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return Err(AcdError::UnknownContact(contact_id));
        };
        let queue_id = contact.queue;
        if contact.stop_ringing(agent_id) {
            // Ring-all: the others ring on; only this agent's miss counts.
            self.record_miss(now, agent_id, queue_id, reason);
            self.dispatch_agent(now, agent_id);
        } else {
            self.timers.cancel(Timer::Offer(contact_id));
            self.offer_lost(now, contact_id, agent_id, reason);
        }
        Ok(())
    }

    pub(crate) fn offer_timed_out(&mut self, now: Instant, contact_id: ContactId) {
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        let Some(lead) = contact.offered_to else {
            return;
        };
        let queue_id = contact.queue;
        let others = std::mem::take(&mut contact.also_ringing);
        let callback = contact.callback.is_some();
        for agent_id in std::iter::once(lead).chain(others.iter().copied()) {
            self.outputs.push_back(Output::OfferTimedOut {
                contact: contact_id,
                agent: agent_id,
            });
        }
        for agent_id in &others {
            self.record_miss(now, *agent_id, queue_id, OfferFailure::NoAnswer);
        }
        if callback {
            self.callback_attempt_failed(now, contact_id, lead);
        } else {
            self.offer_lost(now, contact_id, lead, OfferFailure::NoAnswer);
        }
        for agent_id in others {
            self.dispatch_agent(now, agent_id);
        }
    }

    /// The contact is offered to this agent (among others, for ring-all).
    fn check_offer(&self, contact_id: ContactId, agent_id: AgentId) -> Result<(), AcdError> {
        let contact = self
            .contacts
            .get(&contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        if !contact.ringing().any(|a| a == agent_id) {
            return Err(AcdError::NotOffered {
                contact: contact_id,
                agent: agent_id,
            });
        }
        Ok(())
    }

    /// The contact's last ringing offer failed: it goes back to its place (or leaves, past its
    /// max wait, or overflows, past its overflow time) and is routed again; then the agent,
    /// charged a miss, is routed if still available.
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
        contact.also_ringing.clear();
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
        self.record_miss(now, agent_id, queue_id, reason);
        let overflow_due = self
            .contacts
            .get(&contact_id)
            .and_then(|c| c.overflow_at)
            .is_some_and(|at| at <= now);
        let overflowed = overflow_due && self.overflow(now, contact_id);
        if !overdue && !overflowed {
            self.dispatch_contact(now, contact_id);
        }
        self.dispatch_agent(now, agent_id);
    }

    /// Charges the agent a missed offer from `queue_id`: not ready at the queue's limit,
    /// otherwise available again at the back of the idle line. Does not route them.
    fn record_miss(
        &mut self,
        now: Instant,
        agent_id: AgentId,
        queue_id: QueueId,
        reason: OfferFailure,
    ) {
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
    }
}
