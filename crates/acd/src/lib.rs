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
//! Each queue keeps its waiting contacts in order of service (effective priority — priority
//! plus aging —, then arrival) and its available members in its strategy's index
//! ([`strategy`]). A contact arriving goes to the agent the strategy picks among the members who
//! have its required skills ([`Skills`], relaxed with the wait by the queue's [`Relaxation`]s);
//! an agent becoming available takes the best waiting contact they qualify for, serving the
//! queues of their routing profile in [`Membership::priority`] order. A failed or timed-out
//! offer puts the contact back in its place and counts a miss against the agent: not ready with
//! reason [`MISSED_OFFERS`] at the queue's limit (1 by default), otherwise available again but
//! idle from the failure, so at the back of a longest-idle line; the contact is routed first, so
//! another available agent gets it. An offer withdrawn because the caller hung up costs the
//! agent nothing, not even their place. A waiting contact hears its position and estimated wait
//! every announcement period ([`Acd::position`], [`Acd::contact_estimated_wait`] answer at any
//! time). Queue policies (max wait, max length, overflow, no agents, short abandons) and
//! callbacks that keep the caller's place are described in `docs/routing.md`; business hours
//! are the flow's `hours` branch (the `ivr` crate), not the queue's. Agents' states and the valid requests are in
//! [`AgentState`].
//!
//! Dependencies: `thiserror` for the error enum; `proptest` and `criterion` for tests and
//! benches only. Random numbers come from a built-in SplitMix64 ([`Rng`]), seeded by the caller.
#![warn(missing_docs)]

mod agent;
mod agent_requests;
mod agent_state;
mod callback;
mod config;
mod contact;
mod engine;
mod error;
mod ids;
mod input;
mod offers;
mod output;
mod policies;
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
    AcdConfig, AgentConfig, CallbackPolicy, DEFAULT_ANNOUNCE_PERIOD, DEFAULT_MISSED_OFFERS_LIMIT,
    DEFAULT_RING_TIMEOUT, DEFAULT_WRAP_UP, MAX_SETTING, Membership, Overflow, QueueConfig,
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
