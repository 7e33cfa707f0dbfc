//! Recording a bridged call: a 3-second exchange with a tone per side and 5% of each side's
//! packets lost becomes a stereo WAV of 3 s, caller on the left and agent on the right, with
//! each lost packet a gap in its own channel.

mod media_support;

use std::path::Path;
use std::time::Duration;

use media::g711::Codec;
use media_support::{Harness, Peer, tone_frames, tone_share_db};
use plateau::media::{MediaCommand, MediaConfig, MediaEvent, recording_path};

const FRAMES: usize = 150;
const CALLER_HZ: f64 = 600.0;
const AGENT_HZ: f64 = 1_400.0;

/// Packets the network loses: one in twenty, at a different place for each side.
fn lost(n: usize, phase: usize) -> bool {
    n % 20 == phase
}

/// Runs of at least 120 silent samples (a lost 160-sample packet) in `samples`.
fn gaps(samples: &[i16]) -> usize {
    let mut gaps = 0;
    let mut run = 0;
    for &s in samples {
        if s == 0 {
            run += 1;
            if run == 120 {
                gaps += 1;
            }
        } else {
            run = 0;
        }
    }
    gaps
}

fn read_stereo(path: &Path) -> (hound::WavSpec, Vec<i16>, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).expect("a readable WAV");
    let spec = reader.spec();
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("a sample"))
        .collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (spec, left, right)
}

#[tokio::test]
async fn a_bridged_call_is_recorded_to_stereo_of_the_right_length_despite_loss() {
    let data = tempfile::tempdir().unwrap();
    let path = recording_path(data.path(), 1, "0123abcd", std::time::SystemTime::now());
    let mut harness = Harness::new(MediaConfig::default(), 24_300..=24_399);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 0x11).await;
    let mut agent = Peer::new(Codec::Pcmu, Some(101), 0x22).await;
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

    let (caller_tone, agent_tone) = (
        tone_frames(CALLER_HZ, FRAMES),
        tone_frames(AGENT_HZ, FRAMES),
    );
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for n in 0..FRAMES {
        interval.tick().await;
        caller.send_frame(&caller_tone[n], lost(n, 7)).await;
        agent.send_frame(&agent_tone[n], lost(n, 13)).await;
    }
    tokio::time::sleep_until(started + Duration::from_secs(3)).await;
    call.send(MediaCommand::Stop).unwrap();

    let MediaEvent::Stopped(report) = harness
        .wait_for(|e| matches!(e, MediaEvent::Stopped(_)))
        .await
    else {
        unreachable!()
    };
    let recording = report.recording.expect("a recording report");
    assert_eq!(recording.path, path);
    let duration = recording.duration();
    assert!(
        duration.abs_diff(Duration::from_secs(3)) <= Duration::from_millis(20),
        "recorded {duration:?}"
    );

    let (spec, left, right) = read_stereo(&path);
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 8_000, 16)
    );
    let samples = recording.outcome.as_ref().unwrap().samples;
    assert_eq!(left.len() as u64, samples);
    // Between 0.1 s and 2.9 s: the caller's tone left, the agent's right.
    let (from, to) = (800, 23_200);
    let (left, right) = (&left[from..to], &right[from..to]);
    assert!(tone_share_db(left, CALLER_HZ as f32) > -1.0);
    assert!(tone_share_db(left, AGENT_HZ as f32) < -30.0);
    assert!(tone_share_db(right, AGENT_HZ as f32) > -1.0);
    assert!(tone_share_db(right, CALLER_HZ as f32) < -30.0);
    // Packets 7, 27 ... 127 of the caller and 13, 33 ... 133 of the agent fall in that span:
    // each left its own gap, in its own channel only.
    assert_eq!(gaps(left), 7);
    assert_eq!(gaps(right), 7);
}

#[tokio::test]
async fn a_paused_span_is_silent_and_marked() {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("paused.wav");
    let mut harness = Harness::new(MediaConfig::default(), 24_850..=24_899);
    let mut caller = Peer::new(Codec::Pcmu, Some(101), 0x33).await;
    let mut agent = Peer::new(Codec::Pcmu, Some(101), 0x44).await;
    let call = harness.call(2, &caller);
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
    let tone = tone_frames(CALLER_HZ, 75);
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for (n, frame) in tone.iter().enumerate() {
        interval.tick().await;
        if n == 25 {
            call.send(MediaCommand::PauseRecording).unwrap();
        }
        if n == 50 {
            call.send(MediaCommand::ResumeRecording).unwrap();
        }
        caller.send_frame(frame, false).await;
        agent.send_frame(frame, false).await;
    }
    call.send(MediaCommand::Stop).unwrap();

    let MediaEvent::Stopped(report) = harness
        .wait_for(|e| matches!(e, MediaEvent::Stopped(_)))
        .await
    else {
        unreachable!()
    };
    let recording = report.recording.unwrap().outcome.unwrap();
    let [paused, resumed] = &recording.markers[..] else {
        panic!("two markers: {:?}", recording.markers);
    };
    assert_eq!(paused.kind, media::recorder::MarkerKind::Paused);
    assert_eq!(resumed.kind, media::recorder::MarkerKind::Resumed);
    let (from, to) = (paused.at.samples() as usize, resumed.at.samples() as usize);
    assert!(
        to > from + 3_200,
        "paused about half a second: {from}..{to}"
    );
    let (_, left, right) = read_stereo(&path);
    assert!(
        left[from..to]
            .iter()
            .chain(&right[from..to])
            .all(|&s| s == 0)
    );
    assert!(tone_share_db(&left[..from], CALLER_HZ as f32) > -1.0);
    assert!(tone_share_db(&left[to..], CALLER_HZ as f32) > -1.0);
}

#[tokio::test]
async fn before_the_agent_answers_the_right_channel_holds_what_the_caller_hears() {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("ivr.wav");
    let mut harness = Harness::new(MediaConfig::default(), 24_950..=24_999);
    let caller = Peer::new(Codec::Pcmu, Some(101), 0x55).await;
    let call = harness.call(3, &caller);
    call.send(MediaCommand::StartRecording { path: path.clone() })
        .unwrap();
    let samples: Vec<i16> = tone_frames(AGENT_HZ, 25)
        .iter()
        .flat_map(|f| f.samples)
        .collect();
    let mut sequence = media::playback::Sequence::new();
    sequence.push(media::playback::Item::prompt(
        "welcome",
        media::prompt::Prompt::from_samples(&samples),
    ));
    call.send(MediaCommand::Play {
        id: plateau::media::PlayId(1),
        sequence,
    })
    .unwrap();
    harness
        .wait_for(|e| matches!(e, MediaEvent::PlayFinished { .. }))
        .await;
    call.send(MediaCommand::Stop).unwrap();
    harness
        .wait_for(|e| matches!(e, MediaEvent::Stopped(_)))
        .await;

    let (_, left, right) = read_stereo(&path);
    let first = right.iter().position(|&s| s != 0).expect("the prompt");
    let last = right.iter().rposition(|&s| s != 0).expect("the prompt");
    assert!(
        last - first >= 24 * 160,
        "{} samples of prompt",
        last - first
    );
    assert!(tone_share_db(&right[first..=last], AGENT_HZ as f32) > -1.0);
    assert!(left.iter().all(|&s| s == 0), "the caller said nothing");
}
