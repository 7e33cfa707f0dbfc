//! API tokens: 256 random bits shown once as `plt_<64 hex>`, stored only as the SHA-256 of that
//! text. A request's bearer token is hashed and looked up by hash, which also tells which tenant
//! and user it speaks for; revoked tokens and disabled users are refused.

use std::fmt;

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::db::{Store, get, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{ApiTokenId, TenantId, UserId};
use crate::tenant::TenantStore;
use crate::user::Role;

/// Prefix of every token, so leaked tokens are easy to recognise (secret scanners, logs).
const PREFIX: &str = "plt_";

/// `last_used_at_ms` is refreshed at most this often, so a busy client does not turn every read
/// into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// A token's secret text, returned once at creation. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The text to hand to the user (and never to store or log).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// A token's metadata (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id.
    pub id: ApiTokenId,
    /// The user it acts as.
    pub user_id: UserId,
    /// A label chosen at creation (`demo`, `ci`...).
    pub name: String,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it was last used, to the minute.
    pub last_used_at_ms: Option<i64>,
    /// When it was revoked.
    pub revoked_at_ms: Option<i64>,
}

macro_rules! token_columns {
    () => {
        "id, user_id, name, created_at_ms, last_used_at_ms, revoked_at_ms"
    };
}

impl ApiToken {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(ApiToken {
            id: ApiTokenId(get(row, "id")?),
            user_id: UserId(get(row, "user_id")?),
            name: get(row, "name")?,
            created_at_ms: get(row, "created_at_ms")?,
            last_used_at_ms: get(row, "last_used_at_ms")?,
            revoked_at_ms: get(row, "revoked_at_ms")?,
        })
    }
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    /// The tenant: continue with [`Store::tenant`].
    pub tenant_id: TenantId,
    /// The user.
    pub user_id: UserId,
    /// The user's username.
    pub username: String,
    /// The user's role, which decides what the request may do.
    pub role: Role,
    /// The token used.
    pub token_id: ApiTokenId,
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret's text, in hex: how API tokens and web session secrets are stored.
pub(crate) fn token_hash(secret: &str) -> String {
    to_hex(&Sha256::digest(secret.as_bytes()))
}

fn new_secret() -> Result<TokenSecret> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(TokenSecret(format!("{PREFIX}{}", to_hex(&bytes))))
}

fn insert_token(
    tenant: &TenantStore,
    user_id: UserId,
    name: &str,
    secret: &TokenSecret,
    now_ms: i64,
) -> crate::db::AnyQuery {
    sqlx::query(concat!(
        "INSERT INTO api_tokens (tenant_id, user_id, name, token_hash, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5) RETURNING ",
        token_columns!()
    ))
    .bind(tenant.tid())
    .bind(user_id.0)
    .bind(name)
    .bind(token_hash(secret.expose()))
    .bind(now_ms)
}

impl TenantStore {
    /// Creates a token for a user of this tenant. The secret is returned here and nowhere else.
    pub async fn create_api_token(
        &self,
        user_id: UserId,
        name: &str,
        now_ms: i64,
    ) -> Result<(ApiToken, TokenSecret)> {
        let secret = new_secret()?;
        let row = insert_token(self, user_id, name, &secret, now_ms)
            .fetch_one(self.store.pool())
            .await?;
        Ok((ApiToken::from_row(&row)?, secret))
    }

    /// Replaces a user's tokens named `name` by a fresh one, in one transaction (the demo's
    /// token is rotated at each start, since only its hash is kept).
    pub async fn rotate_api_token(
        &self,
        user_id: UserId,
        name: &str,
        now_ms: i64,
    ) -> Result<(ApiToken, TokenSecret)> {
        let secret = new_secret()?;
        let mut tx = self.store.write().await?;
        sqlx::query("DELETE FROM api_tokens WHERE tenant_id = $1 AND user_id = $2 AND name = $3")
            .bind(self.tid())
            .bind(user_id.0)
            .bind(name)
            .execute(tx.conn())
            .await?;
        let row = insert_token(self, user_id, name, &secret, now_ms)
            .fetch_one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok((ApiToken::from_row(&row)?, secret))
    }

    /// A user's tokens, revoked ones included, oldest first.
    pub async fn api_tokens(&self, user_id: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE tenant_id = $1 AND user_id = $2 ORDER BY id"
        ))
        .bind(self.tid())
        .bind(user_id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(ApiToken::from_row).collect()
    }

    /// Revokes a token (idempotent for an already revoked one: the first time is kept).
    pub async fn revoke_api_token(&self, id: ApiTokenId, now_ms: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at_ms = COALESCE(revoked_at_ms, $3) \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(now_ms)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::ApiToken)
    }
}

impl Store {
    /// Checks a bearer token: `Some(owner)` for a live token of an enabled user, `None`
    /// otherwise. This is an entry point that discovers the tenant, so it is not tenant-scoped.
    pub async fn authenticate_token(
        &self,
        secret: &str,
        now_ms: i64,
    ) -> Result<Option<TokenOwner>> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT t.id, t.tenant_id, t.user_id, t.last_used_at_ms, u.username, u.role \
             FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at_ms IS NULL AND u.enabled = $2",
        )
        .bind(token_hash(secret))
        .bind(true)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let owner = TokenOwner {
            tenant_id: TenantId(get(&row, "tenant_id")?),
            user_id: UserId(get(&row, "user_id")?),
            username: get(&row, "username")?,
            role: get_parsed(&row, "role")?,
            token_id: ApiTokenId(get(&row, "id")?),
        };
        let last_used: Option<i64> = get(&row, "last_used_at_ms")?;
        if last_used.is_none_or(|at| now_ms - at >= LAST_USED_RESOLUTION_MS) {
            sqlx::query("UPDATE api_tokens SET last_used_at_ms = $2 WHERE id = $1")
                .bind(owner.token_id.0)
                .bind(now_ms)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(owner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_high_entropy_and_distinct() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert!(a.expose().starts_with(PREFIX));
        assert_eq!(a.expose().len(), PREFIX.len() + 64);
        assert_ne!(a, b);
    }

    #[test]
    fn the_stored_hash_is_sha256_hex_of_the_secret() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secret_debug_output_hides_the_secret() {
        let secret = new_secret().unwrap();
        assert!(!format!("{secret:?}").contains(PREFIX));
    }
}
