//! The accumulator: one day's figures, fed events in time order.
//!
//! Each contact is followed while it matters: the queue it waits in (entered when), the agent
//! talking to it (since when, held how long). Outcomes are counted where the contact was
//! offered: in the queue it waited in, in the 15-minute bucket it entered that queue, and — for
//! the all-queues total — once, where it first entered a queue. Handling (talk, hold, wrap-up)
//! is counted for the agent and for the queue the contact was answered from; an agent's
//! wrap-up belongs to the last conversation that agent ended.

use std::collections::{BTreeMap, HashMap};

use crate::config::{BASE_INTERVAL_MS, Config, IntervalLength};
use crate::figures::{AgentFigures, Figures, IntervalFigures, IntervalSeries, QueueFigures};
use crate::input::{AgentEvent, AgentId, AgentState, ContactEvent, ContactId, ContactWhat, Input};
use crate::tally::{Counts, Handling};

/// One queue's (or all queues') counters.
#[derive(Debug, Clone, Default)]
struct Tally {
    counts: Counts,
    handling: Handling,
    buckets: Vec<Counts>,
}

impl Tally {
    fn bucket(&mut self, index: Option<usize>, size: usize) -> Option<&mut Counts> {
        let index = index?;
        if self.buckets.len() < size {
            self.buckets.resize(size, Counts::default());
        }
        self.buckets.get_mut(index)
    }
}

/// Where a contact waits.
#[derive(Debug, Clone)]
struct Waiting {
    queue: String,
    entered_ms: i64,
    bucket: Option<usize>,
}

/// An agent talking to a contact.
#[derive(Debug, Clone)]
struct Talk {
    agent: AgentId,
    queue: Option<String>,
    started_ms: i64,
    hold_ms: u64,
    held_since: Option<i64>,
}

#[derive(Debug, Clone, Default)]
struct Contact {
    /// When it first entered a queue today, and that bucket (the total's offer).
    first_entry: Option<(i64, Option<usize>)>,
    /// Whether the total already has its outcome.
    total_settled: bool,
    waiting: Option<Waiting>,
    /// The queue it was last answered from (a transfer to an agent keeps it).
    answered_from: Option<String>,
    talk: Option<Talk>,
}

#[derive(Debug, Clone, Default)]
struct Agent {
    state: Option<(AgentState, i64)>,
    state_ms: BTreeMap<AgentState, u64>,
    handling: Handling,
    /// The queue of the last conversation the agent ended, which their wrap-up belongs to.
    last_queue: Option<String>,
}

/// A day's figures being accumulated. See the crate doc for the drive loop.
#[derive(Debug, Clone)]
pub struct Day {
    config: Config,
    total: Tally,
    queues: BTreeMap<String, Tally>,
    contacts: HashMap<ContactId, Contact>,
    agents: BTreeMap<AgentId, Agent>,
}

fn elapsed(from_ms: i64, to_ms: i64) -> u64 {
    u64::try_from(to_ms.saturating_sub(from_ms)).unwrap_or(0)
}

impl Day {
    /// An empty day.
    pub fn new(config: Config) -> Self {
        Day {
            config,
            total: Tally::default(),
            queues: BTreeMap::new(),
            contacts: HashMap::new(),
            agents: BTreeMap::new(),
        }
    }

    /// A day fed `inputs` sorted by time (stably: events of one instant keep their order), as
    /// when seeding from the store, whose events come grouped by interaction.
    pub fn replay(config: Config, inputs: impl IntoIterator<Item = Input>) -> Self {
        let mut inputs: Vec<Input> = inputs.into_iter().collect();
        inputs.sort_by_key(Input::at_ms);
        let mut day = Day::new(config);
        for input in inputs {
            day.handle(input);
        }
        day
    }

    /// The next day (`config`), starting with every agent in the state they are in now, from
    /// the new day's start: what the server switches to at midnight.
    pub fn carry_over(&self, config: Config) -> Day {
        let start = config.day_start_ms;
        let mut next = Day::new(config);
        for (id, agent) in &self.agents {
            if let Some((state, _)) = agent.state {
                let carried = next.agents.entry(*id).or_default();
                carried.state = Some((state, start));
            }
        }
        next
    }

    /// One queue's figures, zeros for a queue nothing was offered to.
    pub fn queue(&self, name: &str) -> QueueFigures {
        let empty = Tally::default();
        let tally = self.queues.get(name).unwrap_or(&empty);
        QueueFigures::new(
            Some(name),
            Some(self.config.thresholds(name)),
            &tally.counts,
            &tally.handling,
        )
    }

    /// The day's settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Takes one input. Inputs should come in time order; an earlier one counts durations
    /// that would be negative as zero.
    pub fn handle(&mut self, input: Input) {
        match input {
            Input::Contact(event) => self.handle_contact(event),
            Input::Agent(event) => self.handle_agent(event),
        }
    }

    /// Takes a contact event.
    pub fn handle_contact(&mut self, event: ContactEvent) {
        let ContactEvent {
            contact: id,
            at_ms,
            what,
        } = event;
        match what {
            ContactWhat::Queued { queue } => {
                if !self.config.contains(at_ms) {
                    return;
                }
                let mut contact = self.contacts.remove(&id).unwrap_or_default();
                self.end_talk(&mut contact, at_ms);
                contact.waiting = None;
                if contact.first_entry.is_none() {
                    let bucket = self.config.bucket(at_ms);
                    contact.first_entry = Some((at_ms, bucket));
                    self.total.counts.offered += 1;
                    let size = self.config.bucket_count();
                    if let Some(b) = self.total.bucket(bucket, size) {
                        b.offered += 1;
                    }
                }
                contact.waiting = Some(self.enter(queue, at_ms));
                self.contacts.insert(id, contact);
            }
            ContactWhat::Overflowed { to } => {
                let Some(contact) = self.contacts.get_mut(&id) else {
                    return;
                };
                let Some(left) = contact.waiting.take() else {
                    return;
                };
                let size = self.config.bucket_count();
                let tally = self.queues.entry(left.queue).or_default();
                tally.counts.overflowed += 1;
                if let Some(b) = tally.bucket(left.bucket, size) {
                    b.overflowed += 1;
                }
                if self.config.contains(at_ms) {
                    let entered = self.enter(to, at_ms);
                    if let Some(contact) = self.contacts.get_mut(&id) {
                        contact.waiting = Some(entered);
                    }
                }
            }
            ContactWhat::Answered { agent } => {
                let mut contact = self.contacts.remove(&id).unwrap_or_default();
                self.end_talk(&mut contact, at_ms);
                if let Some(waiting) = contact.waiting.take() {
                    self.settle(&mut contact, &waiting, at_ms, Settled::Answered);
                    contact.answered_from = Some(waiting.queue);
                }
                contact.talk = Some(Talk {
                    agent,
                    queue: contact.answered_from.clone(),
                    started_ms: at_ms,
                    hold_ms: 0,
                    held_since: None,
                });
                self.contacts.insert(id, contact);
            }
            ContactWhat::Hold => {
                if let Some(talk) = self.contacts.get_mut(&id).and_then(|c| c.talk.as_mut()) {
                    talk.held_since.get_or_insert(at_ms);
                }
            }
            ContactWhat::Unhold => {
                if let Some(talk) = self.contacts.get_mut(&id).and_then(|c| c.talk.as_mut())
                    && let Some(since) = talk.held_since.take()
                {
                    talk.hold_ms = talk.hold_ms.saturating_add(elapsed(since, at_ms));
                }
            }
            ContactWhat::Transferred | ContactWhat::AfterCall => {
                if let Some(mut contact) = self.contacts.remove(&id) {
                    self.end_talk(&mut contact, at_ms);
                    self.contacts.insert(id, contact);
                }
            }
            ContactWhat::Abandoned => {
                let Some(mut contact) = self.contacts.remove(&id) else {
                    return;
                };
                if let Some(waiting) = contact.waiting.take() {
                    self.settle(&mut contact, &waiting, at_ms, Settled::Abandoned);
                }
                self.contacts.insert(id, contact);
            }
            ContactWhat::Ended => {
                if let Some(mut contact) = self.contacts.remove(&id) {
                    self.end_talk(&mut contact, at_ms);
                }
            }
        }
    }

    /// Offers a contact to `queue` at `at_ms`.
    fn enter(&mut self, queue: String, at_ms: i64) -> Waiting {
        let bucket = self.config.bucket(at_ms);
        let size = self.config.bucket_count();
        let tally = self.queues.entry(queue.clone()).or_default();
        tally.counts.offered += 1;
        if let Some(b) = tally.bucket(bucket, size) {
            b.offered += 1;
        }
        Waiting {
            queue,
            entered_ms: at_ms,
            bucket,
        }
    }

    /// Counts how a wait ended, in its queue (and bucket) and, the first time, in the total.
    fn settle(&mut self, contact: &mut Contact, waiting: &Waiting, at_ms: i64, how: Settled) {
        let thresholds = self.config.thresholds(&waiting.queue);
        let size = self.config.bucket_count();
        let count = |counts: &mut Counts, wait_ms: u64| match how {
            Settled::Answered => {
                let within = u128::from(wait_ms) <= thresholds.service_level.as_millis();
                counts.answer(wait_ms, within);
            }
            Settled::Abandoned => {
                let short = u128::from(wait_ms) < thresholds.short_abandon.as_millis();
                counts.abandon(short);
            }
        };
        let wait = elapsed(waiting.entered_ms, at_ms);
        let tally = self.queues.entry(waiting.queue.clone()).or_default();
        count(&mut tally.counts, wait);
        if let Some(b) = tally.bucket(waiting.bucket, size) {
            count(b, wait);
        }
        if let (false, Some((first_ms, first_bucket))) =
            (contact.total_settled, contact.first_entry)
        {
            contact.total_settled = true;
            let wait = elapsed(first_ms, at_ms);
            count(&mut self.total.counts, wait);
            if let Some(b) = self.total.bucket(first_bucket, size) {
                count(b, wait);
            }
        }
    }

    /// Ends the contact's conversation, if any, at `at_ms`: one more handled contact.
    fn end_talk(&mut self, contact: &mut Contact, at_ms: i64) {
        let Some(mut talk) = contact.talk.take() else {
            return;
        };
        if let Some(since) = talk.held_since.take() {
            talk.hold_ms = talk.hold_ms.saturating_add(elapsed(since, at_ms));
        }
        let talk_ms = elapsed(talk.started_ms, at_ms).saturating_sub(talk.hold_ms);
        let add = |h: &mut Handling| {
            h.handled += 1;
            h.talk_ms = h.talk_ms.saturating_add(talk_ms);
            h.hold_ms = h.hold_ms.saturating_add(talk.hold_ms);
        };
        if let Some(queue) = &talk.queue {
            add(&mut self.queues.entry(queue.clone()).or_default().handling);
            add(&mut self.total.handling);
        }
        let agent = self.agents.entry(talk.agent).or_default();
        add(&mut agent.handling);
        agent.last_queue = talk.queue;
    }

    /// Takes an agent's state change.
    pub fn handle_agent(&mut self, event: AgentEvent) {
        let (start, end) = (self.config.day_start_ms, self.config.day_end_ms);
        let agent = self.agents.entry(event.agent).or_default();
        let Some((state, since)) = agent.state.or(event.from.map(|from| (from, start))) else {
            agent.state = Some((event.to, event.at_ms));
            return;
        };
        let spent = elapsed(since.max(start), event.at_ms.min(end));
        let time = agent.state_ms.entry(state).or_default();
        *time = time.saturating_add(spent);
        if state == AgentState::WrapUp {
            agent.handling.wrap_up_ms = agent.handling.wrap_up_ms.saturating_add(spent);
            if let Some(queue) = agent.last_queue.clone() {
                let tally = self.queues.entry(queue).or_default();
                tally.handling.wrap_up_ms = tally.handling.wrap_up_ms.saturating_add(spent);
                self.total.handling.wrap_up_ms =
                    self.total.handling.wrap_up_ms.saturating_add(spent);
            }
        }
        agent.state = Some((event.to, event.at_ms));
    }

    /// The figures at `now_ms` (an agent's current state counts up to then).
    pub fn figures(&self, now_ms: i64) -> Figures {
        let queues = self
            .queues
            .iter()
            .map(|(name, tally)| {
                QueueFigures::new(
                    Some(name),
                    Some(self.config.thresholds(name)),
                    &tally.counts,
                    &tally.handling,
                )
            })
            .collect();
        let (start, end) = (self.config.day_start_ms, self.config.day_end_ms);
        let agents = self
            .agents
            .iter()
            .map(|(id, agent)| {
                let mut state_ms: BTreeMap<&'static str, u64> = agent
                    .state_ms
                    .iter()
                    .map(|(state, ms)| (state.as_str(), *ms))
                    .collect();
                if let Some((state, since)) = agent.state {
                    let open = elapsed(since.max(start), now_ms.min(end));
                    let time = state_ms.entry(state.as_str()).or_default();
                    *time = time.saturating_add(open);
                }
                AgentFigures {
                    agent: id.0,
                    aht_secs: agent.handling.aht_secs(),
                    handling: agent.handling,
                    state_ms,
                }
            })
            .collect();
        Figures {
            day_start_ms: start,
            at_ms: now_ms,
            total: QueueFigures::new(None, None, &self.total.counts, &self.total.handling),
            queues,
            agents,
            intervals: self.intervals(self.config.interval),
        }
    }

    /// The day's series in intervals of `length`, from the day's start to its end.
    pub fn intervals(&self, length: IntervalLength) -> IntervalSeries {
        IntervalSeries {
            minutes: length.minutes(),
            total: self.series(&self.total, length),
            queues: self
                .queues
                .iter()
                .map(|(name, tally)| (name.clone(), self.series(tally, length)))
                .collect(),
        }
    }

    fn series(&self, tally: &Tally, length: IntervalLength) -> Vec<IntervalFigures> {
        let per = length.buckets();
        let count = self.config.bucket_count().div_ceil(per);
        (0..count)
            .map(|i| {
                let mut sum = Counts::default();
                for b in tally.buckets.iter().skip(i * per).take(per) {
                    sum.add(b);
                }
                let offset = i64::try_from(i * per).unwrap_or(i64::MAX);
                let start = self
                    .config
                    .day_start_ms
                    .saturating_add(offset.saturating_mul(BASE_INTERVAL_MS));
                IntervalFigures::new(start, &sum)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Settled {
    Answered,
    Abandoned,
}
