//! Dispositions (wrap-up codes): the list of outcomes an agent picks from after a contact, kept
//! per queue or per outbound campaign, and the disposition each agent gave each interaction.
//! Whether a queue's agents must pick one before leaving wrap-up is a table of its own
//! (`disposition_required_queues`, a row meaning "required"), so queue settings stay untouched.
//! Codes are deactivated, never deleted: past interactions keep theirs.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::db::{get, get_flag, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{DispositionId, InteractionId, QueueId, UserId};
use crate::tenant::TenantStore;

/// Where a list of dispositions or a script applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Contacts of a queue.
    Queue(QueueId),
    /// Contacts of an outbound campaign, by name.
    Campaign(String),
}

impl Scope {
    /// The `queue_id` and `campaign` columns' values.
    pub(crate) fn columns(&self) -> (Option<i64>, Option<String>) {
        match self {
            Scope::Queue(queue) => (Some(queue.0), None),
            Scope::Campaign(name) => (None, Some(name.clone())),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        match self {
            Scope::Campaign(name) if name.trim().is_empty() => {
                Err(Error::invalid("campaign", "must not be empty"))
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn from_row(row: &AnyRow) -> Result<Self> {
        let queue: Option<i64> = get(row, "queue_id")?;
        let campaign: Option<String> = get(row, "campaign")?;
        match (queue, campaign) {
            (Some(queue), None) => Ok(Scope::Queue(QueueId(queue))),
            (None, Some(campaign)) => Ok(Scope::Campaign(campaign)),
            _ => Err(Error::corrupt(
                "queue_id",
                "exactly one of queue_id, campaign is set",
            )),
        }
    }
}

/// A wrap-up code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposition {
    /// Its id.
    pub id: DispositionId,
    /// Its queue or campaign.
    pub scope: Scope,
    /// The code (`sale`, `callback`), unique in its scope.
    pub code: String,
    /// What agents see.
    pub label: String,
    /// Whether agents may still pick it.
    pub active: bool,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

impl Disposition {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Disposition {
            id: DispositionId(get(row, "id")?),
            scope: Scope::from_row(row)?,
            code: get(row, "code")?,
            label: get(row, "label")?,
            active: get_flag(row, "active")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

macro_rules! disposition_columns {
    () => {
        "id, queue_id, campaign, code, label, active, created_at_ms"
    };
}

/// The disposition an agent gave an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InteractionDisposition {
    /// The interaction.
    pub interaction_id: InteractionId,
    /// The agent.
    pub user_id: UserId,
    /// The disposition picked.
    pub disposition_id: DispositionId,
    /// Its code when picked.
    pub code: String,
    /// The agent's notes.
    pub notes: String,
    /// When (unix ms).
    pub at_ms: i64,
}

impl TenantStore {
    /// Adds a code to a queue's or campaign's list; [`Error::Duplicate`] if the code is taken
    /// there.
    pub async fn create_disposition(
        &self,
        scope: &Scope,
        code: &str,
        label: &str,
        now_ms: i64,
    ) -> Result<Disposition> {
        scope.check()?;
        if code.trim().is_empty() || label.trim().is_empty() {
            return Err(Error::invalid(
                "disposition",
                "code and label must not be empty",
            ));
        }
        let (queue, campaign) = scope.columns();
        let row = sqlx::query(concat!(
            "INSERT INTO dispositions (tenant_id, queue_id, campaign, code, label, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            disposition_columns!()
        ))
        .bind(self.tid())
        .bind(queue)
        .bind(campaign)
        .bind(code.to_owned())
        .bind(label.to_owned())
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        Disposition::from_row(&row)
    }

    /// Changes a code's label or (de)activates it.
    pub async fn update_disposition(
        &self,
        id: DispositionId,
        label: &str,
        active: bool,
    ) -> Result<()> {
        if label.trim().is_empty() {
            return Err(Error::invalid("disposition", "label must not be empty"));
        }
        let done = sqlx::query(
            "UPDATE dispositions SET label = $3, active = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(label.to_owned())
        .bind(active)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Disposition)
    }

    /// The disposition with this id.
    pub async fn disposition(&self, id: DispositionId) -> Result<Option<Disposition>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            disposition_columns!(),
            " FROM dispositions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Disposition::from_row).transpose()
    }

    /// A queue's or campaign's codes, by code; only active ones unless `include_inactive`.
    pub async fn dispositions(
        &self,
        scope: &Scope,
        include_inactive: bool,
    ) -> Result<Vec<Disposition>> {
        let (queue, campaign) = scope.columns();
        let rows = sqlx::query(concat!(
            "SELECT ",
            disposition_columns!(),
            " FROM dispositions WHERE tenant_id = $1 AND (queue_id = $2 OR campaign = $3) \
             AND (active OR $4) ORDER BY code"
        ))
        .bind(self.tid())
        .bind(queue)
        .bind(campaign)
        .bind(include_inactive)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Disposition::from_row).collect()
    }

    /// Makes a disposition mandatory (or not) before a queue's agents leave wrap-up.
    pub async fn set_disposition_required(&self, queue: QueueId, required: bool) -> Result<()> {
        let sql = if required {
            "INSERT INTO disposition_required_queues (tenant_id, queue_id) VALUES ($1, $2) \
             ON CONFLICT (tenant_id, queue_id) DO NOTHING"
        } else {
            "DELETE FROM disposition_required_queues WHERE tenant_id = $1 AND queue_id = $2"
        };
        sqlx::query(sql)
            .bind(self.tid())
            .bind(queue.0)
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Whether a queue's agents must give a disposition before leaving wrap-up.
    pub async fn disposition_required(&self, queue: QueueId) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM disposition_required_queues WHERE tenant_id = $1 AND queue_id = $2",
        )
        .bind(self.tid())
        .bind(queue.0)
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Records the disposition `user` gave `interaction` (replacing that agent's earlier one).
    /// [`Error::NotFound`] if the code does not exist or is inactive.
    pub async fn set_interaction_disposition(
        &self,
        interaction: InteractionId,
        user: UserId,
        disposition: DispositionId,
        notes: &str,
        at_ms: i64,
    ) -> Result<InteractionDisposition> {
        let mut tx = self.store.write().await?;
        let row = sqlx::query(
            "SELECT code FROM dispositions WHERE tenant_id = $1 AND id = $2 AND active",
        )
        .bind(self.tid())
        .bind(disposition.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(Error::NotFound(Entity::Disposition))?;
        let code: String = get(&row, "code")?;
        sqlx::query(
            "INSERT INTO interaction_dispositions (tenant_id, interaction_id, user_id, \
             disposition_id, code, notes, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, interaction_id, user_id) DO UPDATE SET \
             disposition_id = excluded.disposition_id, code = excluded.code, \
             notes = excluded.notes, at_ms = excluded.at_ms",
        )
        .bind(self.tid())
        .bind(interaction.to_string())
        .bind(user.0)
        .bind(disposition.0)
        .bind(code.clone())
        .bind(notes.to_owned())
        .bind(at_ms)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(InteractionDisposition {
            interaction_id: interaction,
            user_id: user,
            disposition_id: disposition,
            code,
            notes: notes.to_owned(),
            at_ms,
        })
    }

    /// The dispositions given to an interaction, in the order given.
    pub async fn interaction_dispositions(
        &self,
        interaction: InteractionId,
    ) -> Result<Vec<InteractionDisposition>> {
        let rows = sqlx::query(
            "SELECT interaction_id, user_id, disposition_id, code, notes, at_ms \
             FROM interaction_dispositions WHERE tenant_id = $1 AND interaction_id = $2 \
             ORDER BY at_ms, user_id",
        )
        .bind(self.tid())
        .bind(interaction.to_string())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InteractionDisposition {
                    interaction_id: get_parsed(row, "interaction_id")?,
                    user_id: UserId(get(row, "user_id")?),
                    disposition_id: DispositionId(get(row, "disposition_id")?),
                    code: get(row, "code")?,
                    notes: get(row, "notes")?,
                    at_ms: get(row, "at_ms")?,
                })
            })
            .collect()
    }
}
