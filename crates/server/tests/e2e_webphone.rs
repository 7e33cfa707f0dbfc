//! Issue 6, must-show 1: an agent takes a call in the browser. `plateau demo`; chromium (fake
//! microphone playing a tone) logs in as alice (1001) on `/agent` and switches to the browser
//! phone; once the server reports her WebRTC session connected, a SIPp caller dials the demo
//! number and presses 1 (sales); the page rings, the agent answers, audio flows both ways —
//! the call's per-leg RTP counters grow on the server AND the browser leg's counters and the
//! page's `getStats` bytes grow — then hold and resume, a blind transfer to bruno (1002), also
//! in a browser, where it rings, is answered and has audio both ways; bruno hangs up from his
//! page; both wrap-ups are saved with a disposition.

mod e2e;
mod http_support;

use std::path::Path;
use std::time::Duration;

use e2e::Workspace;
use e2e::browser::run_script;
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippOutcome};
use serde_json::Value;

/// A 10 s 440 Hz tone at 48 kHz: the fake microphone.
fn tone_wav(path: &Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("tone file");
    for n in 0..48_000 * 10 {
        let t = f64::from(n) / 48_000.0;
        let sample = (t * 440.0 * std::f64::consts::TAU).sin() * 8_000.0;
        writer.write_sample(sample as i16).expect("sample");
    }
    writer.finalize().expect("tone written");
}

/// `user`'s browser session, when the server has one.
async fn session(server: &Server, user: &str) -> Option<Value> {
    let reply = http_support::get(server.http, "/api/v1/webphone", Some(&server.token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body: Value = serde_json::from_slice(&reply.body).expect("JSON");
    body["sessions"]
        .as_array()?
        .iter()
        .find(|s| s["username"] == user)
        .cloned()
}

/// Polls `user`'s session until `check` holds (bounded); the failure names `what`.
async fn until_session(
    server: &Server,
    user: &str,
    what: &str,
    bound: Duration,
    check: impl Fn(&Value) -> bool,
) -> Result<Value, String> {
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        let seen = session(server, user).await;
        if let Some(s) = &seen
            && check(s)
        {
            return Ok(s.clone());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("no {what} within {bound:?}; last seen: {seen:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the server saw while the browser talked: alice's session (in a call, counters up)
/// and the call's live legs, twice, to show they grow.
struct Seen {
    session: Value,
    caller_in: (u64, u64),
    agent_out: (u64, u64),
    agent_in: (u64, u64),
    caller: SippOutcome,
}

async fn drive_call(ws: &Workspace, server: &Server, proceed: &Path) -> Result<Seen, String> {
    for user in ["alice", "bruno"] {
        until_session(
            server,
            user,
            "the browser's peer connection",
            Duration::from_secs(60),
            |s| s["connected"] == true,
        )
        .await?;
    }
    server.api().set_agent_state("1001", "ready").await;
    let caller = Sipp::new(ws, "caller", "caller.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", "+3365000")
        .calls(1)
        .limit(1)
        .recv_timeout(Duration::from_secs(120))
        .timeout(Duration::from_secs(180))
        .spawn();
    let session = until_session(
        server,
        "alice",
        "audio on the browser leg",
        Duration::from_secs(90),
        |s| {
            s["interaction"].is_string()
                && s["packets_in"].as_u64().is_some_and(|n| n > 10)
                && s["packets_out"].as_u64().is_some_and(|n| n > 10)
        },
    )
    .await;
    let session = match session {
        Ok(session) => session,
        Err(error) => {
            let _ = caller.kill().await;
            return Err(error);
        }
    };
    let id = session["interaction"]
        .as_str()
        .expect("an interaction")
        .to_owned();
    let api = server.api();
    let calls = api.calls().await;
    let Some(call) = calls.iter().find(|c| c.id == id) else {
        return Err(format!(
            "interaction {id} not among {:?}",
            calls.iter().map(|c| &c.id).collect::<Vec<_>>()
        ));
    };
    let id = call.id.clone();
    if api.call(&id).await.live.is_none() {
        let detail = api.call(&id).await;
        return Err(format!(
            "call {id} not live: {} {:?} session {session}",
            detail.live_status,
            detail.kinds()
        ));
    }
    let read = async |api: &e2e::api::Api| {
        let live = api.call(&id).await.live?;
        let caller = live.leg("caller").copied().unwrap_or_default();
        let agent = live.leg("agent").copied().unwrap_or_default();
        Some((caller.packets_in, agent.packets_out, agent.packets_in))
    };
    let before = read(&api).await.ok_or("the call ended at once")?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let after = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = read(&api)
            .await
            .ok_or("the call ended before its counters grew")?;
        if (now.0 > before.0 && now.1 > before.1 && now.2 > before.2)
            || tokio::time::Instant::now() > deadline
        {
            break now;
        }
    };
    // The page goes on (hold, transfer to bruno, hang up) once the server side was read.
    server.api().set_agent_state("1002", "ready").await;
    std::fs::write(proceed, b"go").map_err(|e| e.to_string())?;
    Ok(Seen {
        session,
        caller_in: (before.0, after.0),
        agent_out: (before.1, after.1),
        agent_in: (before.2, after.2),
        caller: caller.wait().await,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_takes_a_call_in_the_browser_with_audio_both_ways() {
    let ws = Workspace::new("webphone");
    let server = Server::start(&ws).await;
    let api = server.api();
    for absent in ["1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    api.set_agent_state("1001", "not_ready").await;
    api.set_agent_state("1002", "not_ready").await;
    let wav = ws.path().join("tone.wav");
    tone_wav(&wav);
    let screenshots = e2e::browser::screenshots_dir(&ws);
    let alice = server.agent("1001").password.clone();
    let bruno = server.agent("1002").password.clone();

    let proceed = ws.path().join("proceed");
    let env = [
        ("PLATEAU_HTTP", format!("http://{}", server.http)),
        ("PLATEAU_USER", "alice".to_owned()),
        ("PLATEAU_PASSWORD", alice),
        ("PLATEAU_USER2", "bruno".to_owned()),
        ("PLATEAU_PASSWORD2", bruno),
        ("PLATEAU_EXTENSION2", "1002".to_owned()),
        ("PLATEAU_WAV", wav.display().to_string()),
        ("PLATEAU_SCREENSHOTS", screenshots.display().to_string()),
        ("PLATEAU_PROCEED", proceed.display().to_string()),
    ];
    let artifacts = ws.path().join("browser");
    let script = run_script("softphone.mjs", &env, &artifacts, Duration::from_secs(240));
    let (run, seen) = tokio::join!(script, drive_call(&ws, &server, &proceed));

    assert!(run.ok, "{}\n{}", run.output, server.log());
    let seen = seen.unwrap_or_else(|error| panic!("{error}\n{}\n{}", run.output, server.log()));
    for check in [
        "logged_in",
        "phone_ready",
        "ringing",
        "answered",
        "audio_both_ways",
        "held",
        "resumed",
        "hung_up",
        "wrapup_saved",
    ] {
        let finding = run
            .finding(check)
            .unwrap_or_else(|| panic!("{check}: {}", run.output));
        assert_eq!(finding["ok"], true, "{check}: {finding}");
    }
    // The server's side of the audio: the browser leg's counters, and the call's legs grew.
    assert!(
        seen.session["bytes_in"].as_u64().is_some_and(|b| b > 0),
        "{}",
        seen.session
    );
    assert!(
        seen.caller_in.1 > seen.caller_in.0,
        "caller leg in: {:?}",
        seen.caller_in
    );
    assert!(
        seen.agent_out.1 > seen.agent_out.0,
        "agent leg out: {:?}",
        seen.agent_out
    );
    assert!(
        seen.agent_in.1 > seen.agent_in.0,
        "agent leg in (the browser's voice): {:?}",
        seen.agent_in
    );
    let wrapups = run
        .findings
        .iter()
        .filter(|f| f["check"] == "wrapup_saved" && f["ok"] == true)
        .count();
    assert_eq!(wrapups, 2, "both agents wrapped up: {}", run.output);
    // The second page hung up: the server sent BYE to the caller, who answered it.
    seen.caller.assert_passed(1);

    let id = seen.session["interaction"].as_str().expect("interaction");
    let call = api.call(id).await;
    let kinds = call.kinds();
    assert!(kinds.contains(&"answered"), "{kinds:?}");
    assert!(
        kinds
            .iter()
            .any(|k| k.contains("hold") || k.contains("held")),
        "hold logged: {kinds:?}"
    );
    let cdr = call.call.cdr.expect("a CDR");
    assert!(cdr.agent.is_some(), "{cdr:?}");
    assert!(cdr.talk_ms.is_some_and(|t| t > 0), "{cdr:?}");
}
