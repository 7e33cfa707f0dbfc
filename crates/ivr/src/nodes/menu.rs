//! `menu`: ask the caller to choose an option with one key.
//!
//! ```yaml
//! main:
//!   menu:
//!     prompt: [menu]
//!     options: { "1": sales, "2": support }
//!     on_failure: goodbye
//!     timeout: 5s                         # after the prompt ends; default 5s
//!     retries: 2                          # re-asks after the first try; default 2
//!     invalid_prompt: [invalid-option]    # before re-asking after a wrong key
//!     no_input_prompt: [no-input]         # before re-asking after silence
//! ```
//!
//! A key pressed during the prompt stops it and counts as the answer. After `retries` re-asks
//! the caller goes to `on_failure`; the invalid/no-input prompt plays only when another try
//! follows, so the failure branch decides what the caller hears last.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::action::FlowEvent;
use crate::dtmf;
use crate::error::FlowError;
use crate::fields::{self, Fields};
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Input, Step};
use crate::prompt::PromptItem;
use crate::session::Cx;
use crate::values;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "menu";

/// Timeout when the flow gives none.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Shortest and longest timeout a flow may set.
pub(crate) const TIMEOUT_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(60);
/// Retries when the flow gives none.
pub(crate) const DEFAULT_RETRIES: u32 = 2;
/// Most retries a flow may set.
pub(crate) const MAX_RETRIES: u32 = 9;

/// Settings of a `menu` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// Played when asking; a key interrupts it.
    pub prompt: Vec<PromptItem>,
    /// Key to where it leads.
    pub options: BTreeMap<char, Target>,
    /// How long to wait for a key once the prompt has ended.
    pub timeout: Duration,
    /// How many times to ask again after the first try.
    pub retries: u32,
    /// Played before asking again after a key that is not an option.
    pub invalid_prompt: Vec<PromptItem>,
    /// Played before asking again after no key at all.
    pub no_input_prompt: Vec<PromptItem>,
    /// Where the caller goes when every try failed.
    pub on_failure: Target,
}

impl Menu {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let node = loader.node_name();
        let mut fields = loader.body(KIND, body)?;
        let prompt = fields
            .require("prompt", loader.errors())
            .and_then(|y| loader.prompts(y, "\"prompt\""));
        let options = fields.require("options", loader.errors());
        let options = match options {
            Some(y) => read_options(loader, y),
            None => {
                loader.links_unread();
                None
            }
        };
        let on_failure = fields.require("on_failure", loader.errors());
        let on_failure = loader.target(on_failure, "sends failures to", false);
        let timeout = match fields.take("timeout") {
            Some(y) => values::duration(
                y,
                &format!("\"timeout\" of node \"{node}\""),
                TIMEOUT_RANGE,
                loader.errors(),
            ),
            None => Some(DEFAULT_TIMEOUT),
        };
        let retries = match fields.take("retries") {
            Some(y) => values::whole_number(
                y,
                &format!("\"retries\" of node \"{node}\""),
                0..=MAX_RETRIES,
                loader.errors(),
            ),
            None => Some(DEFAULT_RETRIES),
        };
        let invalid_prompt = match fields.take("invalid_prompt") {
            Some(y) => loader.prompts(y, "\"invalid_prompt\""),
            None => Some(Vec::new()),
        };
        let no_input_prompt = match fields.take("no_input_prompt") {
            Some(y) => loader.prompts(y, "\"no_input_prompt\""),
            None => Some(Vec::new()),
        };
        fields.finish(loader.errors());
        Some(Menu {
            prompt: prompt?,
            options: options?,
            timeout: timeout?,
            retries: retries?,
            invalid_prompt: invalid_prompt?,
            no_input_prompt: no_input_prompt?,
            on_failure: on_failure?,
        })
    }
}

fn read_options(loader: &mut Loader<'_>, y: &Yaml) -> Option<BTreeMap<char, Target>> {
    let node = loader.node_name();
    let owner = format!("the options of node \"{node}\"");
    let Some(entries) = fields::entries(y, "option", &owner, loader.errors()) else {
        loader.errors().push(FlowError::at(
            y.pos,
            format!(
                "\"options\" of node \"{node}\" must map keys to nodes, such as {{ \"1\": sales }}"
            ),
        ));
        loader.links_unread();
        return None;
    };
    if entries.is_empty() {
        loader.errors().push(FlowError::at(
            y.pos,
            format!("node \"{node}\" offers no options"),
        ));
    }
    let mut options = BTreeMap::new();
    let mut complete = !entries.is_empty();
    for entry in entries {
        let key = dtmf::key(entry.name);
        if key.is_none() {
            loader.errors().push(FlowError::at(
                entry.key.pos,
                format!(
                    "option \"{}\" of node \"{node}\" is not a phone key ({})",
                    entry.name,
                    dtmf::KEYS_TEXT
                ),
            ));
        }
        let relation = format!("sends \"{}\" to", entry.name);
        let target = loader.target(Some(entry.value), &relation, true);
        match (key, target) {
            (Some(key), Some(target)) => {
                options.insert(key, target);
            }
            _ => complete = false,
        }
    }
    complete.then_some(options)
}

impl Menu {
    /// Plays `before` then the menu prompt, and waits for a key.
    fn ask(&self, cx: &mut Cx<'_>, before: &[PromptItem]) -> Step {
        if !cx.play_items(&[before, &self.prompt], true) {
            // Nothing could be said: wait for the key as if the prompt had ended.
            cx.wait_for_input(self.timeout);
        }
        Step::Wait
    }

    fn choose(&self, cx: &mut Cx<'_>, digit: char) -> Step {
        if let Some(target) = self.options.get(&digit) {
            cx.log(FlowEvent::MenuChoice {
                node: cx.node_name(),
                option: digit,
            });
            return Step::Go(target.dest);
        }
        cx.log(FlowEvent::InvalidInput {
            node: cx.node_name(),
            digit,
        });
        // Keys typed ahead after a wrong one are a guess at a menu the caller did not hear.
        cx.clear_type_ahead();
        self.retry(cx, &self.invalid_prompt)
    }

    fn retry(&self, cx: &mut Cx<'_>, before: &[PromptItem]) -> Step {
        let attempt = cx.attempt() + 1;
        cx.set_attempt(attempt);
        if attempt > self.retries {
            cx.log(FlowEvent::MenuFailed {
                node: cx.node_name(),
            });
            return Step::Go(self.on_failure.dest);
        }
        self.ask(cx, before)
    }
}

impl Behaviour for Menu {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        match cx.take_type_ahead() {
            Some(digit) => self.choose(cx, digit),
            None => self.ask(cx, &[]),
        }
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::PromptFinished => {
                cx.wait_for_input(self.timeout);
                Step::Wait
            }
            Input::Digit(digit) => self.choose(cx, digit),
            Input::Timeout => {
                cx.log(FlowEvent::NoInput {
                    node: cx.node_name(),
                });
                self.retry(cx, &self.no_input_prompt)
            }
            _ => Step::Wait,
        }
    }
}
