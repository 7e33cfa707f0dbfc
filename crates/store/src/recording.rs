//! Recordings: WAV files under the data directory, referenced by a path relative to it. The row is
//! written when recording starts (so a crash leaves a reference to the partial file) and its
//! duration when it stops. Downloads are audited ([`crate::audit`]).

use std::path::{Component, Path};

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{get, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{InteractionId, RecordingId};
use crate::tenant::TenantStore;

/// A recording to reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecording {
    /// The interaction recorded.
    pub interaction_id: InteractionId,
    /// The file, relative to the data directory (`recordings/2026/…/x.wav`).
    pub path: String,
    /// Its length, if already known.
    pub duration_ms: Option<i64>,
    /// When recording began (unix ms).
    pub created_at_ms: i64,
}

/// A stored recording reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// Its id.
    pub id: RecordingId,
    /// The interaction recorded.
    pub interaction_id: InteractionId,
    /// The file, relative to the data directory.
    pub path: String,
    /// Its length, once known.
    pub duration_ms: Option<i64>,
    /// When recording began (unix ms).
    pub created_at_ms: i64,
}

macro_rules! recording_columns {
    () => {
        "id, interaction_id, path, duration_ms, created_at_ms"
    };
}

impl Recording {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Recording {
            id: RecordingId(get(row, "id")?),
            interaction_id: get_parsed(row, "interaction_id")?,
            path: get(row, "path")?,
            duration_ms: get(row, "duration_ms")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// A stored path must stay inside the data directory whatever joins it: relative, no `..`.
fn check_relative(path: &str) -> Result<()> {
    let inside = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if inside {
        Ok(())
    } else {
        Err(Error::invalid(
            "recording path",
            "must be relative to the data directory, without ..",
        ))
    }
}

impl TenantStore {
    /// References a recording of an interaction of this tenant.
    pub async fn add_recording(&self, recording: &NewRecording) -> Result<Recording> {
        check_relative(&recording.path)?;
        let row = sqlx::query(concat!(
            "INSERT INTO recordings (tenant_id, interaction_id, path, duration_ms, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING ",
            recording_columns!()
        ))
        .bind(self.tid())
        .bind(recording.interaction_id.to_string())
        .bind(&recording.path)
        .bind(recording.duration_ms)
        .bind(recording.created_at_ms)
        .fetch_one(self.store.pool())
        .await?;
        Recording::from_row(&row)
    }

    /// Records a recording's length once it stopped.
    pub async fn finish_recording(&self, id: RecordingId, duration_ms: i64) -> Result<()> {
        let done =
            sqlx::query("UPDATE recordings SET duration_ms = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.tid())
                .bind(id.0)
                .bind(duration_ms)
                .execute(self.store.pool())
                .await?;
        found(done.rows_affected(), Entity::Recording)
    }

    /// The recording with this id.
    pub async fn recording(&self, id: RecordingId) -> Result<Option<Recording>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            recording_columns!(),
            " FROM recordings WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Recording::from_row).transpose()
    }

    /// An interaction's recordings, oldest first.
    pub async fn recordings(&self, interaction_id: InteractionId) -> Result<Vec<Recording>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            recording_columns!(),
            " FROM recordings WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY id"
        ))
        .bind(self.tid())
        .bind(interaction_id.to_string())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Recording::from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_paths_must_stay_under_the_data_directory() {
        assert!(check_relative("recordings/a.wav").is_ok());
        assert!(check_relative("./recordings/a.wav").is_ok());
        for bad in ["", "/etc/passwd", "../a.wav", "recordings/../../a.wav"] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
