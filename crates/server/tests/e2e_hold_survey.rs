//! Issue 5, must-show 2 (hold and survey parts): an agent puts the caller on hold with a
//! re-INVITE `sendonly` and takes them back with `sendrecv` (`agent_holds.xml`): while held the
//! caller keeps receiving RTP though the agent sends none (the hold music) and nothing of the
//! caller reaches the agent, and the log shows `hold` then `unhold`, counted as hold time in
//! the CDR. A caller whose flow has an after-call survey (`caller_survey.xml`) stays on the
//! line when the agent hangs up (`after_call`, where the talk time ends), presses 4, and the
//! answer is stored as a `survey` event read back through `GET /api/v1/calls/{id}`.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::{Api, CallDetail, Counters};
use e2e::checks::assert_events_in_order;
use e2e::phones::{Behaviour, register, register_phone};
use e2e::ports::{free_media_port, free_udp_port};
use e2e::server::Server;
use e2e::sipp::Sipp;

/// How long the agent keeps the caller on hold.
const HOLD: Duration = Duration::from_secs(4);

/// A flow that queues the call for sales and, once the agent hangs up, asks for a CSAT score.
const SURVEY_FLOW: &str = "\
name: survey
language: en
start: sales
nodes:
  sales:
    queue:
      name: sales
      after_call: csat
  csat:
    survey:
      prompt: [please-hold]
    next: bye
  bye:
    play: [goodbye]
    next: hangup
";

/// The number routed to [`SURVEY_FLOW`].
const SURVEY_NUMBER: &str = "+33100000077";

/// Logs out every demo agent but `keep`, so the call goes to `keep`.
async fn only_agent(api: &Api, keep: &str) {
    for extension in ["1001", "1002", "1003", "1004", "1005"] {
        if extension != keep {
            api.set_agent_state(extension, "logged_out").await;
        }
    }
}

/// Waits until the server has logged one call, and returns its id.
async fn the_call(api: &Api) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(call) = api.calls().await.first() {
            return call.id.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a call logged within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The caller's and the agent's live counters, if the call is up with both legs.
fn legs(call: &CallDetail) -> Option<(Counters, Counters)> {
    let live = call.live.as_ref()?;
    Some((*live.leg("caller")?, *live.leg("agent")?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_caller_hears_music_and_the_log_shows_hold_then_unhold() {
    let ws = Workspace::new("hold");
    let server = Server::start(&ws).await;
    let api = server.api();
    only_agent(&api, "1001").await;
    let port = free_udp_port();
    register(&ws, &server, "1001", port, "hold").await;
    let phone = Sipp::new(&ws, "hold-phone-1001", "agent_holds.xml")
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .pause(HOLD)
        .calls(1)
        .timeout(Duration::from_secs(120))
        .spawn();
    phone.ready().await;

    let caller = Sipp::new(&ws, "hold-caller", "caller.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", "+3363000")
        .calls(1)
        .recv_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(90))
        .spawn();

    // Samples of (caller, agent) counters taken while the log says the caller is held.
    let id = the_call(&api).await;
    let mut held = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let call = api.call(&id).await;
        let kinds = call.kinds();
        if kinds.contains(&"unhold") || kinds.contains(&"ended") {
            break;
        }
        if kinds.contains(&"hold")
            && let Some(sample) = legs(&call)
        {
            held.push(sample);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "hold and unhold within 60 s: {kinds:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    caller.wait().await.assert_passed(1);
    let outcome = phone.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.failed(), 0, "{}", outcome.report());
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());

    let (first, last) = (held.first(), held.last());
    let (Some((caller_first, agent_first)), Some((caller_last, agent_last))) = (first, last) else {
        panic!("no counters read while the caller was held");
    };
    let music = caller_last.packets_out - caller_first.packets_out;
    // The hold lasts 4 s and samples come every 200 ms: the first and last are at least 2 s
    // apart, 100 packets of music at 20 ms.
    assert!(
        music >= 50,
        "the caller kept receiving audio on hold (the agent sent none): {held:?}"
    );
    let leaked = agent_last.packets_out - agent_first.packets_out;
    assert!(
        leaked <= 5,
        "nothing of the caller reached the agent while held: {held:?}"
    );

    let call = api.call(&id).await;
    assert_events_in_order(&call, &["queued", "answered", "hold", "unhold", "ended"]);
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    let hold = call.first("hold").expect("hold").at_ms;
    let unhold = call.first("unhold").expect("unhold").at_ms;
    assert_eq!(cdr.hold_ms, unhold - hold, "{cdr:?}");
    assert!(cdr.hold_ms >= 2_000, "about 4 s on hold: {cdr:?}");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}

/// Seeds the demo, adds [`SURVEY_FLOW`] on [`SURVEY_NUMBER`] as an administrator would, then
/// starts the server the test uses.
async fn start_with_survey_flow(ws: &Workspace) -> Server {
    let seeding = Server::start(ws).await;
    let status = seeding.stop().await;
    assert!(status.success(), "the seeding start stopped with {status}");
    let url = format!("sqlite://{}", ws.data_dir().join("plateau.db").display());
    let db = store::Store::open(&url).await.expect("the demo database");
    let demo = db
        .tenant_by_slug(store::demo::DEMO_TENANT)
        .await
        .expect("tenants")
        .expect("the demo tenant");
    let demo = db.tenant(demo.id).await.expect("the demo tenant's store");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64;
    let flow = demo
        .save_flow("survey", SURVEY_FLOW, now, true)
        .await
        .expect("the survey flow saved");
    demo.set_number(SURVEY_NUMBER, flow.flow_id, now)
        .await
        .expect("the survey number set");
    db.close().await;
    Server::start(ws).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_answer_after_the_agent_hangs_up_is_stored_with_the_call() {
    let ws = Workspace::new("survey");
    let server = start_with_survey_flow(&ws).await;
    let api = server.api();
    only_agent(&api, "1001").await;
    let phone = register_phone(
        &ws,
        &server,
        "1001",
        Behaviour::HangsUpAfter(Duration::from_secs(3)),
        "survey",
    )
    .await;

    // The agent answers at once and hangs up 3 s later; the survey then asks (the prompt,
    // then 5 s, twice): 8 s after the answer the caller's 4 falls in it.
    let caller = Sipp::new(&ws, "survey-caller", "caller_survey.xml")
        .remote(server.sip)
        .service(SURVEY_NUMBER)
        .media_port(free_media_port())
        .key("caller_prefix", "+3364000")
        .pause(Duration::from_secs(8))
        .calls(1)
        .recv_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(90))
        .run()
        .await;
    caller.assert_passed(1);
    let outcome = phone.quit(Duration::from_secs(10)).await;
    assert_eq!(outcome.stats.failed(), 0, "{}", outcome.report());
    assert_eq!(outcome.stats.successful(), 1, "{}", outcome.report());

    let id = the_call(&api).await;
    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "ivr_entered",
            "queued",
            "answered",
            "after_call",
            "digit",
            "survey",
            "ended",
        ],
    );
    let survey = call.first("survey").expect("a survey event");
    assert_eq!(survey.text("survey"), Some("csat"), "{survey:?}");
    assert_eq!(
        survey.data.get("score").and_then(|s| s.as_u64()),
        Some(4),
        "{survey:?}"
    );
    assert_eq!(call.events_of("survey").count(), 1, "{:?}", call.kinds());
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert_eq!(cdr.agent.as_deref(), Some("alice"), "{cdr:?}");
    assert_eq!(cdr.end_cause.as_deref(), Some("agent_hangup"), "{cdr:?}");
    assert!(cdr.ended_at_ms.is_some(), "the CDR closed: {cdr:?}");
    // Talk time is the agent's: it ends when they hang up, not with the survey.
    let answered = call.first("answered").expect("answered").at_ms;
    let left = call.first("after_call").expect("after_call").at_ms;
    assert_eq!(cdr.talk_ms, Some(left - answered), "{cdr:?}");
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
