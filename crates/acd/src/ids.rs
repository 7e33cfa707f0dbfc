//! Identifiers of agents, queues and contacts as the engine sees them.
//!
//! The server maps its database keys onto these small copyable numbers; their order is the
//! deterministic tie-breaker everywhere (two agents idle since the same instant: lower id first).

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An agent (a person who takes contacts).
    AgentId,
    "agent:"
);
id_type!(
    /// A queue (file d'attente).
    QueueId,
    "queue:"
);
id_type!(
    /// A contact waiting for or being offered to an agent (an inbound call for now).
    ContactId,
    "contact:"
);
