//! The engine: owns queues, agents, contacts and timers, and runs the drive loop.
//!
//! The handlers live beside it, one file per concern: `waiting.rs` (contacts in queue),
//! `offers.rs` (offer outcomes), `agent_requests.rs` (agents' own changes, calls ending,
//! wrap-up), `reconfigure.rs` (configuration at runtime), `routing.rs` (matching contacts and
//! agents) and `views.rs` (read-only counts).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use crate::agent::Agent;
use crate::config::AcdConfig;
use crate::contact::{Contact, Urgency};
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId, QueueId};
use crate::input::Input;
use crate::output::Output;
use crate::queue::Queue;
use crate::rng::Rng;
use crate::timers::{Timer, Timers};

/// The automatic call distributor. See the crate documentation for the drive loop.
#[derive(Debug)]
pub struct Acd {
    /// The latest time seen; inputs with an earlier `now` are treated as happening now, so the
    /// engine's clock never runs backwards.
    pub(crate) clock: Option<Instant>,
    /// The first instant seen: the origin of the contacts' order keys.
    pub(crate) epoch: Option<Instant>,
    /// Not-ready reason codes agents may use; `None` accepts any non-empty code.
    pub(crate) not_ready_reasons: Option<BTreeSet<String>>,
    pub(crate) queues: HashMap<QueueId, Queue>,
    pub(crate) agents: HashMap<AgentId, Agent>,
    pub(crate) contacts: HashMap<ContactId, Contact>,
    pub(crate) timers: Timers,
    pub(crate) outputs: VecDeque<Output>,
    pub(crate) rng: Rng,
    /// Arrival sequence, the last tie-breaker of the order of service.
    pub(crate) next_seq: u64,
}

impl Acd {
    /// An engine with these queues and agents, every agent logged out.
    ///
    /// Fails on duplicate ids, invalid queue settings, or a membership in an unknown queue.
    pub fn new(config: AcdConfig) -> Result<Self, AcdError> {
        let mut acd = Self {
            clock: None,
            epoch: None,
            not_ready_reasons: None,
            queues: HashMap::new(),
            agents: HashMap::new(),
            contacts: HashMap::new(),
            timers: Timers::default(),
            outputs: VecDeque::new(),
            rng: Rng::new(config.seed),
            next_seq: 0,
        };
        for queue in config.queues {
            acd.add_queue(queue)?;
        }
        for agent in config.agents {
            acd.add_agent(agent)?;
        }
        Ok(acd)
    }

    /// Feeds one input that happened at `now`. On error nothing changed.
    pub fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), AcdError> {
        let now = self.tick(now);
        match input {
            Input::ContactArrived {
                contact,
                queue,
                priority,
            } => self.contact_arrived(now, contact, queue, priority, Default::default()),
            Input::ContactArrivedWithSkills {
                contact,
                queue,
                priority,
                skills,
            } => self.contact_arrived(now, contact, queue, priority, skills),
            Input::ContactAbandoned { contact } => self.contact_abandoned(now, contact),
            Input::ConvertToCallback { contact, number } => {
                self.convert_to_callback(contact, number)
            }
            Input::CallbackAnswered { contact } => self.callback_answered(now, contact),
            Input::CallbackFailed { contact } => self.callback_failed(now, contact),
            Input::MoveContact { contact, queue } => self.move_contact(now, contact, queue),
            Input::OfferAnswered { contact, agent } => self.offer_answered(now, contact, agent),
            Input::OfferFailed {
                contact,
                agent,
                reason,
            } => self.offer_failed(now, contact, agent, reason),
            Input::CallEnded { agent } => self.call_ended(now, agent),
            Input::Login { agent, not_ready } => self.login(now, agent, not_ready),
            Input::Ready { agent } => self.ready(now, agent),
            Input::NotReady { agent, reason } => self.not_ready(now, agent, reason),
            Input::Logout { agent } => self.logout(now, agent),
            Input::ExtendWrapUp { agent, by } => self.extend_wrap_up(agent, by),
            Input::SetNotReadyReasons { reasons } => self.set_not_ready_reasons(reasons),
            Input::AddQueue(config) => self.add_queue(config),
            Input::UpdateQueue(config) => self.update_queue(now, config),
            Input::RemoveQueue { queue } => self.remove_queue(queue),
            Input::AddAgent(config) => self.add_agent(config),
            Input::RemoveAgent { agent } => self.remove_agent(agent),
            Input::JoinQueue {
                agent,
                queue,
                membership,
            } => self.join_queue(now, agent, queue, membership),
            Input::LeaveQueue { agent, queue } => self.leave_queue(now, agent, queue),
        }
    }

    /// Fires every timer due at or before `now` (offer timeouts, wrap-up ends, announcements,
    /// maximum waits, relaxed skill requirements, overflows, callback retries). Call it when
    /// [`poll_timeout`](Self::poll_timeout)'s deadline passes; calling it early or twice is
    /// harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.tick(now);
        // Contacts that became routable at this instant (a ring widened, a callback's pause
        // ended) are routed together once every due timer has run, most urgent first: routing
        // each as its timer pops would serve one before a more urgent one due at the same
        // instant.
        let mut released = Vec::new();
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                Timer::Offer(contact) => self.offer_timed_out(now, contact),
                Timer::WrapUp(agent) => self.wrap_up_expired(now, agent),
                Timer::Announce(contact) => self.announce(now, contact),
                Timer::MaxWait(contact) => self.max_wait_reached(now, contact),
                Timer::Overflow(contact) => self.overflow_due(now, contact),
                Timer::Retry(contact) => released.push(contact),
                Timer::Relax(contact) => {
                    self.settle(now, contact);
                    released.push(contact);
                }
            }
        }
        released.sort_by_cached_key(|c| {
            self.contacts.get(c).map(|contact| {
                let aging = self
                    .queues
                    .get(&contact.queue)
                    .and_then(|q| q.config.aging_step);
                let waited = now.saturating_duration_since(contact.key.arrived_at);
                let urgency = Urgency::new(contact.priority, waited, aging);
                (Reverse(urgency), contact.key.arrived_at, contact.key.seq)
            })
        });
        released.dedup();
        self.dispatch_in_order(now, released);
    }

    /// The next thing for the server to do or record, in the order it happened.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Moves the engine's clock to `now` unless it is already later.
    fn tick(&mut self, now: Instant) -> Instant {
        let now = self.clock.map_or(now, |clock| clock.max(now));
        self.clock = Some(now);
        self.epoch.get_or_insert(now);
        now
    }

    /// The origin of order keys (set by the first input; `now` before any).
    pub(crate) fn epoch(&self, now: Instant) -> Instant {
        self.epoch.unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_can_move_to_the_task_that_owns_it() {
        fn is_send<T: Send>() {}
        is_send::<Acd>();
    }
}
