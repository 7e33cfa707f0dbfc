//! What a session asks of the server, and what it records in the interaction log.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::prompt::Prompt;

/// Names one playback, so a "finished" report for a prompt that was already stopped is not
/// taken for the end of the one playing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlayId(pub u64);

/// Names one HTTP request, so a late answer to an abandoned request is not taken for the
/// answer to the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// An HTTP method an `http` node may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
}

impl HttpMethod {
    /// The method as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
        }
    }
}

/// A skill the call requires of the agent who takes it, at a minimum proficiency (1–10).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skill {
    /// Such as `language:fr`, `product:billing`.
    pub name: Arc<str>,
    /// Lowest proficiency accepted.
    pub level: u8,
}

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
    /// Hand the call to a queue. The flow is over, unless the queue node names an
    /// `after_call` node: then the session waits for [`crate::Event::AgentHungUp`].
    Queue {
        /// The queue's name.
        queue: Arc<str>,
        /// The caller's priority; `None` leaves the queue's default.
        priority: Option<u8>,
        /// Skills the agent needs: the queue node's, then those set by `language` nodes.
        skills: Vec<Skill>,
        /// Whether the caller may be offered a callback that keeps their place.
        callback: bool,
    },
    /// Send an HTTP request; report [`crate::Event::HttpResponse`] or
    /// [`crate::Event::HttpFailed`] with `id`. The session gives up by itself after `timeout`.
    HttpRequest {
        /// This request.
        id: RequestId,
        /// The method.
        method: HttpMethod,
        /// The URL, variables filled in.
        url: String,
        /// A JSON object to send as the body (`Content-Type: application/json`), if any.
        body: Option<String>,
        /// How long the server should wait for an answer.
        timeout: Duration,
    },
    /// Transfer the call to an outside number (a blind transfer); the flow is over.
    Transfer {
        /// The number to call, variables filled in.
        number: String,
    },
    /// Record a message of at most `max_duration` for `mailbox` (the recording becomes a
    /// ticket), then hang up; the flow is over.
    Voicemail {
        /// Whose messages these are (a queue or a team).
        mailbox: Arc<str>,
        /// The longest message kept.
        max_duration: Duration,
    },
    /// Store a survey answer (CSAT 1–5) for the interaction.
    SurveyAnswer {
        /// The survey's name (`csat`).
        survey: Arc<str>,
        /// The score given.
        score: u8,
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
    /// Digits entered in a `collect` node were refused (too short, failed validation).
    InvalidEntry {
        /// The node.
        node: Arc<str>,
    },
    /// A branching node chose a branch (`then`, `else`, `open`, `closed`, `holiday`).
    Branch {
        /// The node.
        node: Arc<str>,
        /// The branch taken.
        branch: &'static str,
    },
    /// Prompts are now played in another language.
    LanguageChanged {
        /// The language tag.
        language: Arc<str>,
    },
    /// An HTTP request failed, timed out or answered something unusable.
    HttpFailed {
        /// The node.
        node: Arc<str>,
    },
    /// A prompt item could not be said with the call's variables and was left out.
    PromptSkipped {
        /// The node.
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
            FlowEvent::InvalidEntry { .. } => "invalid_entry",
            FlowEvent::Branch { .. } => "branch",
            FlowEvent::LanguageChanged { .. } => "language_changed",
            FlowEvent::HttpFailed { .. } => "http_failed",
            FlowEvent::PromptSkipped { .. } => "prompt_skipped",
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
            | FlowEvent::MenuFailed { node }
            | FlowEvent::InvalidEntry { node }
            | FlowEvent::HttpFailed { node }
            | FlowEvent::PromptSkipped { node } => write!(f, "{name} node={node}"),
            FlowEvent::Branch { node, branch } => write!(f, "{name} node={node} to={branch}"),
            FlowEvent::LanguageChanged { language } => write!(f, "{name} language={language}"),
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
                priority,
                skills,
                callback,
            } => {
                write!(f, "queue {queue}")?;
                if let Some(p) = priority {
                    write!(f, " (priority {p})")?;
                }
                for skill in skills {
                    write!(f, " [{} ≥ {}]", skill.name, skill.level)?;
                }
                if *callback {
                    f.write_str(" [callback offered]")?;
                }
                Ok(())
            }
            Action::HttpRequest {
                method, url, body, ..
            } => {
                write!(f, "http {} {url}", method.as_str())?;
                match body {
                    Some(body) => write!(f, " {body}"),
                    None => Ok(()),
                }
            }
            Action::Transfer { number } => write!(f, "transfer to {number}"),
            Action::Voicemail {
                mailbox,
                max_duration,
            } => write!(
                f,
                "voicemail for {mailbox} (up to {}s)",
                max_duration.as_secs()
            ),
            Action::SurveyAnswer { survey, score } => write!(f, "survey {survey} answer {score}"),
            Action::Hangup => f.write_str("hang up"),
            Action::Log(event) => write!(f, "log {event}"),
        }
    }
}
