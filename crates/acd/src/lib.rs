//! Automatic call distribution: queues, agents and their states, routing strategies.
//!
//! Sans-IO and deterministic: every input carries `now`; the server performs the decisions.
#![warn(missing_docs)]
