//! Issue 5, must-show 2 (routing part): a caller who chooses French in the flow reaches the
//! French-speaking agent although an English-only agent has been idle longer; a call waiting
//! in a queue with no available agent (none has the skill it requires) overflows to a second
//! queue after the queue's overflow time and is answered there. SIPp plays the callers (`caller_hangs_up.xml`: the key 1 six
//! seconds after the answer, BYE some seconds later; `caller_presses_2.xml` the same with the
//! key 2) and the agents' phones; the store is set
//! up before the server starts (skills, a flow with a language menu, an overflow), as an
//! administrator would.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::{Api, CallDetail};
use e2e::checks::{assert_events_in_order, by_caller, wait_for_phases};
use e2e::phones::{Behaviour, Phone, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippOutcome};
use store::{QueueOverflow, QueueRouting, SkillLevels, TenantStore};

/// The number the language flow answers (the demo's own number keeps the demo flow).
const LANGUAGE_NUMBER: &str = "+33100000001";

/// A menu in English: 1 for French, 2 (or nothing) for English, then the sales queue. The
/// `language` node makes `language:fr` a required skill of the call.
const LANGUAGE_FLOW: &str = "\
name: languages
language: en
start: choose
nodes:
  choose:
    menu:
      prompt: [menu]
      timeout: 10s
      retries: 1
      options: { \"1\": french, \"2\": english }
      on_failure: english
  french:
    language: fr
    next: sales
  english:
    language: en
    next: sales
  sales:
    queue: sales
";

fn skills(pairs: &[(&str, u8)]) -> SkillLevels {
    pairs.iter().map(|(s, l)| ((*s).to_owned(), *l)).collect()
}

async fn user(demo: &TenantStore, username: &str) -> store::UserId {
    demo.user_by_username(username)
        .await
        .expect("users")
        .expect("a demo agent")
        .id
}

async fn queue(demo: &TenantStore, name: &str) -> store::QueueId {
    demo.queue_by_name(name)
        .await
        .expect("queues")
        .expect("a demo queue")
        .id
}

/// One caller of `scenario` (`caller_hangs_up.xml`: the key 1; `caller_presses_2.xml`: the
/// key 2) to `number`, hanging up `after_key` after the key.
async fn call(
    ws: &Workspace,
    server: &Server,
    scenario: &str,
    number: &str,
    caller: &str,
    after_key: Duration,
) -> SippOutcome {
    Sipp::new(ws, caller, scenario)
        .remote(server.sip)
        .service(number)
        .media_port(free_media_port())
        .key("caller_prefix", caller)
        .calls(1)
        .limit(1)
        .pause(after_key)
        .recv_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(60))
        .run()
        .await
}

/// The agents named by the call's events of `kind`, in order.
fn agents_of(call: &CallDetail, kind: &str) -> Vec<String> {
    call.events_of(kind)
        .map(|e| e.text("agent").unwrap_or_default().to_owned())
        .collect()
}

/// Quits a phone and returns how many calls it answered (none failed).
async fn calls_taken(phone: Phone) -> u64 {
    let extension = phone.extension.clone();
    let outcome = phone.quit(Duration::from_secs(10)).await;
    assert_eq!(
        outcome.stats.failed(),
        0,
        "{extension}: {}",
        outcome.report()
    );
    outcome.stats.successful()
}

/// Makes `extensions` ready in this order, so the first is idle longest.
async fn ready_in_order(api: &Api, extensions: &[&str]) {
    for extension in extensions {
        api.set_agent_state(extension, "not_ready").await;
    }
    for extension in extensions {
        api.set_agent_state(extension, "ready").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_caller_reaches_the_french_agent_while_an_english_agent_idles_longer() {
    let ws = Workspace::new("skills");
    let server = Server::start_edited(&ws, async |demo: &TenantStore| {
        let alice = user(demo, "alice").await;
        let bruno = user(demo, "bruno").await;
        demo.set_user_skills(alice, &skills(&[("language:en", 9)]))
            .await
            .expect("alice's skills");
        demo.set_user_skills(bruno, &skills(&[("language:fr", 8), ("language:en", 5)]))
            .await
            .expect("bruno's skills");
        let flow = demo
            .save_flow("languages", LANGUAGE_FLOW, 1, true)
            .await
            .expect("the language flow");
        demo.set_number(LANGUAGE_NUMBER, flow.flow_id, 1)
            .await
            .expect("the language number");
    })
    .await;
    let api = server.api();
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "skills").await;
    let bruno = register_phone(&ws, &server, "1002", Behaviour::WaitsForBye, "skills").await;
    // Alice (English only) idle longest: longest-idle alone would pick her.
    ready_in_order(&api, &["1001", "1002"]).await;

    call(
        &ws,
        &server,
        "caller_hangs_up.xml",
        LANGUAGE_NUMBER,
        "+3364000",
        Duration::from_secs(5),
    )
    .await
    .assert_passed(1);
    assert_eq!(
        api.agent("1001").await.state.as_deref(),
        Some("available"),
        "alice was never offered the French call"
    );

    // An English caller next: alice, idle longest and speaking English, takes it.
    call(
        &ws,
        &server,
        "caller_presses_2.xml",
        LANGUAGE_NUMBER,
        "+3364100",
        Duration::from_secs(5),
    )
    .await
    .assert_passed(1);
    assert_eq!(calls_taken(alice).await, 1, "alice answered one call");
    assert_eq!(calls_taken(bruno).await, 1, "bruno answered one call");

    let calls = api.call_details().await;
    assert_eq!(calls.len(), 2);
    let french = by_caller(&calls, "+33640001");
    assert_events_in_order(
        french,
        &[
            "arrived",
            "ivr_entered",
            "digit",
            "queued",
            "offered",
            "answered",
            "ended",
        ],
    );
    assert_eq!(agents_of(french, "offered"), ["bruno"]);
    assert_eq!(agents_of(french, "answered"), ["bruno"]);
    let cdr = french.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.queue.as_deref(), Some("sales"), "{cdr:?}");
    assert_eq!(cdr.end_cause.as_deref(), Some("caller_hangup"), "{cdr:?}");

    let english = by_caller(&calls, "+33641001");
    assert_eq!(
        english.first("digit").and_then(|e| e.text("digit")),
        Some("2")
    );
    assert_eq!(agents_of(english, "offered"), ["alice"]);
    assert_eq!(agents_of(english, "answered"), ["alice"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_with_no_agent_overflows_to_the_second_queue_and_is_answered_there() {
    const OVERFLOW_SECS: u32 = 3;
    let ws = Workspace::new("overflow");
    let server = Server::start_edited(&ws, async |demo: &TenantStore| {
        let sales = queue(demo, "sales").await;
        let support = queue(demo, "support").await;
        for name in ["sales", "support"] {
            let id = queue(demo, name).await;
            let mut settings = demo
                .queue(id)
                .await
                .expect("queues")
                .expect("a queue")
                .settings;
            settings.wrap_up_secs = 1;
            demo.update_queue(id, &settings).await.expect("settings");
        }
        // Sales requires a skill nobody logged in has (every demo agent is a member of both
        // queues, and the demo seeding puts them back at each start): alice only qualifies
        // for support.
        let routing = QueueRouting {
            required_skills: skills(&[("team:sales", 1)]),
            overflow: Some(QueueOverflow {
                to: support,
                after_secs: OVERFLOW_SECS,
            }),
        };
        demo.set_queue_routing(sales, &routing)
            .await
            .expect("sales overflows to support");
    })
    .await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "overflow").await;
    let support_id = api.queue("support").await["id"].as_i64().expect("an id");
    assert!(
        api.queue("sales").await["estimated_wait_secs"].is_null(),
        "no estimate before a call was handled"
    );

    // The key 1 (sales) comes 6 s after the answer; the overflow 3 s later; the caller
    // stays 8 s after the key, so about 5 s with alice.
    let caller = call(
        &ws,
        &server,
        "caller_hangs_up.xml",
        store::demo::DEMO_NUMBER,
        "+3365000",
        Duration::from_secs(8),
    );
    let watch = async {
        wait_for_phases(&api, 1, 0, 0).await;
        let open = api
            .calls()
            .await
            .into_iter()
            .find(|c| c.open)
            .expect("the call");
        api.call(&open.id).await.live.expect("live state")
    };
    let (outcome, live) = tokio::join!(caller, watch);
    outcome.assert_passed(1);
    assert_eq!(live.phase, "connected");
    assert_eq!(
        live.queue,
        Some(support_id),
        "the API shows the queue it moved to"
    );
    assert_eq!(calls_taken(alice).await, 1, "alice answered in support");

    let calls = api.call_details().await;
    assert_eq!(calls.len(), 1);
    let moved = by_caller(&calls, "+33650001");
    assert_events_in_order(
        moved,
        &[
            "arrived",
            "ivr_entered",
            "digit",
            "queued",
            "overflowed",
            "offered",
            "answered",
            "ended",
        ],
    );
    assert_eq!(
        moved.first("queued").and_then(|e| e.text("queue")),
        Some("sales")
    );
    let overflowed = moved.first("overflowed").expect("overflowed");
    assert_eq!(overflowed.text("from"), Some("sales"));
    assert_eq!(overflowed.text("to"), Some("support"));
    let waited = overflowed.data["waited_ms"].as_u64().expect("waited_ms");
    assert!(
        waited >= u64::from(OVERFLOW_SECS) * 1_000,
        "overflowed after the queue's time: {waited} ms"
    );
    assert_eq!(agents_of(moved, "answered"), ["alice"]);
    let cdr = moved.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.queue.as_deref(), Some("support"), "{cdr:?}");
    assert_eq!(cdr.end_cause.as_deref(), Some("caller_hangup"), "{cdr:?}");

    // Support has handled a call and alice staffs it: it now has an estimate.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let estimate = api.queue("support").await["estimated_wait_secs"].as_u64();
        if estimate.is_some() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "support has an estimated wait within 10 s of its call"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
