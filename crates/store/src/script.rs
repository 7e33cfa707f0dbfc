//! Agent scripts: a named script with numbered versions of its body (the JSON or YAML that
//! `crm::script` loads), one active version, a link to the queues and campaigns that follow it,
//! and the stored runs (which pages each contact went through and the answers given, for
//! "which answers lead to a sale"). Saving adds version n+1 and never changes an old one (the
//! database refuses UPDATE and DELETE on versions), so a run always reads against the text the
//! agent saw.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;

use crate::db::{get, get_flag, get_json};
use crate::disposition::Scope;
use crate::error::{Entity, Error, Result, found};
use crate::ids::{InteractionId, ScriptId, ScriptRunId, TicketId, UserId};
use crate::tenant::TenantStore;

/// A script (all its versions share the id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    /// Its id.
    pub id: ScriptId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// The version agents follow, if any.
    pub active_version: Option<i64>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

impl Script {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Script {
            id: ScriptId(get(row, "id")?),
            name: get(row, "name")?,
            active_version: get(row, "active_version")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// One version of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptVersion {
    /// The script.
    pub script_id: ScriptId,
    /// Its name.
    pub name: String,
    /// 1, 2, 3...
    pub version: i64,
    /// The body, as saved.
    pub body: String,
    /// Whether agents follow this version.
    pub active: bool,
    /// When it was saved (unix ms).
    pub created_at_ms: i64,
}

impl ScriptVersion {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(ScriptVersion {
            script_id: ScriptId(get(row, "script_id")?),
            name: get(row, "name")?,
            version: get(row, "version")?,
            body: get(row, "body")?,
            active: get_flag(row, "active")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

macro_rules! version_select {
    () => {
        "SELECT v.script_id, s.name, v.version, v.body, v.created_at_ms, \
         (s.active_version IS NOT NULL AND s.active_version = v.version) AS active \
         FROM script_versions v JOIN scripts s ON s.tenant_id = v.tenant_id AND s.id = v.script_id \
         WHERE v.tenant_id = $1"
    };
}

/// A run to store: the path a contact took through one version and the answers given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScriptRun {
    /// The script.
    pub script_id: ScriptId,
    /// The version followed.
    pub version: i64,
    /// The contact.
    pub interaction_id: Option<InteractionId>,
    /// The ticket the answers were saved into.
    pub ticket_id: Option<TicketId>,
    /// The agent.
    pub user_id: Option<UserId>,
    /// The page ids taken, in order (`crm::ScriptRun::path`), as JSON.
    pub path: Value,
    /// The answers (`crm::ScriptRun::answers`), as JSON.
    pub answers: Value,
    /// When it was saved (unix ms).
    pub at_ms: i64,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptRun {
    /// Its id.
    pub id: ScriptRunId,
    /// The script.
    pub script_id: ScriptId,
    /// The version followed.
    pub version: i64,
    /// The contact.
    pub interaction_id: Option<InteractionId>,
    /// The ticket.
    pub ticket_id: Option<TicketId>,
    /// The agent.
    pub user_id: Option<UserId>,
    /// The page ids taken.
    pub path: Value,
    /// The answers.
    pub answers: Value,
    /// When it was saved (unix ms).
    pub created_at_ms: i64,
}

impl ScriptRun {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let interaction: Option<String> = get(row, "interaction_id")?;
        Ok(ScriptRun {
            id: ScriptRunId(get(row, "id")?),
            script_id: ScriptId(get(row, "script_id")?),
            version: get(row, "script_version")?,
            interaction_id: interaction
                .map(|id| id.parse())
                .transpose()
                .map_err(|e| Error::corrupt("script_runs.interaction_id", e))?,
            ticket_id: get::<Option<i64>>(row, "ticket_id")?.map(TicketId),
            user_id: get::<Option<i64>>(row, "user_id")?.map(UserId),
            path: get_json(row, "path")?,
            answers: get_json(row, "answers")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

impl TenantStore {
    /// Saves `body` as the next version of script `name` (creating the script at version 1),
    /// and makes it the version agents follow if `activate`.
    pub async fn save_script(
        &self,
        name: &str,
        body: &str,
        now_ms: i64,
        activate: bool,
    ) -> Result<ScriptVersion> {
        if name.trim().is_empty() {
            return Err(Error::invalid("script name", "must not be empty"));
        }
        let mut tx = self.store.write().await?;
        sqlx::query(
            "INSERT INTO scripts (tenant_id, name, created_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, name) DO NOTHING",
        )
        .bind(self.tid())
        .bind(name.to_owned())
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        let row = sqlx::query(
            "SELECT s.id, COALESCE(MAX(v.version), 0) AS last FROM scripts s \
             LEFT JOIN script_versions v ON v.tenant_id = s.tenant_id AND v.script_id = s.id \
             WHERE s.tenant_id = $1 AND s.name = $2 GROUP BY s.id",
        )
        .bind(self.tid())
        .bind(name.to_owned())
        .fetch_one(tx.conn())
        .await?;
        let script_id: i64 = get(&row, "id")?;
        let version = get::<i64>(&row, "last")? + 1;
        sqlx::query(
            "INSERT INTO script_versions (tenant_id, script_id, version, body, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(self.tid())
        .bind(script_id)
        .bind(version)
        .bind(body.to_owned())
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        if activate {
            sqlx::query("UPDATE scripts SET active_version = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.tid())
                .bind(script_id)
                .bind(version)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(ScriptVersion {
            script_id: ScriptId(script_id),
            name: name.to_owned(),
            version,
            body: body.to_owned(),
            active: activate,
            created_at_ms: now_ms,
        })
    }

    /// Makes an existing version the one agents follow.
    pub async fn activate_script_version(&self, id: ScriptId, version: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE scripts SET active_version = $3 WHERE tenant_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM script_versions v \
                         WHERE v.tenant_id = $1 AND v.script_id = $2 AND v.version = $3)",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(version)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Script)
    }

    /// The script with this id.
    pub async fn script(&self, id: ScriptId) -> Result<Option<Script>> {
        let row = sqlx::query(
            "SELECT id, name, active_version, created_at_ms FROM scripts \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Script::from_row).transpose()
    }

    /// All scripts, by name.
    pub async fn scripts(&self) -> Result<Vec<Script>> {
        let rows = sqlx::query(
            "SELECT id, name, active_version, created_at_ms FROM scripts \
             WHERE tenant_id = $1 ORDER BY name",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Script::from_row).collect()
    }

    /// Every version of a script, oldest first.
    pub async fn script_versions(&self, id: ScriptId) -> Result<Vec<ScriptVersion>> {
        let rows = sqlx::query(concat!(
            version_select!(),
            " AND v.script_id = $2 ORDER BY v.version"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(ScriptVersion::from_row).collect()
    }

    /// One version of a script.
    pub async fn script_version(
        &self,
        id: ScriptId,
        version: i64,
    ) -> Result<Option<ScriptVersion>> {
        let row = sqlx::query(concat!(
            version_select!(),
            " AND v.script_id = $2 AND v.version = $3"
        ))
        .bind(self.tid())
        .bind(id.0)
        .bind(version)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(ScriptVersion::from_row).transpose()
    }

    /// Makes a queue's or campaign's agents follow `script` (replacing its previous script).
    pub async fn link_script(&self, scope: &Scope, script: ScriptId) -> Result<()> {
        scope.check()?;
        let (queue, campaign) = scope.columns();
        let mut tx = self.store.write().await?;
        sqlx::query(
            "DELETE FROM script_links WHERE tenant_id = $1 AND (queue_id = $2 OR campaign = $3)",
        )
        .bind(self.tid())
        .bind(queue)
        .bind(campaign.clone())
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO script_links (tenant_id, script_id, queue_id, campaign) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(self.tid())
        .bind(script.0)
        .bind(queue)
        .bind(campaign)
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// Leaves a queue or campaign without a script; `false` if it had none.
    pub async fn unlink_script(&self, scope: &Scope) -> Result<bool> {
        let (queue, campaign) = scope.columns();
        let done = sqlx::query(
            "DELETE FROM script_links WHERE tenant_id = $1 AND (queue_id = $2 OR campaign = $3)",
        )
        .bind(self.tid())
        .bind(queue)
        .bind(campaign)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The active version of the script a queue's or campaign's agents follow, if any.
    pub async fn script_for(&self, scope: &Scope) -> Result<Option<ScriptVersion>> {
        let (queue, campaign) = scope.columns();
        let row = sqlx::query(concat!(
            version_select!(),
            " AND v.version = s.active_version AND v.script_id = \
             (SELECT l.script_id FROM script_links l WHERE l.tenant_id = $1 \
              AND (l.queue_id = $2 OR l.campaign = $3))"
        ))
        .bind(self.tid())
        .bind(queue)
        .bind(campaign)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(ScriptVersion::from_row).transpose()
    }

    /// Stores a run; [`Error::MissingReference`] if the version, contact or ticket does not
    /// exist in the tenant.
    pub async fn save_script_run(&self, run: &NewScriptRun) -> Result<ScriptRun> {
        let row = sqlx::query(
            "INSERT INTO script_runs (tenant_id, script_id, script_version, interaction_id, \
             ticket_id, user_id, path, answers, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(self.tid())
        .bind(run.script_id.0)
        .bind(run.version)
        .bind(run.interaction_id.map(|i| i.to_string()))
        .bind(run.ticket_id.map(|t| t.0))
        .bind(run.user_id.map(|u| u.0))
        .bind(run.path.to_string())
        .bind(run.answers.to_string())
        .bind(run.at_ms)
        .fetch_one(self.store.pool())
        .await?;
        Ok(ScriptRun {
            id: ScriptRunId(get(&row, "id")?),
            script_id: run.script_id,
            version: run.version,
            interaction_id: run.interaction_id,
            ticket_id: run.ticket_id,
            user_id: run.user_id,
            path: run.path.clone(),
            answers: run.answers.clone(),
            created_at_ms: run.at_ms,
        })
    }

    /// A script's runs, oldest first; of one version when given.
    pub async fn script_runs(&self, id: ScriptId, version: Option<i64>) -> Result<Vec<ScriptRun>> {
        let rows = sqlx::query(
            "SELECT id, script_id, script_version, interaction_id, ticket_id, user_id, path, \
             answers, created_at_ms FROM script_runs WHERE tenant_id = $1 AND script_id = $2 \
             AND ($3 < 0 OR script_version = $3) ORDER BY id",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(version.unwrap_or(-1))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(ScriptRun::from_row).collect()
    }
}
