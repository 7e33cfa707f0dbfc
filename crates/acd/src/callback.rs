//! Callbacks that keep the caller's place ("virtual hold"), the engine's part.
//!
//! The caller chooses to be called back and hangs up: [`Input::ConvertToCallback`] keeps the
//! contact in its queue, in its place, with the number to dial. It is routed like any other
//! contact; when an agent is chosen, the agent is reserved (ringing, so they get nothing else)
//! and [`Output::DialCallback`] asks the server to dial the customer. The server answers with
//! [`Input::CallbackAnswered`] (customer and agent connected: the contact is answered) or
//! [`Input::CallbackFailed`] (no answer, busy): the agent is free again without a miss, and
//! the contact keeps its place but is not routed again until the queue's retry delay has
//! passed; after the queue's maximum attempts it leaves with
//! [`LeaveReason::CallbackFailed`](crate::LeaveReason::CallbackFailed). A reservation that
//! reaches the ring timeout counts as a failed attempt.
//!
//! A callback hears no announcements and never reaches max wait (the caller trusted the
//! promise); it does overflow, keeping its place. [`Input::ContactAbandoned`] cancels it.
//!
//! [`Input::ConvertToCallback`]: crate::Input::ConvertToCallback
//! [`Input::CallbackAnswered`]: crate::Input::CallbackAnswered
//! [`Input::CallbackFailed`]: crate::Input::CallbackFailed
//! [`Input::ContactAbandoned`]: crate::Input::ContactAbandoned
//! [`Output::DialCallback`]: crate::Output::DialCallback

use std::time::Instant;

use crate::agent_state::ChangeCause;
use crate::contact::{Callback, LeaveReason};
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId};
use crate::routing::after;
use crate::timers::Timer;

impl crate::Acd {
    pub(crate) fn convert_to_callback(
        &mut self,
        contact_id: ContactId,
        number: String,
    ) -> Result<(), AcdError> {
        if number.is_empty() {
            return Err(AcdError::EmptyCallbackNumber);
        }
        let contact = self
            .contacts
            .get_mut(&contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        if contact.offered_to.is_some() {
            return Err(AcdError::ContactNotWaiting(contact_id));
        }
        if contact.callback.is_some() {
            return Err(AcdError::AlreadyACallback(contact_id));
        }
        contact.callback = Some(Callback {
            number,
            failed_attempts: 0,
            not_before: None,
        });
        contact.leave_at = None;
        self.timers.cancel(Timer::MaxWait(contact_id));
        self.timers.cancel(Timer::Announce(contact_id));
        // Still waiting and still unmatched (the routing invariant): nothing to dispatch.
        Ok(())
    }

    pub(crate) fn callback_answered(
        &mut self,
        now: Instant,
        contact_id: ContactId,
    ) -> Result<(), AcdError> {
        let agent = self.dialling_agent(contact_id)?;
        self.offer_answered(now, contact_id, agent)
    }

    pub(crate) fn callback_failed(
        &mut self,
        now: Instant,
        contact_id: ContactId,
    ) -> Result<(), AcdError> {
        let agent = self.dialling_agent(contact_id)?;
        self.timers.cancel(Timer::Offer(contact_id));
        self.callback_attempt_failed(now, contact_id, agent);
        Ok(())
    }

    /// The agent reserved for a callback being dialled.
    fn dialling_agent(&self, contact_id: ContactId) -> Result<AgentId, AcdError> {
        let contact = self
            .contacts
            .get(&contact_id)
            .ok_or(AcdError::UnknownContact(contact_id))?;
        match (&contact.callback, contact.offered_to) {
            (Some(_), Some(agent)) => Ok(agent),
            (None, _) => Err(AcdError::NotACallback(contact_id)),
            (Some(_), None) => Err(AcdError::ContactNotWaiting(contact_id)),
        }
    }

    /// A dial attempt failed: the callback waits out the retry delay in its place, or leaves
    /// after the last attempt; the agent, who did nothing wrong, is free again in their place.
    pub(crate) fn callback_attempt_failed(
        &mut self,
        now: Instant,
        contact_id: ContactId,
        agent: AgentId,
    ) {
        let Some(contact) = self.contacts.get_mut(&contact_id) else {
            return;
        };
        contact.offered_to = None;
        let policy = self
            .queues
            .get(&contact.queue)
            .map(|q| q.config.callback)
            .unwrap_or_default();
        let given_up = match contact.callback.as_mut() {
            Some(callback) => {
                callback.failed_attempts += 1;
                callback.not_before = after(now, policy.retry_delay);
                callback.failed_attempts >= policy.max_attempts
            }
            None => true,
        };
        if given_up {
            if let Some(contact) = self.remove_contact(contact_id) {
                self.record_leave(now, contact_id, &contact, LeaveReason::CallbackFailed);
            }
        } else {
            // Back in place (the key never changed), pausing until the retry.
            self.settle(now, contact_id);
        }
        self.become_available(now, agent, ChangeCause::OfferWithdrawn, true);
    }
}
