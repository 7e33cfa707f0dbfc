//! Supervisor actions on live calls over HTTP (`/api/v1/calls/{id}/monitor`, `/takeover`,
//! `/conference`) and the audit log they leave (`GET /api/v1/audit`): who may act, who may
//! read the log, and that forced agent states are in it too. The calls themselves are the
//! end-to-end test's (`e2e_supervisor.rs`); here no call is up.

mod http_support;

use std::net::SocketAddr;

use http_support::{Tenant, TestPlane, get, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;

struct Fixture {
    _dir: tempfile::TempDir,
    _running: Running,
    http: SocketAddr,
    a: Tenant,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    Fixture {
        http: running.addresses().http,
        _dir: dir,
        _running: running,
        a,
    }
}

const CALL: &str = "/api/v1/calls/0190a1b2c3d4e5f60718293a4b5c6d7e/monitor";

fn audit_actions(reply: &http_support::Reply) -> Vec<String> {
    reply
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_agent_may_not_listen_to_calls() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let body = Some(r#"{"mode":"listen"}"#);
    let reply = request(f.http, "POST", CALL, Some(agent), body).await;
    assert_eq!(reply.status, 403, "{}", reply.text());
}

#[tokio::test]
async fn a_mode_outside_listen_whisper_barge_is_a_bad_request() {
    let f = fixture().await;
    let body = Some(r#"{"mode":"shout"}"#);
    let reply = request(f.http, "POST", CALL, Some(&f.a.supervisor.1), body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
}

#[tokio::test]
async fn a_supervisor_action_is_audited_even_when_the_call_is_gone() {
    let f = fixture().await;
    let body = Some(r#"{"mode":"whisper"}"#);
    let reply = request(f.http, "POST", CALL, Some(&f.a.supervisor.1), body).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    let audit = get(f.http, "/api/v1/audit", Some(&f.a.admin.1)).await;
    assert_eq!(audit.status, 200, "{}", audit.text());
    let entries = audit.json();
    let entry = &entries[0];
    assert_eq!(entry["action"], "call.monitor");
    assert_eq!(entry["user_id"], f.a.supervisor.0.0);
    assert_eq!(entry["details"]["mode"], "whisper");
    assert!(
        entry["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("interaction:"))
    );
}

#[tokio::test]
async fn only_managers_and_admins_read_the_audit_log() {
    let f = fixture().await;
    for token in [&f.a.supervisor.1, &f.a.agents[0].1] {
        let reply = get(f.http, "/api/v1/audit", Some(token)).await;
        assert_eq!(reply.status, 403, "{}", reply.text());
    }
}

#[tokio::test]
async fn forcing_an_agents_state_is_audited_and_setting_ones_own_is_not() {
    let f = fixture().await;
    let (agent, agent_token) = &f.a.agents[0];
    let path = format!("/api/v1/agents/{}/state", agent.0);
    let body = Some(r#"{"state":"ready"}"#);
    let own = request(f.http, "PUT", &path, Some(agent_token), body).await;
    assert_eq!(own.status, 200, "{}", own.text());
    let audit = get(f.http, "/api/v1/audit", Some(&f.a.admin.1)).await;
    assert!(audit_actions(&audit).is_empty(), "{}", audit.text());

    let body = Some(r#"{"state":"logged_out"}"#);
    let forced = request(f.http, "PUT", &path, Some(&f.a.supervisor.1), body).await;
    assert_eq!(forced.status, 200, "{}", forced.text());
    let audit = get(f.http, "/api/v1/audit", Some(&f.a.admin.1)).await;
    assert_eq!(audit_actions(&audit), ["agent.state_forced"]);
    let entry = &audit.json()[0];
    assert_eq!(entry["target"], format!("agent:{}", agent.0));
    assert_eq!(entry["details"]["state"], "logged_out");
}
