//! The audit log: who did what to what, for the actions DESIGN.md says must leave a trace
//! (recording downloads, supervisor actions on live calls, security changes). Append-only, like
//! the interaction log.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;

use crate::db::{get, get_json};
use crate::error::Result;
use crate::ids::{AuditId, UserId};
use crate::tenant::TenantStore;

/// An entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who acted (`None`: the system).
    pub user_id: Option<UserId>,
    /// What they did (`recording.download`, `call.barge`...).
    pub action: String,
    /// What they did it to (`recording:42`, `interaction:<id>`...).
    pub target: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// Anything else worth keeping (source address...).
    pub details: Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Its position in the log.
    pub id: AuditId,
    /// Who acted.
    pub user_id: Option<UserId>,
    /// What they did.
    pub action: String,
    /// What they did it to.
    pub target: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// Details.
    pub details: Value,
}

impl AuditEntry {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let user_id: Option<i64> = get(row, "user_id")?;
        Ok(AuditEntry {
            id: AuditId(get(row, "id")?),
            user_id: user_id.map(UserId),
            action: get(row, "action")?,
            target: get(row, "target")?,
            at_ms: get(row, "at_ms")?,
            details: get_json(row, "details")?,
        })
    }
}

impl TenantStore {
    /// Appends an entry. [`crate::Error::MissingReference`] if the user is not of this tenant.
    pub async fn audit(&self, entry: &NewAuditEntry) -> Result<AuditId> {
        let row = sqlx::query(
            "INSERT INTO audit_log (tenant_id, user_id, action, target, at_ms, details) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(self.tid())
        .bind(entry.user_id.map(|u| u.0))
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(entry.at_ms)
        .bind(entry.details.to_string())
        .fetch_one(self.store.pool())
        .await?;
        Ok(AuditId(get(&row, "id")?))
    }

    /// Entries at or after `since_ms`, oldest first, `limit` at most.
    pub async fn audit_log(&self, since_ms: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, user_id, action, target, at_ms, details FROM audit_log \
             WHERE tenant_id = $1 AND at_ms >= $2 ORDER BY at_ms, id LIMIT $3",
        )
        .bind(self.tid())
        .bind(since_ms)
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(AuditEntry::from_row).collect()
    }
}
