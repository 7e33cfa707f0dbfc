//! Test helper for the kill-safety test: opens a SQLite store and appends log batches until it is
//! killed. Batch k creates interaction k with `events` events and ends interaction k-1, so after
//! a kill exactly the last committed interaction is still open. After each commit it prints
//! `committed <k> <interaction id>` on standard output.
//!
//! Usage: `store-crash-writer <sqlite-url> <events-per-batch>`

use std::io::Write;

use store::{EndCause, InteractionId, LogBatch, NewEvent, NewInteraction, Store, UserId};

/// The tenant the writer uses.
const TENANT: &str = "crash";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(events)) = (args.next(), args.next()) else {
        return Err("usage: store-crash-writer <sqlite-url> <events-per-batch>".into());
    };
    let events: i64 = events.parse()?;
    let store = Store::open(&url).await?;
    let tenant = match store.tenant_by_slug(TENANT).await? {
        Some(t) => t,
        None => store.create_tenant("Crash test", TENANT, 0).await?,
    };
    let tenant = store.tenant(tenant.id).await?;
    let mut stdout = std::io::stdout().lock();
    let mut previous: Option<InteractionId> = None;
    for k in 1_i64.. {
        let at = k * 1_000;
        let id = InteractionId::from_parts(at, u128::from(k.unsigned_abs()));
        let mut batch = LogBatch {
            interactions: vec![NewInteraction::inbound_call(id, "+33612345678", "+331", at)],
            ..LogBatch::default()
        };
        batch.events.push(NewEvent::arrived(id, at));
        batch.events.push(NewEvent::queued(id, at + 1, "sales"));
        batch
            .events
            .push(NewEvent::answered(id, at + 2, "alice", UserId(0)));
        for n in 3..events {
            batch.events.push(NewEvent::digit(id, at + n, '5'));
        }
        if let Some(prev) = previous {
            batch
                .events
                .push(NewEvent::ended(prev, at, EndCause::CallerHangup));
        }
        tenant.append_log(&batch).await?;
        writeln!(stdout, "committed {k} {id}")?;
        stdout.flush()?;
        previous = Some(id);
    }
    Ok(())
}
