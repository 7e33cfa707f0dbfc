//! A caller's number never reaches the logs, not even through the entry the interaction-log
//! writer refuses and logs.
//!
//! Alone in its test binary on purpose: `tracing` caches each callsite's interest globally, so a
//! thread-local subscriber set here could miss events that another test thread registered first.

use std::io::Write;
use std::sync::{Arc, Mutex};

use plateau::log::{LogEntry, LogRejected, WriterConfig};
use plateau::metrics::Metrics;
use store::{InteractionId, NewInteraction, Store};
use tokio_util::sync::CancellationToken;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("test setup").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_callers_number_never_appears_in_the_logs() {
    const CALLER: &str = "+33698765432";
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    // The test's runtime is single-threaded: the writer task logs on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().expect("test setup");
    let url = format!("sqlite://{}", dir.path().join("plateau.db").display());
    let store = Store::open(&url).await.expect("test setup");
    let tenant = store
        .create_tenant("A", "a", 0)
        .await
        .expect("test setup")
        .id;
    let stop = CancellationToken::new();
    let (writer, _task) = plateau::log::spawn(store, WriterConfig::default(), Metrics::new(), stop);
    let id = InteractionId::from_parts(1, 1);
    let arrival = LogEntry::Interaction {
        tenant,
        interaction: NewInteraction::inbound_call(id, CALLER, "+33100000000", 1),
    };
    tracing::info!(caller = %plateau::redact::phone(CALLER), entry = ?arrival, "call arrived");
    writer
        .try_log_acked(arrival.clone())
        .unwrap()
        .await
        .unwrap();
    // The same interaction again is refused, and the writer logs the entry it refused.
    let refused = writer.try_log_acked(arrival).unwrap().await;
    assert!(matches!(refused, Err(LogRejected::Refused(_))));

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("call arrived"), "{text}");
    assert!(text.contains("interaction log entry refused"), "{text}");
    assert!(text.contains("***32"), "{text}");
    assert!(!text.contains("98765432"), "{text}");
}
