//! Starting the server on sockets the caller bound, and stopping it in order.
//!
//! ```no_run
//! # async fn run() -> Result<(), plateau::launch::LaunchError> {
//! use plateau::config::Config;
//! use plateau::control::Offline;
//! use plateau::launch::{Listeners, launch};
//! use plateau::shutdown::Shutdown;
//!
//! let config = Config::default();
//! let listeners = Listeners::bind(&config).await?; // port 0 in tests: read the addresses back
//! let shutdown = Shutdown::new();
//! let running = launch(config, listeners, shutdown.clone(), Offline).await?;
//! println!("listening {}", running.addresses());
//! shutdown.request(); // or SIGTERM through plateau::shutdown::watch_signals
//! running.join().await?;
//! # Ok(()) }
//! ```
//!
//! [`launch`] prepares the prompts, opens the store (applying migrations), closes the interactions a crash left open
//! (`ended{cause: server_stopped}`), starts the log writer, the control plane and the HTTP
//! server. [`Running::join`] waits for the shutdown request, then: `/healthz` turns 503, the
//! control plane drains (calls in progress may finish until `drain_timeout`, the rest are cut)
//! and stops, HTTP stops, the log writer writes out its queue, and the store is closed.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use store::{EndCause, Store};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, ConfigError};
use crate::control::{ControlContext, ControlHandle, ControlPlane, ControlTask, DrainReport};
use crate::http::{self, ApiState};
use crate::log::{self, LogWriter, WriterConfig, WriterReport};
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;

/// Commands the control plane may have waiting (API requests and the drain).
const CONTROL_QUEUE: usize = 1_024;

/// How long the stop waits for each part past its own deadline before moving on.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Why the server could not start, or stopped on a failure.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The settings are invalid.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// A socket or directory could not be set up.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: io::Error,
    },
    /// The database could not be opened, migrated or read.
    #[error("database: {0}")]
    Store(#[from] store::Error),
    /// The prompts could not be prepared.
    #[error("prompts: {0}")]
    Prompts(String),
    /// An IVR flow does not load.
    #[error("IVR flow: {0}")]
    Flow(String),
    /// The control plane failed to start.
    #[error("control plane failed to start: {0}")]
    Control(String),
    /// A part stopped by itself while the server was running.
    #[error("{0} stopped unexpectedly")]
    Stopped(String),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> LaunchError {
    let what = what.into();
    move |source| LaunchError::Io { what, source }
}

/// The sockets the server runs on, bound before [`launch`] so a test can ask for port 0.
#[derive(Debug)]
pub struct Listeners {
    /// SIP over UDP.
    pub sip_udp: UdpSocket,
    /// SIP over TCP.
    pub sip_tcp: TcpListener,
    /// The HTTP API.
    pub http: TcpListener,
}

impl Listeners {
    /// Binds the addresses of `config`. When both SIP ports are 0, TCP tries to take the port
    /// UDP got, so one number serves both (as 5060 does).
    pub async fn bind(config: &Config) -> Result<Listeners, LaunchError> {
        let sip = &config.sip;
        let sip_udp = UdpSocket::bind((sip.bind, sip.udp_port))
            .await
            .map_err(io_error(format!(
                "binding SIP UDP {}",
                SocketAddr::new(sip.bind, sip.udp_port)
            )))?;
        let sip_tcp = if sip.udp_port == 0 && sip.tcp_port == 0 {
            let port = sip_udp
                .local_addr()
                .map_err(io_error("reading the SIP UDP address"))?
                .port();
            match TcpListener::bind((sip.bind, port)).await {
                Ok(listener) => listener,
                Err(_) => bind_tcp(sip.bind, 0, "SIP TCP").await?,
            }
        } else {
            bind_tcp(sip.bind, sip.tcp_port, "SIP TCP").await?
        };
        let http = bind_tcp(config.http.bind, config.http.port, "HTTP").await?;
        Ok(Listeners {
            sip_udp,
            sip_tcp,
            http,
        })
    }

    /// The addresses bound.
    pub fn addresses(&self) -> Result<BoundAddresses, LaunchError> {
        Ok(BoundAddresses {
            sip_udp: self
                .sip_udp
                .local_addr()
                .map_err(io_error("reading the SIP UDP address"))?,
            sip_tcp: self
                .sip_tcp
                .local_addr()
                .map_err(io_error("reading the SIP TCP address"))?,
            http: self
                .http
                .local_addr()
                .map_err(io_error("reading the HTTP address"))?,
        })
    }
}

async fn bind_tcp(ip: IpAddr, port: u16, what: &str) -> Result<TcpListener, LaunchError> {
    TcpListener::bind((ip, port))
        .await
        .map_err(io_error(format!(
            "binding {what} {}",
            SocketAddr::new(ip, port)
        )))
}

/// Where the server listens. Displays as `sip_udp=A sip_tcp=B http=C`, the line `plateau`
/// prints at start for scripts and tests to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundAddresses {
    /// SIP over UDP.
    pub sip_udp: SocketAddr,
    /// SIP over TCP.
    pub sip_tcp: SocketAddr,
    /// HTTP.
    pub http: SocketAddr,
}

impl fmt::Display for BoundAddresses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sip_udp={} sip_tcp={} http={}",
            self.sip_udp, self.sip_tcp, self.http
        )
    }
}

/// What a clean stop did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopReport {
    /// The control plane's drain (`None` if it did not answer).
    pub drain: Option<DrainReport>,
    /// The log writer's totals.
    pub log: WriterReport,
}

/// A started server.
#[derive(Debug)]
pub struct Running {
    addresses: BoundAddresses,
    store: Store,
    metrics: Metrics,
    log: LogWriter,
    control: ControlHandle,
    config: Arc<Config>,
    shutdown: Shutdown,
    draining: Arc<AtomicBool>,
    stop_serving: CancellationToken,
    stop_log: CancellationToken,
    control_task: ControlTask,
    http_task: JoinHandle<io::Result<()>>,
    log_task: JoinHandle<WriterReport>,
}

/// Starts the server on `listeners` with the control plane `control`; see the module doc.
pub async fn launch<C: ControlPlane>(
    config: Config,
    listeners: Listeners,
    shutdown: Shutdown,
    control: C,
) -> Result<Running, LaunchError> {
    config.validate()?;
    let addresses = listeners.addresses()?;
    let config = Arc::new(config);
    if config.database_url.is_none() {
        create_dir(&config.data_dir, "data directory").await?;
    }
    create_dir(&config.recordings_dir(), "recordings directory").await?;
    prepare_prompts(&config).await?;

    let store = Store::open(&config.database_url()).await?;
    tracing::info!(backend = ?store.backend(), "database open");
    close_interrupted_calls(&store).await?;

    let metrics = Metrics::new();
    let stop_serving = CancellationToken::new();
    let stop_log = CancellationToken::new();
    let hub = crate::events::Hub::default();
    // Subscribed before anything is logged, so the floor's days miss no event.
    let floor = crate::floor::Floor::spawn(
        store.clone(),
        &hub,
        config.floor.clone(),
        stop_serving.clone(),
    );
    let (log, log_task) = log::spawn(
        store.clone(),
        WriterConfig {
            capacity: config.limits.log_queue,
            hub: Some(hub.clone()),
            ..WriterConfig::default()
        },
        metrics.clone(),
        stop_log.clone(),
    );

    let (control_handle, commands) = ControlHandle::channel(CONTROL_QUEUE);
    let context = ControlContext {
        config: Arc::clone(&config),
        store: store.clone(),
        log: log.clone(),
        metrics: metrics.clone(),
        sip_udp: listeners.sip_udp,
        sip_tcp: listeners.sip_tcp,
        commands,
        stop: stop_serving.clone(),
    };
    let control_task = match control.start(context).await {
        Ok(task) => task,
        Err(error) => {
            stop_log.cancel();
            let _ = log_task.await;
            store.close().await;
            return Err(LaunchError::Control(error.to_string()));
        }
    };

    let webphone = if config.webrtc.enabled {
        let (webphone, _task, _media) =
            crate::webphone::spawn(&config.webrtc, control_handle.clone(), stop_serving.clone())
                .await
                .map_err(io_error("binding the browser phone's media socket"))?;
        webphone
    } else {
        crate::webphone::WebPhone::disabled()
    };
    let draining = Arc::new(AtomicBool::new(false));
    let router = http::router(ApiState {
        store: store.clone(),
        control: control_handle.clone(),
        config: Arc::clone(&config),
        metrics: metrics.clone(),
        draining: Arc::clone(&draining),
        webphone,
        hub: hub.clone(),
        floor: floor.clone(),
    });
    floor.publish_every_second(
        store.clone(),
        control_handle.clone(),
        hub.clone(),
        stop_serving.clone(),
    );
    let http_stop = stop_serving.clone();
    let http_task = tokio::spawn(async move {
        axum::serve(
            listeners.http,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(http_stop.cancelled_owned())
        .await
    });
    tracing::info!(%addresses, "plateau started");

    Ok(Running {
        addresses,
        store,
        metrics,
        log,
        control: control_handle,
        config,
        shutdown,
        draining,
        stop_serving,
        stop_log,
        control_task,
        http_task,
        log_task,
    })
}

async fn create_dir(dir: &std::path::Path, what: &str) -> Result<(), LaunchError> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(io_error(format!("creating the {what} {}", dir.display())))
}

/// Makes the prompts missing from `<data_dir>/prompts` (espeak-ng or the bundled ones).
async fn prepare_prompts(config: &Config) -> Result<(), LaunchError> {
    let data_dir = config.data_dir.clone();
    let languages = config.prompts.languages();
    let source = config.prompts.source.to_media();
    let installed = tokio::task::spawn_blocking(move || {
        crate::media::prompts::install(&data_dir, &languages, source)
    })
    .await
    .map_err(|e| LaunchError::Prompts(e.to_string()))?
    .map_err(|e| LaunchError::Prompts(e.to_string()))?;
    if installed.synthesized + installed.copied > 0 {
        tracing::info!(
            synthesized = installed.synthesized,
            copied = installed.copied,
            present = installed.present,
            "prompts prepared"
        );
    }
    Ok(())
}

/// Ends the interactions a previous run left open: it stopped or died during them.
async fn close_interrupted_calls(store: &Store) -> Result<(), LaunchError> {
    let now = log::now_ms();
    let mut closed = 0;
    for tenant in store.tenants().await? {
        let ended = store
            .tenant(tenant.id)
            .await?
            .close_open_interactions(now, EndCause::ServerStopped)
            .await?;
        for id in &ended {
            tracing::info!(interaction = %id, tenant = tenant.id.0, "closed a call left open by the previous run");
        }
        closed += ended.len();
    }
    if closed > 0 {
        tracing::warn!(
            calls = closed,
            "calls were up when the server last stopped; logged as ended (server_stopped)"
        );
    }
    Ok(())
}

impl Running {
    /// Where it listens.
    pub fn addresses(&self) -> BoundAddresses {
        self.addresses
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The interaction-log writer.
    pub fn log_writer(&self) -> &LogWriter {
        &self.log
    }

    /// The control plane's handle.
    pub fn control(&self) -> &ControlHandle {
        &self.control
    }

    /// The settings it runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Requests the shutdown and waits for it.
    pub async fn shutdown(self) -> Result<StopReport, LaunchError> {
        self.shutdown.request();
        self.join().await
    }

    /// Runs until the shutdown is requested (or a part fails), then stops in order; see the
    /// module doc. A part that stopped by itself is reported as an error after the rest has
    /// been stopped and the log flushed.
    pub async fn join(mut self) -> Result<StopReport, LaunchError> {
        let mut failure = tokio::select! {
            () = self.shutdown.requested() => None,
            result = &mut self.control_task => {
                let why = match result {
                    Ok(Ok(())) => "control plane".to_owned(),
                    Ok(Err(error)) => format!("control plane ({error})"),
                    Err(error) => format!("control plane ({error})"),
                };
                Some(why)
            }
            result = &mut self.http_task => {
                let why = match result {
                    Ok(Ok(())) => "HTTP server".to_owned(),
                    Ok(Err(error)) => format!("HTTP server ({error})"),
                    Err(error) => format!("HTTP server ({error})"),
                };
                Some(why)
            }
        };
        if let Some(why) = &failure {
            tracing::error!(part = %why, "stopped unexpectedly; shutting down");
        }

        self.draining.store(true, Ordering::Relaxed);
        let drain = if self.control_task.is_finished() {
            None
        } else {
            let deadline = Instant::now() + self.config.drain_timeout;
            tracing::info!(timeout = ?self.config.drain_timeout, "draining calls");
            match self.control.drain(deadline, STOP_GRACE).await {
                Ok(report) => {
                    for id in &report.cut {
                        tracing::info!(interaction = %id, "call cut at the drain deadline");
                    }
                    tracing::info!(
                        finished = report.finished.len(),
                        cut = report.cut.len(),
                        "drained"
                    );
                    Some(report)
                }
                Err(error) => {
                    tracing::warn!(%error, "the control plane did not report its drain");
                    None
                }
            }
        };

        self.stop_serving.cancel();
        if !self.control_task.is_finished() {
            match tokio::time::timeout(STOP_GRACE, &mut self.control_task).await {
                Ok(Ok(Err(error))) => {
                    failure.get_or_insert(format!("control plane ({error})"));
                }
                Ok(_) => {}
                Err(_) => {
                    tracing::warn!("control plane did not stop in time; aborted");
                    self.control_task.abort();
                }
            }
        }
        if !self.http_task.is_finished()
            && tokio::time::timeout(STOP_GRACE, &mut self.http_task)
                .await
                .is_err()
        {
            tracing::warn!("HTTP connections still open at the stop; closed");
            self.http_task.abort();
        }

        drop(self.log);
        self.stop_log.cancel();
        let log = self.log_task.await.unwrap_or_else(|error| {
            tracing::error!(%error, "the log writer failed");
            WriterReport::default()
        });
        self.store.close().await;
        tracing::info!("stopped");
        match failure {
            Some(why) => Err(LaunchError::Stopped(why)),
            None => Ok(StopReport { drain, log }),
        }
    }
}
