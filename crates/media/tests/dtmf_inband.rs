//! In-band DTMF detection through a telephone channel (G.711 µ-law): every key at every
//! duration, level, frequency error and twist the issue lists is found exactly once, and speech
//! and music produce no false key.

mod dtmf_support;

use std::time::Duration;

use dtmf_support::{
    fixture_dir, music, set_level, silence, synthesize, talk_off_corpus, ulaw_round_trip,
};
use media::comfort_noise::ComfortNoise;
use media::dtmf::{Digit, InbandConfig, InbandDetector, InbandDigit};
use media::tones::{Tone, ToneGenerator};

const DURATIONS_MS: [u64; 5] = [20, 40, 60, 100, 200];
const LEVELS_DBM0: [f64; 3] = [-5.0, -15.0, -25.0];
/// (low-group error, high-group error): both low, none, both high, and opposite ways.
const FREQUENCY_ERRORS: [(f64, f64); 5] = [
    (-0.015, -0.015),
    (0.0, 0.0),
    (0.015, 0.015),
    (-0.015, 0.015),
    (0.015, -0.015),
];
/// High-group level minus low-group level, in dB.
const TWISTS_DB: [f64; 3] = [0.0, 4.0, -8.0];
const GAPS_MS: [u64; 4] = [40, 50, 60, 80];

fn render(tone: Tone, ms: u64) -> Vec<i16> {
    let mut samples = vec![0i16; (ms * 8) as usize];
    ToneGenerator::new(tone).fill(&mut samples);
    samples
}

fn detect(samples: &[i16]) -> Vec<InbandDigit> {
    let mut detector = InbandDetector::new(InbandConfig::default());
    for chunk in samples.chunks(160) {
        detector.handle_samples(chunk);
    }
    detector.flush();
    std::iter::from_fn(|| detector.poll_event()).collect()
}

#[test]
fn every_key_duration_level_frequency_error_and_twist_is_detected_once() {
    let mut failures = Vec::new();
    let mut worst_duration_error_ms = 0f64;
    let mut tones = 0;
    for level in LEVELS_DBM0 {
        for (low_error, high_error) in FREQUENCY_ERRORS {
            for twist in TWISTS_DB {
                // A start offset that is not a multiple of the frame or the detector's hop.
                let mut samples = silence(0);
                samples.extend(vec![0i16; 37]);
                let mut expected = Vec::new();
                let mut index = 0;
                for digit in Digit::ALL {
                    for ms in DURATIONS_MS {
                        let (low, high) = digit.frequencies();
                        let tone = Tone::dtmf_at(
                            f64::from(low) * (1.0 + low_error),
                            f64::from(high) * (1.0 + high_error),
                            Duration::from_millis(ms),
                            level - twist / 2.0,
                            level + twist / 2.0,
                        );
                        samples.extend(render(tone, ms));
                        samples.extend(silence(GAPS_MS[index % GAPS_MS.len()]));
                        expected.push((digit, ms));
                        index += 1;
                    }
                }
                samples.extend(silence(100));
                ulaw_round_trip(&mut samples);
                let found = detect(&samples);
                tones += expected.len();
                let found_keys: Vec<Digit> = found.iter().map(|d| d.digit).collect();
                let expected_keys: Vec<Digit> = expected.iter().map(|&(d, _)| d).collect();
                if found_keys != expected_keys {
                    failures.push(format!(
                        "level {level} dBm0, errors {low_error}/{high_error}, twist {twist} dB: expected {} keys, found {}: {}",
                        expected_keys.len(),
                        found_keys.len(),
                        found_keys.iter().map(|d| d.to_char()).collect::<String>()
                    ));
                    continue;
                }
                for (press, &(_, ms)) in found.iter().zip(&expected) {
                    let error = (press.duration.as_secs_f64() * 1_000.0 - ms as f64).abs();
                    worst_duration_error_ms = worst_duration_error_ms.max(error);
                }
            }
        }
    }
    println!("{tones} tones checked; worst duration error {worst_duration_error_ms:.1} ms");
    assert!(
        failures.is_empty(),
        "{} of {} sequences wrong:\n{}",
        failures.len(),
        LEVELS_DBM0.len() * FREQUENCY_ERRORS.len() * TWISTS_DB.len(),
        failures.join("\n")
    );
    assert!(
        worst_duration_error_ms <= 10.0,
        "durations off by up to {worst_duration_error_ms} ms"
    );
}

#[test]
fn quiet_keys_over_line_noise_are_detected() {
    // −25 dBm0 keys (the weak tone down to −29 dBm0 with −8 dB twist) over white noise at
    // −50 dBov (about −44 dBm0, a poor line): every key is still found.
    for twist in TWISTS_DB {
        for error in [-0.015, 0.015] {
            let mut samples = silence(0);
            let mut expected = Vec::new();
            for digit in Digit::ALL {
                for ms in [40, 100] {
                    let (low, high) = digit.frequencies();
                    let tone = Tone::dtmf_at(
                        f64::from(low) * (1.0 + error),
                        f64::from(high) * (1.0 + error),
                        Duration::from_millis(ms),
                        -25.0 - twist / 2.0,
                        -25.0 + twist / 2.0,
                    );
                    samples.extend(render(tone, ms));
                    samples.extend(silence(60));
                    expected.push(digit);
                }
            }
            let mut noise = ComfortNoise::new(-50.0, 5);
            for chunk in samples.chunks_mut(160) {
                for (s, n) in chunk.iter_mut().zip(noise.next_frame().samples) {
                    *s = s.saturating_add(n);
                }
            }
            ulaw_round_trip(&mut samples);
            let found: Vec<Digit> = detect(&samples).iter().map(|d| d.digit).collect();
            assert_eq!(found, expected, "twist {twist} dB, error {error}");
        }
    }
}

#[test]
fn speech_in_english_and_french_triggers_no_key() {
    let dir = fixture_dir("dtmf-talk-off");
    let corpus = talk_off_corpus();
    let recordings = synthesize(&dir, &corpus);
    let mut total_samples = 0;
    let mut false_keys = Vec::new();
    for (utterance, samples) in corpus.iter().zip(recordings) {
        // Each utterance at a normal and a loud level.
        for level in [-18.0, -6.0] {
            let mut samples = samples.clone();
            set_level(&mut samples, level);
            ulaw_round_trip(&mut samples);
            total_samples += samples.len();
            for press in detect(&samples) {
                false_keys.push(format!(
                    "{press:?} in {:?} ({}) at {level} dBm0",
                    utterance.text, utterance.voice
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let minutes = total_samples as f64 / 8_000.0 / 60.0;
    println!(
        "talk-off: {minutes:.1} minutes of speech, {} false keys",
        false_keys.len()
    );
    assert!(minutes >= 3.0, "corpus too short: {minutes:.1} minutes");
    assert!(false_keys.is_empty(), "{}", false_keys.join("\n"));
}

#[test]
fn music_triggers_no_key() {
    let mut false_keys = Vec::new();
    let mut total_samples = 0;
    for seed in 0..3 {
        let mut samples = music(seed);
        ulaw_round_trip(&mut samples);
        total_samples += samples.len();
        false_keys.extend(
            detect(&samples)
                .into_iter()
                .map(|press| format!("seed {seed}: {press:?}")),
        );
    }
    println!(
        "talk-off: {:.1} minutes of music, {} false keys",
        total_samples as f64 / 480_000.0,
        false_keys.len()
    );
    assert!(false_keys.is_empty(), "{}", false_keys.join("\n"));
}
