//! `play`: play a list of prompts, then continue to `next`.
//!
//! ```yaml
//! welcome:
//!   play: [welcome, call-recorded]        # or: play: { prompts: [...], barge_in: true }
//!   next: main
//! balance:
//!   play: [balance-is, { number: "${balance}" }, euros, { tts: "Goodbye ${name}" }]
//!   next: hangup
//! ```
//!
//! Besides recorded prompts, an item may say a number, digits or a date, or speak text
//! ([`crate::PromptItem`]); variables are filled in when the node runs, and an item
//! that cannot be said (a `number` that is not one) is left out.
//!
//! With `barge_in: true` a key press stops the prompt, moves on at once, and is kept as
//! type-ahead for the next menu (and skips further barge-in prompts on the way).

use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Input, Step};
use crate::prompt::PromptItem;
use crate::session::Cx;
use crate::values;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "play";

/// Settings of a `play` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    /// Played in order.
    pub prompts: Vec<PromptItem>,
    /// Whether a key press interrupts the prompts (default false: a legal notice is heard out).
    pub barge_in: bool,
    /// Where the caller goes when the prompts end.
    pub next: Target,
}

impl Play {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", false);
        let (prompts, barge_in) = if matches!(body.value, Value::Mapping(_)) {
            let mut fields = loader.body(KIND, body)?;
            let prompts = fields
                .require("prompts", loader.errors())
                .and_then(|y| loader.prompts(y, "\"prompts\""));
            let barge_in = match fields.take("barge_in") {
                Some(y) => values::flag(
                    y,
                    &format!("\"barge_in\" of node \"{}\"", loader.node_name()),
                    loader.errors(),
                ),
                None => Some(false),
            };
            fields.finish(loader.errors());
            (prompts, barge_in)
        } else {
            (loader.prompts(body, "\"play\""), Some(false))
        };
        Some(Play {
            prompts: prompts?,
            barge_in: barge_in?,
            next: next?,
        })
    }
}

impl Behaviour for Play {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        if self.barge_in && cx.has_type_ahead() {
            // The caller already pressed on; a prompt they may interrupt would only be cut off.
            return Step::Go(self.next.dest);
        }
        if cx.play_items(&[&self.prompts], self.barge_in) {
            Step::Wait
        } else {
            Step::Go(self.next.dest)
        }
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::PromptFinished => Step::Go(self.next.dest),
            Input::Digit(digit) => {
                cx.push_type_ahead(digit);
                Step::Go(self.next.dest)
            }
            _ => Step::Wait,
        }
    }
}
