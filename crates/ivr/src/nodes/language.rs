//! `language`: play the rest of the flow in another language, and ask routing for an agent who
//! speaks it.
//!
//! ```yaml
//! french:
//!   language: fr                      # skill "language:fr" at level 1
//!   next: main
//! english:
//!   language: { set: en, skill: "language:en", level: 5 }
//!   next: main
//! ```
//!
//! The flow's recorded prompts are checked in every language a `language` node switches to.
//! The variable `language` holds the current language.

use std::sync::Arc;

use crate::action::Skill;
use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::queue::MAX_LEVEL;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::values;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "language";

/// Settings of a `language` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// The language tag (`fr`, `en`, `fr-CA`).
    pub language: Arc<str>,
    /// The skill required of the agent from now on.
    pub skill: Skill,
    /// Where the caller goes next.
    pub next: Target,
}

impl Language {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", false);
        if !matches!(body.value, Value::Mapping(_)) {
            let language = loader.switch_language(body)?;
            let skill = Skill {
                name: format!("language:{language}").into(),
                level: 1,
            };
            return Some(Language {
                language,
                skill,
                next: next?,
            });
        }
        let mut fields = loader.body(KIND, body)?;
        let language = fields
            .require("set", loader.errors())
            .and_then(|y| loader.switch_language(y));
        let skill = match fields.take("skill") {
            Some(y) => {
                let what = loader.what("skill");
                values::text(y, &what, loader.errors()).map(|s| Some(Arc::from(s)))
            }
            None => Some(None),
        };
        let level = match fields.take("level") {
            Some(y) => {
                values::whole_number(y, &loader.what("level"), 1..=MAX_LEVEL, loader.errors())
            }
            None => Some(1),
        };
        fields.finish(loader.errors());
        let language = language?;
        let name = skill?.unwrap_or_else(|| format!("language:{language}").into());
        Some(Language {
            skill: Skill {
                name,
                level: u8::try_from(level?).ok()?,
            },
            language,
            next: next?,
        })
    }
}

impl Behaviour for Language {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        cx.set_language(Arc::clone(&self.language), self.skill.clone());
        Step::Go(self.next.dest)
    }
}
