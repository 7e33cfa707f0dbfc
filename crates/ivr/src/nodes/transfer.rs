//! `transfer`: send the call to an outside number (a blind transfer); the flow is over.
//!
//! ```yaml
//! emergency:
//!   transfer: "+33123456789"          # or "${account_manager_phone}"
//! ```

use crate::action::Action;
use crate::error::FlowError;
use crate::fields::Fields;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::template::Template;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "transfer";

/// Settings of a `transfer` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The number to call.
    pub number: Template,
}

/// Characters a dialable number may hold once variables are filled in.
fn dialable(number: &str) -> bool {
    !number.is_empty()
        && number
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || matches!(c, '*' | '#') || (c == '+' && i == 0))
}

impl Transfer {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let number = loader.template(body, "\"transfer\"")?;
        if number.variables().next().is_none() && !dialable(&number.to_string()) {
            let message = format!(
                "node \"{}\" transfers to \"{number}\", which is not a phone number (digits, a leading +, * and #)",
                loader.node_name()
            );
            loader.errors().push(FlowError::at(body.pos, message));
            return None;
        }
        Some(Transfer { number })
    }
}

impl Behaviour for Transfer {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        let number: String = cx
            .render(&self.number)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if dialable(&number) {
            cx.emit(Action::Transfer { number });
        } else {
            // A variable held no usable number: ending the call beats dialling garbage.
            cx.emit(Action::Hangup);
        }
        Step::End
    }
}
