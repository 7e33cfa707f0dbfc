//! `voicemail`: play a prompt, then record the caller's message for a mailbox and hang up.
//! The server keeps the recording and opens a ticket for it.
//!
//! ```yaml
//! leave_message:
//!   voicemail:
//!     mailbox: support
//!     prompt: [leave-message]         # optional; heard out, no barge-in
//!     max: 120s                       # longest message; default 120s, 5s to 10m
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::action::Action;
use crate::fields::Fields;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Input, Step};
use crate::prompt::PromptItem;
use crate::session::Cx;
use crate::values;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "voicemail";

const DEFAULT_MAX: Duration = Duration::from_secs(120);
const MAX_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(5)..=Duration::from_secs(600);

/// Settings of a `voicemail` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voicemail {
    /// Whose messages these are.
    pub mailbox: Arc<str>,
    /// Played before recording.
    pub prompt: Vec<PromptItem>,
    /// The longest message kept.
    pub max: Duration,
}

impl Voicemail {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let mut fields = loader.body(KIND, body)?;
        let mailbox = fields.require("mailbox", loader.errors()).and_then(|y| {
            let what = loader.what("mailbox");
            values::text(y, &what, loader.errors()).map(Arc::from)
        });
        let prompt_at = fields.take("prompt");
        let prompt = loader.optional_prompts(prompt_at, "\"prompt\"");
        let max = match fields.take("max") {
            Some(y) => values::duration(y, &loader.what("max"), MAX_RANGE, loader.errors()),
            None => Some(DEFAULT_MAX),
        };
        fields.finish(loader.errors());
        Some(Voicemail {
            mailbox: mailbox?,
            prompt: prompt?,
            max: max?,
        })
    }

    fn record(&self, cx: &mut Cx<'_>) -> Step {
        cx.emit(Action::Voicemail {
            mailbox: Arc::clone(&self.mailbox),
            max_duration: self.max,
        });
        Step::End
    }
}

impl Behaviour for Voicemail {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        if cx.play_items(&[&self.prompt], false) {
            Step::Wait
        } else {
            self.record(cx)
        }
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::PromptFinished => self.record(cx),
            _ => Step::Wait,
        }
    }
}
