//! Test support (cargo feature `testing`): a real PostgreSQL server on 127.0.0.1, started from the
//! distribution's binaries for this crate's contract tests and the server's end-to-end tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let pg = store::testing::PostgresServer::shared(); // one per test binary
//! let url = pg.create_database()?; // a fresh database per test
//! let store = store::Store::open(&url).await?;
//! # Ok(()) }
//! ```
//!
//! How it runs: the binaries are found in `/usr/lib/postgresql/*/bin` (newest) or through
//! `pg_config --bindir`; PostgreSQL refuses to run as root, so as root `initdb` and `postgres`
//! run as the `postgres` system user (in a temporary directory it owns). The server is started
//! under a small `sh` wrapper whose standard input is a pipe from this process: when the pipe
//! closes (on [`Drop`], or when the test process exits, however it exits) the wrapper stops the
//! server and deletes its directory, so no server outlives its tests. Readiness is polled with
//! `pg_isready` under a deadline. A missing PostgreSQL is an error, never a skip.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Why the test server could not be provided.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// No PostgreSQL binaries were found.
    #[error(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres, no pg_config): \
         install the `postgresql` package (scripts/install-test-deps.sh does)"
    )]
    NotInstalled,
    /// A step failed; the message says which and includes the tool's output.
    #[error("PostgreSQL test server: {0}")]
    Failed(String),
    /// An I/O error around a step.
    #[error("PostgreSQL test server: {0}")]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, HarnessError>;

/// How long the server may take to accept connections.
const READY_DEADLINE: Duration = Duration::from_secs(60);
/// Ports tried before giving up (another process may take a free port before the server binds).
const PORT_ATTEMPTS: usize = 5;

/// Runs `postgres` in the background, stops it with SIGINT (fast shutdown) when standard input
/// reaches end of file, then deletes the directory. If the server exits by itself, its log goes
/// to standard error for the harness to report.
const WRAPPER: &str = r#"
bindir=$1; data=$2; dir=$3; port=$4; durable=$5
exec 3<&0
"$bindir/postgres" -D "$data" -k "$dir" -h 127.0.0.1 -p "$port" \
  -c fsync="$durable" -c synchronous_commit="$durable" -c full_page_writes="$durable" \
  -c max_connections=300 </dev/null >"$dir/postgres.log" 2>&1 3<&- &
pid=$!
( read -r _ <&3; kill -INT "$pid" 2>/dev/null ) &
watcher=$!
exec 3<&-
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
[ "$status" -eq 0 ] || cat "$dir/postgres.log" >&2
rm -rf "$dir"
exit "$status"
"#;

/// A PostgreSQL server on 127.0.0.1, stopped and deleted on drop.
#[derive(Debug)]
pub struct PostgresServer {
    port: u16,
    bindir: PathBuf,
    dir: PathBuf,
    run_as: Option<(u32, u32)>,
    guard: Option<ChildStdin>,
    wrapper: Child,
    next_db: AtomicU32,
}

impl PostgresServer {
    /// One server for the whole test process, started on first use. Panics with the reason if it
    /// cannot start, which fails the test that asked.
    pub fn shared() -> &'static PostgresServer {
        static SHARED: OnceLock<PostgresServer> = OnceLock::new();
        SHARED.get_or_init(|| match PostgresServer::start() {
            Ok(server) => server,
            Err(e) => panic!("{e}"),
        })
    }

    /// Starts a server tuned for tests: durability off (no fsync), which is what a test wants and
    /// a benchmark must not use.
    pub fn start() -> Result<PostgresServer> {
        PostgresServer::start_with(false)
    }

    /// Starts a server with fsync and synchronous commit on, as in production (for benchmarks).
    pub fn start_durable() -> Result<PostgresServer> {
        PostgresServer::start_with(true)
    }

    fn start_with(durable: bool) -> Result<PostgresServer> {
        let bindir = find_bindir()?;
        let dir = tempfile::Builder::new()
            .prefix("plateau-pg-")
            .tempdir()?
            .keep();
        let run_as = postgres_user_if_root()?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
        }
        let data = dir.join("data");
        let out = command(&bindir.join("initdb"), run_as, &dir)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg("-D")
            .arg(&data)
            .output()?;
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(HarnessError::Failed(format!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }

        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let mut wrapper = command(Path::new("/bin/sh"), run_as, &dir)
                .arg("-c")
                .arg(WRAPPER)
                .arg("plateau-pg")
                .arg(&bindir)
                .arg(&data)
                .arg(&dir)
                .arg(port.to_string())
                .arg(if durable { "on" } else { "off" })
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?;
            let guard = wrapper.stdin.take();
            match wait_ready(&bindir, port, &mut wrapper) {
                Ok(()) => {
                    return Ok(PostgresServer {
                        port,
                        bindir,
                        dir,
                        run_as,
                        guard,
                        wrapper,
                        next_db: AtomicU32::new(0),
                    });
                }
                Err(e) => {
                    drop(guard);
                    let _ = wrapper.kill();
                    let _ = wrapper.wait();
                    last_error = e;
                    if !last_error.contains("could not bind") {
                        break;
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(HarnessError::Failed(format!(
            "the server did not start: {last_error}"
        )))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub fn create_database(&self) -> Result<String> {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let name = format!("plateau_{}_{n}", std::process::id());
        let out = Command::new(self.bindir.join("createdb"))
            .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(self.port.to_string())
            .arg(&name)
            .output()?;
        if !out.status.success() {
            return Err(HarnessError::Failed(format!(
                "createdb {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(self.url(&name))
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Closing the pipe tells the wrapper to stop the server and delete its directory.
        drop(self.guard.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.wrapper.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(None) = self.wrapper.try_wait() {
            let _ = command(&self.bindir.join("pg_ctl"), self.run_as, &self.dir)
                .args(["stop", "-m", "immediate", "-D"])
                .arg(self.dir.join("data"))
                .output();
            let _ = self.wrapper.kill();
            let _ = self.wrapper.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A command run as `run_as` (uid, gid) when given, from `cwd`.
fn command(program: &Path, run_as: Option<(u32, u32)>, cwd: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(cwd);
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid).env("HOME", cwd);
    }
    cmd
}

/// Polls `pg_isready` until the server accepts connections, the wrapper exits, or the deadline.
fn wait_ready(bindir: &Path, port: u16, wrapper: &mut Child) -> std::result::Result<(), String> {
    let deadline = Instant::now() + READY_DEADLINE;
    loop {
        if let Ok(Some(status)) = wrapper.try_wait() {
            let mut log = String::new();
            if let Some(mut stderr) = wrapper.stderr.take() {
                let _ = stderr.read_to_string(&mut log);
            }
            return Err(format!("postgres exited ({status}): {log}"));
        }
        let ready = Command::new(bindir.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-t", "1", "-p"])
            .arg(port.to_string())
            .status()
            .map_err(|e| format!("pg_isready: {e}"))?;
        if ready.success() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "not accepting connections on port {port} after {READY_DEADLINE:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin`, else `pg_config --bindir`.
fn find_bindir() -> Result<PathBuf> {
    find_bindir_in(Path::new("/usr/lib/postgresql"), "pg_config")
}

fn find_bindir_in(versions: &Path, pg_config: &str) -> Result<PathBuf> {
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir(versions)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    if let Some((_, bin)) = candidates.pop() {
        return Ok(bin);
    }
    let out = Command::new(pg_config).arg("--bindir").output();
    if let Ok(out) = out {
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && bin.join("postgres").exists() {
            return Ok(bin);
        }
    }
    Err(HarnessError::NotInstalled)
}

/// As root, the uid and gid of the `postgres` system user (the server will not run as root).
fn postgres_user_if_root() -> Result<Option<(u32, u32)>> {
    if std::fs::metadata("/proc/self")?.uid() != 0 {
        return Ok(None);
    }
    let id = |flag: &str| -> Result<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output()?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                HarnessError::Failed(
                    "running as root and there is no `postgres` user to run the server as"
                        .to_owned(),
                )
            })
    };
    Ok(Some((id("-u")?, id("-g")?)))
}

/// A port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_postgresql_is_an_error_that_says_what_to_install() {
        let err = find_bindir_in(
            Path::new("/nonexistent/postgresql"),
            "/nonexistent/pg_config",
        )
        .unwrap_err();
        assert!(matches!(err, HarnessError::NotInstalled));
        assert!(err.to_string().contains("install the `postgresql` package"));
    }

    #[test]
    fn the_newest_installed_version_is_chosen() {
        let root = tempfile::tempdir().unwrap();
        for version in ["9", "15", "13", "not-a-version"] {
            let bin = root.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("postgres"), "").unwrap();
        }
        let found = find_bindir_in(root.path(), "/nonexistent/pg_config").unwrap();
        assert_eq!(found, root.path().join("15").join("bin"));
    }
}
