//! Issue 6, must-show 2: a supervisor listens to, whispers into, barges into and takes over a
//! live call, and each party hears exactly what the mode says.
//!
//! SIP is SIPp's (the caller, Alice's phone on 1001, Sophie's phone on 1901), but every SDP
//! names an RTP socket of the test ([`e2e::tone_phone`]), each sending its own tone: the
//! caller 440 Hz, the agent 1,000 Hz, the supervisor 2,200 Hz. What each socket receives is
//! measured per frequency (Goertzel). The scenarios are written into the test's directory
//! with those ports filled in.
//!
//! - listen, leave (relaying resumes), whisper, barge, take over (the agent's phone gets BYE,
//!   the agent goes to wrap-up, the caller talks with the supervisor), every step in the
//!   interaction log and the audit log;
//! - the supervisor's phone re-INVITEs (answered 200), then hangs up: that ends the
//!   monitoring, not the call;
//! - an agent added to the call (`/conference`): everyone hears everyone, then they leave.

mod e2e;
mod http_support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use e2e::Workspace;
use e2e::api::Api;
use e2e::phones::{register, register_with};
use e2e::ports::free_udp_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};
use e2e::tone_phone::{TonePhone, goertzel_amplitude};
use http_support::{Reply, request};

const CALLER_HZ: f64 = 440.0;
const AGENT_HZ: f64 = 1_000.0;
const SUPERVISOR_HZ: f64 = 2_200.0;
/// A tone heard: its amplitude is near the 6,000 sent (G.711 and the mix keep it).
const HEARD: f64 = 2_000.0;
/// A tone not heard: leakage of the others and quantisation noise stay far below this.
const SILENT: f64 = 300.0;

/// The caller: INVITE the demo number offering PCMU (and telephone-event) on `port`, ACK,
/// then stay until the server's BYE.
const CALLER: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="supervised_caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+33655501[call_number]@[local_ip]:[local_port]>;tag=[pid]caller[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:+33655501[call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {port} RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+33655501[call_number]@[local_ip]:[local_port]>;tag=[pid]caller[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:+33655501[call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
"#;

/// A phone (the agent's, the supervisor's) answering with PCMU on `port` and staying until
/// the server's BYE.
const ANSWERER: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="supervised_phone">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]phone[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]phone[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {port} RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
</scenario>
"#;

/// A supervisor's phone that answers with PCMU on `port`, refreshes the session with a
/// re-INVITE after 1.5 s (answered 200 with our SDP), and hangs up 1.5 s later.
const HANGS_UP: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="supervisor_hangs_up">
  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp="[^ ].*$" search_in="hdr" header="From:" assign_to="far_end"/>
      <ereg regexp="[^ ].*$" search_in="hdr" header="To:" assign_to="near_end"/>
    </action>
  </recv>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]phone[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {port} RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv request="ACK"/>
  <pause milliseconds="1500"/>
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$near_end];tag=[pid]phone[call_number]
      To: [$far_end]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 2 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {port} RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$near_end];tag=[pid]phone[call_number]
      To: [$far_end]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="1500"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$near_end];tag=[pid]phone[call_number]
      To: [$far_end]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
"#;

/// Writes `template` with the RTP port filled in; returns its path.
fn scenario(ws: &Workspace, name: &str, template: &str, port: u16) -> PathBuf {
    let path = ws.path().join(format!("{name}.xml"));
    std::fs::write(&path, template.replace("{port}", &port.to_string())).expect("scenario");
    path
}

/// A phone on `sip_port` answering `calls` calls with RTP on `rtp_port`.
fn answerer(ws: &Workspace, name: &str, sip_port: u16, rtp_port: u16, calls: u32) -> SippProcess {
    Sipp::new(ws, name, scenario(ws, name, ANSWERER, rtp_port))
        .port(sip_port)
        .auto_answer()
        .calls(calls)
        .timeout(Duration::from_secs(240))
        .spawn()
}

/// Alice's phone (1001), registered, answering one call with RTP on `audio`'s port.
async fn alices_phone(ws: &Workspace, server: &Server, audio: &TonePhone) -> SippProcess {
    let port = free_udp_port();
    register(ws, server, "1001", port, "alice").await;
    let phone = answerer(ws, "agent-1001", port, audio.port(), 1);
    phone.ready().await;
    phone
}

/// The caller, calling the demo number with RTP on `audio`'s port.
fn call(ws: &Workspace, server: &Server, audio: &TonePhone) -> SippProcess {
    Sipp::new(ws, "caller", scenario(ws, "caller", CALLER, audio.port()))
        .remote(server.sip)
        .service("+33100000000")
        .calls(1)
        .timeout(Duration::from_secs(240))
        .spawn()
}

async fn call_api(server: &Server, method: &str, path: &str, body: Option<&str>) -> Reply {
    request(
        server.http,
        method,
        path,
        Some(&server.supervisor_token),
        body,
    )
    .await
}

/// Waits until a call is connected to the agent with `extension`, pressing 1 (sales) on the
/// caller's phone every second meanwhile; returns the call's id.
async fn connected_to(api: &Api, extension: &str, caller: &TonePhone) -> String {
    let agent = api.agent(extension).await.id;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut last_press = Instant::now() - Duration::from_secs(10);
    loop {
        if let Some(call) = api.calls().await.first() {
            let live = api.call(&call.id).await.live;
            if live.is_some_and(|l| l.phase == "connected" && l.agent == Some(agent)) {
                return call.id.clone();
            }
        }
        if last_press.elapsed() >= Duration::from_secs(1) {
            caller.press(1);
            last_press = Instant::now();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a call connected to {extension} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What each party hears over one second from now: amplitudes of the three tones.
struct Heard {
    caller: [f64; 3],
    agent: [f64; 3],
    supervisor: Option<[f64; 3]>,
}

impl std::fmt::Debug for Heard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |l: &[f64; 3]| format!("440:{:.0} 1000:{:.0} 2200:{:.0}", l[0], l[1], l[2]);
        write!(
            f,
            "caller [{}] agent [{}] supervisor [{}]",
            show(&self.caller),
            show(&self.agent),
            self.supervisor
                .as_ref()
                .map_or_else(|| "-".to_owned(), show)
        )
    }
}

/// Lets 300 ms pass for a change to take effect (jitter buffers fill, streams switch), then
/// measures one second of what the phones hear (waiting for the frames, not sleeping).
async fn measure(caller: &TonePhone, agent: &TonePhone, supervisor: Option<&TonePhone>) -> Heard {
    let settle = Instant::now();
    caller
        .wait_frames(settle, 15, Duration::from_secs(10))
        .await;
    let since = Instant::now();
    let bound = Duration::from_secs(10);
    caller.wait_frames(since, 50, bound).await;
    agent.wait_frames(since, 50, bound).await;
    if let Some(supervisor) = supervisor {
        supervisor.wait_frames(since, 50, bound).await;
    }
    let levels = |p: &TonePhone| [CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ].map(|f| p.level(since, f));
    Heard {
        caller: levels(caller),
        agent: levels(agent),
        supervisor: supervisor.map(levels),
    }
}

fn hears(levels: &[f64; 3], tone: usize) -> bool {
    levels[tone] > HEARD
}

fn silent(levels: &[f64; 3], tone: usize) -> bool {
    levels[tone] < SILENT
}

const C: usize = 0;
const A: usize = 1;
const S: usize = 2;

/// Waits until the call's log has an event of `kind`; returns its data.
async fn event(api: &Api, id: &str, kind: &str) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let call = api.call(id).await;
        if let Some(event) = call.events.iter().find(|e| e.kind == kind) {
            return event.data.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a {kind} event within 10 s: {:?}",
            call.kinds()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn goertzel_measures_a_tone_and_ignores_the_others() {
    let samples: Vec<i16> = (0..8_000)
        .map(|n| {
            let t = f64::from(n) / 8_000.0;
            ((2.0 * std::f64::consts::PI * CALLER_HZ * t).sin() * 6_000.0) as i16
        })
        .collect();
    assert!((goertzel_amplitude(&samples, CALLER_HZ) - 6_000.0).abs() < 100.0);
    assert!(goertzel_amplitude(&samples, AGENT_HZ) < 50.0);
    assert!(goertzel_amplitude(&samples, SUPERVISOR_HZ) < 50.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_listens_whispers_barges_and_takes_over_and_each_party_hears_what_the_mode_says()
 {
    let ws = Workspace::new("supervisor");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let caller_audio = TonePhone::start(CALLER_HZ).await;
    let agent_audio = TonePhone::start(AGENT_HZ).await;
    let supervisor_audio = TonePhone::start(SUPERVISOR_HZ).await;

    let agent_phone = alices_phone(&ws, &server, &agent_audio).await;
    let supervisor = server.supervisor.clone();
    let supervisor_port = free_udp_port();
    register_with(
        &ws,
        &server,
        (&supervisor.extension, &supervisor.password),
        supervisor_port,
        "supervised",
    )
    .await;
    let supervisor_phone = answerer(
        &ws,
        "supervisor-1901",
        supervisor_port,
        supervisor_audio.port(),
        2,
    );
    supervisor_phone.ready().await;

    // The supervisor is no agent: never offered calls, not in the agents' list.
    assert!(
        !api.agents()
            .await
            .iter()
            .any(|a| a.extension.as_deref() == Some("1901")),
        "the supervisor is not in the acd's roster"
    );

    let caller = call(&ws, &server, &caller_audio);
    let id = connected_to(&api, "1001", &caller_audio).await;
    let monitor = format!("/api/v1/calls/{id}/monitor");

    // Before anyone listens: caller and agent hear each other.
    let heard = measure(&caller_audio, &agent_audio, None).await;
    assert!(
        hears(&heard.caller, A) && hears(&heard.agent, C),
        "{heard:?}"
    );

    // A mode is needed; a call nobody monitors cannot be left.
    let no_mode = call_api(&server, "POST", &monitor, None).await;
    assert_eq!(no_mode.status, 400, "{}", no_mode.text());
    let not_monitored = call_api(&server, "DELETE", &monitor, None).await;
    assert_eq!(not_monitored.status, 409, "{}", not_monitored.text());

    // Listen.
    let started = call_api(&server, "POST", &monitor, Some(r#"{"mode":"listen"}"#)).await;
    assert_eq!(started.status, 202, "{}", started.text());
    let again = call_api(&server, "POST", &monitor, Some(r#"{"mode":"listen"}"#)).await;
    assert_eq!(again.status, 409, "already monitored: {}", again.text());
    let data = event(&api, &id, "monitor_started").await;
    assert_eq!(data["by"], "sophie");
    assert_eq!(data["mode"], "listen");
    let heard = measure(&caller_audio, &agent_audio, Some(&supervisor_audio)).await;
    let sup = heard.supervisor.expect("measured");
    assert!(
        hears(&sup, C) && hears(&sup, A),
        "supervisor hears both: {heard:?}"
    );
    assert!(
        silent(&heard.caller, S) && silent(&heard.agent, S),
        "nobody hears the supervisor: {heard:?}"
    );
    assert!(
        hears(&heard.caller, A) && hears(&heard.agent, C),
        "{heard:?}"
    );

    // Leave: the supervisor's phone gets BYE, relaying resumes.
    let left = call_api(&server, "DELETE", &monitor, None).await;
    assert_eq!(left.status, 202, "{}", left.text());
    event(&api, &id, "monitor_ended").await;
    let heard = measure(&caller_audio, &agent_audio, None).await;
    assert!(
        hears(&heard.caller, A) && hears(&heard.agent, C),
        "relayed again: {heard:?}"
    );

    // Whisper: the agent hears the supervisor, the caller does not.
    let started = call_api(&server, "POST", &monitor, Some(r#"{"mode":"whisper"}"#)).await;
    assert_eq!(started.status, 202, "{}", started.text());
    let since = Instant::now();
    supervisor_audio
        .wait_frames(since, 10, Duration::from_secs(15))
        .await;
    let heard = measure(&caller_audio, &agent_audio, Some(&supervisor_audio)).await;
    assert!(
        hears(&heard.agent, S) && hears(&heard.agent, C),
        "agent hears both: {heard:?}"
    );
    assert!(
        silent(&heard.caller, S) && hears(&heard.caller, A),
        "caller does not hear the supervisor: {heard:?}"
    );

    // Barge: everyone hears everyone else.
    let switched = call_api(&server, "PUT", &monitor, Some(r#"{"mode":"barge"}"#)).await;
    assert_eq!(switched.status, 202, "{}", switched.text());
    let data = event(&api, &id, "monitor_mode").await;
    assert_eq!(data["mode"], "barge");
    let heard = measure(&caller_audio, &agent_audio, Some(&supervisor_audio)).await;
    let sup = heard.supervisor.expect("measured");
    assert!(
        hears(&heard.caller, A) && hears(&heard.caller, S),
        "{heard:?}"
    );
    assert!(
        hears(&heard.agent, C) && hears(&heard.agent, S),
        "{heard:?}"
    );
    assert!(hears(&sup, C) && hears(&sup, A), "{heard:?}");

    // Take over: the agent's phone gets BYE, the caller hears the supervisor.
    let taken = call_api(
        &server,
        "POST",
        &format!("/api/v1/calls/{id}/takeover"),
        None,
    )
    .await;
    assert_eq!(taken.status, 202, "{}", taken.text());
    let agent_outcome = agent_phone.quit(Duration::from_secs(15)).await;
    agent_outcome.assert_passed(1);
    let alice = api.agent("1001").await;
    assert_eq!(alice.state.as_deref(), Some("wrap_up"), "{alice:?}");
    let data = event(&api, &id, "taken_over").await;
    assert_eq!(data["from_agent"], "alice");
    assert_eq!(data["by"], "sophie");
    let since = Instant::now();
    caller_audio
        .wait_frames(since, 65, Duration::from_secs(10))
        .await;
    let later = Instant::now() - Duration::from_secs(1);
    let caller_hears = [CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ].map(|f| caller_audio.level(later, f));
    assert!(
        hears(&caller_hears, S) && silent(&caller_hears, A),
        "the caller talks with the supervisor only: {caller_hears:?}"
    );
    let supervisor_hears =
        [CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ].map(|f| supervisor_audio.level(later, f));
    assert!(hears(&supervisor_hears, C), "{supervisor_hears:?}");
    let live = api.call(&id).await.live.expect("still up");
    assert_eq!(live.phase, "connected");

    // Every action is in the audit log, readable by the admin.
    let audit = request(
        server.http,
        "GET",
        "/api/v1/audit",
        Some(&server.token),
        None,
    )
    .await;
    assert_eq!(audit.status, 200, "{}", audit.text());
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&audit.body).expect("json");
    let target = format!("interaction:{id}");
    let actions: Vec<&str> = entries
        .iter()
        .filter(|e| e["target"] == target.as_str())
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "call.monitor_stop",
            "call.monitor",
            "call.monitor",
            "call.monitor_stop",
            "call.monitor",
            "call.monitor_mode",
            "call.takeover"
        ],
        "{entries:?}"
    );
    let supervisor_may_not = call_api(&server, "GET", "/api/v1/audit", None).await;
    assert_eq!(supervisor_may_not.status, 403);

    caller.kill().await;
    supervisor_phone.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_added_to_a_call_makes_a_conference_where_everyone_hears_everyone() {
    let ws = Workspace::new("conference");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1002", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    // Chloé (1003) takes no queued call but can be added.
    api.set_agent_state("1003", "not_ready").await;
    let caller_audio = TonePhone::start(CALLER_HZ).await;
    let agent_audio = TonePhone::start(AGENT_HZ).await;
    let third_audio = TonePhone::start(SUPERVISOR_HZ).await;
    let agent_phone = alices_phone(&ws, &server, &agent_audio).await;
    let third_port = free_udp_port();
    register(&ws, &server, "1003", third_port, "conference").await;
    let third_phone = answerer(&ws, "agent-1003", third_port, third_audio.port(), 1);
    third_phone.ready().await;
    let caller = call(&ws, &server, &caller_audio);
    let id = connected_to(&api, "1001", &caller_audio).await;
    let conference = format!("/api/v1/calls/{id}/conference");

    let number = request(
        server.http,
        "POST",
        &conference,
        Some(&server.token),
        Some(r#"{"to":{"number":"+33612345678"}}"#),
    )
    .await;
    assert_eq!(number.status, 400, "{}", number.text());
    let added = request(
        server.http,
        "POST",
        &conference,
        Some(&server.token),
        Some(r#"{"to":{"agent":1003}}"#),
    )
    .await;
    assert_eq!(added.status, 202, "{}", added.text());
    let data = event(&api, &id, "conferenced").await;
    assert_eq!(data["with"], "chloe");
    third_audio
        .wait_frames(Instant::now(), 10, Duration::from_secs(15))
        .await;
    let heard = measure(&caller_audio, &agent_audio, Some(&third_audio)).await;
    let third = heard.supervisor.expect("measured");
    assert!(
        hears(&heard.caller, A) && hears(&heard.caller, S),
        "{heard:?}"
    );
    assert!(
        hears(&heard.agent, C) && hears(&heard.agent, S),
        "{heard:?}"
    );
    assert!(hears(&third, C) && hears(&third, A), "{heard:?}");

    // The third party leaves; caller and agent go on together.
    let left = request(
        server.http,
        "DELETE",
        &conference,
        Some(&server.token),
        None,
    )
    .await;
    assert_eq!(left.status, 202, "{}", left.text());
    third_phone
        .quit(Duration::from_secs(15))
        .await
        .assert_passed(1);
    let heard = measure(&caller_audio, &agent_audio, None).await;
    assert!(
        hears(&heard.caller, A) && silent(&heard.caller, S) && hears(&heard.agent, C),
        "{heard:?}"
    );

    caller.kill().await;
    agent_phone.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisors_hang_up_ends_the_monitoring_and_not_the_call() {
    let ws = Workspace::new("supervisor-bye");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let caller_audio = TonePhone::start(CALLER_HZ).await;
    let agent_audio = TonePhone::start(AGENT_HZ).await;
    let supervisor_audio = TonePhone::start(SUPERVISOR_HZ).await;
    let agent_phone = alices_phone(&ws, &server, &agent_audio).await;
    let supervisor = server.supervisor.clone();
    let port = free_udp_port();
    register_with(
        &ws,
        &server,
        (&supervisor.extension, &supervisor.password),
        port,
        "bye",
    )
    .await;
    let path = scenario(
        &ws,
        "supervisor-hangs-up",
        HANGS_UP,
        supervisor_audio.port(),
    );
    let supervisor_phone = Sipp::new(&ws, "supervisor-hangs-up", path)
        .port(port)
        .auto_answer()
        .calls(1)
        .timeout(Duration::from_secs(120))
        .spawn();
    supervisor_phone.ready().await;
    let caller = call(&ws, &server, &caller_audio);
    let id = connected_to(&api, "1001", &caller_audio).await;

    let monitor = format!("/api/v1/calls/{id}/monitor");
    let started = call_api(&server, "POST", &monitor, Some(r#"{"mode":"barge"}"#)).await;
    assert_eq!(started.status, 202, "{}", started.text());
    supervisor_audio
        .wait_frames(Instant::now(), 10, Duration::from_secs(15))
        .await;
    supervisor_phone
        .quit(Duration::from_secs(20))
        .await
        .assert_passed(1);
    let data = event(&api, &id, "monitor_ended").await;
    assert_eq!(data["reason"], "supervisor_hangup");
    let live = api.call(&id).await.live.expect("the call goes on");
    assert_eq!(live.phase, "connected");
    let heard = measure(&caller_audio, &agent_audio, None).await;
    assert!(
        hears(&heard.caller, A) && silent(&heard.caller, S) && hears(&heard.agent, C),
        "caller and agent together again: {heard:?}"
    );
    let again = call_api(&server, "DELETE", &monitor, None).await;
    assert_eq!(
        again.status,
        409,
        "nobody monitors it now: {}",
        again.text()
    );

    caller.kill().await;
    agent_phone.kill().await;
}
