//! The storage contract: every behaviour of the store, written once and run against both
//! backends — SQLite in a temporary directory and a real PostgreSQL server started on 127.0.0.1
//! by `store::testing` (a missing PostgreSQL fails these tests, it never skips them). Each test
//! appears twice, as `<area>::sqlite::<name>` and `<area>::postgres::<name>`.

// The behaviours are plain async fns called by the generated #[tokio::test]s, where clippy's
// allow-unwrap-in-tests does not reach: an unwrap failing here is a test failing.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod support;

mod customers;
mod demo;
mod flows;
mod isolation;
mod log;
mod numbers;
mod queues;
mod recordings;
mod registrations;
mod routing;
mod tenants;
mod tokens;
mod users;
mod web_sessions;
