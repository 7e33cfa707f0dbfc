//! Issue 4, must-show 1 and 5 (reply order): thirty customers call the demo number while three
//! agents' phones are registered. SIPp plays both sides: the callers (`caller.xml`: PCMA voice
//! from a pcap, the key 1 as RFC 2833 events to choose sales) and the agents' phones
//! (`register.xml` with digest auth, then `agent_hangs_up.xml`: answer, talk 2.5 s, hang up).
//!
//! Each call holds an agent 2.5 s plus 1 s of wrap-up. The first 18 calls arrive every 0.5 s,
//! faster than three agents serve them, so callers queue and each agent is offered the next
//! call as soon as its wrap-up ends; the last 12 arrive every 2 s, slower, so two or three
//! agents are idle at each arrival and the longest-idle rule is what picks one. The test then
//! reads what the server logged: each call's events in order, its CDR, its stereo recording,
//! its RTP counters seen while bridged, and, from the agent log, that each offer went to the
//! agent idle longest.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::checks::{
    CounterWatch, assert_answered_cdr, assert_events_in_order, assert_longest_idle,
    assert_no_provisional_after_final, assert_recording, by_caller, read_agent_log,
};
use e2e::phones::{Behaviour, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::Sipp;

/// The two runs of callers: label, number prefix, calls, time between calls.
const RUNS: [(&str, &str, u32, Duration); 2] = [
    ("busy", "+3361000", 18, Duration::from_millis(500)),
    ("quiet", "+3361100", 12, Duration::from_secs(2)),
];
const CALLS: u32 = 30;
const AGENTS: [&str; 3] = ["1001", "1002", "1003"];
const TALK: Duration = Duration::from_millis(2_500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_calls_reach_the_longest_idle_agent_bridged_recorded_and_logged() {
    let ws = Workspace::new("inbound");
    let server = Server::start_with_queues(&ws, |queue| queue.wrap_up_secs = 1).await;
    let api = server.api();
    for idle in ["1004", "1005"] {
        api.set_agent_state(idle, "logged_out").await;
    }
    let mut phones = Vec::new();
    for extension in AGENTS {
        phones.push(
            register_phone(
                &ws,
                &server,
                extension,
                Behaviour::HangsUpAfter(TALK),
                "inbound",
            )
            .await,
        );
    }
    for extension in AGENTS {
        let agent = api.agent(extension).await;
        assert!(agent.registered, "{extension} registered: {agent:?}");
        assert_eq!(agent.state.as_deref(), Some("available"), "{agent:?}");
    }

    let watch = CounterWatch::start(api.clone(), Duration::from_millis(250));
    for (label, prefix, calls, every) in RUNS {
        let callers = Sipp::new(&ws, label, "caller.xml")
            .remote(server.sip)
            .service("+33100000000")
            .media_port(free_media_port())
            .key("caller_prefix", prefix)
            .calls(calls)
            .rate(1, every)
            .limit(calls)
            .recv_timeout(Duration::from_secs(90))
            .timeout(Duration::from_secs(180))
            .run()
            .await;
        callers.assert_passed(u64::from(calls));
        assert_no_provisional_after_final(&callers.messages());
    }
    let bridged = watch.finish().await;

    let mut answered_by_phones = 0;
    for phone in phones {
        let extension = phone.extension.clone();
        let outcome = phone.quit(Duration::from_secs(10)).await;
        assert_eq!(
            outcome.stats.failed(),
            0,
            "{extension}: {}",
            outcome.report()
        );
        answered_by_phones += outcome.stats.successful();
    }
    assert_eq!(answered_by_phones, u64::from(CALLS));

    let calls = api.call_details().await;
    assert_eq!(calls.len(), CALLS as usize, "one interaction per call");
    let numbers = RUNS
        .iter()
        .flat_map(|(_, prefix, calls, _)| (1..=*calls).map(move |n| format!("{prefix}{n}")));
    for number in numbers {
        let call = by_caller(&calls, &number);
        assert_events_in_order(
            call,
            &[
                "arrived",
                "ivr_entered",
                "digit",
                "queued",
                "offered",
                "answered",
                "recording_started",
                "ended",
            ],
        );
        assert_eq!(
            call.first("digit").and_then(|e| e.text("digit")),
            Some("1"),
            "{}",
            call.call.id
        );
        assert_eq!(call.events_of("offered").count(), 1, "{:?}", call.kinds());
        let offered = call.first("offered").and_then(|e| e.text("agent"));
        let answered = call.first("answered").and_then(|e| e.text("agent"));
        assert_eq!(offered, answered, "{}", call.call.id);
        assert_answered_cdr(call, "sales", "agent_hangup");
        assert_recording(&api, call).await;
        bridged
            .get(&call.call.id)
            .unwrap_or_else(|| panic!("call {} never seen bridged", call.call.id))
            .assert_audio_both_ways(&call.call.id);
    }

    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
    let agent_log = read_agent_log(&ws.data_dir()).await;
    let offers = assert_longest_idle(&agent_log);
    eprintln!("agent log: {offers:?}");
    assert_eq!(
        offers.offers, CALLS as usize,
        "one offer per call: {offers:?}"
    );
    assert!(
        offers.choices > 0,
        "some offers were made with several agents idle: {offers:?}"
    );
}
