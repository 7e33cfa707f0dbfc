//! The caller talking to the IVR: prompts paced out as one RTP stream, then reported
//! finished; keys heard as RFC 4733 events or as tones in the audio; barge-in.

mod media_support;

use std::time::Duration;

use media::Frame;
use media::dtmf::Digit;
use media::g711::Codec;
use media::playback::{Item, Sequence};
use media::prompt::Prompt;
use media::tones::{Tone, ToneGenerator};
use media_support::{Harness, Peer, assert_continuous, decode, tone_frames, tone_share_db};
use plateau::media::{DigitSource, MediaCommand, MediaConfig, MediaEvent, PlayId};

/// A sequence of `prompts` prompts of `frames` frames of a 500 Hz tone each.
fn prompts(prompts: usize, frames: usize, barge_in: bool) -> Sequence {
    let samples: Vec<i16> = tone_frames(500.0, frames)
        .iter()
        .flat_map(|f| f.samples)
        .collect();
    let mut sequence = Sequence::new();
    for n in 0..prompts {
        let prompt = Prompt::from_samples(&samples);
        sequence.push(Item::prompt(format!("p{n}"), prompt).with_barge_in(barge_in));
    }
    sequence
}

fn digit(c: char) -> Digit {
    Digit::from_char(c).expect("a key")
}

#[tokio::test]
async fn a_prompt_sequence_is_paced_as_one_stream_then_reported_finished() {
    let mut harness = Harness::new(MediaConfig::default(), 24_400..=24_449);
    let caller = Peer::new(Codec::Pcmu, Some(101), 1).await;
    let call = harness.call(1, &caller);
    call.send(MediaCommand::Play {
        id: PlayId(1),
        sequence: prompts(3, 10, true),
    })
    .unwrap();

    let received = caller.recv_all(Duration::from_millis(300)).await;
    assert_eq!(received.len(), 30);
    assert!(received[0].marker, "a talkspurt starts with the marker");
    assert!(received[1..].iter().all(|p| !p.marker));
    assert!(received.iter().all(|p| p.payload_type == 0));
    assert_continuous(&received);
    assert!(tone_share_db(&decode(Codec::Pcmu, &received), 500.0) > -1.0);
    // Paced, not sent in one burst: 29 intervals of 20 ms, allowing for catch-up bursts.
    let span = received[29].at - received[0].at;
    assert!(span >= Duration::from_millis(400), "sent over {span:?}");
    assert_eq!(
        harness.next_event().await,
        MediaEvent::PlayFinished { id: PlayId(1) }
    );
}

#[tokio::test]
async fn a_telephone_event_is_reported_as_a_digit() {
    let mut harness = Harness::new(MediaConfig::default(), 24_450..=24_499);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 2).await;
    let call = harness.call(2, &caller);
    caller.target = Some(call.local_addr());
    caller.send_key(digit('5'), 5).await;
    assert_eq!(
        harness.next_event().await,
        MediaEvent::Digit {
            digit: digit('5'),
            duration: Duration::from_millis(100),
            source: DigitSource::Rfc4733,
        }
    );
}

#[tokio::test]
async fn a_key_tone_in_the_audio_is_reported_as_a_digit() {
    let mut harness = Harness::new(MediaConfig::default(), 24_500..=24_549);
    // No telephone-event negotiated: the task listens to the audio.
    let mut caller = Peer::new(Codec::Pcmu, None, 3).await;
    let call = harness.call(3, &caller);
    caller.target = Some(call.local_addr());
    let mut key = ToneGenerator::new(Tone::dtmf(
        digit('7'),
        Duration::from_millis(100),
        -10.0,
        0.0,
    ));
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for n in 0..30 {
        interval.tick().await;
        let frame = if (10..15).contains(&n) {
            key.next_frame()
        } else {
            Frame::SILENCE
        };
        caller.send_frame(&frame, false).await;
    }
    let MediaEvent::Digit {
        digit: heard,
        duration,
        source,
    } = harness.next_event().await
    else {
        panic!("a digit expected");
    };
    assert_eq!((heard, source), (digit('7'), DigitSource::Inband));
    assert!(duration.abs_diff(Duration::from_millis(100)) <= Duration::from_millis(10));
}

#[tokio::test]
async fn a_key_cuts_a_prompt_that_allows_barge_in() {
    let mut harness = Harness::new(MediaConfig::default(), 24_550..=24_599);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 4).await;
    let call = harness.call(4, &caller);
    caller.target = Some(call.local_addr());
    call.send(MediaCommand::Play {
        id: PlayId(9),
        sequence: prompts(1, 200, true),
    })
    .unwrap();
    for _ in 0..5 {
        caller
            .recv(Duration::from_secs(1))
            .await
            .expect("prompt audio");
    }
    caller.send_key(digit('2'), 4).await;
    assert_eq!(
        harness.next_event().await,
        MediaEvent::PlayInterrupted {
            id: PlayId(9),
            digit: digit('2')
        }
    );
    assert!(matches!(
        harness.next_event().await,
        MediaEvent::Digit { digit: d, .. } if d == digit('2')
    ));
    // The prompt stopped: what is still in flight drains, then nothing more comes.
    let rest = caller.recv_all(Duration::from_millis(200)).await;
    assert!(rest.len() < 20, "{} more frames after the key", rest.len());
    // The IVR's StopPlayback that follows a barge-in is harmless.
    call.send(MediaCommand::StopPlay { id: PlayId(9) }).unwrap();
}

#[tokio::test]
async fn a_key_does_not_cut_a_prompt_without_barge_in() {
    let mut harness = Harness::new(MediaConfig::default(), 24_600..=24_649);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 5).await;
    let call = harness.call(5, &caller);
    caller.target = Some(call.local_addr());
    call.send(MediaCommand::Play {
        id: PlayId(4),
        sequence: prompts(1, 25, false),
    })
    .unwrap();
    caller
        .recv(Duration::from_secs(1))
        .await
        .expect("prompt audio");
    caller.send_key(digit('3'), 3).await;
    assert!(matches!(
        harness.next_event().await,
        MediaEvent::Digit { digit: d, .. } if d == digit('3')
    ));
    assert_eq!(
        harness.next_event().await,
        MediaEvent::PlayFinished { id: PlayId(4) }
    );
}
