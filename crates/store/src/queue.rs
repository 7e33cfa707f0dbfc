//! Queues (settings the `acd` engine is configured from) and queue membership (which agents take
//! a queue's calls, with a priority).

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{get, get_u32};
use crate::error::{Entity, Result, found};
use crate::ids::{QueueId, UserId};
use crate::tenant::TenantStore;

/// A queue's routing and announcement settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueSettings {
    /// Routing strategy name, as the `acd` crate knows it (`longest_idle`).
    pub strategy: String,
    /// Wrap-up time after each call before the agent is offered another.
    pub wrap_up_secs: u32,
    /// How long an offered agent's phone rings before the offer is withdrawn.
    pub ring_timeout_secs: u32,
    /// Missed offers in a row after which an agent is set not ready (0: never).
    pub max_missed_offers: u32,
    /// Seconds between position announcements (0: never).
    pub announce_period_secs: u32,
    /// Music-on-hold playlist name.
    pub moh_playlist: String,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            strategy: "longest_idle".to_owned(),
            wrap_up_secs: 10,
            ring_timeout_secs: 20,
            max_missed_offers: 2,
            announce_period_secs: 30,
            moh_playlist: "default".to_owned(),
        }
    }
}

/// A queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    /// Its id.
    pub id: QueueId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// Its settings.
    pub settings: QueueSettings,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

macro_rules! queue_columns {
    () => {
        "id, name, strategy, wrap_up_secs, ring_timeout_secs, max_missed_offers, \
         announce_period_secs, moh_playlist, created_at_ms"
    };
}

impl Queue {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Queue {
            id: QueueId(get(row, "id")?),
            name: get(row, "name")?,
            settings: QueueSettings {
                strategy: get(row, "strategy")?,
                wrap_up_secs: get_u32(row, "wrap_up_secs")?,
                ring_timeout_secs: get_u32(row, "ring_timeout_secs")?,
                max_missed_offers: get_u32(row, "max_missed_offers")?,
                announce_period_secs: get_u32(row, "announce_period_secs")?,
                moh_playlist: get(row, "moh_playlist")?,
            },
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// A user's membership of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueMember {
    /// The queue.
    pub queue_id: QueueId,
    /// The member.
    pub user_id: UserId,
    /// Higher is offered first, where the strategy uses priorities.
    pub priority: i64,
}

impl QueueMember {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(QueueMember {
            queue_id: QueueId(get(row, "queue_id")?),
            user_id: UserId(get(row, "user_id")?),
            priority: get(row, "priority")?,
        })
    }
}

impl TenantStore {
    /// Creates a queue; [`crate::Error::Duplicate`] if the name is taken.
    pub async fn create_queue(
        &self,
        name: &str,
        settings: &QueueSettings,
        now_ms: i64,
    ) -> Result<Queue> {
        let row = sqlx::query(concat!(
            "INSERT INTO queues (tenant_id, name, strategy, wrap_up_secs, ring_timeout_secs, \
             max_missed_offers, announce_period_secs, moh_playlist, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
            queue_columns!()
        ))
        .bind(self.tid())
        .bind(name)
        .bind(&settings.strategy)
        .bind(i64::from(settings.wrap_up_secs))
        .bind(i64::from(settings.ring_timeout_secs))
        .bind(i64::from(settings.max_missed_offers))
        .bind(i64::from(settings.announce_period_secs))
        .bind(&settings.moh_playlist)
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        Queue::from_row(&row)
    }

    /// Replaces a queue's settings.
    pub async fn update_queue(&self, id: QueueId, settings: &QueueSettings) -> Result<()> {
        let done = sqlx::query(
            "UPDATE queues SET strategy = $3, wrap_up_secs = $4, ring_timeout_secs = $5, \
             max_missed_offers = $6, announce_period_secs = $7, moh_playlist = $8 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(&settings.strategy)
        .bind(i64::from(settings.wrap_up_secs))
        .bind(i64::from(settings.ring_timeout_secs))
        .bind(i64::from(settings.max_missed_offers))
        .bind(i64::from(settings.announce_period_secs))
        .bind(&settings.moh_playlist)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Queue)
    }

    /// The queue with this id.
    pub async fn queue(&self, id: QueueId) -> Result<Option<Queue>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            queue_columns!(),
            " FROM queues WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Queue::from_row).transpose()
    }

    /// The queue with this name.
    pub async fn queue_by_name(&self, name: &str) -> Result<Option<Queue>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            queue_columns!(),
            " FROM queues WHERE tenant_id = $1 AND name = $2"
        ))
        .bind(self.tid())
        .bind(name)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Queue::from_row).transpose()
    }

    /// All queues, by name.
    pub async fn queues(&self) -> Result<Vec<Queue>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            queue_columns!(),
            " FROM queues WHERE tenant_id = $1 ORDER BY name"
        ))
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Queue::from_row).collect()
    }

    /// Adds a user to a queue, or changes the priority of a member.
    /// [`crate::Error::MissingReference`] if either is not in this tenant.
    pub async fn set_queue_member(
        &self,
        queue_id: QueueId,
        user_id: UserId,
        priority: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO queue_members (tenant_id, queue_id, user_id, priority) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, queue_id, user_id) DO UPDATE SET priority = excluded.priority",
        )
        .bind(self.tid())
        .bind(queue_id.0)
        .bind(user_id.0)
        .bind(priority)
        .execute(self.store.pool())
        .await?;
        Ok(())
    }

    /// Removes a user from a queue.
    pub async fn remove_queue_member(&self, queue_id: QueueId, user_id: UserId) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM queue_members WHERE tenant_id = $1 AND queue_id = $2 AND user_id = $3",
        )
        .bind(self.tid())
        .bind(queue_id.0)
        .bind(user_id.0)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::QueueMember)
    }

    /// A queue's members, highest priority first, then by user id.
    pub async fn queue_members(&self, queue_id: QueueId) -> Result<Vec<QueueMember>> {
        let rows = sqlx::query(
            "SELECT queue_id, user_id, priority FROM queue_members \
             WHERE tenant_id = $1 AND queue_id = $2 ORDER BY priority DESC, user_id",
        )
        .bind(self.tid())
        .bind(queue_id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(QueueMember::from_row).collect()
    }

    /// The queues a user is a member of.
    pub async fn user_queues(&self, user_id: UserId) -> Result<Vec<QueueMember>> {
        let rows = sqlx::query(
            "SELECT queue_id, user_id, priority FROM queue_members \
             WHERE tenant_id = $1 AND user_id = $2 ORDER BY queue_id",
        )
        .bind(self.tid())
        .bind(user_id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(QueueMember::from_row).collect()
    }
}
