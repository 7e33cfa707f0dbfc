//! Issue 5, the IVR `http` node in the server: a flow looks the caller up in a CRM (an axum
//! service this test runs on 127.0.0.1) and branches on the answer. The CRM answers
//! `{"vip": true}` for one caller's number: that call takes the condition's `then` branch. A
//! second flow asks a CRM route that answers too late (after the node's timeout), a third a
//! port where nothing listens: both calls take the node's failure branch. Every request is
//! logged as an `ivr_http` event (status or error, and the time taken). SIPp plays the callers
//! (`caller_until_bye.xml`: the flows end with a prompt and the server's BYE).

mod e2e;
mod http_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use e2e::Workspace;
use e2e::checks::{by_caller, calls_ended};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::Sipp;
use serde_json::{Value, json};
use store::TenantStore;

/// The caller the CRM knows as a VIP (SIPp appends the call number, 1).
const VIP_PREFIX: &str = "+3366000";

/// Number, flow name, CRM route (`None`: a port where nothing listens), caller prefix.
const CASES: [(&str, &str, Option<&str>, &str); 3] = [
    ("+33100000201", "crm-vip", Some("customers"), VIP_PREFIX),
    ("+33100000202", "crm-slow", Some("slow"), "+3366100"),
    ("+33100000203", "crm-down", None, "+3366200"),
];

/// A flow that asks `url` about the caller, then: a VIP hears "welcome", anyone else (or a
/// failed lookup) "goodbye"; both hang up.
fn flow(name: &str, url: &str) -> String {
    format!(
        r#"name: {name}
language: en
start: lookup
nodes:
  lookup:
    http:
      url: "{url}/${{caller_number}}"
      timeout: 800ms
      map: {{ vip: vip }}
      on_failure: fallback
    next: route
  route:
    condition:
      if: 'vip == "true"'
      then: vip_welcome
      else: fallback
  vip_welcome:
    play: [welcome]
    next: hangup
  fallback:
    play: [goodbye]
    next: hangup
"#
    )
}

/// The numbers the CRM was asked about.
type Asked = Arc<Mutex<Vec<String>>>;

async fn customer(State(asked): State<Asked>, Path(number): Path<String>) -> Json<Value> {
    asked.lock().expect("test lock").push(number.clone());
    Json(json!({ "vip": number.starts_with(VIP_PREFIX), "name": "Test Customer" }))
}

async fn slow(Path(_): Path<String>) -> Json<Value> {
    tokio::time::sleep(Duration::from_secs(3)).await;
    Json(json!({ "vip": true }))
}

/// Starts the CRM on 127.0.0.1; its base URL and what it is asked.
async fn start_crm() -> (String, Asked) {
    let asked = Asked::default();
    let app = Router::new()
        .route("/customers/{number}", get(customer))
        .route("/slow/{number}", get(slow))
        .with_state(Arc::clone(&asked));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the CRM binds");
    let addr = listener.local_addr().expect("the CRM's address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), asked)
}

/// A base URL where nothing listens (a port bound, then freed).
async fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("its address");
    drop(listener);
    format!("http://{addr}/customers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_lookup_branches_the_flow_and_a_slow_or_absent_crm_takes_the_failure_branch() {
    let ws = Workspace::new("ivr-http");
    let (crm, asked) = start_crm().await;
    let dead = dead_url().await;
    let server = Server::start_edited(&ws, async |demo: &TenantStore| {
        for (number, name, route, _) in CASES {
            let url = match route {
                Some(route) => format!("{crm}/{route}"),
                None => dead.clone(),
            };
            let saved = demo
                .save_flow(name, &flow(name, &url), 1, true)
                .await
                .expect("flow saved");
            demo.set_number(number, saved.flow_id, 1)
                .await
                .expect("number set");
        }
    })
    .await;

    for (number, name, _, caller) in CASES {
        Sipp::new(&ws, name, "caller_until_bye.xml")
            .remote(server.sip)
            .service(number)
            .media_port(free_media_port())
            .key("caller_prefix", caller)
            .calls(1)
            .limit(1)
            .recv_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(60))
            .run()
            .await
            .assert_passed(1);
    }

    let calls = calls_ended(&server.api(), CASES.len()).await;
    assert_eq!(calls.len(), CASES.len(), "one interaction per call");

    let vip = by_caller(&calls, &format!("{VIP_PREFIX}1"));
    let lookup = vip.first("ivr_http").expect("the lookup is logged");
    assert_eq!(lookup.data["status"], 200, "{:?}", lookup.data);
    assert!(lookup.data["ms"].is_u64());
    let branch = vip.first("ivr_branch").expect("the condition's branch");
    assert_eq!(branch.text("node"), Some("route"));
    assert_eq!(branch.text("branch"), Some("then"), "the VIP's branch");
    assert_eq!(
        asked.lock().expect("test lock").as_slice(),
        [format!("{VIP_PREFIX}1")],
        "the CRM was asked about the caller's number, once"
    );

    for (caller, error) in [("+33661001", "timeout"), ("+33662001", "connect")] {
        let call = by_caller(&calls, caller);
        let lookup = call.first("ivr_http").expect("the failed lookup is logged");
        assert_eq!(
            lookup.text("error"),
            Some(error),
            "{caller}: {:?}",
            lookup.data
        );
        assert!(
            lookup.data.get("status").is_none(),
            "{caller}: no status for a failure"
        );
        assert!(
            call.first("ivr_branch").is_none(),
            "{caller}: the failure branch skips the condition"
        );
        assert!(call.first("ended").is_some(), "{caller}: the call ended");
    }

    let metrics = http_support::get(server.http, "/metrics", None)
        .await
        .text();
    assert!(
        metrics.contains(r#"plateau_ivr_http_requests_total{outcome="ok"} 1"#),
        "{metrics}"
    );
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
