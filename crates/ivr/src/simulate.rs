//! Walking a flow without a call, for `plateau ivr simulate` and for tests.
//!
//! The simulated caller listens to every prompt to its end, presses the next of the given keys
//! whenever a menu waits for one, and stays silent once they run out, so timeouts take over.
//! Prompts take no time; timeouts advance the simulated clock to their deadline.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::action::{Action, FlowEvent};
use crate::flow::Flow;
use crate::session::{Event, Session, Vars};

/// More steps than any valid flow needs for a few dozen keys; a bound rather than a hang.
const MAX_STEPS: usize = 10_000;

/// How a simulated call left the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handed to a queue.
    Queued {
        /// The queue.
        queue: Arc<str>,
        /// The priority given, if any.
        priority: Option<u8>,
    },
    /// Hung up by the flow.
    HungUp,
    /// Neither: the walk hit its step bound (a bug, reported rather than hidden).
    Unfinished,
}

/// The result of [`simulate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// Nodes entered, in order.
    pub path: Vec<Arc<str>>,
    /// Every action the session produced, logs included.
    pub actions: Vec<Action>,
    /// How it ended.
    pub outcome: Outcome,
    /// Keys left over when the flow ended.
    pub unused_digits: Vec<char>,
}

/// Walks `flow` with a caller who presses `digits` in turn; `origin` is the simulated start time.
pub fn simulate(flow: Arc<Flow>, digits: &[char], vars: Vars, origin: Instant) -> Simulation {
    let mut now = origin;
    let mut digits: VecDeque<char> = digits.iter().copied().collect();
    let mut session = Session::start(flow, now, vars);
    let mut path = Vec::new();
    let mut actions = Vec::new();
    let mut playing = None;
    let mut outcome = Outcome::Unfinished;
    for _ in 0..MAX_STEPS {
        while let Some(action) = session.poll_action() {
            match &action {
                Action::Play { id, .. } => playing = Some(*id),
                Action::StopPlayback { .. } => playing = None,
                Action::Queue { queue, priority } => {
                    outcome = Outcome::Queued {
                        queue: Arc::clone(queue),
                        priority: *priority,
                    };
                }
                Action::Hangup => outcome = Outcome::HungUp,
                Action::Log(FlowEvent::NodeEntered { node }) => path.push(Arc::clone(node)),
                Action::Log(_) => {}
            }
            actions.push(action);
        }
        if session.is_finished() {
            break;
        }
        if let Some(id) = playing.take() {
            session.handle_event(now, Event::PromptFinished(id));
        } else if let Some(deadline) = session.poll_timeout() {
            match digits.pop_front() {
                Some(digit) => session.handle_event(now, Event::Digit(digit)),
                None => {
                    now = now.max(deadline);
                    session.handle_timeout(now);
                }
            }
        } else {
            // Neither playing nor waiting: nothing could ever move the session on.
            break;
        }
    }
    Simulation {
        path,
        actions,
        outcome,
        unused_digits: digits.into(),
    }
}

impl fmt::Display for Simulation {
    /// One line per step: `→ node` on entering a node, indented actions and events below it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for action in &self.actions {
            match action {
                Action::Log(FlowEvent::NodeEntered { node }) => writeln!(f, "→ {node}")?,
                Action::Log(event) => writeln!(f, "  {event}")?,
                other => writeln!(f, "  {other}")?,
            }
        }
        match &self.outcome {
            Outcome::Queued { queue, .. } => write!(f, "outcome: queued on {queue}")?,
            Outcome::HungUp => write!(f, "outcome: hung up")?,
            Outcome::Unfinished => write!(f, "outcome: unfinished")?,
        }
        if !self.unused_digits.is_empty() {
            let unused: String = self.unused_digits.iter().collect();
            write!(f, " (keys not used: {unused})")?;
        }
        Ok(())
    }
}
