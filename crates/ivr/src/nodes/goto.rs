//! `goto`: jump to another node at once.
//!
//! ```yaml
//! again:
//!   goto: main
//! ```

use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "goto";

/// Settings of a `goto` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goto {
    /// Where the caller goes.
    pub target: Target,
}

impl Goto {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let target = loader.target(Some(body), "jumps to", false)?;
        Some(Goto { target })
    }
}

impl Behaviour for Goto {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, _cx: &mut Cx<'_>) -> Step {
        Step::Go(self.target.dest)
    }
}
