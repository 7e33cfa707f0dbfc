//! Asking the server to stop, and the operating system's signals that do it.
//!
//! A [`Shutdown`] is the request: SIGTERM or SIGINT ([`watch_signals`]), a test, or anything
//! else holding a clone calls [`Shutdown::request`]. What happens next is
//! [`crate::launch::Running::join`]'s sequence: the control plane drains (new calls get 503,
//! calls in progress may finish until the drain timeout), HTTP stops, the interaction log is
//! flushed, and the process exits 0. A second signal while draining exits at once with status
//! 130, for an operator who does not want to wait.

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A request to stop, shared by everything that may make or watch it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
}

impl Shutdown {
    /// A request not made yet.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks the server to drain and stop (idempotent).
    pub fn request(&self) {
        self.token.cancel();
    }

    /// Whether the request was made.
    pub fn is_requested(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes once the request is made.
    pub async fn requested(&self) {
        self.token.cancelled().await;
    }
}

/// Turns the first SIGTERM or SIGINT into [`Shutdown::request`]; a second one exits the process
/// at once (status 130). Needs a tokio runtime with signal handling (the default one).
pub fn watch_signals(shutdown: Shutdown) -> std::io::Result<JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::spawn(async move {
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "stopping: draining calls");
        shutdown.request();
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::warn!(signal = name, "second signal: exiting without draining");
        std::process::exit(130);
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_wakes_every_clone() {
        let shutdown = Shutdown::new();
        let watcher = shutdown.clone();
        let waiting = tokio::spawn(async move { watcher.requested().await });
        assert!(!shutdown.is_requested());
        shutdown.request();
        waiting.await.unwrap();
        assert!(shutdown.is_requested());
    }
}
