//! Contacts in queue: arrival, abandon, moving between queues, position announcements and the
//! maximum wait.

use std::cmp::Reverse;
use std::time::Instant;

use crate::agent_state::ChangeCause;
use crate::contact::{Contact, LeaveReason, WaitKey};
use crate::error::AcdError;
use crate::ids::{ContactId, QueueId};
use crate::output::Output;
use crate::routing::after;
use crate::timers::Timer;

impl crate::Acd {
    pub(crate) fn contact_arrived(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        queue_id: QueueId,
        priority: i32,
    ) -> Result<(), AcdError> {
        if self.contacts.contains_key(&contact_id) {
            return Err(AcdError::DuplicateContact(contact_id));
        }
        let queue = self
            .queues
            .get_mut(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        let full = queue
            .config
            .max_length
            .is_some_and(|max| queue.waiting.len() >= max);
        if full && queue.strategy.is_empty() {
            self.outputs.push_back(Output::ContactLeft {
                contact: contact_id,
                queue: queue_id,
                reason: LeaveReason::QueueFull,
                waited: std::time::Duration::ZERO,
            });
            return Ok(());
        }
        let key = WaitKey {
            priority: Reverse(priority),
            arrived_at: now,
            seq: self.next_seq,
            contact: contact_id,
        };
        self.next_seq += 1;
        queue.waiting.insert(key);
        queue.present.insert((key.arrived_at, key.seq));
        let leave_at = queue.config.max_wait.and_then(|w| after(now, w));
        if let Some(at) = leave_at {
            self.timers.arm(at, Timer::MaxWait(contact_id));
        }
        if let Some(at) = queue.config.announce_period.and_then(|p| after(now, p)) {
            self.timers.arm(at, Timer::Announce(contact_id));
        }
        self.contacts.insert(
            contact_id,
            Contact {
                queue: queue_id,
                key,
                offered_to: None,
                leave_at,
            },
        );
        self.dispatch_queue(now, queue_id);
        Ok(())
    }

    pub(crate) fn contact_abandoned(
        &mut self,
        now: Instant,
        contact_id: ContactId,
    ) -> Result<(), AcdError> {
        let contact = self
            .remove_contact(contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        if let Some(agent) = contact.offered_to {
            self.outputs.push_back(Output::OfferWithdrawn {
                contact: contact_id,
                agent,
            });
        }
        self.record_leave(now, contact_id, &contact, LeaveReason::Abandoned);
        if let Some(agent) = contact.offered_to {
            // The agent keeps their place in the idle order: they missed nothing.
            self.become_available(now, agent, ChangeCause::OfferWithdrawn, true);
        }
        Ok(())
    }

    pub(crate) fn move_contact(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        to: QueueId,
    ) -> Result<(), AcdError> {
        let contact = self
            .contacts
            .get(&contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        if !self.queues.contains_key(&to) {
            return Err(AcdError::UnknownQueue(to));
        }
        if contact.offered_to.is_some() {
            return Err(AcdError::ContactNotWaiting(contact_id));
        }
        if contact.queue == to {
            return Ok(());
        }
        let Some(mut contact) = self.remove_contact(contact_id) else {
            return Err(AcdError::UnknownContact(contact_id));
        };
        let Some(queue) = self.queues.get_mut(&to) else {
            return Err(AcdError::UnknownQueue(to));
        };
        contact.queue = to;
        queue.waiting.insert(contact.key);
        queue
            .present
            .insert((contact.key.arrived_at, contact.key.seq));
        // The new queue's limit counts from the original arrival, like the place in line.
        contact.leave_at = queue
            .config
            .max_wait
            .and_then(|w| after(contact.key.arrived_at, w));
        if let Some(at) = contact.leave_at {
            self.timers.arm(at, Timer::MaxWait(contact_id));
        }
        if let Some(at) = queue.config.announce_period.and_then(|p| after(now, p)) {
            self.timers.arm(at, Timer::Announce(contact_id));
        }
        self.contacts.insert(contact_id, contact);
        self.dispatch_queue(now, to);
        Ok(())
    }

    /// Tells a waiting contact its position and arms the next announcement. A contact being
    /// offered hears nothing this time (it is ringing) but keeps its rhythm.
    pub(crate) fn announce(&mut self, now: Instant, contact_id: ContactId) {
        let Some(contact) = self.contacts.get(&contact_id) else {
            return;
        };
        let Some(queue) = self.queues.get(&contact.queue) else {
            return;
        };
        if contact.offered_to.is_none() {
            self.outputs.push_back(Output::AnnouncePosition {
                contact: contact_id,
                queue: contact.queue,
                position: queue.position(&contact.key),
                estimated_wait: None,
            });
        }
        if let Some(at) = queue.config.announce_period.and_then(|p| after(now, p)) {
            self.timers.arm(at, Timer::Announce(contact_id));
        }
    }

    /// A waiting contact reached its queue's maximum wait. One being offered stays until the
    /// offer's outcome (an answer is better than leaving); a failed offer then checks again.
    pub(crate) fn max_wait_reached(&mut self, now: Instant, contact_id: ContactId) {
        let waiting = self
            .contacts
            .get(&contact_id)
            .is_some_and(|c| c.offered_to.is_none());
        if waiting && let Some(contact) = self.remove_contact(contact_id) {
            self.record_leave(now, contact_id, &contact, LeaveReason::MaxWait);
        }
    }

    /// Takes a contact out of its queue and the timer table.
    pub(crate) fn remove_contact(&mut self, contact_id: ContactId) -> Option<Contact> {
        let contact = self.contacts.remove(&contact_id)?;
        if let Some(queue) = self.queues.get_mut(&contact.queue) {
            queue.waiting.remove(&contact.key);
            queue
                .present
                .remove(&(contact.key.arrived_at, contact.key.seq));
        }
        for timer in [
            Timer::Offer(contact_id),
            Timer::Announce(contact_id),
            Timer::MaxWait(contact_id),
        ] {
            self.timers.cancel(timer);
        }
        Some(contact)
    }

    pub(crate) fn record_leave(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        contact: &Contact,
        reason: LeaveReason,
    ) {
        self.outputs.push_back(Output::ContactLeft {
            contact: contact_id,
            queue: contact.queue,
            reason,
            waited: now.saturating_duration_since(contact.key.arrived_at),
        });
    }
}
