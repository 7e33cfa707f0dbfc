//! A ticket's history: append-only events, numbered per ticket, written in the transaction that
//! changes the ticket (the database refuses UPDATE and DELETE on them, as for the interaction
//! log). Each event is stored as its `kind` and the rest of its JSON:
//!
//! | kind | data |
//! |---|---|
//! | `created` | `{"subject", "priority", "tier"}` |
//! | `state_changed` | `{"from", "to", "reason"?}` |
//! | `escalated` | `{"from_tier", "tier", "reason"}` (also a move back down) |
//! | `assigned` | `{"user_id"?, "team"?}` (both absent: unassigned) |
//! | `priority_changed` | `{"from", "to"}` |
//! | `note` | `{"visibility": "internal"\|"customer", "text"}` (the author is the event's user) |
//! | `fields_set` | `{"fields": {key: value}}` (script answers land here) |
//! | `contact_linked` | `{"interaction_id"}` |
//! | `first_response` | `{}` |
//! | `sla_breached` | `{"which": "first_response"\|"resolution"}` |

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::db::{get, insert_chunked};
use crate::error::{Entity, Error, Result};
use crate::ids::{InteractionId, TicketId, UserId};
use crate::text_enum::text_enum;
use crate::ticket::{Priority, TicketState};

/// Who may read a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteVisibility {
    /// Staff only.
    Internal,
    /// Shown to the customer too.
    Customer,
}

text_enum!(NoteVisibility, "note visibility", Internal => "internal", Customer => "customer");

/// Which SLA target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// The first agent response.
    FirstResponse,
    /// The resolution.
    Resolution,
}

text_enum!(SlaTarget, "SLA target", FirstResponse => "first_response", Resolution => "resolution");

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketEventData {
    /// The ticket was opened.
    Created {
        /// Its subject.
        subject: String,
        /// Its priority.
        priority: Priority,
        /// Its support tier.
        tier: u8,
    },
    /// The state moved.
    StateChanged {
        /// Before.
        from: TicketState,
        /// After.
        to: TicketState,
        /// Why, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The support tier changed (an escalation to tier 2 or 3, or back).
    Escalated {
        /// Before.
        from_tier: u8,
        /// After.
        tier: u8,
        /// Why.
        reason: String,
    },
    /// The assignee changed.
    Assigned {
        /// The agent, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<UserId>,
        /// The team, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<String>,
    },
    /// The priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// A note was added.
    Note {
        /// Who may read it.
        visibility: NoteVisibility,
        /// Its text.
        text: String,
    },
    /// Ticket fields were set (merged into the ticket's fields).
    FieldsSet {
        /// The keys set and their new values.
        fields: Map<String, Value>,
    },
    /// A contact (interaction) was attached to the ticket.
    ContactLinked {
        /// The interaction.
        interaction_id: InteractionId,
    },
    /// An agent responded to the customer for the first time.
    FirstResponse {},
    /// An SLA target was missed.
    SlaBreached {
        /// Which one.
        which: SlaTarget,
    },
}

impl TicketEventData {
    /// The stored kind and the rest of the JSON.
    fn split(&self) -> Result<(String, String)> {
        let value = serde_json::to_value(self)
            .map_err(|e| Error::invalid("ticket event", e.to_string()))?;
        let Value::Object(mut object) = value else {
            return Err(Error::invalid("ticket event", "not a JSON object"));
        };
        let kind = match object.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => return Err(Error::invalid("ticket event", "no kind")),
        };
        Ok((kind, Value::Object(object).to_string()))
    }

    fn join(kind: String, data: &str) -> Result<Self> {
        let mut object: Map<String, Value> =
            serde_json::from_str(data).map_err(|e| Error::corrupt("ticket_events.data", e))?;
        object.insert("kind".to_owned(), Value::String(kind));
        serde_json::from_value(Value::Object(object))
            .map_err(|e| Error::corrupt("ticket_events.kind", e))
    }
}

/// A stored ticket event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketEvent {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its number in the ticket's history, from 1.
    pub seq: i64,
    /// When (unix ms).
    pub at_ms: i64,
    /// Who did it (none for the system: SLA breaches, automatic links).
    pub user_id: Option<UserId>,
    /// What happened.
    #[serde(flatten)]
    pub data: TicketEventData,
}

impl TicketEvent {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self> {
        let kind: String = get(row, "kind")?;
        let data: String = get(row, "data")?;
        Ok(TicketEvent {
            ticket_id: TicketId(get(row, "ticket_id")?),
            seq: get(row, "seq")?,
            at_ms: get(row, "at_ms")?,
            user_id: get::<Option<i64>>(row, "user_id")?.map(UserId),
            data: TicketEventData::join(kind, &data)?,
        })
    }
}

macro_rules! event_columns {
    () => {
        "ticket_id, seq, at_ms, kind, data, user_id"
    };
}
pub(crate) use event_columns;

/// Appends `events` to a ticket's history in the caller's transaction: numbers them from the
/// ticket's `last_seq`, touches `updated_at_ms`, and indexes note texts for search.
/// [`Error::NotFound`] if the ticket is not the tenant's.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    tenant: i64,
    ticket: TicketId,
    events: &[TicketEventData],
    by: Option<UserId>,
    at_ms: i64,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let count =
        i64::try_from(events.len()).map_err(|e| Error::invalid("ticket events", e.to_string()))?;
    let row = sqlx::query(
        "UPDATE tickets SET last_seq = last_seq + $3, updated_at_ms = $4 \
         WHERE tenant_id = $1 AND id = $2 RETURNING last_seq",
    )
    .bind(tenant)
    .bind(ticket.0)
    .bind(count)
    .bind(at_ms)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound(Entity::Ticket))?;
    let last: i64 = get(&row, "last_seq")?;
    let mut rows = Vec::with_capacity(events.len());
    for (n, event) in (last - count + 1..).zip(events) {
        let (kind, data) = event.split()?;
        rows.push((n, kind, data));
    }
    insert_chunked(
        conn,
        "INSERT INTO ticket_events (tenant_id, ticket_id, at_ms, user_id, seq, kind, data) \
         VALUES {values}",
        4,
        3,
        &rows,
        |q| {
            q.bind(tenant)
                .bind(ticket.0)
                .bind(at_ms)
                .bind(by.map(|u| u.0))
        },
        |q, (seq, kind, data)| q.bind(*seq).bind(kind.clone()).bind(data.clone()),
    )
    .await?;
    for event in events {
        if let TicketEventData::Note { text, .. } = event {
            index_text(conn, tenant, ticket, text).await?;
        }
    }
    Ok(())
}

/// Makes `text` (a subject or a note) find the ticket in [`crate::TenantStore::search_tickets`].
pub(crate) async fn index_text(
    conn: &mut AnyConnection,
    tenant: i64,
    ticket: TicketId,
    text: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO ticket_search (tenant_id, ticket_id, body) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(ticket.0)
        .bind(text.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::PostgresServer;
    use crate::{NewTicket, Store};

    /// Raw statements an attacker or a careless migration might run against the histories.
    const TAMPERING: [&str; 4] = [
        "UPDATE ticket_events SET kind = 'note'",
        "DELETE FROM ticket_events",
        "UPDATE script_versions SET body = 'rewritten'",
        "DELETE FROM script_versions",
    ];

    async fn with_history(url: &str) -> Store {
        let store = Store::open(url).await.unwrap();
        let tenant = store.create_tenant("A", "a", 0).await.unwrap();
        let t = store.tenant(tenant.id).await.unwrap();
        t.create_ticket(&NewTicket::new("s", Priority::Low, 1))
            .await
            .unwrap();
        t.save_script("s", "body", 1, true).await.unwrap();
        store
    }

    async fn database_refuses_to_change_histories(store: &Store) {
        for sql in TAMPERING {
            let result = sqlx::query(sql).execute(store.pool()).await;
            assert!(result.is_err(), "{sql} was accepted");
        }
        for table in ["ticket_events", "script_versions"] {
            let count: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            assert_eq!(count, 1, "{table}");
        }
    }

    #[tokio::test]
    async fn sqlite_refuses_updates_and_deletes_of_ticket_events_and_script_versions() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        database_refuses_to_change_histories(&with_history(&url).await).await;
    }

    #[tokio::test]
    async fn postgres_refuses_updates_and_deletes_of_ticket_events_and_script_versions() {
        let url = PostgresServer::shared().create_database().unwrap();
        database_refuses_to_change_histories(&with_history(&url).await).await;
    }

    #[test]
    fn events_split_into_kind_and_data_and_join_back() {
        let events = [
            TicketEventData::Escalated {
                from_tier: 1,
                tier: 2,
                reason: "needs a technician".to_owned(),
            },
            TicketEventData::Note {
                visibility: NoteVisibility::Customer,
                text: "we called back".to_owned(),
            },
            TicketEventData::FirstResponse {},
            TicketEventData::Assigned {
                user_id: None,
                team: Some("tier2".to_owned()),
            },
        ];
        for event in events {
            let (kind, data) = event.split().unwrap();
            assert!(!data.contains("\"kind\""), "{data}");
            assert_eq!(TicketEventData::join(kind, &data).unwrap(), event);
        }
    }

    #[test]
    fn the_stored_kind_is_the_snake_case_name() {
        let (kind, data) = TicketEventData::SlaBreached {
            which: SlaTarget::Resolution,
        }
        .split()
        .unwrap();
        assert_eq!(
            (kind.as_str(), data.as_str()),
            ("sla_breached", r#"{"which":"resolution"}"#)
        );
    }

    #[test]
    fn unknown_kinds_read_as_corrupt() {
        let err = TicketEventData::join("teleported".to_owned(), "{}").unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    }
}
