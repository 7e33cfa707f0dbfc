//! The writer task and its handle (see the module documentation of [`crate::log`]).

use std::collections::HashMap;
use std::time::Duration;

use store::{LogBatch, NewRegistration, Store, TenantId, TenantStore};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::entry::{LogAck, LogEntry, LogRejected, LogSendError};
use crate::events::{Hub, Tracker};
use crate::metrics::Metrics;

/// How the writer batches and gives up.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Entries that may wait in the queue.
    pub capacity: usize,
    /// Rows per batch at most.
    pub max_rows: usize,
    /// How long the first entry of a batch waits for others.
    pub max_delay: Duration,
    /// After the stop, how long a failing store is retried before the rest is given up.
    pub flush_timeout: Duration,
    /// Where committed interaction and agent events are published live (`None`: nowhere).
    pub hub: Option<Hub>,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            capacity: 65_536,
            max_rows: 500,
            max_delay: Duration::from_millis(5),
            flush_timeout: Duration::from_secs(10),
            hub: None,
        }
    }
}

/// What the writer did, returned when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterReport {
    /// Transactions committed.
    pub batches: u64,
    /// Rows committed.
    pub rows: u64,
    /// Rows the store refused.
    pub rejected: u64,
    /// Rows given up at shutdown because the store kept failing.
    pub lost: u64,
}

/// Sends entries to the writer; cheap to clone. The writer ends once its stop token is
/// cancelled (or every handle is dropped) and the queue is written out.
#[derive(Debug, Clone)]
pub struct LogWriter {
    queue: mpsc::Sender<Pending>,
    metrics: Metrics,
}

/// An entry and whoever waits for it to be durable.
struct Pending {
    entry: LogEntry,
    ack: Option<oneshot::Sender<Result<(), LogRejected>>>,
}

impl LogWriter {
    /// Queues an entry without waiting; [`LogSendError::Full`] when the queue is full.
    pub fn try_log(&self, entry: LogEntry) -> Result<(), LogSendError> {
        self.try_queue(Pending { entry, ack: None })
    }

    /// Queues an entry without waiting; the [`LogAck`] resolves once it is committed.
    pub fn try_log_acked(&self, entry: LogEntry) -> Result<LogAck, LogSendError> {
        let (ack, receiver) = oneshot::channel();
        self.try_queue(Pending {
            entry,
            ack: Some(ack),
        })?;
        Ok(LogAck(receiver))
    }

    /// Queues an entry, waiting for room (for callers that may wait, such as the HTTP API).
    pub async fn log(&self, entry: LogEntry) -> Result<(), LogSendError> {
        self.queue
            .send(Pending { entry, ack: None })
            .await
            .map_err(|e| LogSendError::Closed(e.0.entry))
    }

    /// [`LogWriter::log`] with an ack.
    pub async fn log_acked(&self, entry: LogEntry) -> Result<LogAck, LogSendError> {
        let (ack, receiver) = oneshot::channel();
        self.queue
            .send(Pending {
                entry,
                ack: Some(ack),
            })
            .await
            .map_err(|e| LogSendError::Closed(e.0.entry))?;
        Ok(LogAck(receiver))
    }

    /// Entries waiting to be written.
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    fn try_queue(&self, pending: Pending) -> Result<(), LogSendError> {
        self.queue.try_send(pending).map_err(|e| match e {
            mpsc::error::TrySendError::Full(p) => {
                self.metrics.log_full();
                LogSendError::Full(p.entry)
            }
            mpsc::error::TrySendError::Closed(p) => LogSendError::Closed(p.entry),
        })
    }
}

/// Starts the writer task on the current tokio runtime.
pub fn spawn(
    store: Store,
    config: WriterConfig,
    metrics: Metrics,
    stop: CancellationToken,
) -> (LogWriter, JoinHandle<WriterReport>) {
    let (queue, receiver) = mpsc::channel(config.capacity.max(1));
    let writer = LogWriter {
        queue,
        metrics: metrics.clone(),
    };
    let task = Writer {
        store,
        config,
        metrics,
        stop,
        give_up_at: None,
        tenants: HashMap::new(),
        tracker: Tracker::default(),
        report: WriterReport::default(),
    };
    (writer, tokio::spawn(task.run(receiver)))
}

struct Writer {
    store: Store,
    config: WriterConfig,
    metrics: Metrics,
    stop: CancellationToken,
    /// Set when the stop is first seen while the store fails.
    give_up_at: Option<Instant>,
    tenants: HashMap<TenantId, TenantStore>,
    /// What the live events need beyond each row (a call's queue and agent, extensions).
    tracker: Tracker,
    report: WriterReport,
}

/// What one attempt at a write came to.
enum Outcome {
    Committed,
    /// The content is at fault: retrying the same rows cannot succeed.
    Refused(store::Error),
    /// Retried until the flush timeout ran out.
    GaveUp,
}

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

impl Writer {
    async fn run(mut self, mut queue: mpsc::Receiver<Pending>) -> WriterReport {
        loop {
            let first = tokio::select! {
                biased;
                pending = queue.recv() => pending,
                () = self.stop.cancelled() => {
                    // No more senders get in; what is queued is still received below.
                    queue.close();
                    queue.recv().await
                }
            };
            let Some(first) = first else { break };
            let batch = self.gather(first, &mut queue).await;
            self.write(batch).await;
        }
        tracing::info!(
            batches = self.report.batches,
            rows = self.report.rows,
            rejected = self.report.rejected,
            lost = self.report.lost,
            "interaction log flushed"
        );
        self.report
    }

    /// The first entry and what follows it within the delay, up to the row limit.
    async fn gather(&self, first: Pending, queue: &mut mpsc::Receiver<Pending>) -> Vec<Pending> {
        let deadline = Instant::now() + self.config.max_delay;
        let mut rows = first.entry.rows();
        let mut batch = vec![first];
        while rows < self.config.max_rows {
            // Once stopping, take only what is already queued: nobody else is coming.
            let next = if self.stop.is_cancelled() {
                queue.try_recv().ok()
            } else {
                tokio::select! {
                    biased;
                    next = tokio::time::timeout_at(deadline, queue.recv()) => next.ok().flatten(),
                    () = self.stop.cancelled() => queue.try_recv().ok(),
                }
            };
            let Some(next) = next else { break };
            rows += next.entry.rows();
            batch.push(next);
        }
        batch
    }

    /// Writes a batch: per tenant, the log rows in one transaction and the bindings in
    /// another. Order within each tenant is kept.
    async fn write(&mut self, batch: Vec<Pending>) {
        let mut tenants: Vec<(TenantId, Vec<Pending>, Vec<Pending>)> = Vec::new();
        for pending in batch {
            let tenant = pending.entry.tenant();
            let index = match tenants.iter().position(|(t, _, _)| *t == tenant) {
                Some(index) => index,
                None => {
                    tenants.push((tenant, Vec::new(), Vec::new()));
                    tenants.len() - 1
                }
            };
            let (_, log, bindings) = &mut tenants[index];
            match pending.entry {
                LogEntry::Registrations { .. } => bindings.push(pending),
                _ => log.push(pending),
            }
        }
        for (tenant, log, bindings) in tenants {
            for group in [log, bindings] {
                if !group.is_empty() {
                    self.write_group(tenant, group).await;
                }
            }
        }
    }

    /// Writes entries of one tenant and one kind (log rows, or bindings) in one transaction;
    /// if the store refuses their content, one by one so only the faulty entry is refused.
    async fn write_group(&mut self, tenant: TenantId, mut group: Vec<Pending>) {
        match self.commit_with_retry(tenant, &group).await {
            Outcome::Committed => {
                let rows: usize = group.iter().map(|p| p.entry.rows()).sum();
                self.report.batches += 1;
                self.report.rows += rows as u64;
                self.metrics.log_committed(rows as u64);
                // Acks first: a SIP response waiting on durability must not also wait for the
                // hub's extension lookups.
                for pending in &mut group {
                    if let Some(ack) = pending.ack.take() {
                        let _ = ack.send(Ok(()));
                    }
                }
                self.publish(tenant, &group).await;
            }
            Outcome::Refused(error) if group.len() > 1 => {
                tracing::debug!(%error, entries = group.len(), "batch refused; writing its entries one by one");
                for pending in group {
                    Box::pin(self.write_group(tenant, vec![pending])).await;
                }
            }
            Outcome::Refused(error) => {
                for pending in group {
                    tracing::warn!(entry = ?pending.entry, %error, "interaction log entry refused");
                    self.report.rejected += pending.entry.rows() as u64;
                    self.metrics.log_rejected(pending.entry.rows() as u64);
                    if let Some(ack) = pending.ack {
                        let _ = ack.send(Err(LogRejected::Refused(error.to_string())));
                    }
                }
            }
            Outcome::GaveUp => {
                let rows: usize = group.iter().map(|p| p.entry.rows()).sum();
                tracing::error!(
                    rows,
                    "store still failing after the shutdown's flush timeout: rows lost"
                );
                self.report.lost += rows as u64;
                // Dropping the acks tells their waiters the rows were not written.
            }
        }
    }

    async fn commit_with_retry(&mut self, tenant: TenantId, group: &[Pending]) -> Outcome {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 1u32;
        loop {
            let error = match self.commit(tenant, group).await {
                Ok(()) => return Outcome::Committed,
                Err(error) if !is_transient(&error) => return Outcome::Refused(error),
                Err(error) => error,
            };
            self.metrics.log_write_failed();
            tracing::warn!(%error, attempt, retry_in = ?backoff, "interaction log write failed");
            if self.stop.is_cancelled() {
                let give_up_at = *self
                    .give_up_at
                    .get_or_insert_with(|| Instant::now() + self.config.flush_timeout);
                if Instant::now() + backoff > give_up_at {
                    return Outcome::GaveUp;
                }
                tokio::time::sleep(backoff).await;
            } else {
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = self.stop.cancelled() => {}
                }
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            attempt = attempt.saturating_add(1);
        }
    }

    async fn commit(&mut self, tenant: TenantId, group: &[Pending]) -> store::Result<()> {
        let store = self.tenant(tenant).await?;
        let mut batch = LogBatch::default();
        let mut bindings: Vec<NewRegistration> = Vec::new();
        for pending in group {
            match &pending.entry {
                LogEntry::Interaction { interaction, .. } => {
                    batch.interactions.push(interaction.clone());
                }
                LogEntry::Event { event, .. } => batch.events.push(event.clone()),
                LogEntry::AgentEvent { event, .. } => batch.agent_events.push(event.clone()),
                LogEntry::Registrations { bindings: b, .. } => bindings.extend(b.iter().cloned()),
            }
        }
        if !batch.is_empty() {
            store.append_log(&batch).await?;
        }
        if !bindings.is_empty() {
            store
                .upsert_registrations(&bindings, super::now_ms())
                .await?;
        }
        Ok(())
    }

    /// Publishes a committed group's events to the hub (after the commit: pages never show
    /// what a crash could take back). Extensions missing from the tracker are read from the
    /// store once; a failed read only leaves the event without its extension.
    async fn publish(&mut self, tenant: TenantId, group: &[Pending]) {
        let Some(hub) = self.config.hub.clone() else {
            return;
        };
        let entries = || group.iter().map(|p| &p.entry);
        if hub.subscribers() > 0 {
            for user in self.tracker.missing_extensions(tenant, entries()) {
                let found = match self.tenant(tenant).await {
                    Ok(store) => store.user(user).await,
                    Err(error) => Err(error),
                };
                match found {
                    Ok(found) => {
                        let extension = found.and_then(|u| u.extension);
                        self.tracker.learn_extension(tenant, user, extension);
                    }
                    Err(error) => tracing::debug!(%error, "agent extension not read"),
                }
            }
        }
        for entry in entries() {
            if let Some(event) = self.tracker.live_event(tenant, entry) {
                hub.publish_event(tenant, event);
            }
        }
    }

    async fn tenant(&mut self, tenant: TenantId) -> store::Result<TenantStore> {
        if let Some(store) = self.tenants.get(&tenant) {
            return Ok(store.clone());
        }
        let store = self.store.tenant(tenant).await?;
        self.tenants.insert(tenant, store.clone());
        Ok(store)
    }
}

/// Database errors (lost connection, lock, I/O) may pass; every other store error is about
/// the rows themselves.
fn is_transient(error: &store::Error) -> bool {
    matches!(error, store::Error::Database(_))
}
