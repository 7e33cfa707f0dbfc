//! Users of a tenant: role, web password (Argon2 hash), SIP extension and SIP digest secrets.
//!
//! SIP secrets are stored only as the HA1 values digest authentication needs
//! (`H(username:realm:password)`, MD5 and SHA-256), computed by the `sip` crate; this crate never
//! sees a SIP password. [`User`] carries no secret at all: secrets are read through the two
//! methods that need them ([`TenantStore::sip_credentials`], [`TenantStore::verify_password`]).

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::db::{get, get_flag};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{TenantId, UserId};
use crate::password::PasswordHash;
use crate::tenant::TenantStore;
use crate::text_enum::text_enum;

/// What a user may do (DESIGN.md "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls.
    Agent,
    /// Leads 10–16 agents.
    TeamLeader,
    /// Watches queues and agents live.
    Supervisor,
    /// Scores recordings.
    QualityAnalyst,
    /// Forecasts and schedules.
    Planner,
    /// Trains agents.
    Trainer,
    /// Owns the figures.
    Manager,
    /// Configures the tenant.
    Admin,
}

text_enum!(Role, "role",
    Agent => "agent",
    TeamLeader => "team_leader",
    Supervisor => "supervisor",
    QualityAnalyst => "quality_analyst",
    Planner => "planner",
    Trainer => "trainer",
    Manager => "manager",
    Admin => "admin",
);

/// A SIP digest secret as digest needs it: `H(username:realm:password)` in lowercase hex, with
/// MD5 and with SHA-256. Its `Debug` does not print the values.
#[derive(Clone, PartialEq, Eq)]
pub struct SipHa1 {
    md5: String,
    sha256: String,
}

impl SipHa1 {
    /// Checks the shapes (32 and 64 hex digits) and keeps them lowercased.
    pub fn new(md5: &str, sha256: &str) -> Result<SipHa1> {
        fn hex(what: &'static str, value: &str, len: usize) -> Result<String> {
            if value.len() == len && value.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(value.to_ascii_lowercase())
            } else {
                Err(Error::invalid(what, format!("expected {len} hex digits")))
            }
        }
        Ok(SipHa1 {
            md5: hex("MD5 HA1", md5, 32)?,
            sha256: hex("SHA-256 HA1", sha256, 64)?,
        })
    }

    /// The MD5 HA1.
    pub fn md5(&self) -> &str {
        &self.md5
    }

    /// The SHA-256 HA1.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

impl fmt::Debug for SipHa1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SipHa1(<redacted>)")
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name, unique in the tenant.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Web password, if the user logs in to the web UI.
    pub password: Option<PasswordHash>,
    /// SIP extension (`1001`), unique in the tenant, if the user has a phone.
    pub extension: Option<String>,
    /// SIP digest secret for the extension.
    pub sip: Option<SipHa1>,
    /// Whether the user may log in and register.
    pub enabled: bool,
}

/// A user as the rest of the program sees it: no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// SIP extension.
    pub extension: Option<String>,
    /// Whether a web password is set.
    pub has_password: bool,
    /// Whether a SIP secret is set.
    pub has_sip_secret: bool,
    /// Whether the user may log in and register.
    pub enabled: bool,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

macro_rules! user_columns {
    () => {
        "id, tenant_id, username, display_name, role, extension, enabled, created_at_ms, \
         password_hash IS NOT NULL AS has_password, sip_ha1_md5 IS NOT NULL AS has_sip_secret"
    };
}

impl User {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(User {
            id: UserId(get(row, "id")?),
            tenant_id: TenantId(get(row, "tenant_id")?),
            username: get(row, "username")?,
            display_name: get(row, "display_name")?,
            role: crate::db::get_parsed(row, "role")?,
            extension: get(row, "extension")?,
            has_password: get_flag(row, "has_password")?,
            has_sip_secret: get_flag(row, "has_sip_secret")?,
            enabled: get_flag(row, "enabled")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// What the registrar needs to challenge and check a REGISTER for an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipCredentials {
    /// The user owning the extension.
    pub user_id: UserId,
    /// The extension (the digest username).
    pub extension: String,
    /// The stored HA1 values.
    pub ha1: SipHa1,
    /// A disabled user must be refused even with the right secret.
    pub enabled: bool,
}

impl TenantStore {
    /// Creates a user; [`Error::Duplicate`] with [`crate::Unique::Username`] or
    /// [`crate::Unique::Extension`] when taken.
    pub async fn create_user(&self, user: &NewUser, now_ms: i64) -> Result<User> {
        if user.username.is_empty() {
            return Err(Error::invalid("username", "must not be empty"));
        }
        let row = sqlx::query(concat!(
            "INSERT INTO users (tenant_id, username, display_name, role, password_hash, \
             extension, sip_ha1_md5, sip_ha1_sha256, enabled, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
            user_columns!()
        ))
        .bind(self.tid())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.password.as_ref().map(PasswordHash::as_phc))
        .bind(user.extension.as_deref())
        .bind(user.sip.as_ref().map(SipHa1::md5))
        .bind(user.sip.as_ref().map(SipHa1::sha256))
        .bind(user.enabled)
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        User::from_row(&row)
    }

    /// The user with this id, if it belongs to this tenant.
    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(User::from_row).transpose()
    }

    /// The user with this username.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE tenant_id = $1 AND username = $2"
        ))
        .bind(self.tid())
        .bind(username)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(User::from_row).transpose()
    }

    /// The user with this SIP extension.
    pub async fn user_by_extension(&self, extension: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE tenant_id = $1 AND extension = $2"
        ))
        .bind(self.tid())
        .bind(extension)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(User::from_row).transpose()
    }

    /// All users of the tenant, by id.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE tenant_id = $1 ORDER BY id"
        ))
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(User::from_row).collect()
    }

    /// Sets or clears the web password.
    pub async fn set_password(&self, id: UserId, password: Option<&PasswordHash>) -> Result<()> {
        let done =
            sqlx::query("UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(self.tid())
                .bind(id.0)
                .bind(password.map(PasswordHash::as_phc))
                .execute(self.store.pool())
                .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// Sets or clears the SIP digest secret.
    pub async fn set_sip_secret(&self, id: UserId, sip: Option<&SipHa1>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET sip_ha1_md5 = $3, sip_ha1_sha256 = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(sip.map(SipHa1::md5))
        .bind(sip.map(SipHa1::sha256))
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// Sets or clears the SIP extension.
    pub async fn set_extension(&self, id: UserId, extension: Option<&str>) -> Result<()> {
        let done = sqlx::query("UPDATE users SET extension = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .bind(extension)
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// Changes the role and display name.
    pub async fn set_profile(&self, id: UserId, display_name: &str, role: Role) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET display_name = $3, role = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(display_name)
        .bind(role.as_str())
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// Enables or disables the user (a disabled user keeps its history).
    pub async fn set_enabled(&self, id: UserId, enabled: bool) -> Result<()> {
        let done = sqlx::query("UPDATE users SET enabled = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .bind(enabled)
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// The digest secret of an extension, for the registrar. `None` when no user has the
    /// extension or the user has no SIP secret.
    pub async fn sip_credentials(&self, extension: &str) -> Result<Option<SipCredentials>> {
        let row = sqlx::query(
            "SELECT id, extension, sip_ha1_md5, sip_ha1_sha256, enabled FROM users \
             WHERE tenant_id = $1 AND extension = $2 AND sip_ha1_md5 IS NOT NULL \
             AND sip_ha1_sha256 IS NOT NULL",
        )
        .bind(self.tid())
        .bind(extension)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let md5: String = get(&row, "sip_ha1_md5")?;
        let sha256: String = get(&row, "sip_ha1_sha256")?;
        Ok(Some(SipCredentials {
            user_id: UserId(get(&row, "id")?),
            extension: get(&row, "extension")?,
            ha1: SipHa1::new(&md5, &sha256).map_err(|e| Error::corrupt("sip_ha1_md5", e))?,
            enabled: get_flag(&row, "enabled")?,
        }))
    }

    /// Checks a web login. `Some(user)` only for an enabled user whose password matches; an
    /// unknown username costs the same Argon2 work as a wrong password, so timing does not tell
    /// which usernames exist. The hashing runs on tokio's blocking threads.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", password_hash FROM users WHERE tenant_id = $1 AND username = $2"
        ))
        .bind(self.tid())
        .bind(username)
        .fetch_optional(self.store.pool())
        .await?;
        let (user, stored) = match &row {
            Some(row) => {
                let stored: Option<String> = get(row, "password_hash")?;
                let stored = stored.as_deref().map(PasswordHash::from_phc).transpose()?;
                (Some(User::from_row(row)?), stored)
            }
            None => (None, None),
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => hash.verify(&password),
            None => {
                if let Some(dummy) = dummy_hash() {
                    dummy.verify(&password);
                }
                false
            }
        })
        .await
        .map_err(|e| Error::PasswordHash(e.to_string()))?;
        Ok(user.filter(|user| matches && user.enabled))
    }
}

/// Spends the Argon2 work of one verification for nothing (on tokio's blocking threads), so a
/// login that finds no user takes as long as one with a wrong password.
pub(crate) async fn spend_verification_time(password: &str) -> Result<()> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        if let Some(dummy) = dummy_hash() {
            dummy.verify(&password);
        }
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))
}

/// A hash to verify against when the user has none, to spend the same time.
fn dummy_hash() -> Option<&'static PasswordHash> {
    static DUMMY: OnceLock<Option<PasswordHash>> = OnceLock::new();
    DUMMY
        .get_or_init(|| PasswordHash::hash("plateau-timing-equaliser").ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for &role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn ha1_values_must_be_hex_of_the_right_length() {
        let md5 = "A".repeat(32);
        let sha = "b".repeat(64);
        let ha1 = SipHa1::new(&md5, &sha).unwrap();
        assert_eq!(ha1.md5(), "a".repeat(32));
        assert!(SipHa1::new(&"a".repeat(31), &sha).is_err());
        assert!(SipHa1::new(&md5, &"g".repeat(64)).is_err());
    }

    #[test]
    fn ha1_debug_output_hides_the_values() {
        let ha1 = SipHa1::new(&"a".repeat(32), &"b".repeat(64)).unwrap();
        assert!(!format!("{ha1:?}").contains("aaaa"));
    }
}
