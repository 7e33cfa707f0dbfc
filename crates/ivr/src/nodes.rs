//! Node kinds: which kinds exist, how a kind's YAML is parsed, and what a node does at run time.
//!
//! Each kind lives in its own file under `nodes/` with three parts: its settings (a public
//! struct), `parse` (YAML to settings, reporting every problem), and its `Behaviour` (what
//! happens when a caller enters the node and when an input arrives). Adding a kind touches this
//! file in three places: a variant of [`NodeKind`], a line in `KINDS`, an arm in
//! `NodeKind::behaviour`.

mod collect;
mod condition;
mod goto;
mod hangup;
mod hours;
mod http;
mod language;
mod menu;
mod play;
mod queue;
mod set;
mod survey;
mod transfer;
mod voicemail;

pub use collect::{Collect, Pattern, Validation};
pub use condition::Condition;
pub use goto::Goto;
pub use hangup::Hangup;
pub use hours::{Hours, OpenHours};
pub use http::Http;
pub use language::Language;
pub use menu::Menu;
pub use play::Play;
pub use queue::Queue;
pub use set::Set;
pub use survey::Survey;
pub use transfer::Transfer;
pub use voicemail::Voicemail;

use crate::fields::Fields;
use crate::flow::Dest;
use crate::loader::Loader;
use crate::session::Cx;
use crate::yaml::Yaml;

/// What a node does, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// Play prompts, then continue.
    Play(Play),
    /// Ask the caller to choose with a key.
    Menu(Menu),
    /// Jump to another node.
    Goto(Goto),
    /// Leave the flow into a queue.
    Queue(Queue),
    /// End the call.
    Hangup(Hangup),
    /// Collect several digits into a variable.
    Collect(Collect),
    /// Set variables.
    Set(Set),
    /// Branch on a condition.
    Condition(Condition),
    /// Branch on business hours and holidays.
    Hours(Hours),
    /// Change the prompt language and the language skill.
    Language(Language),
    /// Ask a web service (CRM lookup, balance).
    Http(Http),
    /// Transfer the call to a number.
    Transfer(Transfer),
    /// Record a message.
    Voicemail(Voicemail),
    /// Ask a CSAT score.
    Survey(Survey),
}

/// Parses a kind's YAML: the node's fields (for siblings of the kind key such as `next`) and the
/// value under the kind key.
pub(crate) type Parse = fn(&mut Loader<'_>, &mut Fields<'_>, &Yaml) -> Option<NodeKind>;

/// Kind names as written in flow files, and their parsers.
pub(crate) const KINDS: &[(&str, Parse)] = &[
    (play::KIND, |l, f, y| {
        Play::parse(l, f, y).map(NodeKind::Play)
    }),
    (menu::KIND, |l, f, y| {
        Menu::parse(l, f, y).map(NodeKind::Menu)
    }),
    (goto::KIND, |l, f, y| {
        Goto::parse(l, f, y).map(NodeKind::Goto)
    }),
    (queue::KIND, |l, f, y| {
        Queue::parse(l, f, y).map(NodeKind::Queue)
    }),
    (hangup::KIND, |l, f, y| {
        Hangup::parse(l, f, y).map(NodeKind::Hangup)
    }),
    (collect::KIND, |l, f, y| {
        Collect::parse(l, f, y).map(NodeKind::Collect)
    }),
    (set::KIND, |l, f, y| Set::parse(l, f, y).map(NodeKind::Set)),
    (condition::KIND, |l, f, y| {
        Condition::parse(l, f, y).map(NodeKind::Condition)
    }),
    (hours::KIND, |l, f, y| {
        Hours::parse(l, f, y).map(NodeKind::Hours)
    }),
    (language::KIND, |l, f, y| {
        Language::parse(l, f, y).map(NodeKind::Language)
    }),
    (http::KIND, |l, f, y| {
        Http::parse(l, f, y).map(NodeKind::Http)
    }),
    (transfer::KIND, |l, f, y| {
        Transfer::parse(l, f, y).map(NodeKind::Transfer)
    }),
    (voicemail::KIND, |l, f, y| {
        Voicemail::parse(l, f, y).map(NodeKind::Voicemail)
    }),
    (survey::KIND, |l, f, y| {
        Survey::parse(l, f, y).map(NodeKind::Survey)
    }),
];

impl NodeKind {
    /// The kind's name as written in flow files (`play`, `menu`...).
    pub fn name(&self) -> &'static str {
        self.behaviour().kind()
    }

    pub(crate) fn behaviour(&self) -> &dyn Behaviour {
        match self {
            NodeKind::Play(k) => k,
            NodeKind::Menu(k) => k,
            NodeKind::Goto(k) => k,
            NodeKind::Queue(k) => k,
            NodeKind::Hangup(k) => k,
            NodeKind::Collect(k) => k,
            NodeKind::Set(k) => k,
            NodeKind::Condition(k) => k,
            NodeKind::Hours(k) => k,
            NodeKind::Language(k) => k,
            NodeKind::Http(k) => k,
            NodeKind::Transfer(k) => k,
            NodeKind::Voicemail(k) => k,
            NodeKind::Survey(k) => k,
        }
    }
}

/// What a node kind does while a caller is in it.
pub(crate) trait Behaviour {
    /// The kind's name in flow files.
    fn kind(&self) -> &'static str;

    /// The caller enters the node.
    fn enter(&self, cx: &mut Cx<'_>) -> Step;

    /// An input arrives while the caller is in the node. The session has already stopped a
    /// barge-in prompt before passing a digit on.
    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        let _ = (cx, input);
        Step::Wait
    }
}

/// An input a node reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input<'a> {
    /// The prompt this node started has finished playing.
    PromptFinished,
    /// The caller pressed a key: while waiting for input, or barging into a prompt.
    Digit(char),
    /// The deadline this node armed has passed.
    Timeout,
    /// The HTTP request this node made was answered.
    HttpResponse {
        /// The status code.
        status: u16,
        /// The body.
        body: &'a str,
    },
    /// The HTTP request this node made failed.
    HttpFailed,
    /// The agent hung up (a queue node waiting with `after_call`).
    AgentHungUp,
}

/// What a node decides after entering or handling an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Stay in the node until the next input.
    Wait,
    /// Move to another node, or hang up.
    Go(Dest),
    /// The flow is over (the node emitted its final action).
    End,
}
