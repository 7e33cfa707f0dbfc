//! Hold music: announcements pause it and it resumes where it left off; a held leg hears it
//! instead of the other side; and the RTP timeout, which hold suspends.

mod media_support;

use std::collections::HashMap;
use std::time::Duration;

use media::bridge::LegId;
use media::g711::Codec;
use media::music_on_hold::Playlist;
use media::playback::{Item, Sequence};
use media::prompt::Prompt;
use media::recorder::MarkerKind;
use media_support::{Harness, Peer, Received, tone_frames};
use plateau::media::{MediaCommand, MediaConfig, MediaEvent, PlayId};

const MUSIC_FRAMES: usize = 500;

/// Music whose every frame is different noise, so a received payload says which frame it is.
fn music() -> (Playlist, Vec<i16>) {
    let mut state: u32 = 12_345;
    let samples: Vec<i16> = (0..MUSIC_FRAMES * 160)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 16) as i16) / 4
        })
        .collect();
    let playlist = Playlist::new(vec![Prompt::from_samples(&samples)]).expect("music");
    (playlist, samples)
}

/// Encoded payload → index of the music frame it carries.
fn music_index(codec: Codec, samples: &[i16]) -> HashMap<Vec<u8>, usize> {
    samples
        .chunks(160)
        .enumerate()
        .map(|(k, frame)| {
            let mut payload = vec![0u8; 160];
            codec.encode_into(frame, &mut payload);
            (payload, k)
        })
        .collect()
}

fn announcement(frames: usize) -> Sequence {
    let samples: Vec<i16> = tone_frames(1_000.0, frames)
        .iter()
        .flat_map(|f| f.samples)
        .collect();
    let mut sequence = Sequence::new();
    sequence.push(Item::prompt(
        "you-are-number",
        Prompt::from_samples(&samples),
    ));
    sequence
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    Music(usize),
    Other,
}

fn classify(index: &HashMap<Vec<u8>, usize>, packets: &[Received]) -> Vec<Heard> {
    packets
        .iter()
        .map(|p| {
            index
                .get(&p.payload)
                .map_or(Heard::Other, |&k| Heard::Music(k))
        })
        .collect()
}

#[tokio::test]
async fn an_announcement_pauses_the_music_which_resumes_where_it_left_off() {
    let mut harness = Harness::new(MediaConfig::default(), 24_700..=24_749);
    let caller = Peer::new(Codec::Pcmu, Some(101), 1).await;
    let call = harness.call(1, &caller);
    let (playlist, samples) = music();
    let index = music_index(Codec::Pcmu, &samples);
    call.send(MediaCommand::StartMoh { playlist }).unwrap();
    let mut received = Vec::new();
    for _ in 0..10 {
        received.push(caller.recv(Duration::from_secs(1)).await.expect("music"));
    }
    call.send(MediaCommand::Play {
        id: PlayId(7),
        sequence: announcement(5),
    })
    .unwrap();
    assert_eq!(
        harness.next_event().await,
        MediaEvent::PlayFinished { id: PlayId(7) }
    );
    for _ in 0..10 {
        received.push(
            caller
                .recv(Duration::from_secs(1))
                .await
                .expect("music again"),
        );
    }

    let heard = classify(&index, &received);
    let first_other = heard.iter().position(|h| *h == Heard::Other).unwrap();
    let others = heard.iter().filter(|h| **h == Heard::Other).count();
    assert_eq!(others, 5, "the whole announcement: {heard:?}");
    assert!(
        heard[first_other..first_other + 5]
            .iter()
            .all(|h| *h == Heard::Other),
        "the announcement in one piece: {heard:?}"
    );
    let music: Vec<usize> = heard
        .iter()
        .filter_map(|h| match h {
            Heard::Music(k) => Some(*k),
            Heard::Other => None,
        })
        .collect();
    assert_eq!(
        music,
        (0..music.len()).collect::<Vec<_>>(),
        "music resumes at the frame after the last one played"
    );
    for pair in received.windows(2) {
        assert_eq!(
            pair[1].sequence_number,
            pair[0].sequence_number.wrapping_add(1)
        );
        assert_eq!(pair[1].timestamp, pair[0].timestamp.wrapping_add(160));
    }
}

#[tokio::test]
async fn a_held_caller_hears_music_and_the_relay_resumes_on_unhold() {
    let mut harness = Harness::new(MediaConfig::default(), 24_750..=24_799);
    let data = tempfile::tempdir().unwrap();
    let mut caller = Peer::new(Codec::Pcma, Some(101), 2).await;
    let mut agent = Peer::new(Codec::Pcma, Some(101), 3).await;
    let call = harness.call(2, &caller);
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    let (playlist, samples) = music();
    let index = music_index(Codec::Pcma, &samples);
    call.send(MediaCommand::StartMoh { playlist }).unwrap();
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();
    call.send(MediaCommand::StartRecording {
        path: data.path().join("held.wav"),
    })
    .unwrap();

    let tone = tone_frames(700.0, 60);
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for (n, frame) in tone.iter().enumerate() {
        interval.tick().await;
        if n == 20 {
            call.send(MediaCommand::Hold { leg: LegId::A }).unwrap();
        }
        if n == 40 {
            call.send(MediaCommand::Unhold { leg: LegId::A }).unwrap();
        }
        caller.send_frame(frame, false).await;
        agent.send_frame(frame, false).await;
    }
    let at_caller = caller.recv_all(Duration::from_millis(300)).await;
    let at_agent = agent.recv_all(Duration::from_millis(300)).await;

    let heard = classify(&index, &at_caller);
    let music = heard
        .iter()
        .filter(|h| matches!(h, Heard::Music(_)))
        .count();
    // About 20 frames of hold (400 ms), give or take the command's timing.
    assert!(
        (15..=25).contains(&music),
        "{music} music frames: {heard:?}"
    );
    let first = heard
        .iter()
        .position(|h| matches!(h, Heard::Music(_)))
        .unwrap();
    assert!(
        heard[first..first + music]
            .iter()
            .all(|h| matches!(h, Heard::Music(_)))
    );
    assert!(
        first >= 15 && heard.len() >= first + music + 15,
        "relay before and after"
    );
    // While held, the caller's audio did not reach the agent.
    assert!(
        (35..=45).contains(&at_agent.len()),
        "the agent got {}",
        at_agent.len()
    );
    for packets in [&at_caller, &at_agent] {
        assert!(packets.windows(2).all(|p| p[1].ssrc == p[0].ssrc));
        assert!(
            packets
                .windows(2)
                .all(|p| { p[1].sequence_number == p[0].sequence_number.wrapping_add(1) })
        );
    }
    let mut marks = Vec::new();
    while marks.len() < 2 {
        if let MediaEvent::RecordingMarked { marker } = harness.next_event().await {
            marks.push(marker);
        }
    }
    assert_eq!(marks[0].kind, MarkerKind::Note("hold".into()));
    assert_eq!(marks[1].kind, MarkerKind::Note("unhold".into()));
    assert!(marks[1].at > marks[0].at);
}

#[tokio::test]
async fn silence_from_the_caller_raises_an_rtp_timeout_except_on_hold() {
    let config = MediaConfig {
        rtp_timeout: Some(Duration::from_secs(1)),
        ..MediaConfig::default()
    };
    let mut harness = Harness::new(config, 24_800..=24_849);
    let mut caller = Peer::new(Codec::Pcmu, Some(101), 4).await;
    let call = harness.call(3, &caller);
    caller.target = Some(call.local_addr());
    call.send(MediaCommand::Hold { leg: LegId::A }).unwrap();
    for frame in tone_frames(400.0, 5) {
        caller.send_frame(&frame, false).await;
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    while let Ok(envelope) = harness.events.try_recv() {
        assert!(
            !matches!(envelope.event, MediaEvent::RtpTimeout { .. }),
            "no timeout while on hold"
        );
    }
    call.send(MediaCommand::Unhold { leg: LegId::A }).unwrap();
    assert_eq!(
        harness
            .wait_for(|e| matches!(e, MediaEvent::RtpTimeout { .. }))
            .await,
        MediaEvent::RtpTimeout { leg: LegId::A }
    );
}
