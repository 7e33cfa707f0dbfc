//! Is this block one pure sine, and at what frequency? The question behind beep detection
//! (answering machines) and fax tones (CNG, CED).
//!
//! The frequency comes from the second-order predictor every sine obeys,
//! `x[n+1] + x[n−1] = 2·cos(ω)·x[n]`, fitted by least squares (one pass, no search). The
//! [`Goertzel`] filter then measures how much of the block's power sits at that frequency: a
//! beep carries nearly all of it, a voice or a chord much less.

use std::f32::consts::PI;

use super::goertzel::Goertzel;
use crate::SAMPLE_RATE;

/// A block's dominant sine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingleTone {
    /// Estimated frequency in Hz.
    pub freq_hz: f32,
    /// Share of the block's power at that frequency (0–1; ≈1 for a pure tone).
    pub purity: f32,
    /// Mean power of the block (mean of squared samples, 16-bit units).
    pub power: f32,
}

impl SingleTone {
    /// Measures a block (at least 3 samples, 8 kHz); `None` for silence or a too-short block.
    pub fn measure(samples: &[i16]) -> Option<SingleTone> {
        if samples.len() < 3 {
            return None;
        }
        // Frames fit on the stack; longer blocks are rare enough to allocate.
        let mut stack = [0f32; 2 * crate::FRAME_SAMPLES];
        if let Some(buffer) = stack.get_mut(..samples.len()) {
            for (slot, &s) in buffer.iter_mut().zip(samples) {
                *slot = f32::from(s);
            }
            return SingleTone::measure_f32(buffer);
        }
        let x: Vec<f32> = samples.iter().map(|&s| f32::from(s)).collect();
        SingleTone::measure_f32(&x)
    }

    /// [`SingleTone::measure`] on samples already converted to `f32`.
    pub fn measure_f32(x: &[f32]) -> Option<SingleTone> {
        if x.len() < 3 {
            return None;
        }
        let (mut cross, mut energy_mid) = (0f32, 0f32);
        for n in 1..x.len() - 1 {
            cross += x[n] * (x[n + 1] + x[n - 1]);
            energy_mid += x[n] * x[n];
        }
        let power = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
        if energy_mid <= 0.0 || power <= 0.0 {
            return None;
        }
        let cos_omega = (cross / energy_mid / 2.0).clamp(-1.0, 1.0);
        let coarse_hz = cos_omega.acos() * SAMPLE_RATE as f32 / (2.0 * PI);
        let freq_hz = refine(x, coarse_hz);
        let tone_power = Goertzel::new(freq_hz, SAMPLE_RATE).tone_power(x);
        Some(SingleTone {
            freq_hz,
            purity: (tone_power / power).min(1.0),
            power,
        })
    }
}

/// Noise pulls the predictor's estimate towards 2 kHz (it adds power at lag 0, none at lag 1).
/// The phase turn of the tone between the block's two halves gives the true frequency, as long
/// as the first guess is within half a half-block bin (±50 Hz for a 20 ms frame).
fn refine(x: &[f32], coarse_hz: f32) -> f32 {
    let half = x.len() / 2;
    if half < 2 {
        return coarse_hz;
    }
    let goertzel = Goertzel::new(coarse_hz, SAMPLE_RATE);
    let turn = goertzel
        .dft(&x[half..2 * half])
        .mul_conj(goertzel.dft(&x[..half]))
        .arg();
    let expected = goertzel.omega() * half as f32;
    let offset = (turn - expected + PI).rem_euclid(2.0 * PI) - PI;
    (coarse_hz + offset * SAMPLE_RATE as f32 / (2.0 * PI * half as f32))
        .clamp(0.0, SAMPLE_RATE as f32 / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::{Tone, ToneGenerator};

    fn frame_of(tone: Tone) -> [i16; 160] {
        ToneGenerator::new(tone).next_frame().samples
    }

    #[test]
    fn pure_tone_is_pure_at_its_frequency() {
        for freq in [440.0, 850.0, 1_000.0, 1_100.0, 1_400.0, 2_100.0] {
            let tone = SingleTone::measure(&frame_of(Tone::continuous(&[(freq, -20.0)]))).unwrap();
            assert!(
                (f64::from(tone.freq_hz) - freq).abs() < 0.5,
                "{freq}: {tone:?}"
            );
            assert!(tone.purity > 0.97, "{freq}: {tone:?}");
        }
    }

    #[test]
    fn two_tones_are_not_pure() {
        let tone = SingleTone::measure(&frame_of(Tone::continuous(&[
            (770.0, -10.0),
            (1_336.0, -10.0),
        ])))
        .unwrap();
        assert!(tone.purity < 0.6, "{tone:?}");
    }

    #[test]
    fn harmonic_rich_sound_is_not_pure() {
        let harmonics: Vec<(f64, f64)> = (1..=6)
            .map(|k| (150.0 * f64::from(k), -15.0 - 2.0 * f64::from(k)))
            .collect();
        let tone = SingleTone::measure(&frame_of(Tone::continuous(&harmonics))).unwrap();
        assert!(tone.purity < 0.6, "{tone:?}");
    }

    #[test]
    fn noise_does_not_pull_the_frequency() {
        let mut samples = frame_of(Tone::continuous(&[(1_100.0, -20.0)]));
        let noise = crate::comfort_noise::ComfortNoise::new(-45.0, 9).next_frame();
        for (s, n) in samples.iter_mut().zip(noise.samples) {
            *s = s.saturating_add(n);
        }
        let tone = SingleTone::measure(&samples).unwrap();
        assert!((tone.freq_hz - 1_100.0).abs() < 3.0, "{tone:?}");
        assert!(tone.purity > 0.95, "{tone:?}");
    }

    #[test]
    fn silence_and_short_blocks_measure_nothing() {
        assert_eq!(SingleTone::measure(&[0; 160]), None);
        assert_eq!(SingleTone::measure(&[1, 2]), None);
    }
}
