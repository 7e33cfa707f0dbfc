//! The storage contract of tickets, SLA policies, orders, dispositions, scripts and the
//! knowledge base, run against both backends like `tests/contract` (whose fixtures it shares):
//! each test appears as `<area>::sqlite::<name>` and `<area>::postgres::<name>`.

// The behaviours are plain async fns called by the generated #[tokio::test]s, where clippy's
// allow-unwrap-in-tests does not reach: an unwrap failing here is a test failing.
#![allow(clippy::unwrap_used)]

// Shared with tests/contract; this binary does not use every fixture.
#[allow(dead_code)]
#[macro_use]
#[path = "../contract/support.rs"]
mod support;

mod dispositions;
mod isolation;
mod knowledge;
mod orders;
mod scripts;
mod sla;
mod tickets;

use store::{CustomerId, CustomerRecord, InteractionId, NewInteraction, TenantStore};

/// A customer named `first`.
pub async fn customer(t: &TenantStore, first: &str) -> CustomerId {
    let record = CustomerRecord {
        first_name: first.to_owned(),
        last_name: "Martin".to_owned(),
        ..CustomerRecord::default()
    };
    t.create_customer(&record, support::T0).await.unwrap().id
}

/// An inbound call that began at `at_ms`; `n` makes its id unique.
pub async fn call(t: &TenantStore, n: u128, at_ms: i64) -> InteractionId {
    let id = InteractionId::from_parts(at_ms, n);
    t.create_interaction(&NewInteraction::inbound_call(
        id,
        "+33612345678",
        "+33100000000",
        at_ms,
    ))
    .await
    .unwrap();
    id
}
