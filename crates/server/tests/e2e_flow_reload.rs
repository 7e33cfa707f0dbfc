//! Issue 5, hot reload through the API, end to end: `plateau demo` runs; an administrator
//! sends the demo flow a broken version (refused with its line, nothing changes), then a new
//! version whose first node is a condition; a SIPp caller dialling the demo number right after
//! the 200 walks the new version: its `ivr_entered` names version 2 and the condition's
//! branch is logged.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::checks::{assert_events_in_order, by_caller, calls_ended};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::Sipp;
use http_support::{get, request_typed};

/// The new demo flow: a condition every caller passes, a goodbye, the hang-up.
const NEW_DEMO_FLOW: &str = r#"name: demo
language: en
start: check
nodes:
  check:
    condition:
      if: 'caller_number starts_with "+"'
      then: bye
      else: bye
  bye:
    play: [goodbye]
    next: hangup
"#;

/// Line 9 links to a node that does not exist.
const BROKEN_DEMO_FLOW: &str = r#"name: demo
language: en
start: check
nodes:
  check:
    condition:
      if: 'caller_number starts_with "+"'
      then: bye
      else: nowhere
  bye:
    play: [goodbye]
    next: hangup
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_after_a_flow_is_put_walks_the_new_version() {
    let ws = Workspace::new("flow-reload");
    let server = Server::start(&ws).await;
    let put = async |yaml: &str| {
        request_typed(
            server.http,
            "PUT",
            "/api/v1/flows/demo",
            Some(&server.token),
            Some(("application/yaml", yaml)),
        )
        .await
    };

    let refused = put(BROKEN_DEMO_FLOW).await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let body = refused.json();
    assert_eq!(body["errors"][0]["line"], 9, "{body}");
    let current = get(server.http, "/api/v1/flows/demo", Some(&server.token)).await;
    assert_eq!(current.header("x-plateau-flow-version"), Some("1"));
    assert_ne!(current.text(), BROKEN_DEMO_FLOW);

    let saved = put(NEW_DEMO_FLOW).await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["version"], 2);

    Sipp::new(&ws, "after-reload", "caller_until_bye.xml")
        .remote(server.sip)
        .service(store::demo::DEMO_NUMBER)
        .media_port(free_media_port())
        .key("caller_prefix", "+3367000")
        .calls(1)
        .limit(1)
        .recv_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(60))
        .run()
        .await
        .assert_passed(1);

    let calls = calls_ended(&server.api(), 1).await;
    let call = by_caller(&calls, "+33670001");
    assert_events_in_order(call, &["arrived", "ivr_entered", "ivr_branch", "ended"]);
    let entered = call.first("ivr_entered").expect("ivr_entered");
    assert_eq!(entered.text("flow"), Some("demo"));
    assert_eq!(entered.data["version"], 2, "the new version ran");
    let branch = call.first("ivr_branch").expect("the condition's branch");
    assert_eq!(branch.text("node"), Some("check"));
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
