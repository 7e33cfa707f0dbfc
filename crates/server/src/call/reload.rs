//! Reading the directory again, off the switchboard's task: every
//! [`REFRESH`](super::directory::REFRESH), and at once when the admin API asks
//! ([`crate::control::Command::Reload`]) after it changed a flow, a tenant's time zone, an
//! agent's skills or a queue's routing. The switchboard applies what was read between two
//! inputs and only then answers the askers, so an API request that returns has its change in
//! force for the next call.
//!
//! A flow swap leaves calls already in the IVR on the flow they started with (each session
//! holds its own `Arc<ivr::Flow>`); new calls take the new version.

use std::sync::Arc;
use std::time::Instant;

use media::prompt::PromptLibrary;
use store::Store;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::directory::{Directory, REFRESH};
use super::switchboard::Board;

/// Asks waiting for the next read: how many may queue before the switchboard drops one
/// (the asker then hears "unavailable").
const WAITING_ASKS: usize = 64;

/// Where the switchboard sends "read it again now" (with the sender to answer once applied).
pub(crate) type ReloadAsks = mpsc::Sender<oneshot::Sender<()>>;

/// A directory read again, and who waits for it to be applied.
#[derive(Debug)]
pub(crate) struct Refreshed {
    directory: Directory,
    waiting: Vec<oneshot::Sender<()>>,
}

/// Starts the task that reads the directory: every [`REFRESH`] and whenever asked.
pub(crate) fn spawn_refresh(
    store: Store,
    library: Arc<PromptLibrary>,
    domain: String,
    stop: CancellationToken,
) -> (ReloadAsks, mpsc::Receiver<Refreshed>) {
    let (asks, mut asked) = mpsc::channel::<oneshot::Sender<()>>(WAITING_ASKS);
    let (fresh, refreshes) = mpsc::channel(1);
    tokio::spawn(async move {
        loop {
            let mut waiting = Vec::new();
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(REFRESH) => {}
                Some(ask) = asked.recv() => waiting.push(ask),
            }
            // Asks that came meanwhile are served by the same read.
            while let Ok(ask) = asked.try_recv() {
                waiting.push(ask);
            }
            match Directory::load(&store, &library, &domain).await {
                Ok(directory) => {
                    if fresh.send(Refreshed { directory, waiting }).await.is_err() {
                        return;
                    }
                }
                // Dropping the askers' senders tells them it was not applied.
                Err(error) => tracing::warn!(%error, "reading the directory again failed"),
            }
        }
    });
    (asks, refreshes)
}

impl Board {
    /// The API asks for the directory to be read now.
    pub(crate) fn ask_reload(&mut self, reply: oneshot::Sender<()>) {
        if self.reloads.try_send(reply).is_err() {
            self.metrics.error("reload_busy");
            tracing::warn!("too many directory reloads waiting; one refused");
        }
    }

    /// Applies a directory read again, then tells those who waited for it.
    pub(crate) fn refreshed(&mut self, now: Instant, fresh: Refreshed) {
        let Refreshed { directory, waiting } = fresh;
        for (flow, version, loaded) in self.directory.flow_swaps(&directory) {
            if loaded {
                tracing::info!(
                    flow = flow.0,
                    version,
                    "flow swapped: new calls take this version"
                );
            } else {
                tracing::error!(
                    flow = flow.0,
                    version,
                    "the active flow version does not load; its numbers answer 480"
                );
            }
        }
        self.refresh(now, directory);
        self.pump(now);
        for reply in waiting {
            let _ = reply.send(());
        }
    }
}
