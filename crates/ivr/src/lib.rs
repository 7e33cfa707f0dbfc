//! Interactive voice menus: flow definitions in YAML, validation with line numbers, and a
//! sans-IO interpreter.
//!
//! # Flows
//!
//! An administrator writes a flow as YAML: named nodes (`play`, `menu`, `collect`, `set`,
//! `condition`, `hours`, `language`, `http`, `goto`, `queue`, `transfer`, `voicemail`, `survey`,
//! `hangup`) linked by name, with the built-in target `hangup`. The format is described in
//! [`format`](mod@format) (the file `docs/ivr.md` at the root of the repository). [`Flow::load`]
//! parses and validates a flow and reports every problem at once, each with its line and column
//! ([`FlowError`]): YAML syntax, unknown kinds and fields, missing fields, values of the wrong
//! type, links to unknown nodes, unreachable nodes, loops a silent caller would go round forever,
//! conditions that do not parse, prompts not recorded in a language the flow speaks and queues
//! that do not exist (both asked of a [`Catalog`]), keys that are not phone keys, and values out
//! of range. A flow that loads is shared between calls with an `Arc`; [`Flow::reload`] replaces
//! the flow in service and leaves running calls on the one they started with.
//!
//! # Running a flow
//!
//! A [`Session`] is one caller walking one flow. It never reads a clock or does IO: the server
//! reports what happens and performs the [`Action`]s it gets back.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//! use ivr::{Action, AnyNames, Event, Flow, Session, Vars};
//!
//! let yaml = "name: tiny\nlanguage: en\nstart: main\nnodes:\n  main:\n    menu:\n      \
//!             prompt: menu\n      options: { \"1\": sales }\n      on_failure: hangup\n  \
//!             sales:\n    queue: sales\n";
//! let flow = Arc::new(Flow::load(yaml, &AnyNames)?);
//! let now = Instant::now(); // the server's clock; the session never reads one
//! let mut session = Session::start(flow, now, Vars::new());
//!
//! // Perform every action, in order.
//! let mut playing = None;
//! while let Some(action) = session.poll_action() {
//!     match action {
//!         Action::Play { id, .. } => playing = Some(id), // start playback
//!         Action::StopPlayback { .. } => {}              // stop it: the caller barged in
//!         Action::Queue { .. } => {}                     // hand the call to routing
//!         Action::Hangup => {}                           // send BYE
//!         Action::Log(event) => { let _ = event.name(); } // append to the interaction log
//!         _ => {} // HTTP requests, transfers, voicemail, survey answers: see `Action`
//!     }
//! }
//! // Feed back what happens: the prompt ends, so the menu arms its timer...
//! session.handle_event(now, Event::PromptFinished(playing.expect("the menu plays its prompt")));
//! assert_eq!(session.poll_timeout(), Some(now + Duration::from_secs(5)));
//! // ...and the caller presses 1 (had nothing come: `session.handle_timeout(deadline)`).
//! session.handle_event(now, Event::Digit('1'));
//! let actions: Vec<Action> = std::iter::from_fn(|| session.poll_action()).collect();
//! assert!(matches!(actions.last(), Some(Action::Queue { queue, .. }) if &**queue == "sales"));
//! assert!(session.is_finished());
//! # Ok::<(), ivr::FlowErrors>(())
//! ```
//!
//! [`simulate`] walks a flow with a list of keys and no call, returning the path taken.
//!
//! # Adding a node kind
//!
//! One file under `src/nodes/` holds the kind's settings, its parser and its behaviour; the
//! `nodes` module lists the kinds (see its documentation for the three places to touch).
//!
//! # Dependencies
//!
//! - `saphyr-parser`: pure-Rust YAML 1.2 event parser with a position on every event; we build
//!   our own small tree from its events so every node, key and duplicate keeps its line and
//!   column (typed serde deserializers stop at the first error and drop duplicate keys).
//! - `thiserror` for the error type.
//! - `regex-lite` for `collect`'s `validate: { regex }`: pure Rust, small, no Unicode tables;
//!   entries are phone keys, so full `regex` would buy nothing.
//! - `serde_json` to build HTTP bodies (escaping done right) and read fields of the answers.
//! - `jiff` civil dates for calendar arithmetic (valid dates, weekdays); the engine still reads no
//!   clock and no time-zone database: the server gives it the local time.
#![warn(missing_docs)]

mod action;
mod catalog;
mod civil_time;
mod dtmf;
mod error;
mod expr;
mod fields;
mod flow;
mod graph;
mod loader;
pub mod nodes;
mod prompt;
mod session;
mod simulate;
mod suggest;
mod template;
mod values;
mod yaml;

#[doc = include_str!("../../../docs/ivr.md")]
pub mod format {}

pub use action::{Action, FlowEvent, HttpMethod, PlayId, RequestId, Skill};
pub use catalog::{AnyNames, Catalog, KnownNames};
pub use civil_time::{Date, LocalTime, Weekday};
pub use error::{FlowError, FlowErrors, Position};
pub use expr::{Expr, Op, Operand};
pub use flow::{Dest, Flow, Node, NodeId, Target};
pub use loader::MAX_FLOW_BYTES;
pub use nodes::NodeKind;
pub use prompt::{Prompt, PromptItem};
pub use session::{CALLED_NUMBER, CALLER_NUMBER, Event, LANGUAGE, MAX_TYPE_AHEAD, Session, Vars};
pub use simulate::{HttpReply, Outcome, Scenario, Simulation, simulate, simulate_scenario};
pub use template::Template;
