//! Fixtures: a fresh database per test on either backend, and small builders.

use store::{NewUser, Role, Store, TenantStore, User};
use tempfile::TempDir;

/// A time well inside the range of every column (unix ms, 2023-11-14).
pub const T0: i64 = 1_700_000_000_000;

/// A fresh, migrated database, and what it takes to open it again.
pub struct Fixture {
    pub store: Store,
    pub url: String,
    _dir: Option<TempDir>,
}

impl Fixture {
    pub async fn sqlite() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("plateau.db").display());
        let store = Store::open(&url).await.expect("open SQLite store");
        Fixture {
            store,
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Fixture {
        let url = store::testing::PostgresServer::shared()
            .create_database()
            .expect("a fresh PostgreSQL database");
        let store = Store::open(&url).await.expect("open PostgreSQL store");
        Fixture {
            store,
            url,
            _dir: None,
        }
    }

    /// A second, independent store on the same database (as after a restart).
    pub async fn reopen(&self) -> Store {
        Store::open(&self.url).await.expect("reopen store")
    }

    /// A new tenant named `slug`.
    pub async fn tenant(&self, slug: &str) -> TenantStore {
        let tenant = self
            .store
            .create_tenant(slug, slug, T0)
            .await
            .expect("create tenant");
        self.store.tenant(tenant.id).await.expect("tenant store")
    }
}

/// A user without secrets.
pub fn new_user(username: &str, role: Role, extension: Option<&str>) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: format!("{username} (display)"),
        role,
        password: None,
        extension: extension.map(str::to_owned),
        sip: None,
        enabled: true,
    }
}

/// An agent on `extension`.
pub async fn agent(tenant: &TenantStore, username: &str, extension: &str) -> User {
    tenant
        .create_user(&new_user(username, Role::Agent, Some(extension)), T0)
        .await
        .expect("create agent")
}

/// Declares each listed `async fn name(fx: &Fixture)` of the module as two tests,
/// `sqlite::name` and `postgres::name`.
macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let fx = crate::support::Fixture::sqlite().await;
                    super::$name(&fx).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let fx = crate::support::Fixture::postgres().await;
                    super::$name(&fx).await;
                }
            )+
        }
    };
}
