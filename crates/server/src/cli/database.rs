//! Where the offline tools (`import`, `export`) find a tenant's data: `--database-url`, or the
//! SQLite file in `--data-dir` that `serve` and `demo` use.

use std::path::PathBuf;

use store::{Store, TenantStore};

/// The database options of an offline tool.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// The tenant, by slug.
    #[arg(long)]
    tenant: String,
    /// The database (`postgres://user@host/db` or `sqlite:///path/plateau.db`); overrides
    /// `--data-dir`.
    #[arg(long)]
    database_url: Option<String>,
    /// The data directory holding `plateau.db`.
    #[arg(long, default_value = "plateau-data")]
    data_dir: PathBuf,
}

impl DatabaseArgs {
    /// Opens the database (applying pending migrations) and the tenant's repository.
    pub async fn open_tenant(&self) -> Result<TenantStore, String> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => {
                // Unlike `serve`, a tool must not create an empty database by mistake.
                let file = self.data_dir.join("plateau.db");
                if !file.exists() {
                    return Err(format!("no database at {}", file.display()));
                }
                format!("sqlite://{}", file.display())
            }
        };
        let store = Store::open(&url)
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let tenant = store
            .tenant_by_slug(&self.tenant)
            .await
            .map_err(|e| format!("cannot read tenants: {e}"))?
            .ok_or_else(|| format!("no tenant {:?}", self.tenant))?;
        store
            .tenant(tenant.id)
            .await
            .map_err(|e| format!("cannot open tenant {:?}: {e}", self.tenant))
    }
}
