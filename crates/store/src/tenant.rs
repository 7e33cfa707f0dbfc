//! Tenants, and [`TenantStore`]: the one door to a tenant's rows. Every query behind it filters
//! by its tenant id, so a handler cannot forget to; the only queries that do not take a tenant
//! are the entry points that discover it from outside input (a dialled number, an API token).

use sqlx::any::AnyRow;

use crate::db::{Store, get};
use crate::error::{Error, Result};
use crate::ids::TenantId;

/// A tenant: one client company of the center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// Short unique name used in URLs and configuration.
    pub slug: String,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// Its time zone, an IANA name (`Europe/Paris`); `UTC` until set. Business hours and
    /// calendars are read in it.
    pub time_zone: String,
}

impl Tenant {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Tenant {
            id: TenantId(get(row, "id")?),
            name: get(row, "name")?,
            slug: get(row, "slug")?,
            created_at_ms: get(row, "created_at_ms")?,
            time_zone: get(row, "time_zone")?,
        })
    }
}

macro_rules! tenant_columns {
    () => {
        "id, name, slug, created_at_ms, time_zone"
    };
}

/// The repository of one tenant's rows; get one from [`Store::tenant`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TenantStore {
    pub(crate) store: Store,
    pub(crate) tenant: TenantId,
}

impl TenantStore {
    /// The tenant whose rows this reaches.
    pub fn id(&self) -> TenantId {
        self.tenant
    }

    /// The store underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Tenant ids are bound as the first parameter of every tenant query.
    pub(crate) fn tid(&self) -> i64 {
        self.tenant.0
    }
}

impl Store {
    /// Creates a tenant; [`Error::Duplicate`] if the slug is taken.
    pub async fn create_tenant(&self, name: &str, slug: &str, now_ms: i64) -> Result<Tenant> {
        if slug.is_empty() || !slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::invalid(
                "tenant slug",
                "use letters, digits and dashes",
            ));
        }
        let row = sqlx::query(concat!(
            "INSERT INTO tenants (name, slug, created_at_ms) VALUES ($1, $2, $3) RETURNING ",
            tenant_columns!()
        ))
        .bind(name)
        .bind(slug)
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?;
        Tenant::from_row(&row)
    }

    /// Sets a tenant's time zone. The name is not checked here (the store knows no time-zone
    /// database); callers validate it, e.g. with `jiff::tz::TimeZone::get`.
    pub async fn set_tenant_time_zone(&self, id: TenantId, time_zone: &str) -> Result<Tenant> {
        if time_zone.is_empty() || time_zone.len() > 64 || time_zone.chars().any(char::is_control) {
            return Err(Error::invalid(
                "tenant time zone",
                "an IANA name such as Europe/Paris",
            ));
        }
        let row = sqlx::query(concat!(
            "UPDATE tenants SET time_zone = $2 WHERE id = $1 RETURNING ",
            tenant_columns!()
        ))
        .bind(id.0)
        .bind(time_zone)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Tenant::from_row(&row),
            None => Err(Error::UnknownTenant(id)),
        }
    }

    /// The tenant with this slug.
    pub async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Tenant::from_row).transpose()
    }

    /// All tenants, oldest first.
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Tenant::from_row).collect()
    }

    /// The repository of one tenant's rows; [`Error::UnknownTenant`] if it does not exist.
    pub async fn tenant(&self, id: TenantId) -> Result<TenantStore> {
        let found = sqlx::query("SELECT id FROM tenants WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        match found {
            Some(_) => Ok(TenantStore {
                store: self.clone(),
                tenant: id,
            }),
            None => Err(Error::UnknownTenant(id)),
        }
    }
}
