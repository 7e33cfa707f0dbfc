//! Queue policies that move contacts on without an agent: overflow to another queue after a
//! wait, and leaving (or not joining) a queue nobody staffs.
//!
//! An overflowing contact keeps its original arrival time, so in the new queue it ranks by how
//! long the caller has really waited: a caller who waited two minutes in `sales` is not put
//! behind callers who rang `sales-overflow` directly a minute ago. Its overflow in the new
//! queue counts from entering it, so a chain of queues is walked one step per wait, not all at
//! once. Max wait keeps counting from the first arrival, as for a manual move.

use std::time::Instant;

use crate::agent_state::AgentState;
use crate::contact::LeaveReason;
use crate::ids::{ContactId, QueueId};
use crate::output::Output;

impl crate::Acd {
    /// The overflow timer fired. A contact being offered stays until the outcome; a failed
    /// offer overflows it then.
    pub(crate) fn overflow_due(&mut self, now: Instant, contact_id: ContactId) {
        let waiting = self
            .contacts
            .get(&contact_id)
            .is_some_and(|c| c.offered_to.is_none());
        if waiting {
            self.overflow(now, contact_id);
        }
    }

    /// Moves a waiting contact to its queue's overflow target and says whether it moved.
    /// Without a target (none set, or the queue was removed) it stays where it is.
    pub(crate) fn overflow(&mut self, now: Instant, contact_id: ContactId) -> bool {
        let Some(from) = self.contacts.get(&contact_id).map(|c| c.queue) else {
            return false;
        };
        let target = self
            .queues
            .get(&from)
            .and_then(|q| q.config.overflow)
            .map(|o| o.to)
            .filter(|to| self.queues.contains_key(to));
        let Some(to) = target else {
            return false;
        };
        let Some(contact) = self.remove_contact(contact_id) else {
            return false;
        };
        let waited = now.saturating_duration_since(contact.key.arrived_at);
        self.outputs.push_back(Output::ContactOverflowed {
            contact: contact_id,
            from,
            to,
            waited,
        });
        self.enter_queue(now, contact_id, contact, to);
        self.dispatch_contact(now, contact_id);
        true
    }

    /// Whether any member of the queue is logged in.
    pub(crate) fn has_logged_in_member(&self, queue_id: QueueId) -> bool {
        self.queues.get(&queue_id).is_some_and(|queue| {
            queue.members.iter().any(|a| {
                self.agents
                    .get(a)
                    .is_some_and(|a| a.state != AgentState::LoggedOut)
            })
        })
    }

    /// In each of these queues that has `leave_empty` and no member logged in any more, the
    /// waiting contacts leave with [`LeaveReason::NoAgents`]. Callbacks stay (the customer
    /// is not on the line; agents will be back), and so does a contact being offered.
    pub(crate) fn leave_if_unstaffed(&mut self, now: Instant, queues: &[QueueId]) {
        for queue_id in queues {
            let leave = self
                .queues
                .get(queue_id)
                .is_some_and(|q| q.config.leave_empty)
                && !self.has_logged_in_member(*queue_id);
            if !leave {
                continue;
            }
            let Some(queue) = self.queues.get(queue_id) else {
                continue;
            };
            let leaving: Vec<ContactId> = queue
                .waiting
                .iter()
                .map(|k| k.contact)
                .filter(|c| self.contacts.get(c).is_some_and(|c| c.callback.is_none()))
                .collect();
            for contact_id in leaving {
                if let Some(contact) = self.remove_contact(contact_id) {
                    self.record_leave(now, contact_id, &contact, LeaveReason::NoAgents);
                }
            }
        }
    }
}
