//! Issue 5, must-show 2 (callback part): a caller asks to be called back, hangs up, keeps
//! their place, and is called back through the trunk when their turn comes, in order with
//! live callers. The trunk and the customer are a SIPp uas on 127.0.0.1 (`--trunk`).
//!
//! One agent (Alice, 1001), a flow that queues at once in `sales` with `callback: true`:
//! caller 1 waits live and is answered; caller 2 presses 1 (offer), 1 (confirm), hears the
//! thanks and is hung up; caller 3 waits live. Alice answers caller 1, then the callback
//! (her phone first, then the customer's INVITE reaches the uas with caller 2's number in the
//! Request-URI), then caller 3: the order is read from the `answered` events. The callback's
//! interaction shows `callback_requested`, `answered`, `ended` and its CDR says it was a
//! callback. A second test: the customer is busy on the first attempt, answers the retry.
//! A third: a connected call transferred by the API to a number (`{"to": {"number": ...}}`)
//! reaches the uas through the trunk, which asks for digest credentials first (401), and is
//! bridged to it until it hangs up.

mod e2e;
mod http_support;

use std::path::PathBuf;
use std::time::Duration;

use e2e::Workspace;
use e2e::api::{Api, CallDetail};
use e2e::checks::{assert_events_in_order, by_caller};
use e2e::phones::{Behaviour, register_phone};
use e2e::ports::{free_media_port, free_udp_port};
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};

/// Queues at once, in a queue that offers callbacks.
const CALLBACK_FLOW: &str = "\
name: callbacks
language: en
start: sales
nodes:
  sales:
    queue:
      name: sales
      callback: true
";

/// The number routed to [`CALLBACK_FLOW`].
const CALLBACK_NUMBER: &str = "+33100000055";

/// The demo started with a trunk on `trunk_port`, the callback flow on its number, and one
/// second of wrap-up in the demo queues (so the next call follows soon).
async fn start(ws: &Workspace, trunk_port: u16, retry_secs: u64, more: &[&str]) -> Server {
    let mut args = vec![
        "--trunk".to_owned(),
        format!("127.0.0.1:{trunk_port}"),
        "--callback-retry-secs".to_owned(),
        retry_secs.to_string(),
    ];
    args.extend(more.iter().map(|a| (*a).to_owned()));
    let server = Server::start_edited_with_args(ws, &args, async |demo: &store::TenantStore| {
        for name in store::demo::DEMO_QUEUES {
            let queue = demo
                .queue_by_name(name)
                .await
                .expect("queues")
                .expect("a demo queue");
            let mut settings = queue.settings.clone();
            settings.wrap_up_secs = 1;
            demo.update_queue(queue.id, &settings)
                .await
                .expect("queue settings");
        }
        let flow = demo
            .save_flow("callbacks", CALLBACK_FLOW, 1, true)
            .await
            .expect("the callback flow");
        demo.set_number(CALLBACK_NUMBER, flow.flow_id, 1)
            .await
            .expect("the callback number");
    })
    .await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    server
}

/// `dtmf_2833_1.pcap` with its RTP timestamps and sequence numbers moved on, so that a
/// second press of 1 from the same call is not taken for a repeat of the first.
fn later_press_of_1(ws: &Workspace) -> PathBuf {
    let mut pcap = std::fs::read("/usr/share/sip-tester/dtmf_2833_1.pcap").expect("SIPp's pcap");
    assert_eq!(
        &pcap[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "a little-endian pcap"
    );
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let length =
            u32::from_le_bytes(pcap[at + 8..at + 12].try_into().expect("4 bytes")) as usize;
        let packet = at + 16;
        let ip = packet + 14; // Ethernet
        let udp = ip + usize::from(pcap[ip] & 0x0f) * 4;
        let rtp = udp + 8;
        let seq = u16::from_be_bytes([pcap[rtp + 2], pcap[rtp + 3]]).wrapping_add(1_000);
        pcap[rtp + 2..rtp + 4].copy_from_slice(&seq.to_be_bytes());
        let stamp = u32::from_be_bytes(pcap[rtp + 4..rtp + 8].try_into().expect("4 bytes"))
            .wrapping_add(80_000);
        pcap[rtp + 4..rtp + 8].copy_from_slice(&stamp.to_be_bytes());
        pcap[udp + 6..udp + 8].copy_from_slice(&[0, 0]); // no UDP checksum
        at = packet + length;
    }
    let path = ws.sipp_dir().join("dtmf_2833_1_again.pcap");
    std::fs::write(&path, pcap).expect("the pcap written");
    path
}

/// `caller_callback.xml` with the confirming press's pcap filled in.
fn callback_scenario(ws: &Workspace) -> PathBuf {
    let pcap = later_press_of_1(ws);
    let text = std::fs::read_to_string(e2e::sipp::scenario("caller_callback.xml"))
        .expect("the scenario")
        .replace("@CONFIRM_PCAP@", &pcap.display().to_string());
    let path = ws.sipp_dir().join("caller_callback.xml");
    std::fs::write(&path, text).expect("the scenario written");
    path
}

fn caller(
    server: &Server,
    ws: &Workspace,
    label: &str,
    scenario: impl AsRef<std::path::Path>,
    prefix: &str,
) -> SippProcess {
    Sipp::new(ws, label, scenario)
        .remote(server.sip)
        .service(CALLBACK_NUMBER)
        .media_port(free_media_port())
        .key("caller_prefix", prefix)
        .calls(1)
        .recv_timeout(Duration::from_secs(90))
        .timeout(Duration::from_secs(120))
        .spawn()
}

/// The customer's phone behind the trunk, on `port`: `scenario` for `calls` calls.
fn customer(ws: &Workspace, label: &str, port: u16, scenario: &str, calls: u32) -> SippProcess {
    Sipp::new(ws, label, scenario)
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .pause(Duration::from_secs(3))
        .calls(calls)
        .timeout(Duration::from_secs(150))
        .spawn()
}

/// When the call was answered (its `answered` event).
fn answered_at(call: &CallDetail) -> i64 {
    call.first("answered")
        .unwrap_or_else(|| panic!("{} answered: {:?}", call.call.caller, call.kinds()))
        .at_ms
}

/// Waits until the call from `number` is logged; its id.
async fn call_from(api: &Api, number: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(call) = api.calls().await.iter().find(|c| c.caller == number) {
            return call.id.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a call from {number} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_keeps_its_place_between_live_callers() {
    let ws = Workspace::new("callback-order");
    let trunk = free_udp_port();
    let server = start(&ws, trunk, 120, &[]).await;
    let api = server.api();
    let alice = register_phone(
        &ws,
        &server,
        "1001",
        Behaviour::HangsUpAfter(Duration::from_secs(10)),
        "order",
    )
    .await;
    api.set_agent_state("1001", "ready").await;
    let uas = customer(&ws, "order-customer", trunk, "agent_waits_bye.xml", 1);
    uas.ready().await;

    let first = caller(
        &server,
        &ws,
        "order-caller-1",
        "caller_waits.xml",
        "+3366100",
    );
    call_from(&api, "+33661001").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = caller(
        &server,
        &ws,
        "order-caller-2",
        callback_scenario(&ws),
        "+3366200",
    );
    call_from(&api, "+33662001").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let third = caller(
        &server,
        &ws,
        "order-caller-3",
        "caller_waits.xml",
        "+3366300",
    );

    second.wait().await.assert_passed(1);
    first.wait().await.assert_passed(1);
    let customer_run = uas.wait().await;
    customer_run.assert_passed(1);
    third.wait().await.assert_passed(1);
    let phone = alice.quit(Duration::from_secs(15)).await;
    assert_eq!(phone.stats.failed(), 0, "{}", phone.report());
    assert_eq!(phone.stats.successful(), 3, "{}", phone.report());

    let invite = customer_run
        .messages()
        .into_iter()
        .find(|m| m.start_line().starts_with("INVITE"))
        .expect("the trunk got an INVITE");
    assert!(
        invite.start_line().starts_with("INVITE sip:+33662001@"),
        "the callback dials caller 2's number: {}",
        invite.start_line()
    );

    let calls = api.call_details().await;
    let (one, two, three) = (
        by_caller(&calls, "+33661001"),
        by_caller(&calls, "+33662001"),
        by_caller(&calls, "+33663001"),
    );
    assert!(
        answered_at(one) < answered_at(two) && answered_at(two) < answered_at(three),
        "answered in order 1, callback 2, 3: {} {} {}",
        answered_at(one),
        answered_at(two),
        answered_at(three)
    );
    assert_events_in_order(
        two,
        &[
            "queued",
            "callback_requested",
            "offered",
            "answered",
            "recording_started",
            "ended",
        ],
    );
    let requested = two.first("callback_requested").expect("callback_requested");
    assert_eq!(requested.text("number"), Some("+33662001"), "{requested:?}");
    assert_eq!(requested.text("queue"), Some("sales"), "{requested:?}");
    assert_eq!(two.kinds().iter().filter(|k| **k == "ended").count(), 1);
    let cdr = two.call.cdr.as_ref().expect("a CDR");
    assert!(cdr.callback, "{cdr:?}");
    assert_eq!(cdr.agent.as_deref(), Some("alice"), "{cdr:?}");
    assert!(!one.call.cdr.as_ref().expect("a CDR").callback);
    assert!(
        !server.log().contains("62001"),
        "the callback's number is redacted in the server's log"
    );
    let stopped = server.stop().await;
    assert!(stopped.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_customer_is_called_again_after_the_retry_delay() {
    let ws = Workspace::new("callback-retry");
    let trunk = free_udp_port();
    let server = start(&ws, trunk, 3, &[]).await;
    let api = server.api();
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "retry").await;
    api.set_agent_state("1001", "not_ready").await;

    caller(
        &server,
        &ws,
        "retry-caller",
        callback_scenario(&ws),
        "+3366400",
    )
    .wait()
    .await
    .assert_passed(1);
    let id = call_from(&api, "+33664001").await;
    let waiting = api.call(&id).await;
    let live = waiting.live.as_ref().expect("the callback is still up");
    assert_eq!(live.phase, "queued", "{live:?}");
    assert!(live.callback, "{live:?}");
    let sales = api.queue("sales").await;
    assert_eq!(sales["waiting"], 1, "{sales}");
    assert_eq!(sales["waiting_callbacks"], 1, "{sales}");

    let busy = customer(&ws, "retry-busy", trunk, "agent_busy.xml", 1);
    busy.ready().await;
    api.set_agent_state("1001", "ready").await;
    busy.wait().await.assert_passed(1);
    let answers = customer(&ws, "retry-answers", trunk, "agent_hangs_up.xml", 1);
    answers.wait().await.assert_passed(1);
    let phone = alice.quit(Duration::from_secs(15)).await;
    assert_eq!(phone.stats.failed(), 0, "{}", phone.report());
    assert_eq!(phone.stats.successful(), 2, "{}", phone.report());

    let call = api.call(&id).await;
    assert_events_in_order(
        &call,
        &[
            "callback_requested",
            "offered",
            "callback_attempt_failed",
            "offered",
            "answered",
            "ended",
        ],
    );
    let failed = call
        .first("callback_attempt_failed")
        .expect("a failed attempt");
    assert_eq!(failed.text("reason"), Some("busy"), "{failed:?}");
    assert_eq!(failed.data["attempt"], 1, "{failed:?}");
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    assert!(cdr.callback && cdr.callback_failed_attempts == 1, "{cdr:?}");
    assert!(cdr.answered_at_ms.is_some(), "{cdr:?}");
    let stopped = server.stop().await;
    assert!(stopped.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_transferred_to_a_number_is_bridged_through_the_trunk() {
    let ws = Workspace::new("transfer-number");
    let trunk = free_udp_port();
    let credentials = [
        "--trunk-user",
        "plateau",
        "--trunk-password",
        "trunk-secret",
    ];
    let server = start(&ws, trunk, 120, &credentials).await;
    let api = server.api();
    let alice = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "number").await;
    api.set_agent_state("1001", "ready").await;
    // The trunk asks for digest credentials first.
    let target = customer(&ws, "number-target", trunk, "trunk_challenges.xml", 1);
    target.ready().await;
    let caller = caller(
        &server,
        &ws,
        "number-caller",
        "caller_waits.xml",
        "+3366500",
    );
    let id = call_from(&api, "+33665001").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while api
        .call(&id)
        .await
        .live
        .is_none_or(|l| l.phase != "connected")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "connected within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let path = format!("/api/v1/calls/{id}/transfer");
    let bad = http_support::request(
        server.http,
        "POST",
        &path,
        Some(&server.token),
        Some(r#"{"to": {"number": "not a number"}}"#),
    )
    .await;
    assert_eq!(bad.status, 404, "{}", bad.text());
    let started = http_support::request(
        server.http,
        "POST",
        &path,
        Some(&server.token),
        Some(r#"{"to": {"number": "+33699999999"}}"#),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text());

    let target_run = target.wait().await;
    target_run.assert_passed(1);
    caller.wait().await.assert_passed(1);
    let phone = alice.quit(Duration::from_secs(15)).await;
    assert_eq!(phone.stats.failed(), 0, "{}", phone.report());
    let invites: Vec<_> = target_run
        .messages()
        .into_iter()
        .filter(|m| m.start_line().starts_with("INVITE"))
        .collect();
    assert_eq!(invites.len(), 2, "challenged, then authorized");
    assert!(
        invites[0]
            .start_line()
            .starts_with("INVITE sip:+33699999999@"),
        "{}",
        invites[0].start_line()
    );
    assert!(invites[0].header("Authorization", None).is_none());
    assert!(invites[1].header("Authorization", None).is_some());
    let call = api.call(&id).await;
    assert_events_in_order(&call, &["answered", "transferred", "ended"]);
    let transferred = call.first("transferred").expect("transferred");
    assert_eq!(
        transferred.text("to"),
        Some("number:+33699999999"),
        "{transferred:?}"
    );
    assert_eq!(call.kinds().iter().filter(|k| **k == "ended").count(), 1);
    assert!(
        !server.log().contains("99999999"),
        "the number is redacted in the server's log"
    );
    let stopped = server.stop().await;
    assert!(stopped.success());
}
