//! One caller walking one flow: the sans-IO interpreter.
//!
//! The server feeds the session what happens on the call ([`Session::handle_event`]: a prompt
//! finished, a key was pressed) and the passing of time ([`Session::handle_timeout`] once
//! [`Session::poll_timeout`] is reached), and performs what [`Session::poll_action`] returns
//! (play, stop, queue, hang up, log, HTTP requests...) until the session is finished. Nothing
//! here reads a clock: `now` is always an argument, and the local civil time (for business
//! hours) is given by the server, so the same inputs always give the same actions.
//!
//! A session holds the `Arc<Flow>` it started with: when an administrator loads a new version
//! of the flow, calls already in it finish on the old one, and new calls take the new one.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::action::{Action, FlowEvent, PlayId, RequestId, Skill};
use crate::civil_time::LocalTime;
use crate::dtmf;
use crate::flow::{Dest, Flow, Node, NodeId};
use crate::nodes::{Input, Step};
use crate::prompt::{Prompt, PromptItem};
use crate::template::Template;

/// Variables a call carries through the flow (`caller_number`, `called_number`, CRM data).
pub type Vars = BTreeMap<String, String>;

/// The variable holding the caller's number; the server sets it when the call enters the flow.
pub const CALLER_NUMBER: &str = "caller_number";
/// The variable holding the number the caller dialled; the server sets it too.
pub const CALLED_NUMBER: &str = "called_number";
/// The variable holding the language prompts are played in; the session keeps it.
pub const LANGUAGE: &str = "language";

/// Keys kept from barge-in prompts for the next menu; more are dropped.
pub const MAX_TYPE_AHEAD: usize = 16;

/// Something that happened on the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The playback `id` reached its end (reports for stopped or older playbacks are ignored).
    PromptFinished(PlayId),
    /// The caller pressed a key (`0`–`9`, `*`, `#`, `A`–`D`; other characters are ignored).
    Digit(char),
    /// The HTTP request `id` was answered (any status; the node decides what counts).
    HttpResponse {
        /// The request ([`Action::HttpRequest`]).
        id: RequestId,
        /// The HTTP status code.
        status: u16,
        /// The response body (JSON is expected).
        body: String,
    },
    /// The HTTP request `id` could not be completed (connection refused, timed out...).
    HttpFailed {
        /// The request.
        id: RequestId,
    },
    /// The agent ended the conversation while the caller stays on the line: a queue node with
    /// `after_call` continues there (a survey).
    AgentHungUp,
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
    /// The one timer: a node waiting for a key, or for an HTTP answer.
    deadline: Option<Instant>,
    actions: VecDeque<Action>,
    type_ahead: VecDeque<char>,
    next_play: u64,
    /// The tenant's local time, for business hours and `now.*` in conditions.
    local_time: Option<LocalTime>,
    /// Skills required of the agent, set by `language` nodes.
    skills: Vec<Skill>,
    /// The HTTP request whose answer the current node waits for.
    request: Option<RequestId>,
    next_request: u64,
    /// Keys entered so far in the current node (collect); emptied on entering a node.
    entry: String,
}

/// The node the caller is in, and scratch state for it (reset on entering a node). A kind that
/// needs more per-visit state adds a field here.
#[derive(Debug, Clone, Copy)]
struct Visit {
    node: NodeId,
    /// Failed tries so far (menus, collect).
    attempt: u32,
}

#[derive(Debug, Clone, Copy)]
struct Playback {
    id: PlayId,
    barge_in: bool,
}

impl Session {
    /// A caller enters `flow` at `now`; the first actions are ready to poll. `vars` should hold
    /// [`CALLER_NUMBER`] and [`CALLED_NUMBER`].
    pub fn start(flow: Arc<Flow>, now: Instant, vars: Vars) -> Session {
        Session::start_with_time(flow, now, vars, None)
    }

    /// Like [`Session::start`], with the tenant's local time for business-hours branches (without
    /// it they take their `closed` branch, and `now.*` variables are empty).
    pub fn start_with_time(
        flow: Arc<Flow>,
        now: Instant,
        mut vars: Vars,
        local_time: Option<LocalTime>,
    ) -> Session {
        vars.insert(LANGUAGE.into(), flow.language.to_string());
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
            local_time,
            skills: Vec::new(),
            request: None,
            next_request: 0,
            entry: String::new(),
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
                // An HTTP request's timer is not about keys, and stays.
                if self.rt.request.is_none() {
                    self.rt.deadline = None;
                }
                self.deliver(Input::Digit(digit));
            }
            Event::HttpResponse { id, status, body } => {
                if self.take_request(id) {
                    self.deliver(Input::HttpResponse {
                        status,
                        body: &body,
                    });
                }
            }
            Event::HttpFailed { id } => {
                if self.take_request(id) {
                    self.deliver(Input::HttpFailed);
                }
            }
            Event::AgentHungUp => self.deliver(Input::AgentHungUp),
        }
    }

    /// Whether `id` is the request being waited for; it is then no longer awaited.
    fn take_request(&mut self, id: RequestId) -> bool {
        if self.rt.request != Some(id) {
            return false;
        }
        self.rt.request = None;
        self.rt.deadline = None;
        true
    }

    /// The tenant's local time moved on (the server may call this as often as it likes).
    pub fn set_local_time(&mut self, local_time: LocalTime) {
        self.rt.local_time = Some(local_time);
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

    /// Whether the flow is over (the last action ended the call's time in the flow: a queue
    /// without `after_call`, a hangup, a transfer, a voicemail).
    pub fn is_finished(&self) -> bool {
        self.rt.visit.is_none()
    }

    /// The node the caller is in.
    pub fn current_node(&self) -> Option<&str> {
        let visit = self.rt.visit.as_ref()?;
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

    fn deliver(&mut self, input: Input<'_>) {
        let Some(node) = self.rt.visit.as_ref().map(|v| v.node) else {
            return;
        };
        let step = match self.flow.nodes.get(node.0) {
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
                    self.rt.entry.clear();
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
        self.request = None;
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

    /// Fills prompt items with the call's variables and plays them; items that cannot be said
    /// are left out (and logged). With nothing left to play, returns false and plays nothing.
    pub fn play_items(&mut self, items: &[&[PromptItem]], barge_in: bool) -> bool {
        let mut prompts = Vec::new();
        let mut skipped = false;
        for item in items.iter().flat_map(|list| list.iter()) {
            match item.resolve(&self.rt.vars) {
                Some(p) => prompts.push(p),
                None => skipped = true,
            }
        }
        if skipped {
            self.log(FlowEvent::PromptSkipped {
                node: self.node_name(),
            });
        }
        if prompts.is_empty() {
            return false;
        }
        self.play(prompts, barge_in);
        true
    }

    /// `template` with the call's variables.
    pub fn render(&self, template: &Template) -> String {
        template.render(&self.rt.vars)
    }

    /// The value of a variable in a condition: the call's variables (`language` among them), and
    /// the local time as `now.date` (`YYYY-MM-DD`), `now.time` (`HH:MM`), `now.hour`, `now.minute`,
    /// `now.weekday` (`mon`...`sun`).
    pub fn lookup(&self, name: &str) -> Option<String> {
        let t = self.rt.local_time;
        match name {
            "now.date" => t.map(|t| t.date().to_string()),
            "now.time" => t.map(|t| format!("{:02}:{:02}", t.hour(), t.minute())),
            "now.hour" => t.map(|t| t.hour().to_string()),
            "now.minute" => t.map(|t| t.minute().to_string()),
            "now.weekday" => t.map(|t| t.date().weekday().name().to_owned()),
            _ => self.rt.vars.get(name).cloned(),
        }
    }

    /// Sets a call variable.
    pub fn set_var(&mut self, name: &str, value: String) {
        self.rt.vars.insert(name.to_owned(), value);
    }

    /// The tenant's local time, if the server gave it.
    pub fn local_time(&self) -> Option<LocalTime> {
        self.rt.local_time
    }

    /// Plays later prompts in `language` and requires `skill` of the agent (replacing an
    /// earlier requirement for the same skill).
    pub fn set_language(&mut self, language: Arc<str>, skill: Skill) {
        self.rt.language = Arc::clone(&language);
        self.rt.vars.insert(LANGUAGE.into(), language.to_string());
        self.rt.skills.retain(|s| s.name != skill.name);
        self.rt.skills.push(skill);
        self.log(FlowEvent::LanguageChanged { language });
    }

    /// Skills set along the way (by `language` nodes).
    pub fn skills(&self) -> &[Skill] {
        &self.rt.skills
    }

    /// Asks for an HTTP request (`make` builds the action from its id) and arms the timer at
    /// `timeout`: the node hears exactly one of an answer, a failure or [`Input::Timeout`].
    pub fn request(&mut self, timeout: Duration, make: impl FnOnce(RequestId) -> Action) {
        let id = RequestId(self.rt.next_request);
        self.rt.next_request = self.rt.next_request.wrapping_add(1);
        self.rt.request = Some(id);
        self.emit(make(id));
        self.wait_for_input(timeout);
    }

    /// Keys entered so far in this node (collect).
    pub fn entry(&mut self) -> &mut String {
        &mut self.rt.entry
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
        self.rt.visit.as_ref().map_or(0, |v| v.attempt)
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
