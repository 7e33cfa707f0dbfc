//! The HTTP API over a real server (127.0.0.1, port 0) and a real SQLite store: auth, tenant
//! isolation, roles, call history from the log writer, live state from the control plane,
//! recordings with their audit trail, metrics, health.

mod http_support;

use std::net::SocketAddr;

use http_support::{
    Tenant, TestPlane, get, launch_with, log_answered_call, make_tenant, request, test_config,
};
use plateau::control::{
    AgentCounts, AgentLive, AgentStateKind, CallLive, CallPhase, LegCounters, LegLive, LegRole,
    QueueLive,
};
use plateau::launch::Running;
use plateau::log::LogEntry;
use serde_json::json;
use store::{InteractionId, NewEvent, NewInteraction, NewRecording};

struct Fixture {
    _dir: tempfile::TempDir,
    running: Running,
    http: SocketAddr,
    plane: TestPlane,
    a: Tenant,
    b: Tenant,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let plane = TestPlane::default();
    let running = launch_with(test_config(dir.path()), plane.clone()).await;
    let a = make_tenant(running.store(), "a").await;
    let b = make_tenant(running.store(), "b").await;
    Fixture {
        http: running.addresses().http,
        _dir: dir,
        running,
        plane,
        a,
        b,
    }
}

const T0: i64 = 1_700_000_000_000;

/// Logs a complete answered call of tenant A, answered by its first agent.
async fn log_call(f: &Fixture, at: i64, caller: &str) -> InteractionId {
    log_answered_call(f.running.log_writer(), &f.a, at, caller).await
}

#[tokio::test]
async fn requests_without_a_token_are_unauthorized() {
    let f = fixture().await;
    let reply = get(f.http, "/api/v1/calls", None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert_eq!(reply.json()["error"], "unauthorized");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let f = fixture().await;
    let wrong = format!("plt_{}", "0".repeat(64));
    for token in [wrong.as_str(), "not-a-token"] {
        let reply = get(f.http, "/api/v1/agents", Some(token)).await;
        assert_eq!(reply.status, 401, "{token}");
    }
}

#[tokio::test]
async fn the_call_list_shows_cdrs_of_calls_logged_through_the_writer() {
    let f = fixture().await;
    let older = log_call(&f, T0, "+33611111111").await;
    let newer = log_call(&f, T0 + 100_000, "+33622222222").await;

    let reply = get(f.http, "/api/v1/calls", Some(&f.a.admin.1)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let calls = body["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["id"], newer.to_string());
    assert_eq!(calls[1]["id"], older.to_string());
    let cdr = &calls[1]["cdr"];
    assert_eq!(cdr["queue"], "sales");
    assert_eq!(cdr["agent"], "ann");
    assert_eq!(cdr["wait_ms"], 3_000);
    assert_eq!(cdr["talk_ms"], 60_000);
    assert_eq!(cdr["end_cause"], "agent_hangup");
    assert_eq!(calls[1]["created_at_ms"], T0);
    assert_eq!(calls[1]["created_at"], "2023-11-14T22:13:20.000Z");
    assert_eq!(calls[1]["open"], false);
    assert_eq!(body["next_before"], json!(null));
}

#[tokio::test]
async fn the_call_list_pages_with_before() {
    let f = fixture().await;
    let older = log_call(&f, T0, "+33611111111").await;
    let newer = log_call(&f, T0 + 100_000, "+33622222222").await;

    let first = get(f.http, "/api/v1/calls?limit=1", Some(&f.a.admin.1))
        .await
        .json();
    assert_eq!(first["calls"][0]["id"], newer.to_string());
    assert_eq!(first["next_before"], newer.to_string());
    let path = format!("/api/v1/calls?limit=1&before={newer}");
    let second = get(f.http, &path, Some(&f.a.admin.1)).await.json();
    assert_eq!(second["calls"][0]["id"], older.to_string());
}

#[tokio::test]
async fn bad_list_parameters_are_bad_requests() {
    let f = fixture().await;
    for path in [
        "/api/v1/calls?limit=0",
        "/api/v1/calls?limit=abc",
        "/api/v1/calls?before=xyz",
        "/api/v1/calls?colour=red",
        "/api/v1/calls/not-an-id",
    ] {
        let reply = get(f.http, path, Some(&f.a.admin.1)).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert_eq!(reply.json()["error"], "bad_request");
    }
}

#[tokio::test]
async fn another_tenants_calls_are_not_found() {
    let f = fixture().await;
    let id = log_call(&f, T0, "+33611111111").await;

    let list = get(f.http, "/api/v1/calls", Some(&f.b.admin.1))
        .await
        .json();
    assert_eq!(list["calls"], json!([]));
    let detail = get(f.http, &format!("/api/v1/calls/{id}"), Some(&f.b.admin.1)).await;
    assert_eq!(detail.status, 404);
    let own = get(f.http, &format!("/api/v1/calls/{id}"), Some(&f.a.admin.1)).await;
    assert_eq!(own.status, 200);
}

#[tokio::test]
async fn agents_may_not_read_the_call_history() {
    let f = fixture().await;
    let reply = get(f.http, "/api/v1/calls", Some(&f.a.agents[0].1)).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"], "forbidden");
}

#[tokio::test]
async fn call_detail_has_events_and_the_live_leg_counters_while_up() {
    let f = fixture().await;
    let tenant = f.a.store.id();
    let id = InteractionId::generate(T0).unwrap();
    let log = f.running.log_writer();
    log.try_log(LogEntry::Interaction {
        tenant,
        interaction: NewInteraction::inbound_call(id, "+33611111111", "+33100000000", T0),
    })
    .unwrap();
    log.try_log_acked(LogEntry::Event {
        tenant,
        event: NewEvent::arrived(id, T0),
    })
    .unwrap()
    .await
    .unwrap();
    let counters = |n| LegCounters {
        packets_in: n,
        bytes_in: n * 172,
        packets_out: n + 1,
        bytes_out: (n + 1) * 172,
        dropped: 0,
    };
    f.plane.live.lock().unwrap().calls.insert(
        (tenant, id),
        CallLive {
            interaction: id,
            phase: CallPhase::Connected,
            queue: Some(f.a.queue),
            agent: Some(f.a.agents[0].0),
            legs: vec![
                LegLive {
                    role: LegRole::Caller,
                    counters: counters(250),
                },
                LegLive {
                    role: LegRole::Agent,
                    counters: counters(240),
                },
            ],
            callback: false,
        },
    );

    let body = get(
        f.http,
        &format!("/api/v1/calls/{id}"),
        Some(&f.a.supervisor.1),
    )
    .await
    .json();
    assert_eq!(body["open"], true);
    assert_eq!(body["events"][0]["kind"], "arrived");
    assert_eq!(body["events"][0]["seq"], 1);
    assert_eq!(body["live_status"], "up");
    assert_eq!(body["live"]["phase"], "connected");
    assert_eq!(body["live"]["legs"][0]["role"], "caller");
    assert_eq!(body["live"]["legs"][0]["counters"]["packets_in"], 250);
    assert_eq!(body["live"]["legs"][1]["counters"]["packets_out"], 241);
}

#[tokio::test]
async fn agents_are_listed_with_their_live_state() {
    let f = fixture().await;
    let tenant = f.a.store.id();
    let (ann, _) = f.a.agents[0];
    f.plane.live.lock().unwrap().agents.insert(
        (tenant, ann),
        AgentLive {
            user_id: ann,
            state: AgentStateKind::WrapUp,
            reason: None,
            since_ms: T0,
            interaction: None,
            registered: true,
        },
    );
    let body = get(f.http, "/api/v1/agents", Some(&f.a.supervisor.1))
        .await
        .json();
    let agents = body["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 2, "only users with the agent role: {body}");
    let listed = agents.iter().find(|a| a["username"] == "ann").unwrap();
    assert_eq!(listed["state"], "wrap_up");
    assert_eq!(listed["since_ms"], T0);
    assert_eq!(listed["registered"], true);
    let other = agents.iter().find(|a| a["username"] == "bob").unwrap();
    assert_eq!(other["state"], json!(null));
}

#[tokio::test]
async fn an_agent_sees_only_itself() {
    let f = fixture().await;
    let body = get(f.http, "/api/v1/agents", Some(&f.a.agents[1].1))
        .await
        .json();
    let agents = body["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0]["username"], "bob");
}

#[tokio::test]
async fn an_agent_sets_its_own_state() {
    let f = fixture().await;
    let (ann, token) = &f.a.agents[0];
    let reply = request(
        f.http,
        "PUT",
        &format!("/api/v1/agents/{}/state", ann.0),
        Some(token),
        Some(r#"{"state": "not_ready", "reason": "break"}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["state"], "not_ready");
    assert_eq!(body["reason"], "break");
    let live = f.plane.live.lock().unwrap();
    assert_eq!(
        live.agents[&(f.a.store.id(), *ann)].state,
        AgentStateKind::NotReady
    );
}

#[tokio::test]
async fn an_agent_may_not_set_another_agents_state() {
    let f = fixture().await;
    let (bob, _) = f.a.agents[1];
    let (_, ann_token) = &f.a.agents[0];
    let reply = request(
        f.http,
        "PUT",
        &format!("/api/v1/agents/{}/state", bob.0),
        Some(ann_token),
        Some(r#"{"state": "ready"}"#),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert!(f.plane.live.lock().unwrap().agents.is_empty());
}

#[tokio::test]
async fn a_supervisor_sets_any_agents_state() {
    let f = fixture().await;
    let (bob, _) = f.a.agents[1];
    let reply = request(
        f.http,
        "PUT",
        &format!("/api/v1/agents/{}/state", bob.0),
        Some(&f.a.supervisor.1),
        Some(r#"{"state": "ready"}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["state"], "available");
}

#[tokio::test]
async fn another_tenants_agent_is_not_found() {
    let f = fixture().await;
    let (b_agent, _) = f.b.agents[0];
    let reply = request(
        f.http,
        "PUT",
        &format!("/api/v1/agents/{}/state", b_agent.0),
        Some(&f.a.admin.1),
        Some(r#"{"state": "ready"}"#),
    )
    .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_change_the_control_plane_refuses_is_a_conflict() {
    let f = fixture().await;
    let (ann, token) = &f.a.agents[0];
    f.plane.live.lock().unwrap().agents.insert(
        (f.a.store.id(), *ann),
        AgentLive {
            user_id: *ann,
            state: AgentStateKind::OnCall,
            reason: None,
            since_ms: T0,
            interaction: None,
            registered: true,
        },
    );
    let reply = request(
        f.http,
        "PUT",
        &format!("/api/v1/agents/{}/state", ann.0),
        Some(token),
        Some(r#"{"state": "logged_out"}"#),
    )
    .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.json()["message"], "cannot log out during a call");
}

#[tokio::test]
async fn malformed_state_bodies_are_bad_requests() {
    let f = fixture().await;
    let (ann, token) = &f.a.agents[0];
    let path = format!("/api/v1/agents/{}/state", ann.0);
    for body in [
        r#"{"state": "asleep"}"#,
        r#"{"state": "ready", "extra": 1}"#,
        r#"{"state": "not_ready", "reason": ""}"#,
        "not json",
    ] {
        let reply = request(f.http, "PUT", &path, Some(token), Some(body)).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text());
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let f = fixture().await;
    let (ann, token) = &f.a.agents[0];
    let reason = "x".repeat(f.running.config().limits.http_body_max + 1);
    let body = format!(r#"{{"state": "not_ready", "reason": "{reason}"}}"#);
    let path = format!("/api/v1/agents/{}/state", ann.0);
    let reply = request(f.http, "PUT", &path, Some(token), Some(&body)).await;
    assert_eq!(reply.status, 413);
}

#[tokio::test]
async fn queues_are_listed_with_their_live_counts() {
    let f = fixture().await;
    f.plane.live.lock().unwrap().queues.insert(
        f.a.store.id(),
        vec![QueueLive {
            queue_id: f.a.queue,
            waiting: 3,
            waiting_callbacks: 1,
            longest_wait_ms: Some(42_000),
            estimated_wait_secs: Some(95),
            agents: AgentCounts {
                available: 1,
                on_call: 2,
                ..AgentCounts::default()
            },
        }],
    );
    let body = get(f.http, "/api/v1/queues", Some(&f.a.agents[0].1))
        .await
        .json();
    let queue = &body["queues"][0];
    assert_eq!(queue["name"], "sales");
    assert_eq!(queue["waiting"], 3);
    assert_eq!(queue["longest_wait_ms"], 42_000);
    assert_eq!(queue["estimated_wait_secs"], 95);
    assert_eq!(queue["agents"]["on_call"], 2);
}

/// Writes a recording file and its row for a new call of tenant A; returns the call and bytes.
async fn recorded_call(f: &Fixture) -> (InteractionId, Vec<u8>) {
    let id = log_call(f, T0, "+33611111111").await;
    let relative = format!("recordings/{}/2023/11/14/{id}.wav", f.a.store.id());
    let file = f.running.config().data_dir.join(&relative);
    std::fs::create_dir_all(file.parent().expect("test setup")).expect("test setup");
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &bytes).expect("test setup");
    f.a.store
        .add_recording(&NewRecording {
            interaction_id: id,
            path: relative,
            duration_ms: Some(60_000),
            created_at_ms: T0,
        })
        .await
        .expect("test setup");
    (id, bytes)
}

#[tokio::test]
async fn a_recording_download_streams_the_file_and_is_audited() {
    let f = fixture().await;
    let (id, bytes) = recorded_call(&f).await;
    let (supervisor, token) = &f.a.supervisor;

    let reply = get(f.http, &format!("/api/v1/recordings/{id}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("audio/wav"));
    assert_eq!(reply.body, bytes);

    let audit = f.a.store.audit_log(0, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "recording.download");
    assert_eq!(audit[0].user_id, Some(*supervisor));
    assert_eq!(audit[0].target, format!("interaction:{id}"));
    assert_eq!(audit[0].details["source"], "127.0.0.1");
}

#[tokio::test]
async fn another_tenants_recording_is_not_found_and_not_audited() {
    let f = fixture().await;
    let (id, _) = recorded_call(&f).await;
    let reply = get(
        f.http,
        &format!("/api/v1/recordings/{id}"),
        Some(&f.b.admin.1),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert!(f.a.store.audit_log(0, 10).await.unwrap().is_empty());
    assert!(f.b.store.audit_log(0, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn agents_may_not_download_recordings() {
    let f = fixture().await;
    let (id, _) = recorded_call(&f).await;
    let reply = get(
        f.http,
        &format!("/api/v1/recordings/{id}"),
        Some(&f.a.agents[0].1),
    )
    .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn a_recording_linked_outside_the_recordings_directory_is_not_served() {
    let f = fixture().await;
    let id = log_call(&f, T0, "+33611111111").await;
    let outside = f.running.config().data_dir.join("secret.wav");
    std::fs::write(&outside, b"secret").unwrap();
    let relative = format!("recordings/{id}.wav");
    std::os::unix::fs::symlink(&outside, f.running.config().data_dir.join(&relative)).unwrap();
    f.a.store
        .add_recording(&NewRecording {
            interaction_id: id,
            path: relative,
            duration_ms: None,
            created_at_ms: T0,
        })
        .await
        .unwrap();
    let reply = get(
        f.http,
        &format!("/api/v1/recordings/{id}"),
        Some(&f.a.admin.1),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert!(!reply.text().contains("secret\""));
}

#[tokio::test]
async fn metrics_expose_the_documented_names_without_a_token() {
    let f = fixture().await;
    log_call(&f, T0, "+33611111111").await;
    let reply = get(f.http, "/metrics", None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = reply.text();
    for name in [
        "plateau_calls_active",
        "plateau_calls_queued",
        "plateau_agents{state=\"on_call\"}",
        "plateau_sip_messages_total",
        "plateau_rtp_packets_total{direction=\"out\"}",
        "plateau_errors_total",
        "plateau_log_rows_total 5",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
}

#[tokio::test]
async fn private_metrics_need_a_floor_role() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.http.metrics_public = false;
    let running = launch_with(config, TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    let http = running.addresses().http;
    assert_eq!(get(http, "/metrics", None).await.status, 401);
    assert_eq!(
        get(http, "/metrics", Some(&a.agents[0].1)).await.status,
        403
    );
    assert_eq!(
        get(http, "/metrics", Some(&a.supervisor.1)).await.status,
        200
    );
}

#[tokio::test]
async fn unknown_routes_are_json_not_found() {
    let f = fixture().await;
    let reply = get(f.http, "/api/v1/nothing", Some(&f.a.admin.1)).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"], "not_found");
}

#[tokio::test]
async fn live_state_is_unavailable_without_a_control_plane() {
    let dir = tempfile::tempdir().unwrap();
    let running = launch_with(test_config(dir.path()), plateau::control::Offline).await;
    let a = make_tenant(running.store(), "a").await;
    let reply = get(running.addresses().http, "/api/v1/agents", Some(&a.admin.1)).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["error"], "unavailable");
}

#[tokio::test]
async fn health_is_ok_then_503_while_draining() {
    let f = fixture().await;
    let reply = get(f.http, "/healthz", None).await;
    assert_eq!((reply.status, reply.text().as_str()), (200, "ok\n"));

    let (started_tx, started) = tokio::sync::oneshot::channel();
    let (go, go_rx) = tokio::sync::oneshot::channel();
    *f.plane.hold_drain.lock().unwrap() = Some((started_tx, go_rx));
    let stopping = tokio::spawn(f.running.shutdown());
    started.await.unwrap();
    let reply = get(f.http, "/healthz", None).await;
    assert_eq!(reply.status, 503);
    go.send(()).unwrap();
    stopping.await.unwrap().unwrap();
}
