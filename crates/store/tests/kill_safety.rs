//! A writer killed with SIGKILL in the middle of its batches loses no committed batch and leaves
//! no partial one, and the interaction it left open is found by the next store (SQLite: the
//! embedded default, where durability is this crate's job rather than a server's).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use store::{EventKind, InteractionId, InteractionQuery, Store};

/// Events per batch: enough that most of the writer's time is inside a transaction.
const EVENTS_PER_BATCH: usize = 400;
/// Batches to see committed before the kill.
const BATCHES_BEFORE_KILL: usize = 25;

#[tokio::test]
async fn a_killed_writer_keeps_every_committed_batch_whole() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plateau.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_store-crash-writer"))
        .arg(&url)
        .arg(EVENTS_PER_BATCH.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the crash writer");
    let stdout = child.stdout.take().unwrap();
    let mut committed: Vec<InteractionId> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let mut words = line.split(' ');
        assert_eq!(words.next(), Some("committed"), "{line}");
        let k: usize = words.next().unwrap().parse().unwrap();
        assert_eq!(k, committed.len() + 1);
        committed.push(words.next().unwrap().parse().unwrap());
        if committed.len() == BATCHES_BEFORE_KILL {
            child.kill().expect("SIGKILL the writer");
            break;
        }
    }
    child.wait().unwrap();
    assert_eq!(
        committed.len(),
        BATCHES_BEFORE_KILL,
        "the writer stopped early"
    );

    let store = Store::open(&url).await.unwrap();
    let tenant = store.tenant_by_slug("crash").await.unwrap().unwrap();
    let tenant = store.tenant(tenant.id).await.unwrap();
    let stored = tenant
        .interactions(&InteractionQuery {
            limit: 10_000,
            ..InteractionQuery::default()
        })
        .await
        .unwrap();
    let mut stored_ids: Vec<InteractionId> = stored.iter().map(|i| i.id).collect();
    stored_ids.sort();
    // Every reported batch is there, and no other gap: batches committed between the last report
    // and the kill may follow (whole, as checked below). The writer's ids are deterministic.
    assert!(
        stored_ids.len() >= committed.len(),
        "{} stored",
        stored_ids.len()
    );
    assert_eq!(&stored_ids[..committed.len()], &committed[..]);
    let expected: Vec<InteractionId> = (1..=stored_ids.len() as u128)
        .map(|k| InteractionId::from_parts(k as i64 * 1_000, k))
        .collect();
    assert_eq!(stored_ids, expected);

    let last = *stored_ids.last().unwrap();
    for &id in &stored_ids {
        let events = tenant.events(id).await.unwrap();
        let ended = events.iter().filter(|e| e.kind == EventKind::Ended).count();
        let expected_ended = usize::from(id != last);
        assert_eq!(ended, expected_ended, "{id}: batch partly written");
        assert_eq!(
            events.len(),
            EVENTS_PER_BATCH + ended,
            "{id}: batch partly written"
        );
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    }
    let open: Vec<InteractionId> = tenant
        .open_interactions()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, [last]);
}
