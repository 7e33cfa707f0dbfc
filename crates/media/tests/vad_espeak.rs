//! Voice activity detection on synthetic speech (espeak-ng, English and French) over a noisy
//! G.711 line: speech is found where it is, and the noise around it is not speech.

mod dtmf_support;

use std::time::Duration;

use dtmf_support::{
    Utterance, fixture_dir, frames, set_level, silence, synthesize, ulaw_round_trip,
};
use media::comfort_noise::ComfortNoise;
use media::vad::{Vad, VadConfig, VadEvent};

const SENTENCES: [(&str, &str); 6] = [
    ("Thank you for calling, how can I help you today?", "en"),
    (
        "I would like to check the status of my order, please.",
        "en-us+f3",
    ),
    ("Sure, can you give me your account number?", "en+m3"),
    ("Bonjour, je voudrais parler à un conseiller.", "fr"),
    (
        "Très bien, je vous mets en relation tout de suite.",
        "fr+f2",
    ),
    ("It is four five six seven eight nine.", "en+f5"),
];

/// First and last 20 ms frame of the clean recording louder than −45 dBov, as times.
fn speech_span(samples: &[i16]) -> (Duration, Duration) {
    let loud: Vec<usize> = frames(samples)
        .iter()
        .enumerate()
        .filter(|(_, f)| f.dbov() > -45.0)
        .map(|(i, _)| i)
        .collect();
    let frame = |i: usize| Duration::from_millis(20 * i as u64);
    (frame(loud[0]), frame(loud[loud.len() - 1] + 1))
}

#[test]
fn speech_on_a_noisy_line_starts_and_ends_where_it_is() {
    let dir = fixture_dir("vad");
    let utterances: Vec<Utterance> = SENTENCES
        .iter()
        .map(|(text, voice)| Utterance::new(text, voice, 160, 50))
        .collect();
    let recordings = synthesize(&dir, &utterances);
    let _ = std::fs::remove_dir_all(&dir);
    for (n, (utterance, speech)) in utterances.iter().zip(recordings).enumerate() {
        for (noise_dbov, level_dbm0) in [(-60.0, -18.0), (-45.0, -15.0)] {
            let mut clean = silence(1_500);
            let mut speech = speech.clone();
            set_level(&mut speech, level_dbm0);
            clean.extend(&speech);
            clean.extend(silence(1_500));
            let (start, end) = speech_span(&clean);

            let mut samples = clean.clone();
            let mut noise = ComfortNoise::new(noise_dbov, n as u64);
            for chunk in samples.chunks_mut(160) {
                for (s, v) in chunk.iter_mut().zip(noise.next_frame().samples) {
                    *s = s.saturating_add(v);
                }
            }
            ulaw_round_trip(&mut samples);

            let mut vad = Vad::new(VadConfig::default());
            for frame in frames(&samples) {
                vad.handle_frame(&frame);
            }
            let events: Vec<VadEvent> = std::iter::from_fn(|| vad.poll_event()).collect();
            let label = format!(
                "{:?} ({}) with noise at {noise_dbov} dBov",
                utterance.text, utterance.voice
            );
            let Some(&VadEvent::SpeechStarted { at: first }) = events.first() else {
                panic!("{label}: no speech found: {events:?}");
            };
            let Some(&VadEvent::SpeechEnded { at: last }) = events.last() else {
                panic!("{label}: speech never ended: {events:?}");
            };
            let near =
                |a: Duration, b: Duration, ms: u64| a.abs_diff(b) <= Duration::from_millis(ms);
            assert!(
                near(first, start, 60),
                "{label}: started at {first:?}, speech at {start:?}"
            );
            assert!(
                near(last, end, 100),
                "{label}: ended at {last:?}, speech until {end:?}"
            );
            // Starts and ends alternate, and nothing is found in the noise around the speech.
            assert!(events.len().is_multiple_of(2), "{label}: {events:?}");
            assert!(
                events.len() <= 4,
                "{label}: speech cut into pieces: {events:?}"
            );
        }
    }
}
