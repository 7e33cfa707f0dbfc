//! A call still open when the server stops is closed at the next launch, with a cause that
//! says the server stopped, and its CDR shows it.

mod http_support;

use http_support::{TestPlane, get, launch_with, make_tenant, test_config};
use plateau::log::LogEntry;
use store::{EndCause, EventKind, InteractionId, NewEvent, NewInteraction};

#[tokio::test]
async fn calls_left_open_are_ended_as_server_stopped_at_the_next_launch() {
    let dir = tempfile::tempdir().unwrap();
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    let tenant = a.store.id();
    let id = InteractionId::generate(1_700_000_000_000).unwrap();
    let log = running.log_writer();
    log.try_log(LogEntry::Interaction {
        tenant,
        interaction: NewInteraction::inbound_call(id, "+33611111111", "+33100000000", 1),
    })
    .unwrap();
    log.try_log_acked(LogEntry::Event {
        tenant,
        event: NewEvent::arrived(id, 1),
    })
    .unwrap()
    .await
    .unwrap();
    running.shutdown().await.unwrap();

    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let events = running
        .store()
        .tenant(tenant)
        .await
        .unwrap()
        .events(id)
        .await
        .unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Arrived, EventKind::Ended]);
    let detail = get(
        running.addresses().http,
        &format!("/api/v1/calls/{id}"),
        Some(&a.admin.1),
    )
    .await
    .json();
    assert_eq!(detail["cdr"]["end_cause"], "server_stopped");
    assert_eq!(detail["open"], false);
    assert_eq!(
        serde_json::from_value::<EndCause>(events[1].data["cause"].clone()).unwrap(),
        EndCause::ServerStopped
    );
}
