//! Issue 4, must-show 3: the server is killed with SIGKILL while calls are up (talking,
//! queued, in the voice menu). Restarted on the same data directory, it still has the agents'
//! registrations (a new call reaches a phone that did not register again), every call that
//! completed before has its events and CDR, and the calls that were up are closed in the log
//! with cause `server_stopped`: none is lost.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::checks::{
    assert_answered_cdr, assert_events_in_order, assert_recording, by_caller, wait_for_phases,
};
use e2e::phones::{Behaviour, Phone, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};

const AGENTS: [&str; 3] = ["1001", "1002", "1003"];

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
        .rate(1, Duration::from_millis(500))
        .limit(calls)
        .pause(hang_up_after)
        .recv_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(120))
        .spawn()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_restarts_with_its_registrations_and_no_call_lost() {
    let ws = Workspace::new("restart");
    let server = Server::start_with_queues(&ws, |queue| queue.wrap_up_secs = 1).await;
    let api = server.api();
    for absent in ["1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let mut phones: Vec<Phone> = Vec::new();
    for extension in AGENTS {
        phones
            .push(register_phone(&ws, &server, extension, Behaviour::WaitsForBye, "before").await);
    }
    let ports: Vec<u16> = phones.iter().map(Phone::port).collect();

    // Three calls that complete before the crash.
    callers(
        &ws,
        &server,
        "completed",
        "+3364000",
        3,
        Duration::from_secs(2),
    )
    .wait()
    .await
    .assert_passed(3);

    // Five calls up (three talking, two queued) and one more in the menu, then SIGKILL.
    let up = callers(&ws, &server, "up", "+3364100", 5, Duration::from_secs(60));
    wait_for_phases(&api, 3, 2, 0).await;
    let late = callers(&ws, &server, "late", "+3364200", 1, Duration::from_secs(60));
    wait_for_phases(&api, 3, 2, 1).await;
    server.kill().await;
    // Their peers are gone: the customers hang up, the phones' calls are dead.
    up.kill().await;
    late.kill().await;
    for phone in phones {
        phone.kill().await;
    }

    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    for extension in AGENTS {
        let agent = api.agent(extension).await;
        assert!(
            agent.registered,
            "{extension}'s registration survived the crash: {agent:?}"
        );
    }
    // The same phones (same ports) come back without registering again.
    let mut phones = Vec::new();
    for (extension, port) in AGENTS.iter().zip(ports) {
        let phone = Sipp::new(
            &ws,
            &format!("after-phone-{extension}"),
            "agent_waits_bye.xml",
        )
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .timeout(Duration::from_secs(120))
        .spawn();
        phone.ready().await;
        phones.push(phone);
    }
    callers(&ws, &server, "after", "+3364300", 1, Duration::from_secs(2))
        .wait()
        .await
        .assert_passed(1);

    let calls = api.call_details().await;
    assert_eq!(calls.len(), 10, "3 completed + 6 cut + 1 after the restart");
    for caller in ["+33640001", "+33640002", "+33640003", "+33643001"] {
        let call = by_caller(&calls, caller);
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
        assert_answered_cdr(call, "sales", "caller_hangup");
        assert_recording(&api, call).await;
    }
    let mut answered_when_killed = 0;
    for caller in (1..=5)
        .map(|n| format!("+3364100{n}"))
        .chain(["+33642001".to_owned()])
    {
        let call = by_caller(&calls, &caller);
        assert_events_in_order(call, &["arrived", "ivr_entered", "ended"]);
        assert!(!call.call.open, "{caller} closed: {:?}", call.call);
        let cdr = call.call.cdr.as_ref().expect("a CDR");
        assert_eq!(
            cdr.end_cause.as_deref(),
            Some("server_stopped"),
            "{caller}: {cdr:?}"
        );
        assert_eq!(call.events_of("ended").count(), 1, "{:?}", call.kinds());
        answered_when_killed += usize::from(cdr.answered_at_ms.is_some());
    }
    assert_eq!(
        answered_when_killed, 3,
        "three calls were talking when killed"
    );

    for phone in phones {
        phone.quit(Duration::from_secs(10)).await;
    }
    let status = server.stop().await;
    assert!(status.success(), "{status}");
}
