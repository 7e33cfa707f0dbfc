//! Fax and modem tone detection through G.711: CNG, CED and ANSam are found on a noisy line;
//! speech (espeak-ng), music and DTMF never look like fax.

mod dtmf_support;

use std::time::Duration;

use dtmf_support::{
    fixture_dir, frames, music, set_level, silence, synthesize, talk_off_corpus, ulaw_round_trip,
};
use media::comfort_noise::ComfortNoise;
use media::dtmf::Digit;
use media::fax_tone::{FaxTone, FaxToneConfig, FaxToneDetector, FaxToneEvent};
use media::tones::level::dbm0_to_amplitude;
use media::tones::{Tone, ToneGenerator};

fn listen(samples: &[i16]) -> Vec<FaxToneEvent> {
    let mut detector = FaxToneDetector::new(FaxToneConfig::default());
    for frame in frames(samples) {
        detector.handle_frame(&frame);
    }
    std::iter::from_fn(|| detector.poll_event()).collect()
}

fn render(tone: Tone, ms: u64) -> Vec<i16> {
    let mut samples = vec![0i16; (ms * 8) as usize];
    ToneGenerator::new(tone).fill(&mut samples);
    samples
}

/// Adds line noise at `dbov` and passes the result through µ-law.
fn line(mut samples: Vec<i16>, dbov: f64, seed: u64) -> Vec<i16> {
    let mut noise = ComfortNoise::new(dbov, seed);
    for chunk in samples.chunks_mut(160) {
        for (s, v) in chunk.iter_mut().zip(noise.next_frame().samples) {
            *s = s.saturating_add(v);
        }
    }
    ulaw_round_trip(&mut samples);
    samples
}

fn tones(events: &[FaxToneEvent]) -> Vec<FaxTone> {
    events.iter().map(|e| e.tone).collect()
}

#[test]
fn calling_fax_cng_is_heard_on_a_noisy_line() {
    let mut samples = silence(700);
    samples.extend(render(
        Tone::cadenced(&[(1_100.0, -20.0)], &[(true, 500), (false, 3_000)], true),
        7_000,
    ));
    let events = listen(&line(samples, -45.0, 1));
    assert_eq!(tones(&events), vec![FaxTone::Cng, FaxTone::Cng]);
    assert!(
        (events[0].start.as_millis() as i64 - 700).abs() <= 20,
        "{events:?}"
    );
}

#[test]
fn answering_fax_ced_is_heard_within_a_second() {
    let mut samples = silence(300);
    samples.extend(render(Tone::continuous(&[(2_100.0, -15.0)]), 3_000));
    let events = listen(&line(samples, -45.0, 2));
    assert_eq!(tones(&events), vec![FaxTone::Ced]);
    assert!(events[0].at <= Duration::from_secs(1), "{events:?}");
}

#[test]
fn answering_modem_ansam_is_told_from_ced() {
    let amplitude = dbm0_to_amplitude(-15.0);
    let mut samples = silence(300);
    samples.extend((0..3 * 8_000).map(|n| {
        let t = f64::from(n) / 8_000.0;
        let envelope = 1.0 + 0.2 * (2.0 * std::f64::consts::PI * 15.0 * t).sin();
        (amplitude * envelope * (2.0 * std::f64::consts::PI * 2_100.0 * t).sin()) as i16
    }));
    let events = listen(&line(samples, -45.0, 3));
    assert_eq!(tones(&events), vec![FaxTone::AnsAm]);
}

#[test]
fn speech_is_never_fax() {
    let dir = fixture_dir("fax-talk-off");
    let corpus = talk_off_corpus();
    let recordings = synthesize(&dir, &corpus);
    let _ = std::fs::remove_dir_all(&dir);
    let mut false_tones = Vec::new();
    for (utterance, mut samples) in corpus.iter().zip(recordings) {
        set_level(&mut samples, -12.0);
        ulaw_round_trip(&mut samples);
        for event in listen(&samples) {
            false_tones.push(format!(
                "{event:?} in {:?} ({})",
                utterance.text, utterance.voice
            ));
        }
    }
    assert!(false_tones.is_empty(), "{}", false_tones.join("\n"));
}

#[test]
fn music_and_dtmf_are_never_fax() {
    let mut samples = music(7);
    for digit in Digit::ALL {
        samples.extend(render(
            Tone::dtmf(digit, Duration::from_millis(300), -10.0, 0.0),
            300,
        ));
        samples.extend(silence(100));
    }
    ulaw_round_trip(&mut samples);
    let events = listen(&samples);
    assert!(events.is_empty(), "{events:?}");
}
