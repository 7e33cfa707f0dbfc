//! Call-progress tones as a caller hears them: each plan's tones rendered frame by frame have
//! the right frequencies, levels and cadence, and stay in phase across frame boundaries.

use media::tones::goertzel::Goertzel;
use media::tones::level::rms_to_dbm0;
use media::tones::{Tone, ToneGenerator, ToneKind, TonePlan};
use media::{FRAME_SAMPLES, Frame, SAMPLE_RATE};

const KINDS: [ToneKind; 4] = [
    ToneKind::Dial,
    ToneKind::Ringback,
    ToneKind::Busy,
    ToneKind::Congestion,
];

fn render(tone: &Tone, seconds: u64) -> Vec<Frame> {
    let mut generator = ToneGenerator::new(tone.clone());
    (0..seconds * 50).map(|_| generator.next_frame()).collect()
}

/// On/off runs in milliseconds, read in 5 ms blocks: every cadence step of these plans is a
/// whole number of 5 ms blocks, so each block is entirely on or off.
fn runs(frames: &[Frame]) -> Vec<(bool, u64)> {
    let samples: Vec<i16> = frames.iter().flat_map(|f| f.samples).collect();
    let mut runs: Vec<(bool, u64)> = Vec::new();
    for block in samples.chunks(40) {
        let on = block.iter().any(|&s| s != 0);
        match runs.last_mut() {
            Some((state, ms)) if *state == on => *ms += 5,
            _ => runs.push((on, 5)),
        }
    }
    runs
}

#[test]
fn cadences_follow_the_plans() {
    for country in ["US", "GB", "FR"] {
        let plan = TonePlan::for_country(country).unwrap();
        for kind in KINDS {
            let tone = plan.tone(kind);
            let frames = render(tone, 12);
            let heard = runs(&frames);
            if tone.cadence().is_empty() {
                assert_eq!(heard, vec![(true, 12_000)], "{country} {kind:?}");
                continue;
            }
            // Compare the complete runs (not the last, cut by the end of the rendering) with
            // the cadence.
            let cadence: Vec<(bool, u64)> = tone
                .cadence()
                .iter()
                .map(|s| (s.on, s.duration.as_millis() as u64))
                .collect();
            for (i, &(on, ms)) in heard[..heard.len() - 1].iter().enumerate() {
                let (want_on, want_ms) = cadence[i % cadence.len()];
                assert_eq!(on, want_on, "{country} {kind:?} run {i}: {heard:?}");
                assert_eq!(ms, want_ms, "{country} {kind:?} run {i}");
            }
        }
    }
}

#[test]
fn frequencies_and_levels_follow_the_plans() {
    for country in ["US", "GB", "FR"] {
        let plan = TonePlan::for_country(country).unwrap();
        for kind in KINDS {
            let tone = plan.tone(kind);
            // 100 ms of the first on-step: five whole frames.
            let samples: Vec<f32> = render(tone, 1)[..5]
                .iter()
                .flat_map(|f| f.samples.map(f32::from))
                .collect();
            let total_power = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
            let mut component_power = 0.0;
            for component in tone.components() {
                let power =
                    Goertzel::new(component.freq_hz as f32, SAMPLE_RATE).tone_power(&samples);
                let level = rms_to_dbm0(f64::from(power).sqrt());
                assert!(
                    (level - component.level_dbm0).abs() < 0.5,
                    "{country} {kind:?} {} Hz at {level:.1} dBm0",
                    component.freq_hz
                );
                component_power += power;
            }
            assert!(
                component_power / total_power > 0.98,
                "{country} {kind:?}: stray energy"
            );
        }
    }
}

#[test]
fn phase_runs_on_across_frames() {
    // A tone rendered frame by frame equals the same tone rendered in one block.
    let tone = TonePlan::for_country("GB")
        .unwrap()
        .tone(ToneKind::Ringback)
        .clone();
    let by_frames: Vec<i16> = render(&tone, 3).iter().flat_map(|f| f.samples).collect();
    let mut block = vec![0i16; 3 * SAMPLE_RATE as usize];
    ToneGenerator::new(tone).fill(&mut block);
    assert_eq!(by_frames.len(), block.len());
    let worst = by_frames
        .iter()
        .zip(&block)
        .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
        .max()
        .unwrap();
    assert!(worst <= 1, "frame-by-frame output differs by {worst}");
    assert_eq!(FRAME_SAMPLES, 160);
}
