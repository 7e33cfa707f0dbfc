//! The interaction log repository: appending interactions and events in batches (one
//! transaction per batch, so a crash keeps whole batches or nothing), reading them back, and
//! finding the interactions a dead server left open.
//!
//! Sequence numbers are given here, in append order, continuing from the interaction's last
//! stored event (kept on the interaction row, so numbering reads no events): callers never
//! coordinate them, and two transactions appending to one interaction queue on its row.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sqlx::any::AnyRow;

use crate::db::{BATCH_ROWS, get, get_json, get_parsed, insert_chunked, param_list};
use crate::error::{Error, Result};
use crate::event::{AgentEvent, EndCause, Event, EventKind, NewAgentEvent, NewEvent};
use crate::ids::{AgentEventId, InteractionId, UserId};
use crate::interaction::{Interaction, InteractionQuery, NewInteraction, interaction_columns};
use crate::tenant::TenantStore;

/// Everything to write in one transaction. The server's log writer collects the rows of many
/// calls into one batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogBatch {
    /// Interactions to create (before the events below, which may name them).
    pub interactions: Vec<NewInteraction>,
    /// Events to append, in order.
    pub events: Vec<NewEvent>,
    /// Agent events to append, in order.
    pub agent_events: Vec<NewAgentEvent>,
}

impl LogBatch {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.interactions.is_empty() && self.events.is_empty() && self.agent_events.is_empty()
    }

    /// Rows to write.
    pub fn len(&self) -> usize {
        self.interactions.len() + self.events.len() + self.agent_events.len()
    }
}

fn json_text(data: &Value) -> String {
    // A `Value` always serialises; its `Display` is the compact JSON text.
    data.to_string()
}

impl Event {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Event {
            interaction_id: get_parsed(row, "interaction_id")?,
            seq: get(row, "seq")?,
            at_ms: get(row, "at_ms")?,
            kind: get_parsed(row, "kind")?,
            data: get_json(row, "data")?,
        })
    }
}

impl AgentEvent {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let interaction_id: Option<String> = get(row, "interaction_id")?;
        Ok(AgentEvent {
            id: AgentEventId(get(row, "id")?),
            user_id: UserId(get(row, "user_id")?),
            interaction_id: interaction_id
                .map(|id| id.parse())
                .transpose()
                .map_err(|e: Error| Error::corrupt("interaction_id", e))?,
            at_ms: get(row, "at_ms")?,
            kind: get_parsed(row, "kind")?,
            data: get_json(row, "data")?,
        })
    }
}

impl TenantStore {
    /// Writes a batch in one transaction: all of it, or (on error) none of it.
    /// [`Error::MissingReference`] if an event names an interaction or user not in this tenant.
    pub async fn append_log(&self, batch: &LogBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        let conn = tx.conn();

        let tid = self.tid();
        insert_chunked(
            conn,
            "INSERT INTO interactions \
             (tenant_id, id, channel, direction, caller, dialed, created_at_ms) VALUES {values}",
            1,
            6,
            &batch.interactions,
            |q| q.bind(tid),
            |q, i| {
                q.bind(i.id.to_string())
                    .bind(i.channel.as_str())
                    .bind(i.direction.as_str())
                    .bind(&i.caller)
                    .bind(&i.dialed)
                    .bind(i.created_at_ms)
            },
        )
        .await?;

        let mut next_seq = self.reserve_seqs(conn, &batch.events).await?;
        insert_chunked(
            conn,
            "INSERT INTO interaction_events \
             (tenant_id, interaction_id, seq, at_ms, kind, data) VALUES {values}",
            1,
            5,
            &batch.events,
            |q| q.bind(tid),
            |q, e| {
                let seq = next_seq.entry(e.interaction_id).or_default();
                *seq += 1;
                q.bind(e.interaction_id.to_string())
                    .bind(*seq)
                    .bind(e.at_ms)
                    .bind(e.kind.as_str())
                    .bind(json_text(&e.data))
            },
        )
        .await?;

        insert_chunked(
            conn,
            "INSERT INTO agent_events \
             (tenant_id, user_id, interaction_id, at_ms, kind, data) VALUES {values}",
            1,
            5,
            &batch.agent_events,
            |q| q.bind(tid),
            |q, e| {
                q.bind(e.user_id.0)
                    .bind(e.interaction_id.map(|id| id.to_string()))
                    .bind(e.at_ms)
                    .bind(e.kind.as_str())
                    .bind(json_text(&e.data))
            },
        )
        .await?;
        tx.commit().await
    }

    /// Reserves sequence numbers for `events`: one UPDATE by primary key per interaction named,
    /// which advances its `last_seq` (and sets `ended_at_ms` from its first `ended` event), and
    /// returns for each the number just before its first new event. Interactions are taken in id
    /// order so concurrent batches lock rows in the same order. An interaction missing from this
    /// tenant is [`Error::MissingReference`].
    async fn reserve_seqs(
        &self,
        conn: &mut sqlx::AnyConnection,
        events: &[NewEvent],
    ) -> Result<HashMap<InteractionId, i64>> {
        // Per interaction: how many events, and when the first `ended` happened.
        let mut touched: BTreeMap<InteractionId, (i64, Option<i64>)> = BTreeMap::new();
        for e in events {
            let (count, ended) = touched.entry(e.interaction_id).or_default();
            *count += 1;
            if e.kind == EventKind::Ended && ended.is_none() {
                *ended = Some(e.at_ms);
            }
        }
        let mut before = HashMap::with_capacity(touched.len());
        for (id, (count, ended)) in touched {
            let row = sqlx::query(
                "UPDATE interactions SET last_seq = last_seq + $3, \
                 ended_at_ms = COALESCE(ended_at_ms, $4) \
                 WHERE tenant_id = $1 AND id = $2 RETURNING last_seq",
            )
            .bind(self.tid())
            .bind(id.to_string())
            .bind(count)
            .bind(ended)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(Error::MissingReference)?;
            before.insert(id, get::<i64>(&row, "last_seq")? - count);
        }
        Ok(before)
    }

    /// Creates one interaction (see [`TenantStore::append_log`] to batch).
    pub async fn create_interaction(&self, interaction: &NewInteraction) -> Result<()> {
        self.append_log(&LogBatch {
            interactions: vec![interaction.clone()],
            ..LogBatch::default()
        })
        .await
    }

    /// Appends events in one transaction (see [`TenantStore::append_log`]).
    pub async fn append_events(&self, events: &[NewEvent]) -> Result<()> {
        self.append_log(&LogBatch {
            events: events.to_vec(),
            ..LogBatch::default()
        })
        .await
    }

    /// The interaction with this id.
    pub async fn interaction(&self, id: InteractionId) -> Result<Option<Interaction>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.to_string())
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Interaction::from_row).transpose()
    }

    /// Interactions, newest first (see [`InteractionQuery`]).
    pub async fn interactions(&self, query: &InteractionQuery) -> Result<Vec<Interaction>> {
        // "g" sorts after every id (ids are lowercase hex, compared bytewise on both backends).
        let before = query
            .before
            .map_or_else(|| "g".to_owned(), |id| id.to_string());
        let rows = sqlx::query(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE tenant_id = $1 AND created_at_ms >= $2 \
             AND created_at_ms < $3 AND id < $4 ORDER BY id DESC LIMIT $5"
        ))
        .bind(self.tid())
        .bind(query.since_ms.unwrap_or(i64::MIN))
        .bind(query.until_ms.unwrap_or(i64::MAX))
        .bind(before)
        .bind(i64::from(query.limit))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Interaction::from_row).collect()
    }

    /// Interactions whose caller is one of `callers` (as stored: E.164), newest first, at most
    /// `limit`: a customer's calls. Only the first [`BATCH_ROWS`] numbers are looked at.
    pub async fn interactions_from(
        &self,
        callers: &[String],
        limit: u32,
    ) -> Result<Vec<Interaction>> {
        let callers = &callers[..callers.len().min(BATCH_ROWS)];
        if callers.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            concat!(
                "SELECT ",
                interaction_columns!(),
                " FROM interactions WHERE tenant_id = $1 AND caller IN ({}) \
                 ORDER BY id DESC LIMIT ${}"
            ),
            param_list(1, callers.len()),
            callers.len() + 2
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
        for caller in callers {
            query = query.bind(caller.as_str());
        }
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(Interaction::from_row).collect()
    }

    /// An interaction's events, in sequence order.
    pub async fn events(&self, id: InteractionId) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT interaction_id, seq, at_ms, kind, data FROM interaction_events \
             WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY seq",
        )
        .bind(self.tid())
        .bind(id.to_string())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Event::from_row).collect()
    }

    /// The interactions with these ids (those of this tenant), and their events in sequence
    /// order, in the order of `ids`.
    pub async fn interactions_with_events(
        &self,
        ids: &[InteractionId],
    ) -> Result<Vec<(Interaction, Vec<Event>)>> {
        let mut interactions = HashMap::with_capacity(ids.len());
        let mut events: HashMap<InteractionId, Vec<Event>> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_ROWS) {
            let list = param_list(1, chunk.len());
            let sql = format!(
                concat!(
                    "SELECT ",
                    interaction_columns!(),
                    " FROM interactions WHERE tenant_id = $1 AND id IN ({})"
                ),
                list
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(self.store.pool()).await? {
                let interaction = Interaction::from_row(&row)?;
                interactions.insert(interaction.id, interaction);
            }
            let sql = format!(
                "SELECT interaction_id, seq, at_ms, kind, data FROM interaction_events \
                 WHERE tenant_id = $1 AND interaction_id IN ({list}) ORDER BY interaction_id, seq"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(self.store.pool()).await? {
                let event = Event::from_row(&row)?;
                events.entry(event.interaction_id).or_default().push(event);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| {
                let interaction = interactions.remove(id)?;
                Some((interaction, events.remove(id).unwrap_or_default()))
            })
            .collect())
    }

    /// Appends agent events in one transaction (see [`TenantStore::append_log`]).
    pub async fn append_agent_events(&self, events: &[NewAgentEvent]) -> Result<()> {
        self.append_log(&LogBatch {
            agent_events: events.to_vec(),
            ..LogBatch::default()
        })
        .await
    }

    /// Agent events in log order, after `after` (a cursor: the last id seen), for one agent or
    /// all, `limit` at most.
    pub async fn agent_events(
        &self,
        user_id: Option<UserId>,
        after: Option<AgentEventId>,
        limit: u32,
    ) -> Result<Vec<AgentEvent>> {
        let rows = sqlx::query(
            "SELECT id, user_id, interaction_id, at_ms, kind, data FROM agent_events \
             WHERE tenant_id = $1 AND (user_id = $2 OR $3 = 1) AND id > $4 ORDER BY id LIMIT $5",
        )
        .bind(self.tid())
        .bind(user_id.map_or(0, |u| u.0))
        .bind(i64::from(user_id.is_none()))
        .bind(after.map_or(0, |a| a.0))
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(AgentEvent::from_row).collect()
    }

    /// Every agent's events that happened at or after `since_ms` (a day's start), in log
    /// order, after `after` (a cursor: the last id seen), `limit` at most: what a day's figures
    /// are seeded from.
    pub async fn agent_events_since(
        &self,
        since_ms: i64,
        after: Option<AgentEventId>,
        limit: u32,
    ) -> Result<Vec<AgentEvent>> {
        let rows = sqlx::query(
            "SELECT id, user_id, interaction_id, at_ms, kind, data FROM agent_events \
             WHERE tenant_id = $1 AND at_ms >= $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(self.tid())
        .bind(since_ms)
        .bind(after.map_or(0, |a| a.0))
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(AgentEvent::from_row).collect()
    }

    /// Interactions with no `ended` event: at start, the calls that were up when the server
    /// stopped or died. Oldest first.
    pub async fn open_interactions(&self) -> Result<Vec<Interaction>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            interaction_columns!(),
            " FROM interactions WHERE tenant_id = $1 AND ended_at_ms IS NULL ORDER BY id"
        ))
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Interaction::from_row).collect()
    }

    /// Ends every open interaction with `cause` at `at_ms` (at start:
    /// [`EndCause::ServerStopped`]), in one transaction; which ones. Run it before taking new
    /// calls: with several nodes on one database it must only see the calls of the node that
    /// died (not yet handled: see the crate doc).
    pub async fn close_open_interactions(
        &self,
        at_ms: i64,
        cause: EndCause,
    ) -> Result<Vec<InteractionId>> {
        let open: Vec<InteractionId> = self
            .open_interactions()
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let events = open
            .iter()
            .map(|&id| NewEvent::ended(id, at_ms, cause))
            .collect();
        self.append_log(&LogBatch {
            events,
            ..LogBatch::default()
        })
        .await?;
        Ok(open)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::PostgresServer;
    use crate::{
        InteractionId, LogBatch, NewAgentEvent, NewAuditEntry, NewEvent, NewInteraction, NewUser,
        Role, Store,
    };

    /// Raw statements an attacker or a careless migration might run against the log.
    const TAMPERING: [&str; 6] = [
        "UPDATE interaction_events SET kind = 'ended'",
        "DELETE FROM interaction_events",
        "UPDATE agent_events SET kind = 'ended'",
        "DELETE FROM agent_events",
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ];

    async fn logged(url: &str) -> Store {
        let store = Store::open(url).await.unwrap();
        let tenant = store.create_tenant("A", "a", 0).await.unwrap();
        let t = store.tenant(tenant.id).await.unwrap();
        let user = NewUser {
            username: "u".to_owned(),
            display_name: "U".to_owned(),
            role: Role::Agent,
            password: None,
            extension: None,
            sip: None,
            enabled: true,
        };
        let user = t.create_user(&user, 0).await.unwrap();
        let id = InteractionId::from_parts(1, 1);
        t.append_log(&LogBatch {
            interactions: vec![NewInteraction::inbound_call(id, "+331", "+332", 1)],
            events: vec![NewEvent::arrived(id, 1)],
            agent_events: vec![NewAgentEvent::state_changed(user.id, 1, "a", "b", None)],
        })
        .await
        .unwrap();
        t.audit(&NewAuditEntry {
            user_id: Some(user.id),
            action: "a".to_owned(),
            target: "t".to_owned(),
            at_ms: 1,
            details: serde_json::json!({}),
        })
        .await
        .unwrap();
        store
    }

    async fn database_refuses_to_change_the_log(store: &Store) {
        for sql in TAMPERING {
            let result = sqlx::query(sql).execute(store.pool()).await;
            assert!(result.is_err(), "{sql} was accepted");
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM interaction_events")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
    }

    #[tokio::test]
    async fn sqlite_refuses_updates_and_deletes_of_logged_rows() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        database_refuses_to_change_the_log(&logged(&url).await).await;
    }

    #[tokio::test]
    async fn postgres_refuses_updates_and_deletes_of_logged_rows() {
        let url = PostgresServer::shared().create_database().unwrap();
        database_refuses_to_change_the_log(&logged(&url).await).await;
    }
}
