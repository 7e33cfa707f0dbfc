//! `set`: give call variables values, with `${variable}` holes filled in.
//!
//! ```yaml
//! remember:
//!   set: { tier: gold, greeting: "Hello ${customer_name}" }
//!   next: main
//! ```

use crate::error::FlowError;
use crate::fields::{self, Fields};
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::template::{self, Template};
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "set";

/// Settings of a `set` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// Variable names and their new values, set in order.
    pub values: Vec<(String, Template)>,
    /// Where the caller goes next.
    pub next: Target,
}

impl Set {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", false);
        let owner = format!("set in node \"{}\"", loader.node_name());
        let Some(entries) = fields::entries(body, "variable", &owner, loader.errors()) else {
            let message =
                format!("{owner} must map variable names to values, such as {{ tier: gold }}");
            loader.errors().push(FlowError::at(body.pos, message));
            return None;
        };
        if entries.is_empty() {
            loader
                .errors()
                .push(FlowError::at(body.pos, format!("{owner} sets nothing")));
        }
        let mut values = Vec::new();
        let mut complete = !entries.is_empty();
        for entry in entries {
            if !template::is_var_name(entry.name) {
                let message = format!(
                    "\"{}\" in {owner} is not a variable name (letters, digits, \"_\" and \".\")",
                    entry.name
                );
                loader.errors().push(FlowError::at(entry.key.pos, message));
                complete = false;
                continue;
            }
            match loader.template(entry.value, &format!("\"{}\"", entry.name)) {
                Some(t) => values.push((entry.name.to_owned(), t)),
                None => complete = false,
            }
        }
        let next = next?;
        complete.then_some(Set { values, next })
    }
}

impl Behaviour for Set {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        for (name, value) in &self.values {
            let value = cx.render(value);
            cx.set_var(name, value);
        }
        Step::Go(self.next.dest)
    }
}
