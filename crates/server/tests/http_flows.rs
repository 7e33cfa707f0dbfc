//! Issue 5, hot reload through the API: `PUT /api/v1/flows/{name}` checks a flow as the
//! switchboard does and answers every error with its line and column while the running flow
//! keeps answering calls; a flow that loads becomes the next version and the very next call
//! takes it; a call already in the IVR finishes on the version it started with; an older
//! version can be made active again. Run against the real switchboard; calls are made by
//! the `sip_support` phones.

mod http_support;
mod sip_support;

use std::net::SocketAddr;

use http_support::{Reply, get, request, request_typed};
use sip::StatusCode;
use sip_support::{MENU_NUMBER, Phone, Rtp, SALES_NUMBER, Setup, TestServer, unique};
use store::{EventKind, InteractionId, NewUser, Role};

/// A user of the test tenant with `role`, and their API token.
async fn token(server: &TestServer, role: Role) -> String {
    let t = server
        .store()
        .tenant(server.tenant)
        .await
        .expect("test setup");
    let user = t
        .create_user(
            &NewUser {
                username: unique("user"),
                display_name: "Test user".to_owned(),
                role,
                password: None,
                extension: None,
                sip: None,
                enabled: true,
            },
            1,
        )
        .await
        .expect("test setup");
    let (_, secret) = t
        .create_api_token(user.id, "test", 1)
        .await
        .expect("test setup");
    secret.expose().to_owned()
}

fn http(server: &TestServer) -> SocketAddr {
    server.running().addresses().http
}

async fn put_flow(server: &TestServer, token: &str, name: &str, yaml: &str) -> Reply {
    request_typed(
        http(server),
        "PUT",
        &format!("/api/v1/flows/{name}"),
        Some(token),
        Some(("application/yaml", yaml)),
    )
    .await
}

/// The YAML served for a flow, and the version header.
async fn flow_source(server: &TestServer, token: &str, name: &str) -> (String, String) {
    let reply = get(http(server), &format!("/api/v1/flows/{name}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let version = reply
        .header("x-plateau-flow-version")
        .expect("a version header")
        .to_owned();
    (reply.text(), version)
}

/// The queue a call joined, once it has.
async fn queue_joined(server: &TestServer, interaction: InteractionId) -> String {
    let events = server.wait_event(interaction, EventKind::Queued).await;
    let queued = events
        .iter()
        .find(|e| e.kind == EventKind::Queued)
        .expect("a queued event");
    queued.data["queue"]
        .as_str()
        .expect("a queue name")
        .to_owned()
}

/// Calls `number` (straight to a queue), returns the queue the call joined, then hangs up.
async fn queue_of_a_call(server: &TestServer, known: usize, number: &str) -> String {
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller
        .call(number, &format!("+3361200000{known}"), rtp.local)
        .await;
    let interaction = server.next_interaction(known).await;
    let queue = queue_joined(server, interaction).await;
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    server.wait_event(interaction, EventKind::Ended).await;
    queue
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_flow_is_refused_with_line_and_column_and_the_old_one_keeps_answering() {
    let server = TestServer::start(Setup::default()).await;
    let admin = token(&server, Role::Admin).await;
    let (before, version) = flow_source(&server, &admin, "direct").await;
    assert_eq!(version, "1");

    let bad = "name: direct\nlanguage: en\nstart: q\nnodes:\n  q:\n    queue: nowhere\n  lost:\n    goto: q\n";
    let reply = put_flow(&server, &admin, "direct", bad).await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"], "invalid_flow");
    let errors = body["errors"].as_array().expect("a list of errors");
    assert!(errors.len() >= 2, "both problems reported: {body}");
    let queue_error = errors
        .iter()
        .find(|e| e["message"].as_str().is_some_and(|m| m.contains("nowhere")))
        .unwrap_or_else(|| panic!("the unknown queue is reported: {body}"));
    assert_eq!(queue_error["line"], 6);
    assert!(queue_error["column"].as_u64().is_some_and(|c| c > 1));
    let unreachable = errors
        .iter()
        .find(|e| e["message"].as_str().is_some_and(|m| m.contains("lost")))
        .unwrap_or_else(|| panic!("the unreachable node is reported: {body}"));
    assert_eq!(unreachable["line"], 7);

    // Nothing changed: same source, same version, and calls still take it.
    assert_eq!(
        flow_source(&server, &admin, "direct").await,
        (before, "1".to_owned())
    );
    let listed = get(http(&server), "/api/v1/flows", Some(&admin))
        .await
        .json();
    let direct = listed["flows"]
        .as_array()
        .and_then(|flows| flows.iter().find(|f| f["name"] == "direct"))
        .expect("the direct flow listed")
        .clone();
    assert_eq!(direct["active_version"], 1);
    assert_eq!(direct["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(queue_of_a_call(&server, 0, SALES_NUMBER).await, "sales");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_flow_is_the_next_version_and_the_next_call_takes_it_and_a_rollback_restores() {
    let server = TestServer::start(Setup::default()).await;
    let admin = token(&server, Role::Admin).await;
    let (before, _) = flow_source(&server, &admin, "direct").await;
    let after = before.replace("queue: sales", "queue: support");
    assert_ne!(before, after);

    let reply = put_flow(&server, &admin, "direct", &after).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let saved = reply.json();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["applied"], true);
    assert_eq!(
        flow_source(&server, &admin, "direct").await,
        (after, "2".to_owned())
    );
    assert_eq!(queue_of_a_call(&server, 0, SALES_NUMBER).await, "support");

    let reply = request(
        http(&server),
        "POST",
        "/api/v1/flows/direct/activate",
        Some(&admin),
        Some(r#"{"version": 1}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["version"], 1);
    assert_eq!(queue_of_a_call(&server, 1, SALES_NUMBER).await, "sales");

    let t = server.store().tenant(server.tenant).await.expect("tenant");
    let audit = t.audit_log(0, 100).await.expect("audit log");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"flow.save"), "{actions:?}");
    assert!(actions.contains(&"flow.activate"), "{actions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_the_ivr_finishes_on_the_flow_it_started_with() {
    let server = TestServer::start(Setup::default()).await;
    let admin = token(&server, Role::Admin).await;
    let (before, _) = flow_source(&server, &admin, "menu").await;
    let swapped = before.replace(
        r#"{ "1": sales, "2": support }"#,
        r#"{ "1": support, "2": sales }"#,
    );
    assert_ne!(
        before, swapped,
        "the menu's options are where the test expects"
    );

    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(MENU_NUMBER, "+33612000009", rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::IvrEntered).await;

    let reply = put_flow(&server, &admin, "menu", &swapped).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    rtp.send_audio(call.remote_rtp, 5).await;
    rtp.send_dtmf(call.remote_rtp, '1').await;
    assert_eq!(queue_joined(&server, interaction).await, "sales");
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_may_read_or_change_flows() {
    let server = TestServer::start(Setup::default()).await;
    let supervisor = token(&server, Role::Supervisor).await;
    let (source, _) = flow_source(&server, &token(&server, Role::Admin).await, "direct").await;
    let reply = put_flow(&server, &supervisor, "direct", &source).await;
    assert_eq!(reply.status, 403);
    let reply = get(http(&server), "/api/v1/flows", Some(&supervisor)).await;
    assert_eq!(reply.status, 403);
    let reply = get(http(&server), "/api/v1/flows/direct", None).await;
    assert_eq!(reply.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_must_come_as_yaml_and_carry_the_name_it_is_saved_under() {
    let server = TestServer::start(Setup::default()).await;
    let admin = token(&server, Role::Admin).await;
    let (source, _) = flow_source(&server, &admin, "direct").await;
    let reply = request(
        http(&server),
        "PUT",
        "/api/v1/flows/direct",
        Some(&admin),
        Some(&source),
    )
    .await;
    assert_eq!(reply.status, 415, "JSON is not a flow: {}", reply.text());

    let reply = put_flow(&server, &admin, "other", &source).await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["errors"][0]["line"], 1);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"other\""))
    );
    let reply = get(http(&server), "/api/v1/flows/other", Some(&admin)).await;
    assert_eq!(reply.status, 404, "nothing was saved under the other name");
}
