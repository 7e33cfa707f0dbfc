//! Write throughput of the call path's batch APIs, printed as a table of rows per second:
//! interaction log batches (8 events per call, as a call through IVR, queue and agent writes) and
//! registration upserts, on SQLite (synchronous NORMAL and FULL) and PostgreSQL (fsync on).
//!
//! `cargo bench -p store --bench throughput` measures; under `cargo test` it runs each scenario
//! once on a few rows to keep it compiling and working.

use std::io::Write;
use std::time::Instant;

use store::testing::PostgresServer;
use store::{
    EndCause, InteractionId, LogBatch, NewEvent, NewInteraction, NewRegistration, SqliteSync,
    Store, StoreOptions, TenantStore, Transport, UserId,
};

/// Sizes of one run.
struct Sizes {
    calls: usize,
    calls_per_batch: usize,
    bindings: usize,
    bindings_per_batch: usize,
    single_calls: usize,
}

const BENCH: Sizes = Sizes {
    calls: 20_000,
    calls_per_batch: 100,
    bindings: 50_000,
    bindings_per_batch: 500,
    single_calls: 300,
};

const SMOKE: Sizes = Sizes {
    calls: 20,
    calls_per_batch: 10,
    bindings: 20,
    bindings_per_batch: 10,
    single_calls: 2,
};

/// One call's log: the interaction and its 8 events.
fn call_batch(batch: &mut LogBatch, n: usize, agent: UserId) {
    let at = 1_700_000_000_000 + n as i64;
    let id = InteractionId::from_parts(at, n as u128);
    batch.interactions.push(NewInteraction::inbound_call(
        id,
        "+33612345678",
        "+33100000000",
        at,
    ));
    batch.events.extend([
        NewEvent::arrived(id, at),
        NewEvent::ivr_entered(id, at + 10, "demo", 1),
        NewEvent::digit(id, at + 2_000, '1'),
        NewEvent::queued(id, at + 2_100, "sales"),
        NewEvent::offered(id, at + 5_000, "alice", agent),
        NewEvent::answered(id, at + 8_000, "alice", agent),
        NewEvent::recording_started(id, at + 8_000, "recordings/x.wav"),
        NewEvent::ended(id, at + 68_000, EndCause::CallerHangup),
    ]);
}

fn binding(n: usize, agent: UserId) -> NewRegistration {
    NewRegistration {
        user_id: agent,
        aor: format!("sip:{}@plateau.local", 10_000 + n),
        contact: format!("sip:{}@192.0.2.{}:5060", 10_000 + n, n % 250),
        expires_at_ms: 1_700_000_000_000 + 3_600_000,
        source: "192.0.2.1:5060".parse().expect("literal address"),
        transport: Transport::Udp,
        call_id: format!("reg-{n}"),
        cseq: 1,
        instance: None,
        reg_id: None,
        user_agent: Some("SIPp".to_owned()),
    }
}

type Row = (String, f64);

async fn measure(tenant: &TenantStore, sizes: &Sizes) -> store::Result<Vec<Row>> {
    let agent = tenant.users().await?[0].id;
    let mut rows = Vec::new();

    let started = Instant::now();
    let mut written = 0;
    for first in (0..sizes.calls).step_by(sizes.calls_per_batch) {
        let mut batch = LogBatch::default();
        for n in first..(first + sizes.calls_per_batch).min(sizes.calls) {
            call_batch(&mut batch, n, agent);
        }
        written += batch.len();
        tenant.append_log(&batch).await?;
    }
    rows.push((
        format!(
            "log rows, {} calls x 9 rows per transaction",
            sizes.calls_per_batch
        ),
        written as f64 / started.elapsed().as_secs_f64(),
    ));

    let started = Instant::now();
    let mut written = 0;
    for n in sizes.calls..sizes.calls + sizes.single_calls {
        let mut batch = LogBatch::default();
        call_batch(&mut batch, n, agent);
        written += batch.len();
        tenant.append_log(&batch).await?;
    }
    rows.push((
        "log rows, 1 call x 9 rows per transaction".to_owned(),
        written as f64 / started.elapsed().as_secs_f64(),
    ));

    let bindings: Vec<NewRegistration> = (0..sizes.bindings).map(|n| binding(n, agent)).collect();
    for (label, now) in [("new", 1), ("refreshed", 2)] {
        let started = Instant::now();
        for chunk in bindings.chunks(sizes.bindings_per_batch) {
            tenant
                .upsert_registrations(chunk, 1_700_000_000_000 + now)
                .await?;
        }
        rows.push((
            format!(
                "registrations {label}, {} per transaction",
                sizes.bindings_per_batch
            ),
            bindings.len() as f64 / started.elapsed().as_secs_f64(),
        ));
    }
    Ok(rows)
}

async fn run(url: &str, options: &StoreOptions, sizes: &Sizes) -> store::Result<Vec<Row>> {
    let store = Store::open_with(url, options).await?;
    let tenant = store.create_tenant("Bench", "bench", 0).await?;
    let tenant = store.tenant(tenant.id).await?;
    let agent = store::NewUser {
        username: "alice".to_owned(),
        display_name: "Alice".to_owned(),
        role: store::Role::Agent,
        password: None,
        extension: Some("1001".to_owned()),
        sip: None,
        enabled: true,
    };
    tenant.create_user(&agent, 0).await?;
    let rows = measure(&tenant, sizes).await?;
    store.close().await;
    Ok(rows)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes = if bench { &BENCH } else { &SMOKE };
    let mut out = std::io::stdout().lock();
    let dir = tempfile::tempdir()?;

    let mut table: Vec<(String, Vec<Row>)> = Vec::new();
    for (label, sync) in [
        ("SQLite WAL, synchronous=NORMAL", SqliteSync::Normal),
        ("SQLite WAL, synchronous=FULL", SqliteSync::Full),
    ] {
        let path = dir.path().join(format!("{sync:?}.db"));
        let url = format!("sqlite://{}", path.display());
        let options = StoreOptions {
            sqlite_sync: sync,
            ..StoreOptions::default()
        };
        table.push((label.to_owned(), run(&url, &options, sizes).await?));
    }
    // PLATEAU_BENCH_POSTGRES_URL measures an existing (empty) database instead of a local server.
    let (_server, url, label) = match std::env::var("PLATEAU_BENCH_POSTGRES_URL") {
        Ok(url) => (None, url, "PostgreSQL (PLATEAU_BENCH_POSTGRES_URL)"),
        Err(_) if bench => {
            let pg = PostgresServer::start_durable()?;
            let url = pg.create_database()?;
            (Some(pg), url, "PostgreSQL 127.0.0.1, fsync on")
        }
        Err(_) => {
            let pg = PostgresServer::start()?;
            let url = pg.create_database()?;
            (Some(pg), url, "PostgreSQL 127.0.0.1, fsync off (smoke)")
        }
    };
    table.push((
        label.to_owned(),
        run(&url, &StoreOptions::default(), sizes).await?,
    ));

    for (backend, rows) in table {
        writeln!(out, "\n{backend}")?;
        for (what, per_sec) in rows {
            writeln!(out, "  {what:<48} {per_sec:>10.0} rows/s")?;
        }
    }
    Ok(())
}
