//! `queue`: hand the caller to a queue, where routing takes over.
//!
//! ```yaml
//! sales:
//!   queue: sales                          # or, with every setting:
//! support:
//!   queue:
//!     name: support
//!     priority: 5                         # 0–100, higher is served sooner
//!     skills: { "product:billing": 3 }    # or a list: ["product:billing"] (level 1)
//!     callback: true                      # the caller may be offered a callback
//!     after_call: csat                    # where the caller goes when the agent hangs up
//! ```
//!
//! Skills set by `language` nodes are added to the node's. Without `after_call` the flow is
//! over once the call is queued; with it the session waits for [`crate::Event::AgentHungUp`].

use std::sync::Arc;

use crate::action::{Action, Skill};
use crate::error::FlowError;
use crate::fields::{self, Fields};
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Input, Step};
use crate::session::Cx;
use crate::values;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "queue";

/// Highest priority a flow may give; higher is served sooner (the `acd` crate decides how
/// waiting time ages it).
pub(crate) const MAX_PRIORITY: u8 = 100;
/// Skill proficiency goes from 1 to this.
pub(crate) const MAX_LEVEL: u32 = 10;

/// Settings of a `queue` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// The queue's name.
    pub name: Arc<str>,
    /// The caller's priority in the queue; `None` leaves the queue's default.
    pub priority: Option<u8>,
    /// Skills the agent needs, with minimum levels.
    pub skills: Vec<Skill>,
    /// Whether a callback may be offered.
    pub callback: bool,
    /// Where the caller goes when the agent hangs up (a survey), if anywhere.
    pub after_call: Option<Target>,
}

impl Queue {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        if !matches!(body.value, Value::Mapping(_)) {
            let name = loader.queue(body)?;
            return Some(Queue {
                name,
                priority: None,
                skills: Vec::new(),
                callback: false,
                after_call: None,
            });
        }
        let mut fields = loader.body(KIND, body)?;
        let name = fields
            .require("name", loader.errors())
            .and_then(|y| loader.queue(y));
        let priority = match fields.take("priority") {
            Some(y) => values::whole_number(
                y,
                &loader.what("priority"),
                0..=u32::from(MAX_PRIORITY),
                loader.errors(),
            )
            .and_then(|p| u8::try_from(p).ok())
            .map(Some),
            None => Some(None),
        };
        let skills = match fields.take("skills") {
            Some(y) => skills(loader, y),
            None => Some(Vec::new()),
        };
        let callback = match fields.take("callback") {
            Some(y) => values::flag(y, &loader.what("callback"), loader.errors()),
            None => Some(false),
        };
        let after_call = match fields.take("after_call") {
            // Taken once per call, when the agent hangs up: not a loop a silent caller spins in.
            Some(y) => loader
                .target(Some(y), "sends callers after the call to", true)
                .map(Some),
            None => Some(None),
        };
        fields.finish(loader.errors());
        Some(Queue {
            name: name?,
            priority: priority?,
            skills: skills?,
            callback: callback?,
            after_call: after_call?,
        })
    }
}

fn skills(loader: &mut Loader<'_>, y: &Yaml) -> Option<Vec<Skill>> {
    let what = loader.what("skills");
    let level_range = 1..=MAX_LEVEL;
    if let Value::Sequence(items) = &y.value {
        let each = format!("each skill of {what}");
        let names: Vec<Option<Skill>> = items
            .iter()
            .map(|item| {
                values::text(item, &each, loader.errors()).map(|name| Skill {
                    name: name.into(),
                    level: 1,
                })
            })
            .collect();
        return names.into_iter().collect();
    }
    let Some(entries) = fields::entries(y, "skill", &what, loader.errors()) else {
        let message = format!(
            "{what} must list skills, or map them to levels such as {{ \"language:fr\": 5 }}"
        );
        loader.errors().push(FlowError::at(y.pos, message));
        return None;
    };
    let mut out = Vec::new();
    let mut complete = true;
    for entry in entries {
        let level_what = format!("the level of skill \"{}\" in {what}", entry.name);
        match values::whole_number(
            entry.value,
            &level_what,
            level_range.clone(),
            loader.errors(),
        )
        .and_then(|l| u8::try_from(l).ok())
        {
            Some(level) => out.push(Skill {
                name: entry.name.into(),
                level,
            }),
            None => complete = false,
        }
    }
    complete.then_some(out)
}

impl Behaviour for Queue {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        let mut skills = self.skills.clone();
        for skill in cx.skills() {
            if !skills.iter().any(|s| s.name == skill.name) {
                skills.push(skill.clone());
            }
        }
        cx.emit(Action::Queue {
            queue: Arc::clone(&self.name),
            priority: self.priority,
            skills,
            callback: self.callback,
        });
        if self.after_call.is_some() {
            Step::Wait
        } else {
            Step::End
        }
    }

    fn handle(&self, _cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match (input, &self.after_call) {
            (Input::AgentHungUp, Some(target)) => Step::Go(target.dest),
            _ => Step::Wait,
        }
    }
}
