//! Test harness: an engine on a simulated clock that records every output.
#![allow(dead_code)] // each test file uses a different part of the harness

use std::time::{Duration, Instant};

use acd::{
    Acd, AcdConfig, AcdError, AgentConfig, AgentId, AgentState, ContactId, Input, Output,
    QueueConfig, QueueId,
};

/// The simulated clock's origin.
pub fn origin() -> Instant {
    #[allow(clippy::disallowed_methods)] // tests need one real Instant as the clock's origin
    Instant::now()
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn queue(id: u64) -> QueueConfig {
    QueueConfig::new(QueueId(id), format!("queue {id}"))
}

pub fn agent(id: u64, queues: &[u64]) -> AgentConfig {
    let queues: Vec<_> = queues.iter().map(|q| QueueId(*q)).collect();
    AgentConfig::new(AgentId(id), format!("agent {id}"), &queues)
}

/// An engine, a simulated clock, and the outputs not yet looked at.
pub struct Harness {
    pub acd: Acd,
    pub t0: Instant,
    pub now: Instant,
    /// Outputs not yet looked at, with the simulated time each was produced at.
    pending: Vec<(Instant, Output)>,
}

impl Harness {
    pub fn new(queues: Vec<QueueConfig>, agents: Vec<AgentConfig>) -> Self {
        let acd = Acd::new(AcdConfig {
            queues,
            agents,
            seed: 0,
        })
        .expect("valid test configuration");
        let t0 = origin();
        Self {
            acd,
            t0,
            now: t0,
            pending: Vec::new(),
        }
    }

    /// Seconds since the origin.
    pub fn at_secs(&self) -> u64 {
        (self.now - self.t0).as_secs()
    }

    /// Feeds an input at the current time.
    pub fn send(&mut self, input: Input) -> Result<(), AcdError> {
        let result = self.acd.handle_input(self.now, input);
        self.collect();
        result
    }

    /// Moves the clock to `t0 + s` seconds, firing every deadline on the way at its own time.
    pub fn run_to(&mut self, s: u64) {
        let target = self.t0 + secs(s);
        assert!(target >= self.now, "the simulated clock only moves forward");
        while let Some(deadline) = self.acd.poll_timeout() {
            if deadline > target {
                break;
            }
            self.now = self.now.max(deadline);
            self.acd.handle_timeout(self.now);
            self.collect();
        }
        self.now = target;
    }

    /// Moves the clock forward by `s` seconds.
    pub fn advance(&mut self, s: u64) {
        let at = self.at_secs() + s;
        self.run_to(at);
    }

    /// Outputs since the last call.
    pub fn take(&mut self) -> Vec<Output> {
        self.take_timed().into_iter().map(|(_, o)| o).collect()
    }

    /// Outputs since the last call, each with the simulated time it was produced at.
    pub fn take_timed(&mut self) -> Vec<(Instant, Output)> {
        std::mem::take(&mut self.pending)
    }

    /// Offers (contact, agent) among the outputs since the last call; other outputs are dropped.
    pub fn take_offers(&mut self) -> Vec<(u64, u64)> {
        self.take()
            .into_iter()
            .filter_map(|o| match o {
                Output::Offer { contact, agent, .. } => Some((contact.0, agent.0)),
                _ => None,
            })
            .collect()
    }

    pub fn state(&self, agent: u64) -> AgentState {
        self.acd
            .agent_state(AgentId(agent))
            .expect("known agent")
            .clone()
    }

    pub fn login(&mut self, agent: u64) {
        self.send(Input::Login {
            agent: AgentId(agent),
            not_ready: None,
        })
        .expect("login");
    }

    pub fn arrive(&mut self, contact: u64, queue: u64) {
        self.arrive_with_priority(contact, queue, 0);
    }

    pub fn arrive_with_priority(&mut self, contact: u64, queue: u64, priority: i32) {
        self.send(Input::ContactArrived {
            contact: ContactId(contact),
            queue: QueueId(queue),
            priority,
        })
        .expect("arrival");
    }

    pub fn answer(&mut self, contact: u64, agent: u64) {
        self.send(Input::OfferAnswered {
            contact: ContactId(contact),
            agent: AgentId(agent),
        })
        .expect("answer");
    }

    pub fn end_call(&mut self, agent: u64) {
        self.send(Input::CallEnded {
            agent: AgentId(agent),
        })
        .expect("call end");
    }

    fn collect(&mut self) {
        while let Some(output) = self.acd.poll_output() {
            self.pending.push((self.now, output));
        }
    }
}
