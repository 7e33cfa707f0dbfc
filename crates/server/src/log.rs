//! The interaction log's writer: one task that takes [`LogEntry`]s from the whole server through
//! a bounded channel and commits them to the store in batches.
//!
//! ```text
//! switchboard ──try_log / try_log_acked──▶ [bounded queue] ──▶ writer task ──▶ store
//!      ▲                                                           │  one transaction per
//!      └──────────── LogAck resolves once the batch is committed ◀─┘  tenant and batch
//! ```
//!
//! - **Batching.** The writer takes the first waiting entry, then whatever arrives within
//!   [`WriterConfig::max_delay`] (5 ms) up to [`WriterConfig::max_rows`] (500 rows), and writes
//!   them with one [`store::TenantStore::append_log`] per tenant (plus one
//!   [`store::TenantStore::upsert_registrations`] when bindings came). Order is kept: entries
//!   are written in the order they were queued, so an interaction's events keep theirs.
//! - **Acks.** An entry sent with [`LogWriter::try_log_acked`] comes with a [`LogAck`] that
//!   resolves after the entry's transaction committed: the switchboard sends the 200 OK to a
//!   BYE only then, which is what makes "kill -9 loses no completed interaction" true.
//! - **Failures.** A failed write is retried with backoff (50 ms doubling to 5 s) and its
//!   entries kept; each failure counts in `plateau_log_errors_total`. When the store refuses a
//!   batch for its content (an event naming an unknown interaction, a duplicate id...), the
//!   batch is written entry by entry so only the faulty entry is refused: it is logged, counted
//!   in `plateau_log_rejected_total`, and its ack says why. Database errors (connection lost,
//!   locked, I/O) are taken as passing and retried without limit while the server runs: the
//!   log stalls visibly (metrics, warnings) rather than losing anything.
//! - **Back-pressure.** The queue is bounded ([`crate::config::LimitsConfig::log_queue`]); a
//!   sender that finds it full gets its entry back ([`LogSendError::Full`]), the failure is
//!   counted (`plateau_log_full_total`), and the caller decides (the switchboard refuses new
//!   calls rather than lose an ended one).
//! - **Live events.** After each commit, the batch's interaction and agent events are
//!   published to [`crate::events::Hub`] ([`WriterConfig::hub`]) for the pages' sockets.
//! - **Shutdown.** On the stop token the writer closes its queue, writes everything queued, and
//!   ends with a [`WriterReport`]. A store still failing [`WriterConfig::flush_timeout`] after
//!   the stop makes it give up; the rows left unwritten are logged as lost and reported.

mod entry;
mod writer;

pub use entry::{LogAck, LogEntry, LogRejected, LogSendError};
pub use writer::{LogWriter, WriterConfig, WriterReport, spawn};

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix milliseconds of `at`, the store's time unit (0 for times before 1970).
pub fn unix_ms(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    })
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    unix_ms(SystemTime::now())
}
