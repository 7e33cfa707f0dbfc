//! A whole inbound call through the real switchboard: the caller dials the menu number,
//! presses 1 (RFC 4733), waits in `sales`, the registered agent's phone rings and answers,
//! audio flows both ways through the bridge, the caller hangs up, the agent gets the BYE, and
//! the interaction log, the CDR and the recording tell the story.

mod sip_support;

use std::time::Duration;

use sip::{HeaderName, Method, StatusCode};
use sip_support::{MENU_NUMBER, Phone, Rtp, Setup, TestServer, WAIT, kinds, sdp_address, wait_for};
use store::{EndCause, EventKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_goes_through_the_menu_to_an_agent_and_is_logged_and_recorded() {
    let server = TestServer::start(Setup {
        agents: 1,
        ..Setup::default()
    })
    .await;
    let agent = server.agents[0].clone();
    let agent_phone = Phone::udp(server.sip()).await;
    let registered = agent_phone
        .register(&agent.extension, &agent.password, None)
        .await;
    assert_eq!(registered.status, StatusCode::OK);
    server.ready(&agent).await;

    // The caller dials, is answered with SDP, ACKs.
    let caller = Phone::udp(server.sip()).await;
    let caller_rtp = Rtp::new().await;
    let call = caller
        .call(MENU_NUMBER, "+33612345678", caller_rtp.local)
        .await;
    assert_eq!(
        call.response
            .headers
            .content_type()
            .unwrap()
            .map(|t| t.essence()),
        Some("application/sdp".to_owned())
    );
    // Replies keep their order: nothing provisional follows the 200.
    if let Some(late) = caller
        .try_response(&call.call_id, Method::Invite, Duration::from_millis(300))
        .await
    {
        assert_eq!(
            late.status,
            StatusCode::OK,
            "only 200 retransmissions may follow"
        );
    }
    let interaction = server.next_interaction(0).await;

    // Audio from the caller all along; the key 1 once the menu plays.
    let server_rtp_a = call.remote_rtp;
    let talking = {
        let rtp = std::sync::Arc::new(caller_rtp);
        let sender = std::sync::Arc::clone(&rtp);
        let task = tokio::spawn(async move {
            sender.send_audio(server_rtp_a, 10).await;
            sender.send_dtmf(server_rtp_a, '1').await;
            sender.send_audio(server_rtp_a, 400).await;
        });
        (rtp, task)
    };

    // The agent's phone rings with the call's interaction id; the agent answers.
    let invite = agent_phone.request(Method::Invite).await;
    let header = HeaderName::new("X-Plateau-Interaction").unwrap();
    assert_eq!(
        invite.headers.get(&header).and_then(|v| v.to_str()),
        Some(interaction.to_string().as_str())
    );
    assert!(
        invite
            .headers
            .from()
            .unwrap()
            .uri
            .to_string()
            .contains("+33612345678"),
        "From carries the caller's number"
    );
    let server_rtp_b = sdp_address(&invite.body);
    let agent_rtp = Rtp::new().await;
    agent_phone.answer(&invite, agent_rtp.local).await;
    let agent_talk = {
        let rtp = std::sync::Arc::new(agent_rtp);
        let sender = std::sync::Arc::clone(&rtp);
        let task = tokio::spawn(async move { sender.send_audio(server_rtp_b, 400).await });
        (rtp, task)
    };

    // Audio flows both ways through the bridge, as the live counters show.
    let control = server.running().control().clone();
    let live = wait_for(|| async {
        let live = control.live_call(server.tenant, interaction).await.ok()??;
        let both = live.legs.len() == 2
            && live
                .legs
                .iter()
                .all(|l| l.counters.packets_in > 20 && l.counters.packets_out > 20);
        both.then_some(live)
    })
    .await
    .expect("RTP both ways on both legs");
    assert_eq!(live.phase, plateau::control::CallPhase::Connected);
    assert_eq!(live.agent, Some(agent.id));
    assert!(agent_talk.0.received() > 20, "the agent hears the caller");
    assert!(talking.0.received() > 20, "the caller hears someone");

    // The caller hangs up; the agent's phone gets the BYE.
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    let agent_bye = agent_phone.request(Method::Bye).await;
    agent_phone.reply(&agent_bye, StatusCode::OK, None).await;
    talking.1.abort();
    agent_talk.1.abort();

    let events = server
        .wait_event(interaction, EventKind::RecordingStopped)
        .await;
    let seen = kinds(&events);
    let order = [
        EventKind::Arrived,
        EventKind::IvrEntered,
        EventKind::Digit,
        EventKind::Queued,
        EventKind::Offered,
        EventKind::Answered,
        EventKind::RecordingStarted,
        EventKind::Ended,
        EventKind::RecordingStopped,
    ];
    let mut at = 0;
    for kind in order {
        let found = seen[at..]
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_else(|| panic!("{kind:?} missing or out of order in {seen:?}"));
        at += found + 1;
    }
    let ended = events.iter().find(|e| e.kind == EventKind::Ended).unwrap();
    assert_eq!(ended.data["cause"], "caller_hangup");
    let digit = events.iter().find(|e| e.kind == EventKind::Digit).unwrap();
    assert_eq!(digit.data["digit"], "1");

    let tenant = server.store().tenant(server.tenant).await.unwrap();
    let cdr = tenant.cdr(interaction).await.unwrap().expect("a CDR");
    assert_eq!(cdr.queue.as_deref(), Some("sales"));
    assert_eq!(cdr.agent.as_deref(), Some(agent.username.as_str()));
    assert_eq!(cdr.digits, "1");
    assert_eq!(cdr.end_cause, Some(EndCause::CallerHangup));
    assert!(cdr.answered_at_ms.is_some() && cdr.wait_ms.is_some());
    let talk_ms = cdr.talk_ms.expect("talk time");
    assert!(talk_ms > 0);
    let stored = cdr.recording.clone().expect("recorded");

    // The recording: a stereo WAV about as long as the talk.
    let file = server.dir.path().join(&stored);
    let reader = hound::WavReader::open(&file).expect("a readable WAV");
    let spec = reader.spec();
    assert_eq!(spec.channels, 2);
    let seconds = reader.duration() as f64 / f64::from(spec.sample_rate);
    let talk = talk_ms as f64 / 1000.0;
    assert!(
        (seconds - talk).abs() < 1.5,
        "recording {seconds:.2}s, talk {talk:.2}s"
    );
    let row = wait_for(|| async {
        let rows = tenant.recordings(interaction).await.ok()?;
        rows.into_iter().find(|r| r.duration_ms.is_some())
    })
    .await
    .expect("the recording row has its duration");
    assert_eq!(row.path, stored);

    // The agent is in wrap-up or ready again, and no longer on the call.
    let state = server.agent_state(&agent).await;
    assert_ne!(state.state, plateau::control::AgentStateKind::OnCall);
    assert!(
        tokio::time::timeout(WAIT, async {
            while control
                .live_call(server.tenant, interaction)
                .await
                .ok()
                .flatten()
                .is_some()
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .is_ok(),
        "the call left the switchboard"
    );
}
