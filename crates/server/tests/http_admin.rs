//! Issue 5, the admin side of routing through the API: the tenant's time zone, agents' skills,
//! queues' required skills and overflow, and the not-ready reason codes. Each is admin-only,
//! scoped to the token's tenant (tenant B's admin can neither read nor change tenant A's
//! rows), validated (422 with the rule broken) and audit-logged; a change reaches the running
//! `acd` at once, which the last test shows with a call routed by the new skills.

mod http_support;
mod sip_support;

use std::net::SocketAddr;

use http_support::{Tenant, TestPlane, get, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;
use sip::StatusCode;
use sip_support::{Phone, Rtp, SALES_NUMBER, Setup, TestServer, event_agent, unique};
use store::{EventKind, NewUser, Role};

struct Fixture {
    _dir: tempfile::TempDir,
    _running: Running,
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
        _running: running,
        a,
        b,
    }
}

async fn put(http: SocketAddr, path: &str, token: &str, body: &str) -> http_support::Reply {
    request(http, "PUT", path, Some(token), Some(body)).await
}

async fn audited(tenant: &Tenant) -> Vec<String> {
    let log = tenant.store.audit_log(0, 100).await.expect("audit log");
    log.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn the_tenant_time_zone_is_read_and_set_as_an_iana_name() {
    let f = fixture().await;
    let admin = &f.a.admin.1;
    let reply = get(f.http, "/api/v1/tenant", Some(admin)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["time_zone"], "UTC");
    assert_eq!(reply.json()["slug"], "a");

    let reply = put(
        f.http,
        "/api/v1/tenant",
        admin,
        r#"{"time_zone": "Europe/Paris"}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["time_zone"], "Europe/Paris");
    let reply = get(f.http, "/api/v1/tenant", Some(admin)).await;
    assert_eq!(reply.json()["time_zone"], "Europe/Paris");
    assert!(audited(&f.a).await.contains(&"tenant.time_zone".to_owned()));

    for zone in ["Mars/Olympus_Mons", "", "Europe/Paris\\u0000"] {
        let body = format!(r#"{{"time_zone": "{zone}"}}"#);
        let reply = put(f.http, "/api/v1/tenant", admin, &body).await;
        assert_eq!(reply.status, 422, "{zone}: {}", reply.text());
        assert_eq!(reply.json()["error"], "invalid_time_zone");
    }
    // Tenant B's admin sees and changes only tenant B.
    let reply = get(f.http, "/api/v1/tenant", Some(&f.b.admin.1)).await;
    assert_eq!(reply.json()["slug"], "b");
    assert_eq!(reply.json()["time_zone"], "UTC");
}

#[tokio::test]
async fn agents_skills_are_replaced_with_levels_one_to_ten() {
    let f = fixture().await;
    let admin = &f.a.admin.1;
    let (ann, _) = f.a.agents[0];
    let path = format!("/api/v1/agents/{}/skills", ann.0);
    let reply = put(
        f.http,
        &path,
        admin,
        r#"{"language:fr": 8, "product:billing": 3}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = get(f.http, &path, Some(admin)).await;
    assert_eq!(reply.status, 200);
    let skills = &reply.json()["skills"];
    assert_eq!(skills["language:fr"], 8);
    assert_eq!(skills["product:billing"], 3);

    let reply = put(f.http, &path, admin, r#"{"language:en": 4}"#).await;
    assert_eq!(reply.status, 200);
    let skills = get(f.http, &path, Some(admin)).await.json()["skills"].clone();
    assert_eq!(
        skills,
        serde_json::json!({ "language:en": 4 }),
        "the set is replaced"
    );

    for body in [
        r#"{"language:fr": 11}"#,
        r#"{"language:fr": 0}"#,
        r#"{"": 5}"#,
    ] {
        let reply = put(f.http, &path, admin, body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text());
        assert_eq!(reply.json()["error"], "invalid_skills");
    }
    assert!(audited(&f.a).await.contains(&"agent.skills".to_owned()));
}

#[tokio::test]
async fn a_queue_s_required_skills_and_overflow_are_set_by_queue_names() {
    let f = fixture().await;
    let admin = &f.a.admin.1;
    f.a.store
        .create_queue("support", &store::QueueSettings::default(), 1)
        .await
        .expect("test setup");
    let body = r#"{"required_skills": {"language:fr": 5}, "overflow": {"to": "support", "after_secs": 45}}"#;
    let reply = put(f.http, "/api/v1/queues/sales/routing", admin, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = get(f.http, "/api/v1/queues/sales/routing", Some(admin)).await;
    let routing = reply.json();
    assert_eq!(routing["required_skills"]["language:fr"], 5);
    assert_eq!(routing["overflow"]["to"], "support");
    assert_eq!(routing["overflow"]["after_secs"], 45);
    let stored = f.a.store.queue_routing(f.a.queue).await.expect("routing");
    assert_eq!(stored.required_skills.get("language:fr"), Some(&5));
    assert!(audited(&f.a).await.contains(&"queue.routing".to_owned()));

    for body in [
        r#"{"overflow": {"to": "sales", "after_secs": 45}}"#,
        r#"{"overflow": {"to": "support", "after_secs": 0}}"#,
        r#"{"overflow": {"to": "nowhere", "after_secs": 45}}"#,
        r#"{"required_skills": {"language:fr": 12}}"#,
    ] {
        let reply = put(f.http, "/api/v1/queues/sales/routing", admin, body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text());
    }

    let reply = put(
        f.http,
        "/api/v1/queues/sales/routing",
        admin,
        r#"{"overflow": null}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["overflow"], serde_json::Value::Null);
    let reply = get(f.http, "/api/v1/queues/nowhere/routing", Some(admin)).await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn tenant_b_cannot_read_or_change_tenant_a_s_routing() {
    let f = fixture().await;
    let b_admin = &f.b.admin.1;
    let (ann, _) = f.a.agents[0];
    let a_skills = format!("/api/v1/agents/{}/skills", ann.0);
    assert_eq!(get(f.http, &a_skills, Some(b_admin)).await.status, 404);
    let reply = put(f.http, &a_skills, b_admin, r#"{"language:fr": 9}"#).await;
    assert_eq!(reply.status, 404);
    assert!(f.a.store.user_skills(ann).await.expect("skills").is_empty());

    // "sales" exists in both tenants: B's admin reaches B's queue, never A's.
    let reply = put(
        f.http,
        "/api/v1/queues/sales/routing",
        b_admin,
        r#"{"required_skills": {"tier:2": 2}}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    let a_routing = f.a.store.queue_routing(f.a.queue).await.expect("routing");
    assert!(a_routing.required_skills.is_empty(), "tenant A untouched");
    let b_routing = f.b.store.queue_routing(f.b.queue).await.expect("routing");
    assert_eq!(b_routing.required_skills.get("tier:2"), Some(&2));

    let reply = put(
        f.http,
        "/api/v1/tenant",
        b_admin,
        r#"{"time_zone": "Asia/Tokyo"}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    let a = get(f.http, "/api/v1/tenant", Some(&f.a.admin.1))
        .await
        .json();
    assert_eq!(a["time_zone"], "UTC", "tenant A's zone untouched");
}

#[tokio::test]
async fn only_an_admin_may_administer_routing() {
    let f = fixture().await;
    let supervisor = &f.a.supervisor.1;
    let (ann, agent_token) = &f.a.agents[0];
    let skills = format!("/api/v1/agents/{}/skills", ann.0);
    for token in [supervisor, agent_token] {
        assert_eq!(get(f.http, "/api/v1/tenant", Some(token)).await.status, 403);
        assert_eq!(get(f.http, &skills, Some(token)).await.status, 403);
        let reply = put(f.http, &skills, token, r#"{"language:fr": 9}"#).await;
        assert_eq!(reply.status, 403);
        let reply = put(f.http, "/api/v1/queues/sales/routing", token, "{}").await;
        assert_eq!(reply.status, 403);
    }
}

#[tokio::test]
async fn a_not_ready_reason_outside_the_configured_codes_is_refused_with_the_list() {
    let f = fixture().await;
    let (ann, token) = &f.a.agents[0];
    let path = format!("/api/v1/agents/{}/state", ann.0);
    let reply = put(
        f.http,
        &path,
        token,
        r#"{"state": "not_ready", "reason": "nap"}"#,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"], "unknown_reason");
    assert_eq!(
        body["reasons"],
        serde_json::json!(["break", "lunch", "training", "coaching", "meeting"])
    );
    for fine in [
        r#"{"state": "not_ready", "reason": "lunch"}"#,
        r#"{"state": "not_ready"}"#,
    ] {
        let reply = put(f.http, &path, token, fine).await;
        assert_eq!(reply.status, 200, "{fine}: {}", reply.text());
    }
}

/// An admin's API token on the switchboard test server.
async fn switchboard_admin(server: &TestServer) -> String {
    let t = server.store().tenant(server.tenant).await.expect("tenant");
    let user = t
        .create_user(
            &NewUser {
                username: unique("admin"),
                display_name: "Admin".to_owned(),
                role: Role::Admin,
                password: None,
                extension: None,
                sip: None,
                enabled: true,
            },
            1,
        )
        .await
        .expect("test setup");
    let (_, secret) = t.create_api_token(user.id, "t", 1).await.expect("token");
    secret.expose().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skills_and_queue_routing_set_through_the_api_route_the_next_call() {
    let server = TestServer::start(Setup {
        agents: 2,
        ..Setup::default()
    })
    .await;
    let http = server.running().addresses().http;
    let admin = switchboard_admin(&server).await;
    let (first, second) = (server.agents[0].clone(), server.agents[1].clone());
    let reply = put(
        http,
        "/api/v1/queues/sales/routing",
        &admin,
        r#"{"required_skills": {"language:fr": 5}}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let path = format!("/api/v1/agents/{}/skills", second.id.0);
    let reply = put(http, &path, &admin, r#"{"language:fr": 8}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // The first agent is idle longest: only the skills keep the call from them.
    let mut phones = Vec::new();
    for agent in [&first, &second] {
        let phone = Phone::udp(server.sip()).await;
        let ok = phone
            .register(&agent.extension, &agent.password, None)
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        server.ready(agent).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        phones.push(phone);
    }
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33612300001", rtp.local).await;
    let interaction = server.next_interaction(0).await;
    let events = server.wait_event(interaction, EventKind::Offered).await;
    let offered = events
        .iter()
        .find(|e| e.kind == EventKind::Offered)
        .expect("an offer");
    assert_eq!(
        event_agent(offered),
        Some(second.id.0),
        "the French speaker"
    );
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
}
