//! Web sessions: a browser's login. The cookie carries a random secret (256 bits, hex); only
//! its SHA-256 is stored, as for API tokens. Each session has a CSRF token the page echoes in a
//! header on unsafe requests.
//!
//! Sessions expire after an idle timeout chosen by the caller: `expires_at_ms` is
//! `last_seen_at_ms + idle`, and finding a session slides it, at most once a minute so that
//! every request is not a write. Also here: the web login itself ([`Store::web_login`], the
//! entry point that discovers the tenant from a username) and the user's page language.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::db::{Store, get, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{TenantId, UserId, WebSessionId};
use crate::tenant::TenantStore;
use crate::token::{to_hex, token_hash};
use crate::user::{Role, User, spend_verification_time};

/// A session's last use is written at most this often.
const SLIDE_RESOLUTION_MS: i64 = 60_000;

/// A session's cookie secret, returned once at creation. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    /// The text to put in the cookie (and never to store or log).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(<redacted>)")
    }
}

/// A language the pages are translated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

impl Language {
    /// The ISO 639-1 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }
}

impl FromStr for Language {
    type Err = Error;

    fn from_str(code: &str) -> Result<Language> {
        match code {
            "en" => Ok(Language::En),
            "fr" => Ok(Language::Fr),
            _ => Err(Error::invalid("language", "en or fr")),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A live session and who it speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Its id.
    pub id: WebSessionId,
    /// The tenant: continue with [`Store::tenant`].
    pub tenant_id: TenantId,
    /// The user.
    pub user_id: UserId,
    /// The user's login name.
    pub username: String,
    /// The user's shown name.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// The user's SIP extension.
    pub extension: Option<String>,
    /// The user's page language, if chosen.
    pub language: Option<Language>,
    /// What unsafe requests must carry in `X-CSRF-Token`.
    pub csrf_token: String,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it was last used, to the minute (unix ms).
    pub last_seen_at_ms: i64,
    /// When it expires unless used (unix ms).
    pub expires_at_ms: i64,
}

impl WebSession {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let language: Option<String> = get(row, "language")?;
        Ok(WebSession {
            id: WebSessionId(get(row, "id")?),
            tenant_id: TenantId(get(row, "tenant_id")?),
            user_id: UserId(get(row, "user_id")?),
            username: get(row, "username")?,
            display_name: get(row, "display_name")?,
            role: get_parsed(row, "role")?,
            extension: get(row, "extension")?,
            language: language
                .map(|code| code.parse())
                .transpose()
                .map_err(|e| Error::corrupt("language", e))?,
            csrf_token: get(row, "csrf_token")?,
            created_at_ms: get(row, "created_at_ms")?,
            last_seen_at_ms: get(row, "last_seen_at_ms")?,
            expires_at_ms: get(row, "expires_at_ms")?,
        })
    }
}

macro_rules! session_columns {
    () => {
        "s.id, s.tenant_id, s.user_id, s.csrf_token, s.created_at_ms, s.expires_at_ms, \
         s.last_seen_at_ms, u.username, u.display_name, u.role, u.extension, u.language"
    };
}

/// What a login attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebLogin {
    /// The password matches an enabled user.
    Valid(User),
    /// Unknown tenant, unknown user, no password set, wrong password or disabled user: one
    /// answer for all, so the answer does not tell which names exist.
    Invalid,
    /// No tenant was given and the username exists in several tenants.
    TenantRequired,
}

fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(to_hex(&bytes))
}

impl TenantStore {
    /// Opens a session for a user of this tenant, expiring after `idle_ms` without use. The
    /// secret is returned here and nowhere else.
    pub async fn create_web_session(
        &self,
        user_id: UserId,
        now_ms: i64,
        idle_ms: i64,
    ) -> Result<(WebSession, SessionSecret)> {
        let secret = SessionSecret(random_hex()?);
        let csrf = random_hex()?;
        let row = sqlx::query(
            "INSERT INTO web_sessions (tenant_id, user_id, secret_hash, csrf_token, \
             created_at_ms, last_seen_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
        )
        .bind(self.tid())
        .bind(user_id.0)
        .bind(token_hash(secret.expose()))
        .bind(&csrf)
        .bind(now_ms)
        .bind(now_ms.saturating_add(idle_ms))
        .fetch_one(self.store.pool())
        .await?;
        let id: i64 = get(&row, "id")?;
        let session = self
            .store
            .web_session_where(SessionKey::Id(id))
            .await?
            .ok_or(Error::NotFound(Entity::User))?;
        Ok((session, secret))
    }

    /// Ends one session (log out). [`Error::NotFound`] if it is not this tenant's or gone.
    pub async fn delete_web_session(&self, id: WebSessionId) -> Result<()> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// Ends every session of a user (password changed, user disabled); how many there were.
    pub async fn delete_user_web_sessions(&self, user_id: UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE tenant_id = $1 AND user_id = $2")
            .bind(self.tid())
            .bind(user_id.0)
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Sets or clears a user's page language.
    pub async fn set_user_language(
        &self,
        user_id: UserId,
        language: Option<Language>,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE users SET language = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(user_id.0)
            .bind(language.map(Language::as_str))
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::User)
    }

    /// A user's page language, if chosen.
    pub async fn user_language(&self, user_id: UserId) -> Result<Option<Language>> {
        let row = sqlx::query("SELECT language FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(user_id.0)
            .fetch_optional(self.store.pool())
            .await?;
        let Some(row) = row else {
            return Err(Error::NotFound(Entity::User));
        };
        let language: Option<String> = get(&row, "language")?;
        language
            .map(|code| code.parse())
            .transpose()
            .map_err(|e| Error::corrupt("language", e))
    }
}

enum SessionKey {
    Id(i64),
    Hash(String),
}

impl Store {
    /// The live session whose cookie secret is `secret`, for an enabled user; `None` if
    /// unknown or expired. Use slides the expiry to `now_ms + idle_ms` (written at most once a
    /// minute). An entry point that discovers the tenant, so not tenant-scoped.
    pub async fn web_session(
        &self,
        secret: &str,
        now_ms: i64,
        idle_ms: i64,
    ) -> Result<Option<WebSession>> {
        let found = self
            .web_session_where(SessionKey::Hash(token_hash(secret)))
            .await?;
        let Some(mut session) = found else {
            return Ok(None);
        };
        if session.expires_at_ms <= now_ms {
            sqlx::query("DELETE FROM web_sessions WHERE id = $1")
                .bind(session.id.0)
                .execute(self.pool())
                .await?;
            return Ok(None);
        }
        if now_ms - session.last_seen_at_ms >= SLIDE_RESOLUTION_MS {
            let expires = now_ms.saturating_add(idle_ms);
            sqlx::query(
                "UPDATE web_sessions SET last_seen_at_ms = $2, expires_at_ms = $3 WHERE id = $1",
            )
            .bind(session.id.0)
            .bind(now_ms)
            .bind(expires)
            .execute(self.pool())
            .await?;
            session.last_seen_at_ms = now_ms;
            session.expires_at_ms = expires;
        }
        Ok(Some(session))
    }

    async fn web_session_where(&self, key: SessionKey) -> Result<Option<WebSession>> {
        macro_rules! select {
            ($condition:literal) => {
                concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM web_sessions s JOIN users u \
                     ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
                     WHERE ",
                    $condition,
                    " AND u.enabled = $2"
                )
            };
        }
        let query = match key {
            SessionKey::Id(id) => sqlx::query(select!("s.id = $1")).bind(id),
            SessionKey::Hash(hash) => sqlx::query(select!("s.secret_hash = $1")).bind(hash),
        };
        let row = query.bind(true).fetch_optional(self.pool()).await?;
        row.as_ref().map(WebSession::from_row).transpose()
    }

    /// Checks a web login. `tenant` is the tenant's slug; without it the username must belong
    /// to one tenant only ([`WebLogin::TenantRequired`] otherwise). Every [`WebLogin::Invalid`]
    /// costs the same Argon2 work, so timing does not tell which names exist.
    pub async fn web_login(
        &self,
        username: &str,
        password: &str,
        tenant: Option<&str>,
    ) -> Result<WebLogin> {
        let tenant_id = match tenant {
            Some(slug) => self.tenant_by_slug(slug).await?.map(|t| t.id),
            None => {
                let rows = sqlx::query("SELECT tenant_id FROM users WHERE username = $1 LIMIT 2")
                    .bind(username)
                    .fetch_all(self.pool())
                    .await?;
                if rows.len() > 1 {
                    return Ok(WebLogin::TenantRequired);
                }
                rows.first()
                    .map(|row| get(row, "tenant_id").map(TenantId))
                    .transpose()?
            }
        };
        let Some(tenant_id) = tenant_id else {
            spend_verification_time(password).await?;
            return Ok(WebLogin::Invalid);
        };
        let user = self
            .tenant(tenant_id)
            .await?
            .verify_password(username, password)
            .await?;
        Ok(user.map_or(WebLogin::Invalid, WebLogin::Valid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_round_trip_through_their_codes() {
        for language in [Language::En, Language::Fr] {
            assert_eq!(language.as_str().parse::<Language>().unwrap(), language);
        }
        assert!("de".parse::<Language>().is_err());
    }

    #[test]
    fn secret_debug_output_hides_the_secret() {
        let secret = SessionSecret(random_hex().unwrap());
        assert!(!format!("{secret:?}").contains(secret.expose()));
        assert_eq!(secret.expose().len(), 64);
    }
}
