//! Per-frame cost of the audio the server plays, mixes and keeps: one 20 ms frame each.
//!
//! `cargo bench -p media --bench audio -- --warm-up-time 1 --measurement-time 3`
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, criterion_group, criterion_main};
use media::Frame;
use media::mixer::{MixMode, Mixer, Role};
use media::music_on_hold::Playlist;
use media::playback::{Item, Player, Sequence};
use media::prompt::Prompt;
use media::recorder::{CallTime, Channel, Recorder, RecorderConfig};

fn noise(seed: u32) -> Frame {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let mut frame = Frame::SILENCE;
    for s in &mut frame.samples {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *s = (state >> 20) as i16 - 2_048;
    }
    frame
}

/// Ten seconds of audio.
fn prompt() -> Prompt {
    Prompt::from_frames((0..500).map(noise).collect())
}

fn mix_three_party_frame(c: &mut Criterion) {
    let mut mixer = Mixer::new();
    mixer.set_mode(MixMode::Whisper);
    let parties = [
        mixer.add_party(Role::Caller),
        mixer.add_party(Role::Agent),
        mixer.add_party(Role::Supervisor),
    ];
    let inputs = [noise(1), noise(2), noise(3)];
    c.bench_function("mix_three_party_frame", |b| {
        b.iter(|| {
            for (&party, input) in parties.iter().zip(&inputs) {
                mixer.set_input(party, black_box(input)).unwrap();
            }
            mixer.mix();
            black_box(mixer.output(parties[0]).unwrap());
        })
    });
}

fn record_stereo_frame(c: &mut Criterion) {
    // A new recorder (and file) every minute of audio keeps the in-memory file small; that
    // start-up cost is spread over the 3,000 frames and counted.
    const FRAMES_PER_FILE: u64 = 3_000;
    let new_recorder = || {
        Recorder::new(
            Cursor::new(Vec::with_capacity(8 << 20)),
            RecorderConfig::default(),
        )
        .unwrap()
    };
    let mut recorder = new_recorder();
    let (caller, agent) = (noise(4), noise(5));
    let mut k = 0;
    c.bench_function("record_stereo_frame", |b| {
        b.iter(|| {
            if k == FRAMES_PER_FILE {
                recorder = new_recorder();
                k = 0;
            }
            let at = CallTime::from_samples(k * 160);
            recorder
                .push(Channel::Caller, at, black_box(&caller))
                .unwrap();
            recorder
                .push(Channel::Agent, at, black_box(&agent))
                .unwrap();
            k += 1;
        })
    });
}

fn playback_next_frame(c: &mut Criterion) {
    let prompt = prompt();
    let mut player = Player::new();
    c.bench_function("playback_next_frame", |b| {
        b.iter(|| match player.next_frame() {
            Some(frame) => black_box(frame),
            None => {
                let mut sequence = Sequence::new();
                sequence.push(Item::prompt("bench", prompt.clone()));
                player.play(sequence);
                while player.poll_event().is_some() {}
                black_box(Frame::SILENCE)
            }
        })
    });
}

fn moh_next_frame(c: &mut Criterion) {
    let playlist = Playlist::new(vec![prompt(), prompt()]).unwrap();
    let mut caller = playlist.listener();
    c.bench_function("moh_next_frame", |b| {
        b.iter(|| black_box(caller.next_frame()))
    });
}

criterion_group!(
    audio,
    mix_three_party_frame,
    record_stereo_frame,
    playback_next_frame,
    moh_next_frame
);
criterion_main!(audio);
