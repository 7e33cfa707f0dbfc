//! `GET /api/v1/floor` and `/floor/intervals` over a real server and store: today's figures
//! seeded from the log at the first request, then fed by the live events; floor roles only;
//! one tenant's calls never on another's floor.

mod http_support;

use std::net::SocketAddr;
use std::time::Duration;

use http_support::{
    Tenant, TestPlane, get, launch_with, log_answered_call, make_tenant, test_config,
};
use plateau::launch::Running;
use serde_json::Value;

struct Fixture {
    _dir: tempfile::TempDir,
    running: Running,
    http: SocketAddr,
    a: Tenant,
    b: Tenant,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    let b = make_tenant(running.store(), "b").await;
    Fixture {
        http: running.addresses().http,
        _dir: dir,
        running,
        a,
        b,
    }
}

/// A call of tenant A that started `ago` before now: queued 1 s in, answered 3 s later, 60 s
/// of talk (see `log_answered_call`).
async fn log_call(f: &Fixture, ago: Duration) {
    let at = plateau::log::now_ms() - i64::try_from(ago.as_millis()).expect("test setup");
    log_answered_call(f.running.log_writer(), &f.a, at, "+33612345678").await;
}

async fn floor(f: &Fixture, token: &str) -> Value {
    let reply = get(f.http, "/api/v1/floor", Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

fn sales(floor: &Value) -> &Value {
    floor["queues"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["queue"] == "sales"))
        .unwrap_or_else(|| panic!("sales in {floor}"))
}

#[tokio::test]
async fn the_floor_is_seeded_from_todays_log() {
    let f = fixture().await;
    log_call(&f, Duration::from_secs(70)).await;
    let floor = floor(&f, &f.a.supervisor.1).await;
    let q = sales(&floor);
    // Waited 3 s ≤ 20 s: SL 1 ÷ (1 − 0); ASA 3 s; one handled call of 60 s talk, no wrap-up.
    assert_eq!(
        (q["offered"].as_u64(), q["answered"].as_u64()),
        (Some(1), Some(1)),
        "{q}"
    );
    assert_eq!(q["service_level"], 1.0);
    assert_eq!(q["asa_secs"], 3.0);
    assert_eq!(q["handled"], 1);
    assert_eq!(q["aht_secs"], 60.0);
    assert!(q["abandonment_rate"] == 0.0, "{q}");
}

#[tokio::test]
async fn calls_logged_after_the_first_request_reach_the_floor_live() {
    let f = fixture().await;
    let before = floor(&f, &f.a.supervisor.1).await;
    assert_eq!(sales(&before)["offered"], 0);
    assert!(sales(&before)["service_level"].is_null());
    log_call(&f, Duration::from_secs(70)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = floor(&f, &f.a.supervisor.1).await;
        if sales(&now)["answered"] == 1 {
            assert_eq!(sales(&now)["offered"], 1, "counted once: {now}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the call on the floor: {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn agents_may_not_read_the_floor() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    assert_eq!(get(f.http, "/api/v1/floor", Some(agent)).await.status, 403);
    assert_eq!(
        get(f.http, "/api/v1/floor/intervals", Some(agent))
            .await
            .status,
        403
    );
    assert_eq!(get(f.http, "/api/v1/floor", None).await.status, 401);
}

#[tokio::test]
async fn another_tenants_calls_are_not_on_its_floor() {
    let f = fixture().await;
    log_call(&f, Duration::from_secs(70)).await;
    let b = floor(&f, &f.b.admin.1).await;
    assert_eq!(sales(&b)["offered"], 0, "{b}");
    assert_eq!(b["total"]["offered"], 0, "{b}");
}

#[tokio::test]
async fn the_series_has_the_asked_interval_length() {
    let f = fixture().await;
    log_call(&f, Duration::from_secs(70)).await;
    let reply = get(
        f.http,
        "/api/v1/floor/intervals?interval=60",
        Some(&f.a.admin.1),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let series = reply.json();
    assert_eq!(series["minutes"], 60);
    let total = series["total"].as_array().unwrap();
    // 23 to 25 hours in a day, by the tenant's clock changes.
    assert!((23..=25).contains(&total.len()), "{}", total.len());
    let offered: u64 = total.iter().filter_map(|i| i["offered"].as_u64()).sum();
    assert_eq!(offered, 1);
    for bad in ["7", "0", "abc"] {
        let path = format!("/api/v1/floor/intervals?interval={bad}");
        assert_eq!(
            get(f.http, &path, Some(&f.a.admin.1)).await.status,
            400,
            "{bad}"
        );
    }
}
