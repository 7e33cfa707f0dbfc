//! The interaction-log writer over a real SQLite store in a temporary directory: batching,
//! acks after commit, order, refused entries, back-pressure, flush at stop. Redaction is in
//! `log_redaction.rs`, alone in its binary.

use std::time::Duration;

use plateau::log::{LogEntry, LogRejected, LogSendError, LogWriter, WriterConfig, WriterReport};
use plateau::metrics::Metrics;
use serde_json::json;
use store::{
    EndCause, EventKind, InteractionId, NewEvent, NewInteraction, NewRegistration, NewUser, Role,
    Store, TenantId, Transport,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

struct Setup {
    _dir: tempfile::TempDir,
    url: String,
    store: Store,
    tenant: TenantId,
    metrics: Metrics,
    stop: CancellationToken,
    writer: LogWriter,
    task: JoinHandle<WriterReport>,
}

async fn setup(config: WriterConfig) -> Setup {
    let dir = tempfile::tempdir().expect("test setup");
    let url = format!("sqlite://{}", dir.path().join("plateau.db").display());
    let store = Store::open(&url).await.expect("test setup");
    let tenant = store
        .create_tenant("A", "a", 0)
        .await
        .expect("test setup")
        .id;
    let metrics = Metrics::new();
    let stop = CancellationToken::new();
    let (writer, task) = plateau::log::spawn(store.clone(), config, metrics.clone(), stop.clone());
    Setup {
        _dir: dir,
        url,
        store,
        tenant,
        metrics,
        stop,
        writer,
        task,
    }
}

fn interaction(tenant: TenantId, id: InteractionId) -> LogEntry {
    LogEntry::Interaction {
        tenant,
        interaction: NewInteraction::inbound_call(id, "+33611111111", "+33100000000", 1),
    }
}

fn numbered(tenant: TenantId, id: InteractionId, n: u64) -> LogEntry {
    LogEntry::Event {
        tenant,
        event: NewEvent::new(id, 1, EventKind::Digit, json!({ "n": n })),
    }
}

#[tokio::test]
async fn many_entries_are_written_in_few_transactions() {
    let s = setup(WriterConfig::default()).await;
    let id = InteractionId::from_parts(1, 1);
    s.writer.try_log(interaction(s.tenant, id)).unwrap();
    for n in 0..999 {
        s.writer.try_log(numbered(s.tenant, id, n)).unwrap();
    }
    // On this single-threaded runtime the writer has not run yet: all 1,000 rows are queued.
    s.writer
        .try_log_acked(numbered(s.tenant, id, 999))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(s.metrics.log_rows(), 1_001);
    assert_eq!(s.metrics.log_batches(), 3, "500 + 500 + 1 rows");
    let stored = s
        .store
        .tenant(s.tenant)
        .await
        .unwrap()
        .events(id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1_000);
}

#[tokio::test]
async fn an_acked_event_is_in_the_database_for_another_connection() {
    let s = setup(WriterConfig::default()).await;
    let id = InteractionId::from_parts(5, 5);
    s.writer.try_log(interaction(s.tenant, id)).unwrap();
    let ack = s
        .writer
        .try_log_acked(LogEntry::Event {
            tenant: s.tenant,
            event: NewEvent::ended(id, 9, EndCause::CallerHangup),
        })
        .unwrap();
    ack.await.unwrap();

    // A fresh store on the same file, the writer's still open: what a restart would read.
    let fresh = Store::open(&s.url).await.unwrap();
    let events = fresh
        .tenant(s.tenant)
        .await
        .unwrap()
        .events(id)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Ended);
}

#[tokio::test]
async fn events_keep_their_order_per_interaction_across_batches() {
    let s = setup(WriterConfig {
        max_rows: 7,
        ..WriterConfig::default()
    })
    .await;
    let ids: Vec<InteractionId> = (1..=3).map(|r| InteractionId::from_parts(1, r)).collect();
    for &id in &ids {
        s.writer.try_log(interaction(s.tenant, id)).unwrap();
    }
    for n in 0..30 {
        for &id in &ids {
            s.writer.try_log(numbered(s.tenant, id, n)).unwrap();
        }
    }
    let last = s
        .writer
        .try_log_acked(numbered(s.tenant, ids[0], 30))
        .unwrap();
    last.await.unwrap();
    assert!(
        s.metrics.log_batches() > 10,
        "the small batches split the stream"
    );
    let tenant = s.store.tenant(s.tenant).await.unwrap();
    for &id in &ids {
        let ns: Vec<u64> = tenant
            .events(id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.data["n"].as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = (0..if id == ids[0] { 31 } else { 30 }).collect();
        assert_eq!(ns, expected);
    }
}

#[tokio::test]
async fn a_refused_entry_is_reported_and_the_rest_of_its_batch_is_written() {
    let s = setup(WriterConfig::default()).await;
    let good = InteractionId::from_parts(1, 1);
    let unknown = InteractionId::from_parts(1, 2);
    s.writer.try_log(interaction(s.tenant, good)).unwrap();
    let bad = s
        .writer
        .try_log_acked(numbered(s.tenant, unknown, 0))
        .unwrap();
    let fine = s.writer.try_log_acked(numbered(s.tenant, good, 1)).unwrap();

    assert!(matches!(bad.await, Err(LogRejected::Refused(_))));
    fine.await.unwrap();
    assert_eq!(s.metrics.log_rejected_rows(), 1);
    let tenant = s.store.tenant(s.tenant).await.unwrap();
    assert_eq!(tenant.events(good).await.unwrap().len(), 1);
}

#[tokio::test]
async fn registrations_are_persisted_with_an_ack() {
    let s = setup(WriterConfig::default()).await;
    let tenant = s.store.tenant(s.tenant).await.unwrap();
    let user = tenant
        .create_user(
            &NewUser {
                username: "ann".to_owned(),
                display_name: "Ann".to_owned(),
                role: Role::Agent,
                password: None,
                extension: Some("1001".to_owned()),
                sip: None,
                enabled: true,
            },
            0,
        )
        .await
        .unwrap();
    let binding = NewRegistration {
        user_id: user.id,
        aor: "sip:1001@plateau.local".to_owned(),
        contact: "sip:1001@192.168.1.20:5060".to_owned(),
        expires_at_ms: i64::MAX / 2,
        source: "127.0.0.1:40000".parse().unwrap(),
        transport: Transport::Udp,
        call_id: "c1".to_owned(),
        cseq: 1,
        instance: None,
        reg_id: None,
        user_agent: None,
    };
    s.writer
        .try_log_acked(LogEntry::Registrations {
            tenant: s.tenant,
            bindings: vec![binding.clone()],
        })
        .unwrap()
        .await
        .unwrap();
    let live = tenant
        .registrations("sip:1001@plateau.local", 0)
        .await
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].binding, binding);
}

#[tokio::test]
async fn a_full_queue_returns_the_entry_and_counts_it() {
    let s = setup(WriterConfig {
        capacity: 2,
        ..WriterConfig::default()
    })
    .await;
    let id = InteractionId::from_parts(1, 1);
    s.writer.try_log(interaction(s.tenant, id)).unwrap();
    s.writer.try_log(numbered(s.tenant, id, 0)).unwrap();
    // The writer has not run (single-threaded runtime, no await yet): the queue is full.
    let refused = s.writer.try_log(numbered(s.tenant, id, 1)).unwrap_err();
    assert!(matches!(refused, LogSendError::Full(_)));
    assert_eq!(refused.into_entry(), numbered(s.tenant, id, 1));
    assert_eq!(s.metrics.log_full_count(), 1);
}

#[tokio::test]
async fn everything_queued_is_written_at_the_stop() {
    let s = setup(WriterConfig {
        max_delay: Duration::from_secs(3_600),
        ..WriterConfig::default()
    })
    .await;
    let id = InteractionId::from_parts(1, 1);
    s.writer.try_log(interaction(s.tenant, id)).unwrap();
    for n in 0..10 {
        s.writer.try_log(numbered(s.tenant, id, n)).unwrap();
    }
    s.stop.cancel();
    let report = s.task.await.unwrap();
    assert_eq!(report.rows, 11);
    assert_eq!(report.lost, 0);
    let tenant = s.store.tenant(s.tenant).await.unwrap();
    assert_eq!(tenant.events(id).await.unwrap().len(), 10);
    assert!(matches!(
        s.writer.try_log(numbered(s.tenant, id, 11)),
        Err(LogSendError::Closed(_))
    ));
}

#[tokio::test]
async fn a_store_still_failing_after_the_stop_is_given_up_loudly() {
    let s = setup(WriterConfig {
        flush_timeout: Duration::from_millis(200),
        ..WriterConfig::default()
    })
    .await;
    let id = InteractionId::from_parts(1, 1);
    s.store.close().await;
    let ack = s.writer.try_log_acked(interaction(s.tenant, id)).unwrap();
    s.stop.cancel();
    let report = s.task.await.unwrap();
    assert_eq!(report.lost, 1);
    assert_eq!(report.rows, 0);
    assert!(s.metrics.log_errors() >= 1);
    assert_eq!(ack.await, Err(LogRejected::WriterStopped));
}
