//! The server over PostgreSQL (`database_url = "postgres://..."`): the same API answers, from
//! the same log writer, with the same tenant isolation.

mod http_support;

use http_support::{TestPlane, get, launch_with, log_answered_call, make_tenant, test_config};
use store::testing::PostgresServer;

#[tokio::test]
async fn the_api_serves_calls_logged_into_postgresql() {
    let url = tokio::task::spawn_blocking(|| PostgresServer::shared().create_database())
        .await
        .unwrap()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.database_url = Some(url);
    let running = launch_with(config, TestPlane::default()).await;
    assert_eq!(running.store().backend(), store::Backend::Postgres);
    let a = make_tenant(running.store(), "a").await;
    let b = make_tenant(running.store(), "b").await;
    let id = log_answered_call(running.log_writer(), &a, 1_700_000_000_000, "+33611111111").await;

    let http = running.addresses().http;
    let list = get(http, "/api/v1/calls", Some(&a.admin.1)).await.json();
    assert_eq!(list["calls"][0]["id"], id.to_string());
    assert_eq!(list["calls"][0]["cdr"]["talk_ms"], 60_000);
    let other = get(http, &format!("/api/v1/calls/{id}"), Some(&b.admin.1)).await;
    assert_eq!(other.status, 404);
    running.shutdown().await.unwrap();
}
