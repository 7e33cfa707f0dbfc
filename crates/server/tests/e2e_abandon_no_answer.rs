//! Issue 4, must-show 2: callers who hang up while queued are logged as abandoned with their
//! wait; an agent whose phone does not answer is skipped and set not ready, and the call goes
//! to the next agent.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::CallDetail;
use e2e::checks::{assert_answered_cdr, assert_events_in_order, by_caller};
use e2e::phones::{Behaviour, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};

/// Callers of `caller_hangs_up.xml`: dial, press 1 six seconds after the answer, hang up
/// `hang_up_after` later.
fn callers(
    ws: &Workspace,
    server: &Server,
    label: &str,
    prefix: &str,
    calls: u32,
    hang_up_after: Duration,
) -> SippProcess {
    Sipp::new(ws, label, "caller_hangs_up.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", prefix)
        .calls(calls)
        .rate(1, Duration::from_secs(1))
        .limit(calls)
        .pause(hang_up_after)
        .recv_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(90))
        .spawn()
}

fn assert_abandoned(call: &CallDetail) {
    assert_events_in_order(
        call,
        &[
            "arrived",
            "ivr_entered",
            "digit",
            "queued",
            "abandoned",
            "ended",
        ],
    );
    assert!(call.first("answered").is_none(), "{:?}", call.kinds());
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    let context = format!("call {}: {cdr:?}", call.call.id);
    assert!(cdr.abandoned, "{context}");
    assert_eq!(cdr.end_cause.as_deref(), Some("abandoned"), "{context}");
    assert_eq!(
        call.first("ended").and_then(|e| e.text("cause")),
        Some("abandoned")
    );
    let queued = cdr.queued_at_ms.expect("queued_at");
    let left = call.first("abandoned").expect("abandoned").at_ms;
    assert_eq!(cdr.wait_ms, Some(left - queued), "{context}");
    // The caller hangs up 3 s after pressing 1, and the call is queued on that key.
    assert!(
        cdr.wait_ms.is_some_and(|w| w > 1_000),
        "the wait is the time in queue: {context}"
    );
    assert!(cdr.talk_ms.is_none() && cdr.agent.is_none(), "{context}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_hanging_up_in_queue_are_abandoned_with_their_wait() {
    let ws = Workspace::new("abandon");
    let server = Server::start_with_queues(&ws, |queue| queue.wrap_up_secs = 1).await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let phone = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "abandon").await;

    // All busy: the only agent takes the first call (10 s); two callers arriving 1 s and 2 s
    // later wait in the queue and hang up 3 s after choosing.
    let first = callers(
        &ws,
        &server,
        "busy-first",
        "+3362000",
        1,
        Duration::from_secs(10),
    );
    let waiting = async {
        // The first caller must be queued first: start the others once it is in the IVR.
        wait_for_calls(&server, 1).await;
        callers(
            &ws,
            &server,
            "busy-waiting",
            "+3362100",
            2,
            Duration::from_secs(3),
        )
        .wait()
        .await
    };
    let (first, waiting) = tokio::join!(first.wait(), waiting);
    first.assert_passed(1);
    waiting.assert_passed(2);

    // No agent ready: the agent goes not ready; the next caller waits alone and hangs up.
    api.set_agent_state("1001", "not_ready").await;
    callers(
        &ws,
        &server,
        "none-ready",
        "+3362200",
        1,
        Duration::from_secs(3),
    )
    .wait()
    .await
    .assert_passed(1);
    phone.quit(Duration::from_secs(10)).await;

    let calls = api.call_details().await;
    assert_eq!(calls.len(), 4, "four calls logged");
    let answered = by_caller(&calls, "+33620001");
    assert_answered_cdr(answered, "sales", "caller_hangup");
    for caller in ["+33621001", "+33621002", "+33622001"] {
        assert_abandoned(by_caller(&calls, caller));
    }
}

/// Waits until the server has logged `count` calls.
async fn wait_for_calls(server: &Server, count: usize) {
    let api = server.api();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while api.calls().await.len() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} calls logged within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_not_answering_is_skipped_set_not_ready_and_the_next_agent_answers() {
    let ws = Workspace::new("no-answer");
    let server = Server::start_with_queues(&ws, |queue| {
        queue.wrap_up_secs = 1;
        queue.ring_timeout_secs = 3;
        queue.max_missed_offers = 1;
    })
    .await;
    let api = server.api();
    for absent in ["1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let ringing = register_phone(&ws, &server, "1001", Behaviour::NeverAnswers, "noanswer").await;
    let busy = register_phone(&ws, &server, "1002", Behaviour::Busy, "noanswer").await;
    let answering = register_phone(&ws, &server, "1003", Behaviour::WaitsForBye, "noanswer").await;
    // The idle order the offers follow: 1001 the longest, then 1002, then 1003.
    for extension in ["1001", "1002", "1003"] {
        api.set_agent_state(extension, "not_ready").await;
    }
    for extension in ["1001", "1002", "1003"] {
        api.set_agent_state(extension, "ready").await;
    }

    // 3 s of ringing on 1001, a 486 from 1002, then 1003 answers: 8 s is enough to talk.
    callers(
        &ws,
        &server,
        "caller",
        "+3363000",
        1,
        Duration::from_secs(8),
    )
    .wait()
    .await
    .assert_passed(1);

    for (extension, state) in [("1001", "not_ready"), ("1002", "not_ready")] {
        let agent = api.agent(extension).await;
        assert_eq!(agent.state.as_deref(), Some(state), "{agent:?}");
        assert!(agent.reason.is_some(), "a reason for not ready: {agent:?}");
    }
    assert_ne!(
        api.agent("1003").await.state.as_deref(),
        Some("not_ready"),
        "the agent who answered stays in service"
    );

    let calls = api.call_details().await;
    assert_eq!(calls.len(), 1);
    let call = by_caller(&calls, "+33630001");
    assert_events_in_order(
        call,
        &[
            "queued",
            "offered",
            "offer_missed",
            "offered",
            "offer_missed",
            "offered",
            "answered",
            "ended",
        ],
    );
    let who = |kind: &str| -> Vec<(String, Option<String>)> {
        call.events_of(kind)
            .map(|e| {
                (
                    e.text("agent").unwrap_or_default().to_owned(),
                    e.text("reason").map(str::to_owned),
                )
            })
            .collect()
    };
    let offered: Vec<String> = who("offered").into_iter().map(|(a, _)| a).collect();
    assert_eq!(offered, ["alice", "bruno", "chloe"]);
    assert_eq!(
        who("offer_missed"),
        [
            ("alice".to_owned(), Some("no_answer".to_owned())),
            ("bruno".to_owned(), Some("busy".to_owned())),
        ]
    );
    assert_answered_cdr(call, "sales", "caller_hangup");
    assert_eq!(call.call.cdr.as_ref().map(|c| c.offers), Some(3));

    for phone in [ringing, busy, answering] {
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
