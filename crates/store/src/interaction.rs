//! Interactions: one customer contact (a call, later a chat or an email), the subject of the
//! interaction log. Everything that happens to it is an event ([`crate::event`]).

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::db::{get, get_parsed};
use crate::error::Result;
use crate::ids::{InteractionId, TenantId};
use crate::text_enum::text_enum;

/// The medium of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    Voice,
}

/// Who started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer contacted the center.
    Inbound,
    /// The center contacted the customer.
    Outbound,
}

text_enum!(Channel, "channel", Voice => "voice");
text_enum!(Direction, "direction", Inbound => "inbound", Outbound => "outbound");

/// An interaction to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInteraction {
    /// Its id, made by the caller ([`InteractionId::generate`]) so events can name it before the
    /// row is written.
    pub id: InteractionId,
    /// The medium.
    pub channel: Channel,
    /// Who started it.
    pub direction: Direction,
    /// The caller's number (as received).
    pub caller: String,
    /// The number dialled.
    pub dialed: String,
    /// When it began (unix ms).
    pub created_at_ms: i64,
}

impl NewInteraction {
    /// An inbound call from `caller` to `dialed`.
    pub fn inbound_call(id: InteractionId, caller: &str, dialed: &str, at_ms: i64) -> Self {
        NewInteraction {
            id,
            channel: Channel::Voice,
            direction: Direction::Inbound,
            caller: caller.to_owned(),
            dialed: dialed.to_owned(),
            created_at_ms: at_ms,
        }
    }
}

/// A stored interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interaction {
    /// Its id.
    pub id: InteractionId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The medium.
    pub channel: Channel,
    /// Who started it.
    pub direction: Direction,
    /// The caller's number.
    pub caller: String,
    /// The number dialled.
    pub dialed: String,
    /// When it began (unix ms).
    pub created_at_ms: i64,
    /// When its first `ended` event happened; `None` while it is open.
    pub ended_at_ms: Option<i64>,
}

macro_rules! interaction_columns {
    () => {
        "id, tenant_id, channel, direction, caller, dialed, created_at_ms, ended_at_ms"
    };
}
pub(crate) use interaction_columns;

impl Interaction {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Interaction {
            id: get_parsed(row, "id")?,
            tenant_id: TenantId(get(row, "tenant_id")?),
            channel: get_parsed(row, "channel")?,
            direction: get_parsed(row, "direction")?,
            caller: get(row, "caller")?,
            dialed: get(row, "dialed")?,
            created_at_ms: get(row, "created_at_ms")?,
            ended_at_ms: get(row, "ended_at_ms")?,
        })
    }
}

/// Which interactions to list: newest first, `limit` at most, optionally a time window and a
/// cursor (the last id of the previous page; ids sort by creation time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionQuery {
    /// Only those created at or after this (unix ms).
    pub since_ms: Option<i64>,
    /// Only those created before this (unix ms).
    pub until_ms: Option<i64>,
    /// Only those whose id sorts before this one (the previous page's last).
    pub before: Option<InteractionId>,
    /// At most this many.
    pub limit: u32,
}

impl Default for InteractionQuery {
    fn default() -> Self {
        InteractionQuery {
            since_ms: None,
            until_ms: None,
            before: None,
            limit: 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_and_directions_round_trip_through_their_stored_names() {
        assert_eq!("voice".parse::<Channel>().unwrap(), Channel::Voice);
        assert_eq!(
            "outbound".parse::<Direction>().unwrap(),
            Direction::Outbound
        );
        assert_eq!(Direction::Inbound.as_str(), "inbound");
        assert!("fax".parse::<Channel>().is_err());
    }
}
