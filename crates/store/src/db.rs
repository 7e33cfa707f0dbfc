//! Opening a database by URL, applying the backend's migrations, and the few helpers every
//! repository shares: write transactions, batch `VALUES` lists and reading portable columns.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row, SqlSafeStr, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (one node).
    Sqlite,
    /// A PostgreSQL server (one or several nodes).
    Postgres,
}

/// How hard SQLite works to keep a commit through a crash (ignored for PostgreSQL, whose
/// server configuration decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// `synchronous=NORMAL` in WAL mode: a commit survives the process being killed (the WAL
    /// write is in the OS before `COMMIT` returns); an OS crash or power cut may lose the last
    /// commits, never corrupt the file. One fsync per checkpoint, not per commit.
    #[default]
    Normal,
    /// `synchronous=FULL`: each commit is fsynced, so it also survives an OS crash or power cut.
    Full,
}

/// How to open a store; [`StoreOptions::default`] suits one node.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections in the pool (default: 4 for SQLite, whose writes are serialised anyway; 16 for
    /// PostgreSQL).
    pub max_connections: Option<u32>,
    /// SQLite durability (see [`SqliteSync`]).
    pub sqlite_sync: SqliteSync,
    /// How long a SQLite connection waits for another process's write lock before failing.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: None,
            sqlite_sync: SqliteSync::Normal,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A handle on the database; cheap to clone (the pool is shared). Tenant data is reached through
/// [`Store::tenant`].
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: queueing writers here, in order, is cheaper and fairer
    /// than letting them poll the file lock through `busy_timeout`.
    write_lock: Option<Mutex<()>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`:
    /// `sqlite:///abs/path/plateau.db`, `sqlite://relative.db` or `postgres://user@host/db`.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, &StoreOptions::default()).await
    }

    /// [`Store::open`] with options.
    pub async fn open_with(url: &str, options: &StoreOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(url)?;
        let connect: AnyConnectOptions = url.parse()?;
        let pool_options = AnyPoolOptions::new()
            .max_connections(options.max_connections.unwrap_or(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            }))
            .acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                let sync = match options.sqlite_sync {
                    SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
                    SqliteSync::Full => "PRAGMA synchronous = FULL",
                };
                let busy_ms = options.busy_timeout.as_millis();
                pool_options
                    .after_connect(move |conn, _meta| {
                        Box::pin(async move {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA busy_timeout = {busy_ms}"
                            )))
                            .await?;
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute(sync).await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_with(connect)
                    .await?
            }
            Backend::Postgres => pool_options.connect_with(connect).await?,
        };
        migrator(backend).run(&pool).await?;
        Ok(Store {
            inner: Arc::new(Inner {
                pool,
                backend,
                write_lock: (backend == Backend::Sqlite).then(|| Mutex::new(())),
            }),
        })
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Waits for connections in use to be returned, then closes them all.
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// Starts a write transaction. SQLite's takes the write lock at `BEGIN IMMEDIATE`, so a
    /// transaction that reads before writing cannot fail on a lock upgrade halfway.
    pub(crate) async fn write(&self) -> Result<WriteTx<'_>> {
        let guard = match &self.inner.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let tx = match self.inner.backend {
            Backend::Sqlite => self.inner.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.inner.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }
}

/// A write transaction (and, for SQLite, this process's turn to write). Dropped without
/// [`WriteTx::commit`], it rolls back.
pub(crate) struct WriteTx<'a> {
    tx: Transaction<'static, Any>,
    _guard: Option<MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Checks the scheme and, for SQLite, asks for the file to be created when missing.
fn normalise_url(url: &str) -> Result<(Backend, String)> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "postgres" | "postgresql" => Ok((Backend::Postgres, url.to_owned())),
        "sqlite" => {
            let has_mode = url
                .split_once('?')
                .is_some_and(|(_, query)| query.split('&').any(|kv| kv.starts_with("mode=")));
            let url = match (has_mode, url.contains('?')) {
                (true, _) => url.to_owned(),
                (false, true) => format!("{url}&mode=rwc"),
                (false, false) => format!("{url}?mode=rwc"),
            };
            Ok((Backend::Sqlite, url))
        }
        _ => Err(Error::UnsupportedUrl(url.to_owned())),
    }
}

/// The migrations of one backend, embedded in the binary. Both directories hold the same
/// numbered files; only the DDL dialect differs.
fn migrator(backend: Backend) -> Migrator {
    let files: &[(i64, &str, &'static str)] = match backend {
        Backend::Sqlite => &[
            (
                1,
                "initial",
                include_str!("../migrations/sqlite/0001_initial.sql"),
            ),
            (
                2,
                "tenant time zone",
                include_str!("../migrations/sqlite/0002_tenant_time_zone.sql"),
            ),
            (
                3,
                "routing",
                include_str!("../migrations/sqlite/0003_routing.sql"),
            ),
            (
                4,
                "customers",
                include_str!("../migrations/sqlite/0004_customers.sql"),
            ),
            (
                5,
                "tickets",
                include_str!("../migrations/sqlite/0005_tickets.sql"),
            ),
            (
                6,
                "web sessions",
                include_str!("../migrations/sqlite/0006_web_sessions.sql"),
            ),
        ],
        Backend::Postgres => &[
            (
                1,
                "initial",
                include_str!("../migrations/postgres/0001_initial.sql"),
            ),
            (
                2,
                "tenant time zone",
                include_str!("../migrations/postgres/0002_tenant_time_zone.sql"),
            ),
            (
                3,
                "routing",
                include_str!("../migrations/postgres/0003_routing.sql"),
            ),
            (
                4,
                "customers",
                include_str!("../migrations/postgres/0004_customers.sql"),
            ),
            (
                5,
                "tickets",
                include_str!("../migrations/postgres/0005_tickets.sql"),
            ),
            (
                6,
                "web sessions",
                include_str!("../migrations/postgres/0006_web_sessions.sql"),
            ),
        ],
    };
    Migrator::with_migrations(
        files
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// The most rows one batch statement carries: well under SQLite's and PostgreSQL's bound
/// parameter limits for our widest rows, and large enough to amortise a round trip.
pub(crate) const BATCH_ROWS: usize = 128;

/// `(<lead>$2, $3), (<lead>$4, $5)` for `rows` rows of `columns` parameters numbered from
/// `first + 1`; `lead` repeats in every row the parameters shared by all (e.g. `"$1, "` for the
/// tenant).
pub(crate) fn values_list(lead: &str, first: usize, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(rows * (lead.len() + columns * 5 + 4));
    let mut n = first;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(lead);
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

/// A query being bound, as [`insert_chunked`]'s callers see it.
pub(crate) type AnyQuery = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>;

/// Runs a multi-row `INSERT` over `rows`, [`BATCH_ROWS`] rows per statement, on `conn` (the
/// caller's transaction). `statement` holds `{values}` where the rows go; each row starts with the
/// `shared` parameters `$1..` that `lead` binds once per statement (tenant, time), then has
/// `columns` parameters that `bind` binds for one row.
pub(crate) async fn insert_chunked<T>(
    conn: &mut AnyConnection,
    statement: &str,
    shared: usize,
    columns: usize,
    rows: &[T],
    lead: impl Fn(AnyQuery) -> AnyQuery,
    mut bind: impl FnMut(AnyQuery, &T) -> AnyQuery,
) -> Result<()> {
    let lead_params: String = (1..=shared).map(|n| format!("${n}, ")).collect();
    for chunk in rows.chunks(BATCH_ROWS) {
        let values = values_list(&lead_params, shared, columns, chunk.len());
        let sql = statement.replace("{values}", &values);
        let mut query = lead(sqlx::query(sqlx::AssertSqlSafe(sql)));
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `$2, $3, $4` for an `IN (...)` list of `count` parameters after the first `first`.
pub(crate) fn param_list(first: usize, count: usize) -> String {
    (first + 1..=first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a column that may be missing or of another type as a store error naming the column.
pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &'static str) -> Result<T>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(|e| Error::corrupt(column, e))
}

/// Reads a flag: PostgreSQL returns `BOOLEAN`, SQLite (which has none) its 0/1 `INTEGER`.
pub(crate) fn get_flag(row: &AnyRow, column: &'static str) -> Result<bool> {
    match row.try_get::<bool, _>(column) {
        Ok(flag) => Ok(flag),
        Err(_) => get::<i64>(row, column).map(|n| n != 0),
    }
}

/// Reads a non-negative integer column into a `u32`.
pub(crate) fn get_u32(row: &AnyRow, column: &'static str) -> Result<u32> {
    let n: i64 = get(row, column)?;
    u32::try_from(n).map_err(|e| Error::corrupt(column, e))
}

/// Reads a JSON text column.
pub(crate) fn get_json(row: &AnyRow, column: &'static str) -> Result<serde_json::Value> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).map_err(|e| Error::corrupt(column, e))
}

/// Reads a text column through `FromStr` (roles, kinds, interaction ids...).
pub(crate) fn get_parsed<T: std::str::FromStr>(row: &AnyRow, column: &'static str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = get(row, column)?;
    text.parse().map_err(|e| Error::corrupt(column, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_list_numbers_parameters_row_by_row() {
        assert_eq!(values_list("", 1, 2, 2), "($2, $3), ($4, $5)");
        assert_eq!(values_list("$1, ", 1, 1, 2), "($1, $2), ($1, $3)");
        assert_eq!(param_list(1, 3), "$2, $3, $4");
    }

    #[test]
    fn sqlite_urls_get_create_mode_unless_given() {
        assert_eq!(
            normalise_url("sqlite:///tmp/a.db").unwrap(),
            (Backend::Sqlite, "sqlite:///tmp/a.db?mode=rwc".to_owned())
        );
        assert_eq!(
            normalise_url("sqlite:///tmp/a.db?mode=ro").unwrap().1,
            "sqlite:///tmp/a.db?mode=ro"
        );
        assert_eq!(
            normalise_url("sqlite:///tmp/a.db?cache=private").unwrap().1,
            "sqlite:///tmp/a.db?cache=private&mode=rwc"
        );
    }

    #[test]
    fn unknown_url_schemes_are_refused() {
        assert!(matches!(
            normalise_url("mysql://localhost/x"),
            Err(Error::UnsupportedUrl(_))
        ));
    }
}
