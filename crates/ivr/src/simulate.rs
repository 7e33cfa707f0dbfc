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
use crate::civil_time::LocalTime;
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
    /// Transferred to a number.
    Transferred {
        /// The number.
        number: String,
    },
    /// Sent to record a voicemail.
    Voicemail {
        /// The mailbox.
        mailbox: Arc<str>,
    },
    /// Neither: the walk hit its step bound (a bug, reported rather than hidden).
    Unfinished,
}

/// How a simulated web service answers an `http` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpReply {
    /// An answer with this status and body.
    Response {
        /// The status code.
        status: u16,
        /// The body.
        body: String,
    },
    /// No answer (connection refused).
    Failed,
}

/// What the simulated caller does and what the world looks like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scenario {
    /// Keys pressed, one each time the flow waits for a key.
    pub digits: Vec<char>,
    /// The call's variables at the start (`caller_number`, `called_number`...).
    pub vars: Vars,
    /// The tenant's local time, for `hours` nodes and `now.*`.
    pub local_time: Option<LocalTime>,
    /// Answers to HTTP requests, in order; once used up, requests fail.
    pub http: Vec<HttpReply>,
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
    /// The call's variables at the end.
    pub vars: Vars,
}

/// Walks `flow` with a caller who presses `digits` in turn; `origin` is the simulated start time.
pub fn simulate(flow: Arc<Flow>, digits: &[char], vars: Vars, origin: Instant) -> Simulation {
    let scenario = Scenario {
        digits: digits.to_vec(),
        vars,
        ..Scenario::default()
    };
    simulate_scenario(flow, &scenario, origin)
}

/// Walks `flow` through `scenario`. A queue with `after_call` is followed as if the agent
/// answered and hung up at once.
pub fn simulate_scenario(flow: Arc<Flow>, scenario: &Scenario, origin: Instant) -> Simulation {
    let mut now = origin;
    let mut digits: VecDeque<char> = scenario.digits.iter().copied().collect();
    let mut replies: VecDeque<HttpReply> = scenario.http.iter().cloned().collect();
    let mut session =
        Session::start_with_time(flow, now, scenario.vars.clone(), scenario.local_time);
    let mut path = Vec::new();
    let mut actions = Vec::new();
    let mut playing = None;
    let mut request = None;
    let mut queued = false;
    let mut outcome = Outcome::Unfinished;
    for _ in 0..MAX_STEPS {
        while let Some(action) = session.poll_action() {
            match &action {
                Action::Play { id, .. } => playing = Some(*id),
                Action::StopPlayback { .. } => playing = None,
                Action::Queue {
                    queue, priority, ..
                } => {
                    queued = true;
                    outcome = Outcome::Queued {
                        queue: Arc::clone(queue),
                        priority: *priority,
                    };
                }
                Action::HttpRequest { id, .. } => request = Some(*id),
                Action::Transfer { number } => {
                    outcome = Outcome::Transferred {
                        number: number.clone(),
                    };
                }
                Action::Voicemail { mailbox, .. } => {
                    outcome = Outcome::Voicemail {
                        mailbox: Arc::clone(mailbox),
                    };
                }
                Action::Hangup => outcome = Outcome::HungUp,
                Action::Log(FlowEvent::NodeEntered { node }) => path.push(Arc::clone(node)),
                Action::SurveyAnswer { .. } | Action::Log(_) => {}
            }
            actions.push(action);
        }
        if session.is_finished() {
            break;
        }
        if let Some(id) = playing.take() {
            session.handle_event(now, Event::PromptFinished(id));
        } else if let Some(id) = request.take() {
            let event = match replies.pop_front() {
                Some(HttpReply::Response { status, body }) => {
                    Event::HttpResponse { id, status, body }
                }
                Some(HttpReply::Failed) | None => Event::HttpFailed { id },
            };
            session.handle_event(now, event);
        } else if std::mem::take(&mut queued) {
            session.handle_event(now, Event::AgentHungUp);
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
        vars: session.vars().clone(),
    }
}

impl Simulation {
    /// The path, one line per node entered: its name, then what happened there, such as
    /// `main: play menu [en, barge-in]; key 1; choice 1`.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for action in &self.actions {
            let text = match action {
                Action::Log(FlowEvent::NodeEntered { node }) => {
                    lines.push(format!("{node}:"));
                    continue;
                }
                Action::Log(FlowEvent::IvrEntered { .. }) | Action::StopPlayback { .. } => {
                    continue;
                }
                Action::Log(FlowEvent::Digit { digit }) => format!("key {digit}"),
                Action::Log(FlowEvent::MenuChoice { option, .. }) => format!("choice {option}"),
                Action::Log(FlowEvent::Branch { branch, .. }) => format!("branch {branch}"),
                Action::Log(FlowEvent::LanguageChanged { language }) => {
                    format!("language {language}")
                }
                Action::Log(event) => event.name().replace('_', " "),
                other => other.to_string(),
            };
            if let Some(line) = lines.last_mut() {
                let sep = if line.ends_with(':') { " " } else { "; " };
                line.push_str(sep);
                line.push_str(&text);
            }
        }
        lines
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
            Outcome::Transferred { number } => write!(f, "outcome: transferred to {number}")?,
            Outcome::Voicemail { mailbox } => write!(f, "outcome: voicemail for {mailbox}")?,
            Outcome::Unfinished => write!(f, "outcome: unfinished")?,
        }
        if !self.unused_digits.is_empty() {
            let unused: String = self.unused_digits.iter().collect();
            write!(f, " (keys not used: {unused})")?;
        }
        Ok(())
    }
}
