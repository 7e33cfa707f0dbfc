//! Issue 5, must-show 2 (transfer part): blind transfers. A caller talking to Alice (1001) is
//! transferred with `POST /api/v1/calls/{id}/transfer`, once to Bruno (1002) by extension and
//! once to the `support` queue, where Bruno takes it; and by a REFER from Alice's phone
//! (`agent_refers.xml`: 202, NOTIFY 100 then 200, BYE) to Bruno. Alice's phone gets a BYE,
//! the caller hears hold music meanwhile, and the interaction keeps one id: `answered` by
//! Alice, `transferred{from, to, by}`, then Bruno's `offered` and `answered`, one recording,
//! one `ended` when Bruno hangs up. Bad requests get the API's errors.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::Api;
use e2e::checks::assert_events_in_order;
use e2e::phones::{Behaviour, Phone, register, register_phone};
use e2e::ports::{free_media_port, free_udp_port};
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};
use http_support::{Reply, request};

/// Alice's phone talks until the server hangs it up; Bruno's answers, talks 3 s, hangs up.
async fn phones(ws: &Workspace, server: &Server, run: &str) -> (Phone, Phone) {
    let api = server.api();
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    // Bruno is not ready until Alice has the call, so the call goes to Alice first.
    api.set_agent_state("1002", "not_ready").await;
    let alice = register_phone(ws, server, "1001", Behaviour::WaitsForBye, run).await;
    let bruno = register_phone(
        ws,
        server,
        "1002",
        Behaviour::HangsUpAfter(Duration::from_secs(3)),
        run,
    )
    .await;
    (alice, bruno)
}

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

async fn post_transfer(server: &Server, id: &str, body: &str) -> Reply {
    let path = format!("/api/v1/calls/{id}/transfer");
    request(server.http, "POST", &path, Some(&server.token), Some(body)).await
}

/// Ends the phones and checks each took its one call.
async fn hang_up_phones(alice: Phone, bruno: Phone) {
    for phone in [alice, bruno] {
        let extension = phone.extension.clone();
        let outcome = phone.quit(Duration::from_secs(10)).await;
        assert_eq!(
            outcome.stats.failed(),
            0,
            "{extension}: {}",
            outcome.report()
        );
        assert_eq!(
            outcome.stats.successful(),
            1,
            "{extension}: {}",
            outcome.report()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_transferred_by_api_to_an_agent_keeps_its_interaction() {
    let ws = Workspace::new("transfer-agent");
    let server = Server::start(&ws).await;
    let api = server.api();
    let (alice, bruno) = phones(&ws, &server, "to-agent").await;
    let caller = caller(&ws, &server, "to-agent-caller", "+3365000");
    let id = connected_to(&api, "1001").await;
    api.set_agent_state("1002", "ready").await;

    let unknown = post_transfer(&server, &id, r#"{"to": {"agent": 9999}}"#).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    let malformed = post_transfer(&server, &id, r#"{"to": {"phone": 1002}}"#).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text());
    let no_call = post_transfer(
        &server,
        "0123456789abcdef0123456789abcdef",
        r#"{"to": {"agent": 1002}}"#,
    )
    .await;
    assert_eq!(no_call.status, 404, "{}", no_call.text());

    let started = post_transfer(&server, &id, r#"{"to": {"agent": 1002}}"#).await;
    assert_eq!(started.status, 202, "{}", started.text());
    caller.wait().await.assert_passed(1);
    hang_up_phones(alice, bruno).await;

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "queued",
            "offered",
            "answered",
            "recording_started",
            "transferred",
            "offered",
            "answered",
            "ended",
        ],
    );
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(transferred.text("from"), Some("alice"), "{transferred:?}");
    assert_eq!(
        transferred.text("to"),
        Some("agent:1002"),
        "{transferred:?}"
    );
    assert_eq!(transferred.text("by"), Some("api"), "{transferred:?}");
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
async fn a_call_transferred_by_api_to_a_queue_is_answered_there() {
    let ws = Workspace::new("transfer-queue");
    let server = Server::start(&ws).await;
    let api = server.api();
    let (alice, bruno) = phones(&ws, &server, "to-queue").await;
    let caller = caller(&ws, &server, "to-queue-caller", "+3366000");
    let id = connected_to(&api, "1001").await;
    api.set_agent_state("1002", "ready").await;

    let unknown = post_transfer(&server, &id, r#"{"to": {"queue": "nowhere"}}"#).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    let started = post_transfer(&server, &id, r#"{"to": {"queue": "support"}}"#).await;
    assert_eq!(started.status, 202, "{}", started.text());
    caller.wait().await.assert_passed(1);
    hang_up_phones(alice, bruno).await;

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "queued",
            "answered",
            "transferred",
            "queued",
            "offered",
            "answered",
            "ended",
        ],
    );
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(
        transferred.text("to"),
        Some("queue:support"),
        "{transferred:?}"
    );
    let queues: Vec<_> = call
        .events_of("queued")
        .filter_map(|e| e.text("queue"))
        .collect();
    assert_eq!(queues, ["sales", "support"]);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.queue.as_deref(), Some("support"), "{cdr:?}");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refer_from_the_agents_phone_transfers_the_caller_to_another_agent() {
    let ws = Workspace::new("transfer-refer");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    api.set_agent_state("1002", "not_ready").await;
    let port = free_udp_port();
    register(&ws, &server, "1001", port, "refer").await;
    let alice = Sipp::new(&ws, "refer-phone-1001", "agent_refers.xml")
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .key("refer_to", "1002")
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
        Behaviour::HangsUpAfter(Duration::from_secs(3)),
        "refer",
    )
    .await;
    let caller = caller(&ws, &server, "refer-caller", "+3367000");
    let id = connected_to(&api, "1001").await;
    api.set_agent_state("1002", "ready").await;

    caller.wait().await.assert_passed(1);
    let alice = alice.wait().await;
    alice.assert_passed(1);
    let notified: Vec<String> = alice
        .messages()
        .iter()
        .filter(|m| !m.sent && m.start_line().starts_with("NOTIFY"))
        .map(|m| {
            m.text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .collect();
    assert_eq!(notified, ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
    let outcome = bruno.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &["answered", "transferred", "offered", "answered", "ended"],
    );
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(
        transferred.text("to"),
        Some("agent:1002"),
        "{transferred:?}"
    );
    assert_eq!(transferred.text("by"), Some("refer"), "{transferred:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_the_agent_does_not_answer_returns_the_caller_to_their_queue() {
    let ws = Workspace::new("transfer-no-answer");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    // Bruno stays not ready: the queue never offers him the call, only the transfer does.
    api.set_agent_state("1002", "not_ready").await;
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "no-answer").await;
    let bruno = register_phone(&ws, &server, "1002", Behaviour::NeverAnswers, "no-answer").await;
    // The caller hangs up 35 s after choosing sales: after Bruno's 20 s of ringing, Alice
    // (out of wrap-up by then) has the call again.
    let caller = Sipp::new(&ws, "no-answer-caller", "caller_hangs_up.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", "+3368000")
        .pause(Duration::from_secs(35))
        .calls(1)
        .recv_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(90))
        .spawn();
    let id = connected_to(&api, "1001").await;
    let started = post_transfer(&server, &id, r#"{"to": {"agent": "1002"}}"#).await;
    assert_eq!(started.status, 202, "{}", started.text());
    caller.wait().await.assert_passed(1);
    let outcome = alice.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.successful(), 2, "{}", outcome.report());
    bruno.quit(Duration::from_secs(10)).await;

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "answered",
            "transferred",
            "offered",
            "offer_missed",
            "queued",
            "offered",
            "answered",
            "ended",
        ],
    );
    let missed = call.first("offer_missed").expect("offer_missed");
    assert_eq!(missed.text("agent"), Some("bruno"), "{missed:?}");
    assert_eq!(missed.text("reason"), Some("no_answer"), "{missed:?}");
    let answered: Vec<_> = call
        .events_of("answered")
        .filter_map(|e| e.text("agent"))
        .collect();
    assert_eq!(answered, ["alice", "alice"]);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.end_cause.as_deref(), Some("caller_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
