//! Typed row ids, so a user id cannot be passed where a queue id is expected, and the interaction
//! id: a sortable 128-bit value (48 bits of unix milliseconds, 80 random bits) written as 32
//! lowercase hex digits, so ids sort by creation time and can be made before any row exists.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

row_id!(
    /// A tenant (a client company of the center; no tenant sees another's rows).
    TenantId
);
row_id!(
    /// A user of a tenant (agent, supervisor, admin...).
    UserId
);
row_id!(
    /// A queue.
    QueueId
);
row_id!(
    /// A flow (all versions of one IVR flow share it).
    FlowId
);
row_id!(
    /// An API token.
    ApiTokenId
);
row_id!(
    /// A recording.
    RecordingId
);
row_id!(
    /// An entry of the audit log.
    AuditId
);
row_id!(
    /// An agent event (its order in the agent log).
    AgentEventId
);
row_id!(
    /// A customer (a person or company who contacts the center).
    CustomerId
);
row_id!(
    /// A ticket: one customer request, followed from first contact to resolution.
    TicketId
);
row_id!(
    /// A ticket category.
    TicketCategoryId
);
row_id!(
    /// A product of the tenant's catalog.
    ProductId
);
row_id!(
    /// An order placed for a customer.
    OrderId
);
row_id!(
    /// A disposition (wrap-up code) of a queue or campaign.
    DispositionId
);
row_id!(
    /// An agent script (all versions of one script share it).
    ScriptId
);
row_id!(
    /// A stored run of a script: the path one contact took and its answers.
    ScriptRunId
);
row_id!(
    /// A knowledge-base article.
    KbArticleId
);
row_id!(
    /// A web session (a browser's login).
    WebSessionId
);

/// An interaction's id: sortable by creation time, unique without coordination between nodes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InteractionId(u128);

impl InteractionId {
    /// Makes a fresh id for an interaction created at `at_ms` (unix milliseconds), with 80 bits
    /// from the operating system's random generator.
    pub fn generate(at_ms: i64) -> Result<Self> {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| Error::Random(e.to_string()))?;
        Ok(Self::from_parts(at_ms, u128::from_be_bytes(random)))
    }

    /// Builds an id from a time and random bits (only the low 80 bits of `random` are used; times
    /// outside 0..2^48 ms are clamped). Tests use it for reproducible ids.
    pub fn from_parts(at_ms: i64, random: u128) -> Self {
        let ms = at_ms.clamp(0, (1 << 48) - 1) as u128;
        InteractionId((ms << 80) | (random & ((1u128 << 80) - 1)))
    }

    /// The unix milliseconds the id was made for.
    pub fn at_ms(self) -> i64 {
        // The shift leaves 48 bits, which always fit an i64.
        (self.0 >> 80) as i64
    }
}

impl fmt::Display for InteractionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for InteractionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InteractionId({self})")
    }
}

impl FromStr for InteractionId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let lower_hex = s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if s.len() != 32 || !lower_hex {
            return Err(Error::invalid(
                "interaction id",
                "expected 32 lowercase hex digits",
            ));
        }
        u128::from_str_radix(s, 16)
            .map(InteractionId)
            .map_err(|e| Error::invalid("interaction id", e.to_string()))
    }
}

impl Serialize for InteractionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for InteractionId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_ids_round_trip_through_text() {
        let id = InteractionId::from_parts(1_700_000_000_123, 0xdead_beef);
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<InteractionId>().unwrap(), id);
        assert_eq!(id.at_ms(), 1_700_000_000_123);
    }

    #[test]
    fn interaction_ids_sort_by_time_as_text() {
        let early = InteractionId::from_parts(1_000, u128::MAX);
        let late = InteractionId::from_parts(1_001, 0);
        assert!(early.to_string() < late.to_string());
        assert!(early < late);
    }

    #[test]
    fn generated_interaction_ids_differ() {
        let a = InteractionId::generate(5).unwrap();
        let b = InteractionId::generate(5).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.at_ms(), 5);
    }

    #[test]
    fn malformed_interaction_ids_are_refused() {
        for bad in ["", "xyz", &"A".repeat(32), &"0".repeat(31), &"0".repeat(33)] {
            assert!(bad.parse::<InteractionId>().is_err(), "{bad:?}");
        }
    }
}
