//! `condition`: go one way or the other on a condition over variables, the caller's number and
//! the local time (the language is described in [`crate::Expr`]).
//!
//! ```yaml
//! route:
//!   condition:
//!     if: 'vip == "yes" or caller_number starts_with "+3361"'
//!     then: priority_queue
//!     else: main
//! ```

use crate::action::FlowEvent;
use crate::expr::Expr;
use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "condition";

/// Settings of a `condition` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// What is tested.
    pub test: Expr,
    /// Where the caller goes when it holds.
    pub then: Target,
    /// Where the caller goes otherwise.
    pub otherwise: Target,
}

impl Condition {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let mut fields = loader.body(KIND, body)?;
        let test = fields
            .require("if", loader.errors())
            .and_then(|y| loader.condition(y, "\"if\""));
        let then = fields.require("then", loader.errors());
        let then = loader.target(then, "goes when true to", false);
        let otherwise = fields.require("else", loader.errors());
        let otherwise = loader.target(otherwise, "goes when false to", false);
        fields.finish(loader.errors());
        Some(Condition {
            test: test?,
            then: then?,
            otherwise: otherwise?,
        })
    }
}

impl Behaviour for Condition {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        let holds = self.test.eval(&|name| cx.lookup(name));
        let (branch, target) = if holds {
            ("then", &self.then)
        } else {
            ("else", &self.otherwise)
        };
        cx.log(FlowEvent::Branch {
            node: cx.node_name(),
            branch,
        });
        Step::Go(target.dest)
    }
}
