//! `queue`: leave the flow into a queue, where routing takes over.
//!
//! ```yaml
//! sales:
//!   queue: sales                          # or: queue: { name: support, priority: 5 }
//! ```

use std::sync::Arc;

use crate::action::Action;
use crate::fields::Fields;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::values;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "queue";

/// Highest priority a flow may give; higher is served sooner (the `acd` crate decides how
/// waiting time ages it).
pub(crate) const MAX_PRIORITY: u8 = 100;

/// Settings of a `queue` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// The queue's name.
    pub name: Arc<str>,
    /// The caller's priority in the queue; `None` leaves the queue's default.
    pub priority: Option<u8>,
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
            });
        }
        let mut fields = loader.body(KIND, body)?;
        let name = fields
            .require("name", loader.errors())
            .and_then(|y| loader.queue(y));
        let priority = match fields.take("priority") {
            Some(y) => values::whole_number(
                y,
                &format!("\"priority\" of node \"{}\"", loader.node_name()),
                0..=u32::from(MAX_PRIORITY),
                loader.errors(),
            )
            .and_then(|p| u8::try_from(p).ok())
            .map(Some),
            None => Some(None),
        };
        fields.finish(loader.errors());
        Some(Queue {
            name: name?,
            priority: priority?,
        })
    }
}

impl Behaviour for Queue {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        cx.emit(Action::Queue {
            queue: Arc::clone(&self.name),
            priority: self.priority,
        });
        Step::End
    }
}
