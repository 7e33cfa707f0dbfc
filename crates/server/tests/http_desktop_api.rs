//! What the agent desktop needs of the API beyond the rest: an agent's own call history
//! (`GET /api/v1/calls?mine=true`) and the not-ready reason codes with the agent list.

mod http_support;

use http_support::{TestPlane, get, launch_with, log_answered_call, make_tenant, test_config};

const T0: i64 = 1_700_000_000_000;

#[tokio::test]
async fn an_agent_reads_only_the_calls_they_answered() {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let tenant = make_tenant(running.store(), "a").await;
    let http = running.addresses().http;
    // Answered by the tenant's first agent.
    let id = log_answered_call(running.log_writer(), &tenant, T0, "+33611111111").await;

    let own = get(http, "/api/v1/calls?mine=true", Some(&tenant.agents[0].1)).await;
    assert_eq!(own.status, 200, "{}", own.text());
    let calls = own.json()["calls"].as_array().expect("calls").clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["id"], id.to_string());

    let other = get(http, "/api/v1/calls?mine=true", Some(&tenant.agents[1].1)).await;
    assert_eq!(other.status, 200, "{}", other.text());
    assert_eq!(other.json()["calls"].as_array().map(Vec::len), Some(0));

    let everyone = get(http, "/api/v1/calls?mine=false", Some(&tenant.agents[0].1)).await;
    assert_eq!(
        everyone.status, 403,
        "the whole history stays for floor roles"
    );
}

#[tokio::test]
async fn the_agent_list_names_the_not_ready_reasons() {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let tenant = make_tenant(running.store(), "a").await;
    let reply = get(
        running.addresses().http,
        "/api/v1/agents",
        Some(&tenant.agents[0].1),
    )
    .await;
    assert_eq!(reply.status, 200);
    let reasons = reply.json()["not_ready_reasons"].clone();
    assert!(
        reasons
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r == "break")),
        "{reasons}"
    );
}
