//! A loaded, validated flow: named nodes and the links between them.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::error::{FlowErrors, Position};
use crate::nodes::NodeKind;

/// A voice menu flow that passed validation. Share it between calls with an `Arc`.
#[derive(Debug)]
pub struct Flow {
    pub(crate) name: Arc<str>,
    pub(crate) language: Arc<str>,
    pub(crate) start: NodeId,
    pub(crate) nodes: Vec<Node>,
}

impl Flow {
    /// Loads and validates a flow from YAML (format: [`crate::format`](mod@crate::format)).
    ///
    /// Every problem is reported, each with its line and column; prompts and queues are checked
    /// against `catalog`.
    pub fn load(source: &str, catalog: &dyn Catalog) -> Result<Flow, FlowErrors> {
        crate::loader::load(source, catalog)
    }

    /// Loads a new version of the flow in service (hot reload). On success `current` points to
    /// it, so calls that start from now on take it, while sessions already running keep the
    /// `Arc` they started with. On failure `current` is untouched and every error is returned.
    pub fn reload(
        current: &mut Arc<Flow>,
        source: &str,
        catalog: &dyn Catalog,
    ) -> Result<(), FlowErrors> {
        *current = Arc::new(Flow::load(source, catalog)?);
        Ok(())
    }

    /// The flow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The language prompts are played in until something changes it.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The node a call enters first.
    pub fn start(&self) -> NodeId {
        self.start
    }

    /// All nodes, in file order; `NodeId` indexes this slice.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node with id `id`, if it belongs to this flow.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0)
    }

    /// The node called `name`.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| &*n.name == name).map(NodeId)
    }
}

/// Index of a node in its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) usize);

impl NodeId {
    /// Position in [`Flow::nodes`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// One step of a flow.
#[derive(Debug)]
pub struct Node {
    pub(crate) name: Arc<str>,
    pub(crate) position: Position,
    pub(crate) kind: NodeKind,
}

impl Node {
    /// The node's name, as written in the flow file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the node is defined in the flow file.
    pub fn position(&self) -> Position {
        self.position
    }

    /// What the node does.
    pub fn kind(&self) -> &NodeKind {
        &self.kind
    }
}

/// Where a node sends the caller: another node, or the built-in `hangup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name as written (`main`, `hangup`).
    pub name: Arc<str>,
    /// What it resolved to.
    pub dest: Dest,
}

/// A resolved target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dest {
    /// A node of the same flow.
    Node(NodeId),
    /// The built-in `hangup` target: end the call.
    Hangup,
}
