//! Node kinds: which kinds exist, how a kind's YAML is parsed, and what a node does at run time.
//!
//! Each kind lives in its own file under `nodes/` with three parts: its settings (a public
//! struct), `parse` (YAML to settings, reporting every problem), and its `Behaviour` (what
//! happens when a caller enters the node and when an input arrives). Adding a kind touches this
//! file in three places: a variant of [`NodeKind`], a line in `KINDS`, an arm in
//! `NodeKind::behaviour`.

mod goto;
mod hangup;
mod menu;
mod play;
mod queue;

pub use goto::Goto;
pub use hangup::Hangup;
pub use menu::Menu;
pub use play::Play;
pub use queue::Queue;

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
    fn handle(&self, cx: &mut Cx<'_>, input: Input) -> Step {
        let _ = (cx, input);
        Step::Wait
    }
}

/// An input a node reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// The prompt this node started has finished playing.
    PromptFinished,
    /// The caller pressed a key: while waiting for input, or barging into a prompt.
    Digit(char),
    /// The deadline this node armed has passed.
    Timeout,
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
