//! Per-frame cost of the signal detectors and generators (one 20 ms frame each).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use media::Frame;
use media::amd::{Amd, AmdConfig};
use media::comfort_noise::ComfortNoise;
use media::dtmf::{Digit, InbandConfig, InbandDetector};
use media::fax_tone::{FaxToneConfig, FaxToneDetector};
use media::tones::{Tone, ToneGenerator, ToneKind, TonePlan};
use media::vad::{Vad, VadConfig};

/// A second of audio that keeps the detectors busy: a DTMF key, then voiced-speech-like buzz
/// over noise (loud enough that no detector takes its quiet shortcut).
fn busy_audio() -> Vec<Frame> {
    let mut key = ToneGenerator::new(Tone::dtmf(
        Digit::Five,
        Duration::from_millis(200),
        -10.0,
        0.0,
    ));
    let harmonics: Vec<(f64, f64)> = (1..=10)
        .map(|k| (130.0 * f64::from(k), -14.0 - 2.0 * f64::from(k)))
        .collect();
    let mut buzz = ToneGenerator::new(Tone::continuous(&harmonics));
    let mut noise = ComfortNoise::new(-50.0, 1);
    (0..50)
        .map(|i| {
            let mut frame = if i < 10 {
                key.next_frame()
            } else {
                buzz.next_frame()
            };
            for (s, n) in frame.samples.iter_mut().zip(noise.next_frame().samples) {
                *s = s.saturating_add(n);
            }
            frame
        })
        .collect()
}

fn signals(c: &mut Criterion) {
    let audio = busy_audio();

    c.bench_function("dtmf_detect_frame", |b| {
        let mut detector = InbandDetector::new(InbandConfig::default());
        let mut i = 0;
        b.iter(|| {
            detector.handle_frame(black_box(&audio[i % audio.len()]));
            i += 1;
            black_box(detector.poll_event())
        })
    });

    c.bench_function("vad_frame", |b| {
        let mut vad = Vad::new(VadConfig::default());
        let mut i = 0;
        b.iter(|| {
            let speech = vad.handle_frame(black_box(&audio[i % audio.len()]));
            i += 1;
            black_box(vad.poll_event());
            speech
        })
    });

    c.bench_function("amd_frame", |b| {
        // A config that never decides keeps the word logic and the beep detector both running.
        let config = AmdConfig {
            total_analysis_time: Duration::MAX,
            greeting: Duration::MAX,
            maximum_word_length: Duration::MAX,
            maximum_number_of_words: u32::MAX,
            ..AmdConfig::default()
        };
        let mut amd = Amd::new(config);
        let mut i = 0;
        b.iter(|| {
            amd.handle_frame(black_box(&audio[i % audio.len()]));
            i += 1;
            black_box(amd.poll_event())
        })
    });

    c.bench_function("fax_tone_frame", |b| {
        let mut detector = FaxToneDetector::new(FaxToneConfig::default());
        let mut i = 0;
        b.iter(|| {
            detector.handle_frame(black_box(&audio[i % audio.len()]));
            i += 1;
            black_box(detector.poll_event())
        })
    });

    c.bench_function("tone_generate_frame", |b| {
        let ringback = TonePlan::for_country("US")
            .map(|plan| plan.tone(ToneKind::Ringback).clone())
            .unwrap_or_else(|_| Tone::beep());
        let mut generator = ToneGenerator::new(ringback);
        b.iter(|| black_box(generator.next_frame()))
    });

    c.bench_function("comfort_noise_frame", |b| {
        let mut noise = ComfortNoise::new(-60.0, 3);
        b.iter(|| black_box(noise.next_frame()))
    });
}

criterion_group!(benches, signals);
criterion_main!(benches);
