//! Contacts in queue: arrival, abandon, moving between queues, relaxing required skills,
//! position announcements and the maximum wait.

use std::time::{Duration, Instant};

use crate::agent_state::ChangeCause;
use crate::contact::{Contact, LeaveReason, WaitKey};
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId, QueueId};
use crate::output::Output;
use crate::routing::after;
use crate::skills::{Skills, in_force, levels_are_valid, merge, next_step};
use crate::timers::Timer;

impl crate::Acd {
    pub(crate) fn contact_arrived(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        queue_id: QueueId,
        priority: i32,
        own_skills: Skills,
    ) -> Result<(), AcdError> {
        if self.contacts.contains_key(&contact_id) {
            return Err(AcdError::DuplicateContact(contact_id));
        }
        if !levels_are_valid(&own_skills) {
            return Err(AcdError::InvalidSkillLevel(contact_id));
        }
        let queue = self
            .queues
            .get(&queue_id)
            .ok_or(AcdError::UnknownQueue(queue_id))?;
        let full = queue
            .config
            .max_length
            .is_some_and(|max| queue.waiting.len() >= max);
        let refused = if full && queue.strategy.is_empty() {
            Some(LeaveReason::QueueFull)
        } else if !queue.config.join_empty && !self.has_logged_in_member(queue_id) {
            Some(LeaveReason::NoAgents)
        } else {
            None
        };
        if let Some(reason) = refused {
            self.outputs.push_back(Output::ContactLeft {
                contact: contact_id,
                queue: queue_id,
                reason,
                waited: Duration::ZERO,
            });
            return Ok(());
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = WaitKey::new(self.epoch(now), priority, None, now, seq, contact_id);
        self.contacts.insert(
            contact_id,
            Contact {
                queue: queue_id,
                key,
                priority,
                own_skills,
                required: Skills::new(),
                offered_to: None,
                also_ringing: Vec::new(),
                leave_at: None,
                entered_at: now,
                overflow_at: None,
                callback: None,
            },
        );
        if let Some(queue) = self.queues.get_mut(&queue_id) {
            queue.present.insert((now, seq));
            if let Some(at) = queue.config.announce_period.and_then(|p| after(now, p)) {
                self.timers.arm(at, Timer::Announce(contact_id));
            }
        }
        self.settle(now, contact_id);
        self.dispatch_contact(now, contact_id);
        Ok(())
    }

    /// Fits a contact to the settings of the queue it is in: its key for the queue's aging, its
    /// requirements in force (own and queue's, relaxed for the wait so far), the next
    /// relaxation and the maximum wait (both counted from the original arrival, like the place
    /// in line). A waiting contact is (re)inserted in the queue's waiting order.
    pub(crate) fn settle(&mut self, now: Instant, contact_id: ContactId) {
        let epoch = self.epoch(now);
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        let Some(queue) = self.queues.get_mut(&contact.queue) else {
            return;
        };
        let config = &queue.config;
        let waiting = contact.offered_to.is_none();
        if waiting {
            queue.waiting.remove(&contact.key);
        }
        let arrived_at = contact.key.arrived_at;
        contact.key = WaitKey::new(
            epoch,
            contact.priority,
            config.aging_step,
            arrived_at,
            contact.key.seq,
            contact_id,
        );
        if waiting {
            queue.waiting.insert(contact.key);
        }
        let waited = now.saturating_duration_since(arrived_at);
        let required = merge(&contact.own_skills, &config.required_skills);
        contact.required = in_force(&required, &config.relaxations, waited);
        match next_step(&config.relaxations, waited).and_then(|d| after(arrived_at, d)) {
            Some(at) if !required.is_empty() => self.timers.arm(at, Timer::Relax(contact_id)),
            _ => self.timers.cancel(Timer::Relax(contact_id)),
        }
        // A callback never times out: the caller hung up trusting to be called.
        contact.leave_at = config
            .max_wait
            .filter(|_| contact.callback.is_none())
            .and_then(|w| after(arrived_at, w));
        match contact.leave_at {
            Some(at) => self.timers.arm(at, Timer::MaxWait(contact_id)),
            None => self.timers.cancel(Timer::MaxWait(contact_id)),
        }
        contact.overflow_at = config
            .overflow
            .and_then(|o| after(contact.entered_at, o.after));
        match contact.overflow_at {
            Some(at) => self.timers.arm(at, Timer::Overflow(contact_id)),
            None => self.timers.cancel(Timer::Overflow(contact_id)),
        }
        match contact.callback.as_ref().and_then(|c| c.not_before) {
            Some(at) if at > now => self.timers.arm(at, Timer::Retry(contact_id)),
            _ => self.timers.cancel(Timer::Retry(contact_id)),
        }
    }

    pub(crate) fn contact_abandoned(
        &mut self,
        now: Instant,
        contact_id: ContactId,
    ) -> Result<(), AcdError> {
        let contact = self
            .remove_contact(contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        let ringing: Vec<AgentId> = contact.ringing().collect();
        for agent in &ringing {
            self.outputs.push_back(Output::OfferWithdrawn {
                contact: contact_id,
                agent: *agent,
            });
        }
        self.record_leave(now, contact_id, &contact, LeaveReason::Abandoned);
        if let Some(queue) = self.queues.get_mut(&contact.queue) {
            let waited = now.saturating_duration_since(contact.key.arrived_at);
            queue.abandoned += 1;
            if queue
                .config
                .short_abandon
                .is_some_and(|limit| waited < limit)
            {
                queue.short_abandoned += 1;
            }
        }
        for agent in ringing {
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
        let Some(contact) = self.remove_contact(contact_id) else {
            return Err(AcdError::UnknownContact(contact_id));
        };
        self.enter_queue(now, contact_id, contact, to);
        self.dispatch_contact(now, contact_id);
        Ok(())
    }

    /// Puts a contact taken out of its queue into `to`, keeping its arrival time, so its place
    /// in the order of service and its max wait count from when it first queued; its overflow
    /// time counts from now.
    pub(crate) fn enter_queue(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        mut contact: Contact,
        to: QueueId,
    ) {
        let Some(queue) = self.queues.get_mut(&to) else {
            return;
        };
        contact.queue = to;
        contact.entered_at = now;
        queue
            .present
            .insert((contact.key.arrived_at, contact.key.seq));
        let period = queue.config.announce_period;
        let announce = period.filter(|_| contact.callback.is_none());
        if let Some(at) = announce.and_then(|p| after(now, p)) {
            self.timers.arm(at, Timer::Announce(contact_id));
        }
        self.contacts.insert(contact_id, contact);
        self.settle(now, contact_id);
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
        if contact.callback.is_some() {
            return; // nobody is listening: the caller hung up for a callback
        }
        if contact.offered_to.is_none() {
            let position = queue.position(&contact.key);
            self.outputs.push_back(Output::AnnouncePosition {
                contact: contact_id,
                queue: contact.queue,
                position,
                estimated_wait: self.estimated_wait_at(contact.queue, position),
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
            Timer::Relax(contact_id),
            Timer::Overflow(contact_id),
            Timer::Retry(contact_id),
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
