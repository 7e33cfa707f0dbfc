//! `plateau serve --config plateau.toml [--database-url URL]`, and the start and stop both
//! `serve` and `demo` go through.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use plateau::config::Config;
use plateau::launch::{LaunchError, Listeners, Running, launch};
use plateau::shutdown::{self, Shutdown};

/// Arguments of `plateau serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (see plateau.example.toml).
    #[arg(long, short)]
    config: PathBuf,
    /// The database, overriding the file's `database_url`
    /// (`postgres://user@host/db` or `sqlite:///path/plateau.db`).
    #[arg(long)]
    database_url: Option<String>,
}

/// Loads the configuration, then runs until stopped.
pub fn run(args: &Args) -> ExitCode {
    let mut config = match Config::load(&args.config) {
        Ok(config) => config,
        Err(error) => return config_error(&args.config, &error),
    };
    if let Some(url) = &args.database_url {
        config.database_url = Some(url.clone());
        if let Err(error) = config.validate() {
            return config_error(&args.config, &error);
        }
    }
    super::runtime(async move {
        match start(config).await {
            Ok(running) => finish(running).await,
            Err(error) => fail(&error),
        }
    })
}

fn config_error(path: &std::path::Path, error: &dyn std::fmt::Display) -> ExitCode {
    let _ = writeln!(io::stderr(), "plateau: {}: {error}", path.display());
    ExitCode::from(2)
}

/// Binds, launches with the control plane of [`super::control_plane`], watches SIGTERM and
/// SIGINT, and prints `listening sip_udp=... sip_tcp=... http=...` on stdout.
pub async fn start(config: Config) -> Result<Running, LaunchError> {
    let listeners = Listeners::bind(&config).await?;
    let shutdown = Shutdown::new();
    shutdown::watch_signals(shutdown.clone()).map_err(|source| LaunchError::Io {
        what: "watching signals".to_owned(),
        source,
    })?;
    let running = launch(config, listeners, shutdown, super::control_plane()).await?;
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "listening {}", running.addresses());
    let _ = out.flush();
    Ok(running)
}

/// Waits for the stop; exit status 0 after a clean drain.
pub async fn finish(running: Running) -> ExitCode {
    match running.join().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// Reports a failure to start or run.
pub fn fail(error: &LaunchError) -> ExitCode {
    tracing::error!(%error, "plateau failed");
    let _ = writeln!(io::stderr(), "plateau: {error}");
    ExitCode::FAILURE
}
