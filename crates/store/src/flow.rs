//! IVR flows: a named flow with numbered versions of its YAML source. Saving never overwrites:
//! it adds version n+1, and one version per flow is active (the one calls run). Old versions stay
//! so a call's log (`ivr_entered` names the version) can always be read against its source.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{get, get_flag};
use crate::error::{Entity, Result, found};
use crate::ids::FlowId;
use crate::tenant::TenantStore;

/// A flow (all its versions share the id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Its id.
    pub id: FlowId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// The version calls run, if any.
    pub active_version: Option<i64>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

impl Flow {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Flow {
            id: FlowId(get(row, "id")?),
            name: get(row, "name")?,
            active_version: get(row, "active_version")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// One version of a flow's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowVersion {
    /// The flow.
    pub flow_id: FlowId,
    /// The flow's name.
    pub name: String,
    /// 1, 2, 3...
    pub version: i64,
    /// The YAML source, as saved.
    pub source: String,
    /// Whether this is the version calls run.
    pub active: bool,
    /// When it was saved (unix ms).
    pub created_at_ms: i64,
}

macro_rules! version_select {
    () => {
        "SELECT v.flow_id, f.name, v.version, v.source, v.created_at_ms, \
         (f.active_version IS NOT NULL AND f.active_version = v.version) AS active \
         FROM flow_versions v JOIN flows f ON f.tenant_id = v.tenant_id AND f.id = v.flow_id \
         WHERE v.tenant_id = $1"
    };
}

impl FlowVersion {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(FlowVersion {
            flow_id: FlowId(get(row, "flow_id")?),
            name: get(row, "name")?,
            version: get(row, "version")?,
            source: get(row, "source")?,
            active: get_flag(row, "active")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

impl TenantStore {
    /// Saves `source` as the next version of flow `name` (creating the flow at version 1), and
    /// makes it the active version if `activate`.
    pub async fn save_flow(
        &self,
        name: &str,
        source: &str,
        now_ms: i64,
        activate: bool,
    ) -> Result<FlowVersion> {
        let mut tx = self.store.write().await?;
        sqlx::query(
            "INSERT INTO flows (tenant_id, name, created_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, name) DO NOTHING",
        )
        .bind(self.tid())
        .bind(name)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        let row = sqlx::query(
            "SELECT f.id, COALESCE(MAX(v.version), 0) AS last FROM flows f \
             LEFT JOIN flow_versions v ON v.tenant_id = f.tenant_id AND v.flow_id = f.id \
             WHERE f.tenant_id = $1 AND f.name = $2 GROUP BY f.id",
        )
        .bind(self.tid())
        .bind(name)
        .fetch_one(tx.conn())
        .await?;
        let flow_id: i64 = get(&row, "id")?;
        let version = get::<i64>(&row, "last")? + 1;
        sqlx::query(
            "INSERT INTO flow_versions (tenant_id, flow_id, version, source, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(self.tid())
        .bind(flow_id)
        .bind(version)
        .bind(source)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        if activate {
            sqlx::query("UPDATE flows SET active_version = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.tid())
                .bind(flow_id)
                .bind(version)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(FlowVersion {
            flow_id: FlowId(flow_id),
            name: name.to_owned(),
            version,
            source: source.to_owned(),
            active: activate,
            created_at_ms: now_ms,
        })
    }

    /// Makes an existing version the one calls run.
    pub async fn activate_flow_version(&self, flow_id: FlowId, version: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE flows SET active_version = $3 WHERE tenant_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM flow_versions v \
                         WHERE v.tenant_id = $1 AND v.flow_id = $2 AND v.version = $3)",
        )
        .bind(self.tid())
        .bind(flow_id.0)
        .bind(version)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Flow)
    }

    /// The flow with this id.
    pub async fn flow(&self, id: FlowId) -> Result<Option<Flow>> {
        let row = sqlx::query(
            "SELECT id, name, active_version, created_at_ms FROM flows \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Flow::from_row).transpose()
    }

    /// The flow with this name.
    pub async fn flow_by_name(&self, name: &str) -> Result<Option<Flow>> {
        let row = sqlx::query(
            "SELECT id, name, active_version, created_at_ms FROM flows \
             WHERE tenant_id = $1 AND name = $2",
        )
        .bind(self.tid())
        .bind(name)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Flow::from_row).transpose()
    }

    /// All flows, by name.
    pub async fn flows(&self) -> Result<Vec<Flow>> {
        let rows = sqlx::query(
            "SELECT id, name, active_version, created_at_ms FROM flows \
             WHERE tenant_id = $1 ORDER BY name",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Flow::from_row).collect()
    }

    /// Every version of a flow, oldest first.
    pub async fn flow_versions(&self, flow_id: FlowId) -> Result<Vec<FlowVersion>> {
        let rows = sqlx::query(concat!(
            version_select!(),
            " AND v.flow_id = $2 ORDER BY v.version"
        ))
        .bind(self.tid())
        .bind(flow_id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(FlowVersion::from_row).collect()
    }

    /// One version of a flow.
    pub async fn flow_version(&self, flow_id: FlowId, version: i64) -> Result<Option<FlowVersion>> {
        let row = sqlx::query(concat!(
            version_select!(),
            " AND v.flow_id = $2 AND v.version = $3"
        ))
        .bind(self.tid())
        .bind(flow_id.0)
        .bind(version)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(FlowVersion::from_row).transpose()
    }

    /// The version of a flow that calls run.
    pub async fn active_flow_version(&self, flow_id: FlowId) -> Result<Option<FlowVersion>> {
        let row = sqlx::query(concat!(
            version_select!(),
            " AND v.flow_id = $2 AND v.version = f.active_version"
        ))
        .bind(self.tid())
        .bind(flow_id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(FlowVersion::from_row).transpose()
    }
}
