//! One caller walking one flow: the sans-IO interpreter.
//!
//! The server feeds the session what happens on the call ([`Session::handle_event`]: a prompt
//! finished, a key was pressed) and the passing of time ([`Session::handle_timeout`] once
//! [`Session::poll_timeout`] is reached), and performs what [`Session::poll_action`] returns
//! (play, stop, queue, hang up, log) until the session is finished. Nothing here reads a clock:
//! `now` is always an argument, so the same inputs always give the same actions.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::action::{Action, FlowEvent, PlayId};
use crate::dtmf;
use crate::flow::{Dest, Flow, Node, NodeId};
use crate::nodes::{Input, Step};
use crate::prompt::Prompt;

/// Variables a call carries through the flow (`caller_number`, `called_number`, CRM data).
pub type Vars = BTreeMap<String, String>;

/// Keys kept from barge-in prompts for the next menu; more are dropped.
pub const MAX_TYPE_AHEAD: usize = 16;

/// Something that happened on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The playback `id` reached its end (reports for stopped or older playbacks are ignored).
    PromptFinished(PlayId),
    /// The caller pressed a key (`0`–`9`, `*`, `#`, `A`–`D`; other characters are ignored).
    Digit(char),
}

/// One caller in one flow.
#[derive(Debug)]
pub struct Session {
    flow: Arc<Flow>,
    rt: Runtime,
}

/// The session's state apart from the flow, so a node can change it while the flow is borrowed.
#[derive(Debug)]
pub(crate) struct Runtime {
    now: Instant,
    vars: Vars,
    language: Arc<str>,
    /// `None` once the flow is over.
    visit: Option<Visit>,
    playing: Option<Playback>,
    /// The one timer: a menu waiting for a key.
    deadline: Option<Instant>,
    actions: VecDeque<Action>,
    type_ahead: VecDeque<char>,
    next_play: u64,
}

/// The node the caller is in, and scratch state for it (reset on entering a node). A kind that
/// needs more per-visit state adds a field here.
#[derive(Debug, Clone, Copy)]
struct Visit {
    node: NodeId,
    /// Failed tries so far (menus).
    attempt: u32,
}

#[derive(Debug, Clone, Copy)]
struct Playback {
    id: PlayId,
    barge_in: bool,
}

impl Session {
    /// A caller enters `flow` at `now`; the first actions are ready to poll.
    pub fn start(flow: Arc<Flow>, now: Instant, vars: Vars) -> Session {
        let rt = Runtime {
            now,
            vars,
            language: Arc::clone(&flow.language),
            visit: None,
            playing: None,
            deadline: None,
            actions: VecDeque::new(),
            type_ahead: VecDeque::new(),
            next_play: 0,
        };
        let mut session = Session { flow, rt };
        session.rt.log(FlowEvent::IvrEntered {
            flow: Arc::clone(&session.flow.name),
        });
        let start = session.flow.start;
        session.follow(Step::Go(Dest::Node(start)));
        session
    }

    /// Something happened on the call.
    pub fn handle_event(&mut self, now: Instant, event: Event) {
        if self.is_finished() {
            return;
        }
        self.rt.now = now;
        match event {
            Event::PromptFinished(id) => {
                if self.rt.playing.map(|p| p.id) != Some(id) {
                    return;
                }
                self.rt.playing = None;
                self.deliver(Input::PromptFinished);
            }
            Event::Digit(c) => {
                let Some(digit) = dtmf::normalize(c) else {
                    return;
                };
                self.rt.log(FlowEvent::Digit { digit });
                match self.rt.playing {
                    Some(p) if !p.barge_in => return,
                    Some(p) => {
                        self.rt.actions.push_back(Action::StopPlayback { id: p.id });
                        self.rt.playing = None;
                    }
                    None => {}
                }
                // A key answers whatever the timer was waiting for; the node re-arms if needed.
                self.rt.deadline = None;
                self.deliver(Input::Digit(digit));
            }
        }
    }

    /// Time passed; fires the timer if `now` reached it.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.rt.deadline.is_some_and(|d| d <= now) {
            self.rt.now = now;
            self.rt.deadline = None;
            self.deliver(Input::Timeout);
        }
    }

    /// The next thing for the server to do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.rt.actions.pop_front()
    }

    /// When to call [`Session::handle_timeout`] next, if a timer is armed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.rt.deadline
    }

    /// Whether the flow is over (the last action was a queue or a hangup).
    pub fn is_finished(&self) -> bool {
        self.rt.visit.is_none()
    }

    /// The node the caller is in.
    pub fn current_node(&self) -> Option<&str> {
        let visit = self.rt.visit?;
        self.flow.node(visit.node).map(Node::name)
    }

    /// The language prompts are played in.
    pub fn language(&self) -> &str {
        &self.rt.language
    }

    /// The call's variables.
    pub fn vars(&self) -> &Vars {
        &self.rt.vars
    }

    /// The flow being walked.
    pub fn flow(&self) -> &Arc<Flow> {
        &self.flow
    }

    fn deliver(&mut self, input: Input) {
        let Some(visit) = self.rt.visit else {
            return;
        };
        let step = match self.flow.nodes.get(visit.node.0) {
            Some(node) => node.kind.behaviour().handle(
                &mut Cx {
                    node,
                    rt: &mut self.rt,
                },
                input,
            ),
            None => Step::Go(Dest::Hangup),
        };
        self.follow(step);
    }

    /// Moves through nodes until one waits for input or the flow ends.
    fn follow(&mut self, mut step: Step) {
        // Validation rejects loops that need no input, so a walk without input passes each node
        // at most once, plus one menu per typed-ahead key. Past that bound something is wrong;
        // ending the call beats spinning forever.
        let limit = (self.flow.nodes.len() + 1) * (MAX_TYPE_AHEAD + 1);
        let mut hops = 0;
        loop {
            match step {
                Step::Wait => return,
                Step::End => {
                    self.rt.finish();
                    return;
                }
                Step::Go(dest) => {
                    hops += 1;
                    self.rt.leave_node();
                    let next = match dest {
                        Dest::Node(id) if hops <= limit => {
                            self.flow.nodes.get(id.0).map(|node| (id, node))
                        }
                        _ => None,
                    };
                    let Some((id, node)) = next else {
                        self.rt.actions.push_back(Action::Hangup);
                        self.rt.finish();
                        return;
                    };
                    self.rt.visit = Some(Visit {
                        node: id,
                        attempt: 0,
                    });
                    self.rt.log(FlowEvent::NodeEntered {
                        node: Arc::clone(&node.name),
                    });
                    step = node.kind.behaviour().enter(&mut Cx {
                        node,
                        rt: &mut self.rt,
                    });
                }
            }
        }
    }
}

impl Runtime {
    fn log(&mut self, event: FlowEvent) {
        self.actions.push_back(Action::Log(event));
    }

    /// Stops what the node left running.
    fn leave_node(&mut self) {
        if let Some(p) = self.playing.take() {
            self.actions.push_back(Action::StopPlayback { id: p.id });
        }
        self.deadline = None;
    }

    fn finish(&mut self) {
        self.leave_node();
        self.visit = None;
        self.type_ahead.clear();
    }
}

/// What a node may do while it runs: the session's state, seen from one node.
pub(crate) struct Cx<'a> {
    node: &'a Node,
    rt: &'a mut Runtime,
}

impl Cx<'_> {
    /// The node's name, for log events.
    pub fn node_name(&self) -> Arc<str> {
        Arc::clone(&self.node.name)
    }

    /// Starts playing `prompts`; the node hears [`Input::PromptFinished`] at the end.
    pub fn play(&mut self, prompts: Vec<Prompt>, barge_in: bool) {
        if let Some(p) = self.rt.playing.take() {
            self.rt.actions.push_back(Action::StopPlayback { id: p.id });
        }
        let id = PlayId(self.rt.next_play);
        self.rt.next_play = self.rt.next_play.wrapping_add(1);
        self.rt.playing = Some(Playback { id, barge_in });
        self.rt.actions.push_back(Action::Play {
            id,
            language: Arc::clone(&self.rt.language),
            prompts,
            barge_in,
        });
    }

    /// Arms the timer: the node hears [`Input::Timeout`] if no key comes within `timeout`.
    pub fn wait_for_input(&mut self, timeout: Duration) {
        // An `Instant` too close to the end of time to add to fires at once rather than panic.
        self.rt.deadline = Some(self.rt.now.checked_add(timeout).unwrap_or(self.rt.now));
    }

    /// Appends an event to the interaction log.
    pub fn log(&mut self, event: FlowEvent) {
        self.rt.log(event);
    }

    /// Asks the server to do something.
    pub fn emit(&mut self, action: Action) {
        self.rt.actions.push_back(action);
    }

    /// Failed tries in this node so far.
    pub fn attempt(&self) -> u32 {
        self.rt.visit.map_or(0, |v| v.attempt)
    }

    /// Records failed tries in this node.
    pub fn set_attempt(&mut self, attempt: u32) {
        if let Some(visit) = &mut self.rt.visit {
            visit.attempt = attempt;
        }
    }

    /// Whether keys pressed earlier wait for a menu.
    pub fn has_type_ahead(&self) -> bool {
        !self.rt.type_ahead.is_empty()
    }

    /// The oldest key pressed earlier, if any.
    pub fn take_type_ahead(&mut self) -> Option<char> {
        self.rt.type_ahead.pop_front()
    }

    /// Keeps a key for the next menu.
    pub fn push_type_ahead(&mut self, digit: char) {
        if self.rt.type_ahead.len() < MAX_TYPE_AHEAD {
            self.rt.type_ahead.push_back(digit);
        }
    }

    /// Forgets keys pressed earlier.
    pub fn clear_type_ahead(&mut self) {
        self.rt.type_ahead.clear();
    }
}
