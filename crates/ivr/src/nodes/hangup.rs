//! `hangup`: end the call.
//!
//! ```yaml
//! bye:
//!   hangup:
//! ```
//!
//! Any link may also name the built-in target `hangup` without defining a node.

use crate::action::Action;
use crate::error::FlowError;
use crate::fields::Fields;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "hangup";

/// Settings of a `hangup` node (none yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hangup;

impl Hangup {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let empty = body.is_null() || matches!(&body.value, Value::Mapping(m) if m.is_empty());
        if !empty {
            let message = format!(
                "hangup in node \"{}\" takes no settings; write \"hangup:\" alone",
                loader.node_name()
            );
            loader.errors().push(FlowError::at(body.pos, message));
            return None;
        }
        Some(Hangup)
    }
}

impl Behaviour for Hangup {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        cx.emit(Action::Hangup);
        Step::End
    }
}
