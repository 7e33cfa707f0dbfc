//! Issue 5, must-show 2 (attended transfer part): consultations and attended transfers.
//!
//! - From the agent's phone (`agent_consults.xml`): Alice (1001) answers a caller, holds
//!   them with a re-INVITE, calls Bruno's extension (1002) through the server, talks to him,
//!   then REFERs the caller to him with `Replaces` naming that consultation. The caller ends
//!   up bridged to Bruno: RTP keeps flowing both ways on the caller's leg after Alice's legs
//!   are gone (she gets a BYE on each), and the interaction keeps one id, one recording and
//!   logs `consult_started`, `consult_ended{transferred}`, `transferred{kind: attended}`,
//!   Bruno's `answered`, then one `ended`. Alice goes to wrap-up.
//! - By API: `POST /api/v1/calls/{id}/consult` rings Bruno while the caller is held, then
//!   `.../consult/cancel` gives the caller back to Alice, or `.../consult/complete` hands
//!   the caller to Bruno (attended transfer `by: api`).

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::{Api, Counters};
use e2e::checks::assert_events_in_order;
use e2e::phones::{Behaviour, register, register_phone};
use e2e::ports::{free_media_port, free_udp_port};
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};
use http_support::{Reply, request};

fn caller(ws: &Workspace, server: &Server, label: &str, prefix: &str) -> SippProcess {
    Sipp::new(ws, label, "caller.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", prefix)
        .calls(1)
        .recv_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(90))
        .spawn()
}

/// Only Alice takes queued calls; the others are away (Bruno is reachable, not ready).
async fn only_alice_ready(api: &Api) {
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    api.set_agent_state("1002", "not_ready").await;
}

/// Waits until a call is connected to the agent with `extension`; returns its id.
async fn connected_to(api: &Api, extension: &str) -> String {
    let agent = api.agent(extension).await.id;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(call) = api.calls().await.first() {
            let detail = api.call(&call.id).await;
            let live = detail.live.as_ref();
            if live.is_some_and(|l| l.phase == "connected" && l.agent == Some(agent)) {
                return call.id.clone();
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a call connected to {extension} within 40 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The caller leg's counters of call `id` while it is up.
async fn caller_leg(api: &Api, id: &str) -> Option<Counters> {
    api.call(id)
        .await
        .live
        .and_then(|live| live.leg("caller").copied())
}

/// Waits until agent `extension` is in `state`.
async fn agent_state_becomes(api: &Api, extension: &str, state: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let agent = api.agent(extension).await;
        if agent.state.as_deref() == Some(state) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{extension} in {state} within 10 s: {agent:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn post(server: &Server, path: &str, body: Option<&str>) -> Reply {
    request(server.http, "POST", path, Some(&server.token), body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refer_with_replaces_from_the_agents_phone_joins_the_caller_to_the_consulted_agent() {
    let ws = Workspace::new("attended-refer");
    let server = Server::start(&ws).await;
    let api = server.api();
    only_alice_ready(&api).await;
    let port = free_udp_port();
    register(&ws, &server, "1001", port, "attended").await;
    let alice = Sipp::new(&ws, "attended-phone-1001", "agent_consults.xml")
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .key("consult_from", "1001")
        .key("consult_to", "1002")
        .key("server", server.sip)
        .pause(Duration::from_secs(3))
        .calls(1)
        .recv_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(120))
        .spawn();
    alice.ready().await;
    let bruno = register_phone(
        &ws,
        &server,
        "1002",
        Behaviour::HangsUpAfter(Duration::from_secs(8)),
        "attended",
    )
    .await;
    let caller = caller(&ws, &server, "attended-caller", "+3369000");
    let id = connected_to(&api, "1001").await;

    // Bruno has the caller once Alice REFERs; her phone is hung up.
    let bruno_id = api.agent("1002").await.id;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let live = api.call(&id).await.live;
        if live.is_some_and(|l| l.phase == "connected" && l.agent == Some(bruno_id)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the call connected to Bruno within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alice = alice.wait().await;
    alice.assert_passed(1);
    let byes = alice
        .messages()
        .iter()
        .filter(|m| !m.sent && m.start_line().starts_with("BYE"))
        .count();
    assert_eq!(byes, 2, "Alice's phone gets a BYE for each of her legs");
    agent_state_becomes(&api, "1001", "wrap_up").await;

    // Audio flows both ways on the caller's leg with Alice gone.
    let before = caller_leg(&api, &id).await.expect("the caller's leg");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = caller_leg(&api, &id).await.expect("the caller's leg");
    assert!(
        after.packets_in > before.packets_in,
        "{before:?} -> {after:?}"
    );
    assert!(
        after.packets_out > before.packets_out,
        "{before:?} -> {after:?}"
    );

    caller.wait().await.assert_passed(1);
    let outcome = bruno.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "answered",
            "recording_started",
            "hold",
            "consult_started",
            "consult_ended",
            "transferred",
            "answered",
            "ended",
        ],
    );
    let consult = call.first("consult_started").expect("consult_started");
    assert_eq!(consult.text("from"), Some("alice"), "{consult:?}");
    assert_eq!(consult.text("to"), Some("bruno"), "{consult:?}");
    assert_eq!(consult.text("by"), Some("phone"), "{consult:?}");
    let ended = call.first("consult_ended").expect("consult_ended");
    assert_eq!(ended.text("outcome"), Some("transferred"), "{ended:?}");
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(transferred.text("from"), Some("alice"), "{transferred:?}");
    assert_eq!(
        transferred.text("to"),
        Some("agent:1002"),
        "{transferred:?}"
    );
    assert_eq!(transferred.text("by"), Some("refer"), "{transferred:?}");
    assert_eq!(
        transferred.text("kind"),
        Some("attended"),
        "{transferred:?}"
    );
    let answered: Vec<_> = call
        .events_of("answered")
        .filter_map(|e| e.text("agent"))
        .collect();
    assert_eq!(answered, ["alice", "bruno"]);
    assert_eq!(call.events_of("recording_started").count(), 1);
    assert_eq!(call.events_of("ended").count(), 1);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_by_api_then_cancelled_gives_the_caller_back_to_their_agent() {
    let ws = Workspace::new("consult-cancel");
    let server = Server::start(&ws).await;
    let api = server.api();
    only_alice_ready(&api).await;
    let alice = register_phone(
        &ws,
        &server,
        "1001",
        Behaviour::HangsUpAfter(Duration::from_secs(10)),
        "consult",
    )
    .await;
    let bruno = register_phone(&ws, &server, "1002", Behaviour::WaitsForBye, "consult").await;
    let caller = caller(&ws, &server, "consult-caller", "+3369100");
    let id = connected_to(&api, "1001").await;
    let consult = format!("/api/v1/calls/{id}/consult");

    let nobody = post(&server, &format!("{consult}/cancel"), None).await;
    assert_eq!(nobody.status, 409, "{}", nobody.text());
    let unknown = post(&server, &consult, Some(r#"{"to": {"agent": 9999}}"#)).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    let to_queue = post(&server, &consult, Some(r#"{"to": {"queue": "support"}}"#)).await;
    assert_eq!(to_queue.status, 400, "{}", to_queue.text());
    let started = post(&server, &consult, Some(r#"{"to": {"agent": 1002}}"#)).await;
    assert_eq!(started.status, 202, "{}", started.text());
    let again = post(&server, &consult, Some(r#"{"to": {"agent": 1002}}"#)).await;
    assert_eq!(again.status, 409, "{}", again.text());

    // Bruno's phone answers at once; Alice and Bruno talk while the caller hears music.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cancelled = post(&server, &format!("{consult}/cancel"), None).await;
    assert_eq!(cancelled.status, 202, "{}", cancelled.text());
    let outcome = bruno.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());

    // The caller talks with Alice again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = caller_leg(&api, &id).await.expect("the caller's leg");
    let live = api.call(&id).await.live.expect("the call is up");
    assert_eq!(live.agent, Some(api.agent("1001").await.id));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = caller_leg(&api, &id).await.expect("the caller's leg");
    assert!(
        after.packets_in > before.packets_in,
        "{before:?} -> {after:?}"
    );
    assert!(
        after.packets_out > before.packets_out,
        "{before:?} -> {after:?}"
    );

    caller.wait().await.assert_passed(1);
    let outcome = alice.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());
    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "answered",
            "consult_started",
            "hold",
            "consult_ended",
            "unhold",
            "ended",
        ],
    );
    let started = call.first("consult_started").expect("consult_started");
    assert_eq!(started.text("by"), Some("api"), "{started:?}");
    assert_eq!(started.text("to"), Some("bruno"), "{started:?}");
    let ended = call.first("consult_ended").expect("consult_ended");
    assert_eq!(ended.text("outcome"), Some("cancelled"), "{ended:?}");
    assert_eq!(call.events_of("transferred").count(), 0);
    let answered: Vec<_> = call
        .events_of("answered")
        .filter_map(|e| e.text("agent"))
        .collect();
    assert_eq!(answered, ["alice"]);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_by_api_then_completed_is_an_attended_transfer() {
    let ws = Workspace::new("consult-complete");
    let server = Server::start(&ws).await;
    let api = server.api();
    only_alice_ready(&api).await;
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "complete").await;
    let bruno = register_phone(
        &ws,
        &server,
        "1002",
        Behaviour::HangsUpAfter(Duration::from_secs(7)),
        "complete",
    )
    .await;
    let caller = caller(&ws, &server, "complete-caller", "+3369200");
    let id = connected_to(&api, "1001").await;
    let consult = format!("/api/v1/calls/{id}/consult");
    let started = post(&server, &consult, Some(r#"{"to": {"agent": "1002"}}"#)).await;
    assert_eq!(started.status, 202, "{}", started.text());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let completed = post(&server, &format!("{consult}/complete"), None).await;
    assert_eq!(completed.status, 202, "{}", completed.text());
    let outcome = alice.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());
    agent_state_becomes(&api, "1001", "wrap_up").await;

    // The caller talks with Bruno.
    let before = caller_leg(&api, &id).await.expect("the caller's leg");
    assert_eq!(
        api.call(&id).await.live.and_then(|l| l.agent),
        Some(api.agent("1002").await.id)
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = caller_leg(&api, &id).await.expect("the caller's leg");
    assert!(
        after.packets_in > before.packets_in,
        "{before:?} -> {after:?}"
    );
    assert!(
        after.packets_out > before.packets_out,
        "{before:?} -> {after:?}"
    );

    caller.wait().await.assert_passed(1);
    let outcome = bruno.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());
    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "answered",
            "consult_started",
            "hold",
            "consult_ended",
            "transferred",
            "unhold",
            "answered",
            "ended",
        ],
    );
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(transferred.text("by"), Some("api"), "{transferred:?}");
    assert_eq!(
        transferred.text("kind"),
        Some("attended"),
        "{transferred:?}"
    );
    let answered: Vec<_> = call
        .events_of("answered")
        .filter_map(|e| e.text("agent"))
        .collect();
    assert_eq!(answered, ["alice", "bruno"]);
    assert_eq!(call.events_of("recording_started").count(), 1);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
