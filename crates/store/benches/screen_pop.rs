//! Screen pop with 1,000,000 customers: how long [`TenantStore::customers_by_phone`] takes on
//! SQLite (issue 7, must-show 2: p99 ≤ 1 ms). Criterion measures the mean; the bench then times
//! 20,000 lookups one by one and prints p50, p99, p99.9 and the maximum.
//!
//! The database is built once through the import path (`upsert_customers`, batches of 1,000)
//! into `screen_pop_1m.db` under cargo's target temporary directory, and reused by later runs
//! (a tenant named `built` marks it complete). Every customer has its own mobile number and an
//! email; one in a thousand also shares a landline with the next, so some lookups find two.
//!
//! `cargo bench -p store --bench screen_pop -- --warm-up-time 1 --measurement-time 3` measures;
//! without `--bench` (clippy, `cargo test --benches`) it checks itself on 2,000 customers.
#![allow(clippy::print_stdout)] // a bench reports on stdout

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use store::{CustomerUpsert, Store, TenantStore};
use tokio::runtime::Runtime;

const CUSTOMERS: u64 = 1_000_000;
const SMOKE_CUSTOMERS: u64 = 2_000;
const BATCH: u64 = 1_000;
const TIMED_LOOKUPS: usize = 20_000;

fn mobile(i: u64) -> String {
    format!("+336{i:08}")
}

fn landline(i: u64) -> String {
    format!("+331{:08}", i / 2)
}

fn customer(i: u64) -> CustomerUpsert {
    let mut phones = vec![mobile(i)];
    if i % 1000 < 2 {
        phones.push(landline(i));
    }
    CustomerUpsert {
        external_id: format!("B{i}"),
        first_name: format!("First{i}"),
        last_name: format!("Last{}", i % 5000),
        phones,
        emails: vec![format!("c{i}@example.com")],
        fields: serde_json::Map::new(),
        consent_recording: Some(i.is_multiple_of(2)),
        consent_marketing: None,
    }
}

/// Opens the database at `path` with `customers` customers, building it if it is not complete.
async fn open(path: &Path, customers: u64) -> TenantStore {
    let url = format!("sqlite://{}", path.display());
    if path.exists() {
        let store = Store::open(&url).await.expect("open the bench database");
        if store
            .tenant_by_slug("built")
            .await
            .expect("tenants")
            .is_some()
        {
            let id = store
                .tenant_by_slug("bench")
                .await
                .expect("tenants")
                .expect("the bench tenant of a built database")
                .id;
            return store.tenant(id).await.expect("bench tenant");
        }
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let store = Store::open(&url).await.expect("create the bench database");
    let tenant = store
        .create_tenant("Bench", "bench", 0)
        .await
        .expect("tenant");
    let tenant = store.tenant(tenant.id).await.expect("bench tenant");
    let started = Instant::now();
    for first in (0..customers).step_by(BATCH as usize) {
        let rows: Vec<CustomerUpsert> = (first..(first + BATCH).min(customers))
            .map(customer)
            .collect();
        tenant.upsert_customers(&rows, 0).await.expect("upsert");
    }
    eprintln!("built {customers} customers in {:.1?}", started.elapsed());
    store
        .create_tenant("built", "built", 0)
        .await
        .expect("marker");
    tenant
}

/// A small xorshift: lookups spread over the whole table, the same on every run.
struct Numbers(u64, u64);

impl Numbers {
    fn next(&mut self) -> String {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let i = self.0 % self.1;
        if self.0.is_multiple_of(100) {
            landline(i - i % 1000)
        } else {
            mobile(i)
        }
    }
}

fn lookup(runtime: &Runtime, tenant: &TenantStore, e164: &str) -> Duration {
    let start = Instant::now();
    let found = runtime
        .block_on(tenant.customers_by_phone(e164))
        .expect("lookup");
    let took = start.elapsed();
    assert!(!found.is_empty(), "{e164} belongs to a customer");
    took
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let smoke_dir = tempfile::tempdir().expect("temporary directory");
    let (path, customers) = if bench {
        (
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screen_pop_1m.db"),
            CUSTOMERS,
        )
    } else {
        (smoke_dir.path().join("smoke.db"), SMOKE_CUSTOMERS)
    };
    let tenant = runtime.block_on(open(&path, customers));
    let mut numbers = Numbers(0x9E37_79B9_7F4A_7C15, customers);

    // A shared landline finds both of its customers.
    let pair = runtime
        .block_on(tenant.customers_by_phone(&landline(0)))
        .expect("lookup");
    assert_eq!(pair.len(), 2, "{pair:?}");
    if !bench {
        for _ in 0..100 {
            lookup(&runtime, &tenant, &numbers.next());
        }
        return;
    }

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("customers_by_phone (1M customers)", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| lookup(&runtime, &tenant, &numbers.next()))
                .sum()
        })
    });
    for _ in 0..2_000 {
        lookup(&runtime, &tenant, &numbers.next());
    }
    let mut times: Vec<Duration> = (0..TIMED_LOOKUPS)
        .map(|_| lookup(&runtime, &tenant, &numbers.next()))
        .collect();
    times.sort_unstable();
    let at = |p: f64| times[((TIMED_LOOKUPS as f64 * p) as usize).min(TIMED_LOOKUPS - 1)];
    println!(
        "customers_by_phone, {customers} customers (SQLite): p50 {:.1?}  p99 {:.1?}  \
         p99.9 {:.1?}  max {:.1?}  ({TIMED_LOOKUPS} lookups)",
        at(0.50),
        at(0.99),
        at(0.999),
        times[TIMED_LOOKUPS - 1]
    );
    c.final_summary();
}
