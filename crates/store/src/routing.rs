//! Skills-based routing settings: agents' skills with a proficiency (1–10), the skills a queue
//! requires of every contact, and where a queue overflows to after a wait. The server turns
//! them into the `acd` engine's agent and queue configuration.
//!
//! Each setter replaces the whole set in one transaction, as an administrator's form does.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{get, get_u32};
use crate::error::{Error, Result};
use crate::ids::{QueueId, UserId};
use crate::tenant::TenantStore;

/// Skill name (`language:fr`, `product:billing`) → level, 1 to 10.
pub type SkillLevels = BTreeMap<String, u8>;

/// The lowest skill level.
pub const MIN_SKILL_LEVEL: u8 = 1;
/// The highest skill level.
pub const MAX_SKILL_LEVEL: u8 = 10;

/// Where a queue sends contacts that waited too long in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueOverflow {
    /// The queue they move to (not the queue itself).
    pub to: QueueId,
    /// Wait in the queue before moving (more than 0).
    pub after_secs: u32,
}

/// A queue's routing settings beyond [`crate::QueueSettings`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct QueueRouting {
    /// Skills every contact of the queue requires, at minimum levels.
    pub required_skills: SkillLevels,
    /// Where contacts go after waiting too long; `None`: they stay.
    pub overflow: Option<QueueOverflow>,
}

/// Refuses a skill name that is empty and a level outside 1–10 before the database does, so
/// the caller gets a message rather than a constraint name.
fn check_skills(skills: &SkillLevels) -> Result<()> {
    for (name, level) in skills {
        if name.trim().is_empty() {
            return Err(Error::Invalid {
                what: "skill",
                why: "the name is empty".to_owned(),
            });
        }
        if !(MIN_SKILL_LEVEL..=MAX_SKILL_LEVEL).contains(level) {
            return Err(Error::Invalid {
                what: "skill",
                why: format!("{name}: level {level} is not 1 to 10"),
            });
        }
    }
    Ok(())
}

fn skill_row(row: &AnyRow) -> Result<(String, u8)> {
    let level = get_u32(row, "level")?;
    let level = u8::try_from(level).map_err(|e| Error::corrupt("level", e))?;
    Ok((get(row, "skill")?, level))
}

impl TenantStore {
    /// Replaces a user's skills. [`Error::MissingReference`] if the user is not in this
    /// tenant; [`Error::Invalid`] for an empty name or a level outside 1–10.
    pub async fn set_user_skills(&self, user: UserId, skills: &SkillLevels) -> Result<()> {
        check_skills(skills)?;
        let mut tx = self.store.write().await?;
        sqlx::query("DELETE FROM user_skills WHERE tenant_id = $1 AND user_id = $2")
            .bind(self.tid())
            .bind(user.0)
            .execute(tx.conn())
            .await?;
        for (skill, level) in skills {
            sqlx::query(
                "INSERT INTO user_skills (tenant_id, user_id, skill, level) VALUES ($1, $2, $3, $4)",
            )
            .bind(self.tid())
            .bind(user.0)
            .bind(skill)
            .bind(i64::from(*level))
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await
    }

    /// A user's skills.
    pub async fn user_skills(&self, user: UserId) -> Result<SkillLevels> {
        let rows = sqlx::query(
            "SELECT skill, level FROM user_skills WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind(self.tid())
        .bind(user.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(skill_row).collect()
    }

    /// Every user's skills (users without any are absent), read in one query.
    pub async fn all_user_skills(&self) -> Result<HashMap<UserId, SkillLevels>> {
        let rows =
            sqlx::query("SELECT user_id, skill, level FROM user_skills WHERE tenant_id = $1")
                .bind(self.tid())
                .fetch_all(self.store.pool())
                .await?;
        let mut all: HashMap<UserId, SkillLevels> = HashMap::new();
        for row in &rows {
            let (skill, level) = skill_row(row)?;
            all.entry(UserId(get(row, "user_id")?))
                .or_default()
                .insert(skill, level);
        }
        Ok(all)
    }

    /// Replaces a queue's required skills and overflow. [`Error::MissingReference`] if either
    /// queue is not in this tenant; [`Error::Invalid`] for a bad skill, an overflow into the
    /// queue itself or after 0 s.
    pub async fn set_queue_routing(&self, queue: QueueId, routing: &QueueRouting) -> Result<()> {
        check_skills(&routing.required_skills)?;
        if let Some(overflow) = routing.overflow {
            if overflow.to == queue {
                return Err(Error::Invalid {
                    what: "overflow",
                    why: "a queue cannot overflow into itself".to_owned(),
                });
            }
            if overflow.after_secs == 0 {
                return Err(Error::Invalid {
                    what: "overflow",
                    why: "the wait before overflowing must be longer than 0 s".to_owned(),
                });
            }
        }
        let mut tx = self.store.write().await?;
        for delete in [
            "DELETE FROM queue_skills WHERE tenant_id = $1 AND queue_id = $2",
            "DELETE FROM queue_overflows WHERE tenant_id = $1 AND queue_id = $2",
        ] {
            sqlx::query(delete)
                .bind(self.tid())
                .bind(queue.0)
                .execute(tx.conn())
                .await?;
        }
        for (skill, level) in &routing.required_skills {
            sqlx::query(
                "INSERT INTO queue_skills (tenant_id, queue_id, skill, level) VALUES ($1, $2, $3, $4)",
            )
            .bind(self.tid())
            .bind(queue.0)
            .bind(skill)
            .bind(i64::from(*level))
            .execute(tx.conn())
            .await?;
        }
        if let Some(overflow) = routing.overflow {
            sqlx::query(
                "INSERT INTO queue_overflows (tenant_id, queue_id, to_queue_id, after_secs) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(self.tid())
            .bind(queue.0)
            .bind(overflow.to.0)
            .bind(i64::from(overflow.after_secs))
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await
    }

    /// A queue's required skills and overflow (the defaults for a queue without any).
    pub async fn queue_routing(&self, queue: QueueId) -> Result<QueueRouting> {
        let rows = sqlx::query(
            "SELECT skill, level FROM queue_skills WHERE tenant_id = $1 AND queue_id = $2",
        )
        .bind(self.tid())
        .bind(queue.0)
        .fetch_all(self.store.pool())
        .await?;
        let required_skills = rows.iter().map(skill_row).collect::<Result<_>>()?;
        let overflow = sqlx::query(
            "SELECT to_queue_id, after_secs FROM queue_overflows \
             WHERE tenant_id = $1 AND queue_id = $2",
        )
        .bind(self.tid())
        .bind(queue.0)
        .fetch_optional(self.store.pool())
        .await?
        .map(|row| -> Result<QueueOverflow> {
            Ok(QueueOverflow {
                to: QueueId(get(&row, "to_queue_id")?),
                after_secs: get_u32(&row, "after_secs")?,
            })
        })
        .transpose()?;
        Ok(QueueRouting {
            required_skills,
            overflow,
        })
    }
}
