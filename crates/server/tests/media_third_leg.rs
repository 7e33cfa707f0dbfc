//! A third leg on a bridged call (a supervisor barging in, then taking the call over): the
//! media task mixes while the third leg is there, and once it takes the agent's place the
//! caller hears it relayed and the recording's right channel holds it, the file going on
//! without a break.

mod media_support;

use std::time::Duration;

use media::g711::Codec;
use media::mixer::{MixMode, Role};
use media_support::{Harness, Peer, tone_frames, tone_share_db};
use plateau::media::{MediaCommand, MediaConfig, MediaEvent, recording_path};

/// One second of each phase: bridged, three-way (barge), taken over.
const PHASE: usize = 50;
const CALLER_HZ: f64 = 600.0;
const AGENT_HZ: f64 = 1_400.0;
const SUPERVISOR_HZ: f64 = 2_200.0;

#[tokio::test]
async fn after_a_take_over_the_supervisor_is_relayed_to_the_caller_and_recorded_on_the_right() {
    let data = tempfile::tempdir().unwrap();
    let path = recording_path(data.path(), 1, "0123abcd", std::time::SystemTime::now());
    let mut harness = Harness::new(MediaConfig::default(), 24_650..=24_699);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 0x11).await;
    let mut agent = Peer::new(Codec::Pcmu, Some(101), 0x22).await;
    let mut supervisor = Peer::new(Codec::Pcmu, Some(101), 0x33).await;
    let call = harness.call(1, &caller);
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();
    call.send(MediaCommand::StartRecording { path: path.clone() })
        .unwrap();
    let started = tokio::time::Instant::now();

    let caller_tone = tone_frames(CALLER_HZ, 3 * PHASE);
    let agent_tone = tone_frames(AGENT_HZ, 2 * PHASE);
    let supervisor_tone = tone_frames(SUPERVISOR_HZ, 2 * PHASE);
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for n in 0..3 * PHASE {
        if n == PHASE {
            let socket = harness.ports.allocate().unwrap();
            supervisor.target = Some(socket.local_addr());
            call.send(MediaCommand::AddThirdLeg {
                socket,
                media: supervisor.media(),
                mode: MixMode::Barge,
                role: Role::Supervisor,
            })
            .unwrap();
        }
        if n == 2 * PHASE {
            call.send(MediaCommand::PromoteThirdLeg).unwrap();
        }
        interval.tick().await;
        caller.send_frame(&caller_tone[n], false).await;
        if n < 2 * PHASE {
            agent.send_frame(&agent_tone[n], false).await;
        }
        if n >= PHASE {
            supervisor
                .send_frame(&supervisor_tone[n - PHASE], false)
                .await;
        }
    }
    tokio::time::sleep_until(started + Duration::from_secs(3)).await;
    call.send(MediaCommand::Stop).unwrap();
    let MediaEvent::Stopped(report) = harness
        .wait_for(|e| matches!(e, MediaEvent::Stopped(_)))
        .await
    else {
        unreachable!()
    };

    // What the phones received waits in their sockets: the caller heard the supervisor
    // last, relayed in its codec.
    let heard = caller.recv_all(Duration::from_millis(200)).await;
    let last: Vec<i16> = heard
        .iter()
        .rev()
        .take(25)
        .flat_map(|p| p.payload.iter().map(|&b| Codec::Pcma.decode(b)))
        .collect();
    assert!(
        tone_share_db(&last, SUPERVISOR_HZ as f32) > -3.0,
        "the caller hears the supervisor after the take-over"
    );
    // During the barge, the supervisor heard both others.
    let supervisor_heard = supervisor.recv_all(Duration::from_millis(200)).await;
    assert!(
        supervisor_heard.len() >= PHASE / 2,
        "the mix reached the supervisor"
    );

    let recording = report.recording.expect("a recording report");
    let duration = recording.duration();
    assert!(
        duration.abs_diff(Duration::from_secs(3)) <= Duration::from_millis(60),
        "one recording across the three phases: {duration:?}"
    );
    let mut reader = hound::WavReader::open(&path).expect("a readable WAV");
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    // The first second: the agent on the right; the last: the supervisor.
    let (first, last) = (&right[1_600..7_200], &right[18_400..23_200]);
    assert!(tone_share_db(first, AGENT_HZ as f32) > -3.0);
    assert!(tone_share_db(last, SUPERVISOR_HZ as f32) > -3.0);
    assert!(tone_share_db(last, AGENT_HZ as f32) < -20.0);
    assert!(tone_share_db(&left[18_400..23_200], CALLER_HZ as f32) > -3.0);
}
