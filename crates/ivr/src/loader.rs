//! Loading a flow: YAML to a validated [`Flow`], collecting every error on the way.
//!
//! Order of work: parse the YAML tree; read the top-level fields; learn every node's name (so
//! references can be resolved while nodes are parsed, in any order); parse each node through its
//! kind; then check the graph. The graph checks run only when every link resolved, because a
//! single misspelt name would otherwise make half the flow look unreachable.

use std::collections::HashMap;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::error::{FlowError, FlowErrors, Position};
use crate::expr::Expr;
use crate::fields::{self, Entry, Fields};
use crate::flow::{Dest, Flow, Node, NodeId, Target};
use crate::graph::{self, Edge};
use crate::nodes::{KINDS, NodeKind};
use crate::prompt::{self, PromptItem};
use crate::suggest;
use crate::template::Template;
use crate::values;
use crate::yaml::{self, Yaml};

/// Larger files are refused before parsing: no hand-written flow comes near, and the limit
/// bounds the work a hostile upload can cause.
pub const MAX_FLOW_BYTES: usize = 1 << 20;

/// The built-in target that ends the call; no node may take its name.
pub(crate) const HANGUP: &str = "hangup";

/// The loader's state, handed to each node kind's parser.
pub(crate) struct Loader<'a> {
    errors: Vec<FlowError>,
    catalog: &'a dyn Catalog,
    names: HashMap<&'a str, NodeId>,
    node: NodeId,
    node_name: &'a str,
    kind_at: Position,
    edges: Vec<Edge>,
    /// False once a link could not be resolved: the graph checks would mislead.
    graph_complete: bool,
    /// Recorded prompts named anywhere, checked at the end in every language.
    recorded: Vec<(Arc<str>, Position)>,
    /// Languages `language` nodes switch to.
    languages: Vec<Arc<str>>,
}

impl<'a> Loader<'a> {
    /// The errors found so far; parsers push theirs here.
    pub fn errors(&mut self) -> &mut Vec<FlowError> {
        &mut self.errors
    }

    /// The name of the node being parsed.
    pub fn node_name(&self) -> &'a str {
        self.node_name
    }

    /// Reads the mapping under a kind key (`menu: {...}`), reporting a missing field at the
    /// kind key.
    pub fn body<'y>(&mut self, kind: &str, body: &'y Yaml) -> Option<Fields<'y>> {
        let owner = format!("{kind} in node \"{}\"", self.node_name);
        let fields = Fields::read(body, owner, self.kind_at, &mut self.errors);
        if fields.is_none() {
            self.links_unread();
        }
        fields
    }

    /// Says that some links of the node being parsed could not be read at all, so the graph
    /// checks must not run.
    pub fn links_unread(&mut self) {
        self.graph_complete = false;
    }

    /// Resolves a link to another node. `relation` completes "node "x" ... unknown node "y"",
    /// e.g. `sends "3" to`; `after_input` says whether the caller must press a key to take it.
    ///
    /// `y` is `None` when the field was missing (already reported).
    pub fn target(
        &mut self,
        y: Option<&Yaml>,
        relation: &str,
        after_input: bool,
    ) -> Option<Target> {
        let target = y.and_then(|y| self.resolve(y, relation));
        match &target {
            Some(t) => self.edges.push(Edge {
                from: self.node,
                to: t.dest,
                after_input,
            }),
            None => self.links_unread(),
        }
        target
    }

    /// Records one more link from the node being parsed to an already resolved target.
    pub fn edge(&mut self, to: Dest, after_input: bool) {
        self.edges.push(Edge {
            from: self.node,
            to,
            after_input,
        });
    }

    fn resolve(&mut self, y: &Yaml, relation: &str) -> Option<Target> {
        let what = format!("where node \"{}\" {relation}", self.node_name);
        let name = values::text(y, &what, &mut self.errors)?;
        if name == HANGUP {
            return Some(Target {
                name: name.into(),
                dest: Dest::Hangup,
            });
        }
        if let Some(&id) = self.names.get(name) {
            return Some(Target {
                name: name.into(),
                dest: Dest::Node(id),
            });
        }
        let hint = suggest::hint(name, self.names.keys().copied());
        self.errors.push(FlowError::at(
            y.pos,
            format!(
                "node \"{}\" {relation} unknown node \"{name}\"{hint}",
                self.node_name
            ),
        ));
        None
    }

    /// A prompt list. Recorded prompts are checked against the catalog once the whole flow is
    /// read, in the flow's language and every language a `language` node switches to.
    pub fn prompts(&mut self, y: &Yaml, what: &str) -> Option<Vec<PromptItem>> {
        let what = format!("{what} of node \"{}\"", self.node_name);
        prompt::read_list(y, &what, &mut self.errors, &mut self.recorded)
    }

    /// An optional prompt list, empty when the field is absent.
    pub fn optional_prompts(&mut self, y: Option<&Yaml>, what: &str) -> Option<Vec<PromptItem>> {
        match y {
            Some(y) => self.prompts(y, what),
            None => Some(Vec::new()),
        }
    }

    /// Text with `${variable}` holes; `what` names the field (`"url"`).
    pub fn template(&mut self, y: &Yaml, what: &str) -> Option<Template> {
        let what = format!("{what} of node \"{}\"", self.node_name);
        values::template(y, &what, &mut self.errors)
    }

    /// A condition; errors point at the offending character.
    pub fn condition(&mut self, y: &Yaml, what: &str) -> Option<Expr> {
        let what = format!("{what} of node \"{}\"", self.node_name);
        values::condition(y, &what, &mut self.errors)
    }

    /// A language tag a node switches to; its prompts are checked in it too.
    pub fn switch_language(&mut self, y: &Yaml) -> Option<Arc<str>> {
        let tag: Arc<str> = language(y, &mut self.errors)?.into();
        if !self.languages.contains(&tag) {
            self.languages.push(Arc::clone(&tag));
        }
        Some(tag)
    }

    /// `what` of the node being parsed, for messages: `"timeout" of node "main"`.
    pub fn what(&self, field: &str) -> String {
        format!("\"{field}\" of node \"{}\"", self.node_name)
    }

    /// A queue name, checked against the catalog.
    pub fn queue(&mut self, y: &Yaml) -> Option<Arc<str>> {
        let what = format!("the queue of node \"{}\"", self.node_name);
        let name = values::text(y, &what, &mut self.errors)?;
        if !self.catalog.has_queue(name) {
            self.errors.push(FlowError::at(
                y.pos,
                format!("queue \"{name}\" does not exist"),
            ));
        }
        Some(name.into())
    }
}

pub(crate) fn load(source: &str, catalog: &dyn Catalog) -> Result<Flow, FlowErrors> {
    if source.len() > MAX_FLOW_BYTES {
        return Err(FlowErrors::new(vec![FlowError::at(
            Position::START,
            format!("the flow file is larger than {MAX_FLOW_BYTES} bytes"),
        )]));
    }
    let tree = yaml::parse(source).map_err(|e| FlowErrors::new(vec![e]))?;
    let mut errors = Vec::new();
    let Some(mut top) = Fields::read(&tree, "the flow", tree.pos, &mut errors) else {
        return Err(FlowErrors::new(errors));
    };
    let name = top
        .require("name", &mut errors)
        .and_then(|y| values::text(y, "\"name\" of the flow", &mut errors));
    let language = top
        .require("language", &mut errors)
        .and_then(|y| language(y, &mut errors));
    let start = top.require("start", &mut errors);
    let nodes = top.require("nodes", &mut errors);
    top.finish(&mut errors);
    let Some(nodes) = nodes else {
        return Err(FlowErrors::new(errors));
    };

    let Some(entries) = fields::entries(nodes, "node", "\"nodes\"", &mut errors) else {
        errors.push(FlowError::at(
            nodes.pos,
            format!(
                "\"nodes\" must map node names to nodes, not be {}",
                nodes.shape()
            ),
        ));
        return Err(FlowErrors::new(errors));
    };
    if entries.is_empty() {
        errors.push(FlowError::at(nodes.pos, "the flow has no nodes"));
    }
    let skipped_duplicates =
        matches!(&nodes.value, yaml::Value::Mapping(all) if all.len() != entries.len());

    let mut loader = Loader {
        errors,
        catalog,
        names: HashMap::new(),
        node: NodeId(0),
        node_name: "",
        kind_at: Position::START,
        edges: Vec::new(),
        graph_complete: !skipped_duplicates,
        recorded: Vec::new(),
        languages: Vec::new(),
    };
    for (i, entry) in entries.iter().enumerate() {
        check_node_name(entry, &mut loader.errors);
        if entry.name == HANGUP {
            // Links to it go to the built-in target, so the node itself would look unreachable.
            loader.graph_complete = false;
        }
        loader.names.insert(entry.name, NodeId(i));
    }
    let start = start.and_then(|y| start_node(&mut loader, y));

    let kinds: Vec<Option<NodeKind>> = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            loader.node = NodeId(i);
            loader.node_name = entry.name;
            parse_node(&mut loader, entry)
        })
        .collect();

    if let Some(flow_language) = language {
        check_prompts(&mut loader, flow_language);
    }
    let mut errors = loader.errors;
    if let Some(start) = start
        && loader.graph_complete
    {
        let nodes: Vec<(&str, Position)> = entries.iter().map(|e| (e.name, e.key.pos)).collect();
        graph::check(&nodes, start, &loader.edges, &mut errors);
    }

    match (name, language, start) {
        (Some(name), Some(language), Some(start)) if errors.is_empty() => {
            let nodes: Option<Vec<Node>> = entries
                .iter()
                .zip(kinds)
                .map(|(entry, kind)| {
                    Some(Node {
                        name: entry.name.into(),
                        position: entry.key.pos,
                        kind: kind?,
                    })
                })
                .collect();
            match nodes {
                Some(nodes) => Ok(Flow {
                    name: name.into(),
                    language: language.into(),
                    start,
                    nodes,
                }),
                // Every parser that returns `None` reports why; this keeps a parser that forgot
                // from producing a half-built flow.
                None => Err(FlowErrors::new(vec![FlowError::at(
                    Position::START,
                    "the flow could not be read",
                )])),
            }
        }
        _ => Err(FlowErrors::new(errors)),
    }
}

/// Reports recorded prompts missing from the catalog in any language the flow may speak.
fn check_prompts(loader: &mut Loader<'_>, flow_language: &str) {
    let mut languages = vec![flow_language];
    languages.extend(
        loader
            .languages
            .iter()
            .map(|l| &**l)
            .filter(|l| *l != flow_language),
    );
    for (name, pos) in &loader.recorded {
        for language in &languages {
            if !loader.catalog.has_prompt(language, name) {
                loader.errors.push(FlowError::at(
                    *pos,
                    format!("prompt \"{name}\" is not recorded in language \"{language}\""),
                ));
            }
        }
    }
}

/// A language tag such as `en`, `fr` or `fr-CA`.
fn language<'y>(y: &'y Yaml, errors: &mut Vec<FlowError>) -> Option<&'y str> {
    let tag = values::text(y, "\"language\" of the flow", errors)?;
    if tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Some(tag)
    } else {
        errors.push(FlowError::at(
            y.pos,
            format!("language \"{tag}\" is not a language tag such as en, fr or fr-CA"),
        ));
        None
    }
}

fn check_node_name(entry: &Entry<'_>, errors: &mut Vec<FlowError>) {
    let name = entry.name;
    if name == HANGUP {
        errors.push(FlowError::at(
            entry.key.pos,
            "\"hangup\" is the built-in target that ends the call; give this node another name",
        ));
    } else if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        errors.push(FlowError::at(
            entry.key.pos,
            format!("node name \"{name}\" may only use letters, digits, \"_\", \"-\" and \".\""),
        ));
    }
}

fn start_node(loader: &mut Loader<'_>, y: &Yaml) -> Option<NodeId> {
    let name = values::text(y, "\"start\" of the flow", &mut loader.errors)?;
    if let Some(&id) = loader.names.get(name) {
        return Some(id);
    }
    let message = if name == HANGUP {
        "the flow must start at one of its nodes, not at \"hangup\"".to_owned()
    } else {
        let hint = suggest::hint(name, loader.names.keys().copied());
        format!("the flow starts at unknown node \"{name}\"{hint}")
    };
    loader.errors.push(FlowError::at(y.pos, message));
    None
}

/// Parses one node: finds its kind key and hands the rest to that kind.
fn parse_node(loader: &mut Loader<'_>, entry: &Entry<'_>) -> Option<NodeKind> {
    let owner = format!("node \"{}\"", entry.name);
    let Some(mut fields) = Fields::read(entry.value, owner, entry.key.pos, &mut loader.errors)
    else {
        loader.graph_complete = false;
        return None;
    };
    let found: Vec<_> = KINDS
        .iter()
        .filter_map(|&(kind, parse)| fields.take_entry(kind).map(|e| (kind, parse, e)))
        .collect();
    let kind = match found.as_slice() {
        [] => {
            report_missing_kind(entry, fields.take_rest(), &mut loader.errors);
            None
        }
        [(kind, parse, body)] => {
            fields.rename(format!("{kind} node \"{}\"", entry.name));
            loader.kind_at = body.key.pos;
            parse(loader, &mut fields, body.value)
        }
        [(first, ..), (second, _, body), ..] => {
            loader.errors.push(FlowError::at(
                body.key.pos,
                format!(
                    "node \"{}\" has more than one kind: \"{first}\" and \"{second}\"",
                    entry.name
                ),
            ));
            // Which fields belong is unknowable until the kind is settled.
            fields.take_rest();
            None
        }
    };
    if kind.is_none() {
        loader.graph_complete = false;
    }
    fields.finish(&mut loader.errors);
    kind
}

fn report_missing_kind(entry: &Entry<'_>, rest: Vec<Entry<'_>>, errors: &mut Vec<FlowError>) {
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    // The first key that is not a known sibling field is most likely the kind, misspelt.
    match rest.iter().find(|e| e.name != "next") {
        Some(unknown) => errors.push(FlowError::at(
            unknown.key.pos,
            format!(
                "unknown node kind \"{}\" in node \"{}\"{}",
                unknown.name,
                entry.name,
                suggest::hint(unknown.name, kinds.iter().copied())
            ),
        )),
        None => errors.push(FlowError::at(
            entry.key.pos,
            format!(
                "node \"{}\" does not say what it does; give it one of: {}",
                entry.name,
                kinds.join(", ")
            ),
        )),
    }
}
