//! `survey`: ask the caller for a satisfaction score from 1 to 5 (CSAT) and store it.
//!
//! Reached after the conversation through a queue node's `after_call` (the agent hangs up,
//! the caller stays on the line).
//!
//! ```yaml
//! csat:
//!   survey:
//!     prompt: [rate-the-call]         # "press 1 to 5"
//!     name: csat                      # the survey stored; default csat
//!     timeout: 5s
//!     retries: 1                      # default 1
//!     invalid_prompt: [invalid-option]
//!   next: thanks
//! ```
//!
//! A key from 1 to 5 emits [`crate::Action::SurveyAnswer`]; silence or wrong keys, once the
//! tries are used up, go on to `next` with no answer stored.

use std::sync::Arc;
use std::time::Duration;

use crate::action::{Action, FlowEvent};
use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::menu::{DEFAULT_TIMEOUT, MAX_RETRIES, TIMEOUT_RANGE};
use crate::nodes::{Behaviour, Input, Step};
use crate::prompt::PromptItem;
use crate::session::Cx;
use crate::values;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "survey";

/// Settings of a `survey` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// The survey's name in reports.
    pub name: Arc<str>,
    /// Asks for the score.
    pub prompt: Vec<PromptItem>,
    /// Wait for the key once the prompt has ended.
    pub timeout: Duration,
    /// Tries after the first.
    pub retries: u32,
    /// Before asking again after a wrong key.
    pub invalid_prompt: Vec<PromptItem>,
    /// Where the caller goes afterwards.
    pub next: Target,
}

impl Survey {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", false);
        let mut fields = loader.body(KIND, body)?;
        let prompt = fields
            .require("prompt", loader.errors())
            .and_then(|y| loader.prompts(y, "\"prompt\""));
        let name = match fields.take("name") {
            Some(y) => {
                let what = loader.what("name");
                values::text(y, &what, loader.errors()).map(Arc::from)
            }
            None => Some(Arc::from("csat")),
        };
        let timeout = match fields.take("timeout") {
            Some(y) => values::duration(y, &loader.what("timeout"), TIMEOUT_RANGE, loader.errors()),
            None => Some(DEFAULT_TIMEOUT),
        };
        let retries = match fields.take("retries") {
            Some(y) => {
                values::whole_number(y, &loader.what("retries"), 0..=MAX_RETRIES, loader.errors())
            }
            None => Some(1),
        };
        let invalid_at = fields.take("invalid_prompt");
        let invalid_prompt = loader.optional_prompts(invalid_at, "\"invalid_prompt\"");
        fields.finish(loader.errors());
        Some(Survey {
            name: name?,
            prompt: prompt?,
            timeout: timeout?,
            retries: retries?,
            invalid_prompt: invalid_prompt?,
            next: next?,
        })
    }

    fn ask(&self, cx: &mut Cx<'_>, before: &[PromptItem]) -> Step {
        if !cx.play_items(&[before, &self.prompt], true) {
            cx.wait_for_input(self.timeout);
        }
        Step::Wait
    }

    fn retry(&self, cx: &mut Cx<'_>, before: &[PromptItem]) -> Step {
        let attempt = cx.attempt() + 1;
        cx.set_attempt(attempt);
        if attempt > self.retries {
            return Step::Go(self.next.dest);
        }
        self.ask(cx, before)
    }
}

impl Behaviour for Survey {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        // Keys pressed during the conversation are not answers to a question not yet asked.
        cx.clear_type_ahead();
        self.ask(cx, &[])
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::PromptFinished => {
                cx.wait_for_input(self.timeout);
                Step::Wait
            }
            Input::Digit(digit) => match digit.to_digit(10) {
                Some(score @ 1..=5) => {
                    cx.emit(Action::SurveyAnswer {
                        survey: Arc::clone(&self.name),
                        score: u8::try_from(score).unwrap_or(1),
                    });
                    Step::Go(self.next.dest)
                }
                _ => {
                    cx.log(FlowEvent::InvalidInput {
                        node: cx.node_name(),
                        digit,
                    });
                    self.retry(cx, &self.invalid_prompt)
                }
            },
            Input::Timeout => {
                cx.log(FlowEvent::NoInput {
                    node: cx.node_name(),
                });
                self.retry(cx, &[])
            }
            _ => Step::Wait,
        }
    }
}
