//! What a session asks of the server, and what it records in the interaction log.

use std::fmt;
use std::sync::Arc;

use crate::prompt::Prompt;

/// Names one playback, so a "finished" report for a prompt that was already stopped is not
/// taken for the end of the one playing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlayId(pub u64);

/// Something the server must do for the call, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Play prompts to the caller; report [`crate::Event::PromptFinished`] with `id` when done.
    Play {
        /// This playback.
        id: PlayId,
        /// Language to look the prompts up in.
        language: Arc<str>,
        /// Played in order.
        prompts: Vec<Prompt>,
        /// Whether a key press stops it (the session then sends [`Action::StopPlayback`]).
        barge_in: bool,
    },
    /// Stop the playback `id` now: the caller pressed a key.
    StopPlayback {
        /// The playback to stop.
        id: PlayId,
    },
    /// Hand the call to a queue; the flow is over.
    Queue {
        /// The queue's name.
        queue: Arc<str>,
        /// The caller's priority; `None` leaves the queue's default.
        priority: Option<u8>,
    },
    /// End the call; the flow is over.
    Hangup,
    /// Append an event to the interaction log.
    Log(FlowEvent),
}

/// An IVR step for the interaction log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowEvent {
    /// The call entered the flow.
    IvrEntered {
        /// The flow's name.
        flow: Arc<str>,
    },
    /// The call entered a node.
    NodeEntered {
        /// The node's name.
        node: Arc<str>,
    },
    /// The caller pressed a key (whether or not anything listened).
    Digit {
        /// The key.
        digit: char,
    },
    /// The caller chose a menu option.
    MenuChoice {
        /// The menu.
        node: Arc<str>,
        /// The key.
        option: char,
    },
    /// A menu timed out without a key.
    NoInput {
        /// The menu.
        node: Arc<str>,
    },
    /// The caller pressed a key that is not an option.
    InvalidInput {
        /// The menu.
        node: Arc<str>,
        /// The key.
        digit: char,
    },
    /// Every try of a menu failed; the caller goes to its failure branch.
    MenuFailed {
        /// The menu.
        node: Arc<str>,
    },
}

impl FlowEvent {
    /// The event's name in the interaction log (`ivr_entered`, `node_entered`...).
    pub fn name(&self) -> &'static str {
        match self {
            FlowEvent::IvrEntered { .. } => "ivr_entered",
            FlowEvent::NodeEntered { .. } => "node_entered",
            FlowEvent::Digit { .. } => "digit",
            FlowEvent::MenuChoice { .. } => "menu_choice",
            FlowEvent::NoInput { .. } => "no_input",
            FlowEvent::InvalidInput { .. } => "invalid_input",
            FlowEvent::MenuFailed { .. } => "menu_failed",
        }
    }
}

impl fmt::Display for FlowEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            FlowEvent::IvrEntered { flow } => write!(f, "{name} flow={flow}"),
            FlowEvent::NodeEntered { node }
            | FlowEvent::NoInput { node }
            | FlowEvent::MenuFailed { node } => write!(f, "{name} node={node}"),
            FlowEvent::Digit { digit } => write!(f, "{name} digit={digit}"),
            FlowEvent::MenuChoice { node, option } => {
                write!(f, "{name} node={node} option={option}")
            }
            FlowEvent::InvalidInput { node, digit } => {
                write!(f, "{name} node={node} digit={digit}")
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Play {
                language,
                prompts,
                barge_in,
                ..
            } => {
                f.write_str("play ")?;
                for (i, prompt) in prompts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{prompt}")?;
                }
                write!(
                    f,
                    " [{language}{}]",
                    if *barge_in { ", barge-in" } else { "" }
                )
            }
            Action::StopPlayback { .. } => f.write_str("stop playback"),
            Action::Queue {
                queue,
                priority: Some(p),
            } => write!(f, "queue {queue} (priority {p})"),
            Action::Queue {
                queue,
                priority: None,
            } => write!(f, "queue {queue}"),
            Action::Hangup => f.write_str("hang up"),
            Action::Log(event) => write!(f, "log {event}"),
        }
    }
}
