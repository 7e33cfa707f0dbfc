//! Automatic call distribution: queues, agents and their states, routing strategies.
//!
//! Sans-IO and deterministic. The engine owns no clock, socket or thread: every input carries
//! `now`, the engine answers with [`Output`]s (offer this contact to that agent, announce a
//! position, an agent's state changed) and tells when it next needs to be woken
//! ([`Acd::poll_timeout`]). The same inputs give the same outputs, so the simulator can push a
//! day of traffic through it in well under a second.
//!
//! # Time
//! Time is [`std::time::Instant`], as the server reads it. A simulation starts from any
//! `Instant` and adds durations; the engine only compares and adds, never reads the clock. An
//! input with a `now` earlier than one already seen is treated as happening at the later time,
//! so the engine's clock never runs backwards.
//!
//! # Drive loop
//! ```
//! use std::time::{Duration, Instant};
//! use acd::{Acd, AcdConfig, AgentConfig, AgentId, ContactId, Input, Output, QueueConfig, QueueId};
//!
//! let sales = QueueId(1);
//! let mut acd = Acd::new(AcdConfig {
//!     queues: vec![QueueConfig::new(sales, "sales")],
//!     agents: vec![AgentConfig::new(AgentId(1001), "Ada", &[sales])],
//!     seed: 0,
//! })?;
//! let t0 = Instant::now(); // the server's clock; a simulation uses any origin
//! acd.handle_input(t0, Input::Login { agent: AgentId(1001), not_ready: None })?;
//! acd.handle_input(t0, Input::ContactArrived { contact: ContactId(7), queue: sales, priority: 0 })?;
//! loop {
//!     while let Some(output) = acd.poll_output() {
//!         match output {
//!             Output::Offer { contact, agent, .. } => {
//!                 // The server INVITEs the agent's phone; here it answers at once.
//!                 acd.handle_input(t0, Input::OfferAnswered { contact, agent })?;
//!             }
//!             _ => { /* log the event, play a prompt, CANCEL a ringing leg... */ }
//!         }
//!     }
//!     // The server sleeps until the deadline or the next input, whichever comes first.
//!     match acd.poll_timeout() {
//!         Some(deadline) if deadline < t0 + Duration::from_secs(60) => acd.handle_timeout(deadline),
//!         _ => break,
//!     }
//! }
//! assert_eq!(acd.agent_state(AgentId(1001))?.kind(), acd::AgentStateKind::OnCall);
//! # Ok::<(), acd::AcdError>(())
//! ```
//!
//! # What routes where
//! Each queue keeps its waiting contacts in order of service (priority, then arrival) and its
//! available members in its strategy's index ([`strategy`]). A contact arriving goes to the
//! agent the strategy picks; an agent becoming available takes the best waiting contact among
//! their queues. A failed or timed-out offer puts the contact back in its place and counts a
//! miss against the agent: not ready with reason [`MISSED_OFFERS`] at the queue's limit (1 by
//! default), otherwise available again but idle from the failure, so at the back of a
//! longest-idle line; the contact is routed first, so another available agent gets it. An
//! offer withdrawn because the caller hung up costs the agent nothing, not even their place.
//! A waiting contact hears its position every announcement period, the first one a period
//! after it arrived ([`Acd::position`] answers at any time). Agents' states and the valid
//! requests are in [`AgentState`].
//!
//! Not yet (issue 5): skills and required skills (agents' skills are stored), routing profiles
//! (membership priority is stored), priority aging, overflow, callbacks, estimated wait.
//!
//! Dependencies: `thiserror` for the error enum; `proptest` and `criterion` for tests and
//! benches only. Random numbers come from a built-in SplitMix64 ([`Rng`]), seeded by the caller.
#![warn(missing_docs)]

mod agent;
mod agent_requests;
mod agent_state;
mod config;
mod contact;
mod engine;
mod error;
mod ids;
mod input;
mod offers;
mod output;
mod queue;
mod reconfigure;
mod rng;
mod routing;
pub mod simulation;
mod skills;
pub mod strategy;
mod timers;
mod views;
mod waiting;

pub use agent::AgentStats;
pub use agent_requests::MAX_WRAP_UP_EXTENSION;
pub use agent_state::{
    AgentState, AgentStateKind, ChangeCause, MISSED_OFFERS, OfferFailure, Request,
};
pub use config::{
    AcdConfig, AgentConfig, DEFAULT_ANNOUNCE_PERIOD, DEFAULT_MISSED_OFFERS_LIMIT,
    DEFAULT_RING_TIMEOUT, DEFAULT_WRAP_UP, MAX_SETTING, Membership, QueueConfig,
};
pub use contact::LeaveReason;
pub use engine::Acd;
pub use error::AcdError;
pub use ids::{AgentId, ContactId, QueueId};
pub use input::Input;
pub use output::Output;
pub use queue::EWT_SAMPLES;
pub use rng::Rng;
pub use skills::{MAX_LEVEL, MIN_LEVEL, Relaxation, Skills, match_score, qualifies};
pub use strategy::{Strategy, StrategyKind};
pub use views::{AgentView, ContactView, QueueView, Snapshot};
