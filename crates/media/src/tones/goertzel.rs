//! The Goertzel algorithm: the strength and phase of one frequency in a block of samples, at
//! the cost of one multiply per sample. The DTMF, fax-tone and beep detectors all measure
//! through this one implementation.
//!
//! The block may be pre-multiplied by a window (the DTMF detector uses a Hann window to keep
//! the other tone's leakage out of the phase it measures). Phases are referenced to the block's
//! last sample, so two blocks of equal length a hop apart compare directly: for a tone at
//! angular frequency ω₀, `later · conj(earlier)` turns by ω₀ · hop.

use std::f32::consts::PI;

/// A single-frequency DFT evaluator for blocks of any length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goertzel {
    freq_hz: f32,
    /// 2·cos(ω), the recurrence coefficient.
    coeff: f32,
    cos: f32,
    sin: f32,
}

/// A complex DFT value: amplitude and phase of one frequency.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phasor {
    /// Real part.
    pub re: f32,
    /// Imaginary part.
    pub im: f32,
}

impl Phasor {
    /// Squared magnitude.
    pub fn norm_sqr(self) -> f32 {
        self.re * self.re + self.im * self.im
    }

    /// Phase in radians, in (−π, π].
    pub fn arg(self) -> f32 {
        self.im.atan2(self.re)
    }

    /// `self · conj(other)`: its phase is the turn from `other` to `self`.
    pub fn mul_conj(self, other: Phasor) -> Phasor {
        Phasor {
            re: self.re * other.re + self.im * other.im,
            im: self.im * other.re - self.re * other.im,
        }
    }
}

impl std::ops::Add for Phasor {
    type Output = Phasor;

    fn add(self, other: Phasor) -> Phasor {
        Phasor {
            re: self.re + other.re,
            im: self.im + other.im,
        }
    }
}

impl Goertzel {
    /// An evaluator for `freq_hz` at `sample_rate` samples per second.
    pub fn new(freq_hz: f32, sample_rate: u32) -> Goertzel {
        let omega = 2.0 * PI * freq_hz / sample_rate as f32;
        Goertzel {
            freq_hz,
            coeff: 2.0 * omega.cos(),
            cos: omega.cos(),
            sin: omega.sin(),
        }
    }

    /// The frequency this evaluator measures.
    pub fn freq_hz(&self) -> f32 {
        self.freq_hz
    }

    /// Angular frequency in radians per sample.
    pub fn omega(&self) -> f32 {
        self.sin.atan2(self.cos)
    }

    fn run(&self, samples: &[f32]) -> (f32, f32) {
        let (mut s1, mut s2) = (0.0f32, 0.0f32);
        for &x in samples {
            let s0 = x + self.coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1, s2)
    }

    /// The DFT value `Σ x[n]·e^{jω(N−1−n)}` of the block (phase referenced to its last sample).
    pub fn dft(&self, samples: &[f32]) -> Phasor {
        let (s1, s2) = self.run(samples);
        Phasor {
            re: s1 - self.cos * s2,
            im: self.sin * s2,
        }
    }

    /// `|DFT|²` of the block, without the phase (slightly cheaper than [`Goertzel::dft`]).
    pub fn power(&self, samples: &[f32]) -> f32 {
        let (s1, s2) = self.run(samples);
        s1 * s1 + s2 * s2 - self.coeff * s1 * s2
    }

    /// The DFT values of several filters over the same block, in one pass: the filters'
    /// recurrences are independent, so running them side by side lets the processor overlap
    /// them (several times faster than one filter after another).
    pub fn dft_bank<const N: usize>(bank: &[Goertzel; N], samples: &[f32]) -> [Phasor; N] {
        let coeffs = bank.map(|g| g.coeff);
        let (mut s1, mut s2) = ([0f32; N], [0f32; N]);
        for &x in samples {
            for i in 0..N {
                let s0 = x + coeffs[i] * s1[i] - s2[i];
                s2[i] = s1[i];
                s1[i] = s0;
            }
        }
        let mut out = [Phasor::default(); N];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = Phasor {
                re: s1[i] - bank[i].cos * s2[i],
                im: bank[i].sin * s2[i],
            };
        }
        out
    }

    /// Mean power (amplitude² / 2) of a sine at this frequency in an unwindowed block: the
    /// figure to compare with the block's mean of squared samples.
    pub fn tone_power(&self, samples: &[f32]) -> f32 {
        if samples.is_empty() {
            return 0.0;
        }
        let n = samples.len() as f32;
        2.0 * self.power(samples) / (n * n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, amplitude: f32, phase: f32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| amplitude * (2.0 * PI * freq * n as f32 / 8_000.0 + phase).cos())
            .collect()
    }

    #[test]
    fn tone_power_of_an_on_bin_sine_is_half_its_squared_amplitude() {
        // 1000 Hz over 160 samples is exactly 20 periods.
        let block = sine(1_000.0, 1_000.0, 0.3, 160);
        let power = Goertzel::new(1_000.0, 8_000).tone_power(&block);
        assert!((power / 500_000.0 - 1.0).abs() < 1e-3, "{power}");
    }

    #[test]
    fn another_bin_sees_almost_nothing() {
        let block = sine(1_000.0, 1_000.0, 0.0, 160);
        let power = Goertzel::new(1_500.0, 8_000).tone_power(&block);
        assert!(power < 1.0, "{power}");
    }

    #[test]
    fn phase_turns_by_omega_times_hop() {
        let signal = sine(1_020.0, 1_000.0, 0.7, 200);
        let goertzel = Goertzel::new(1_000.0, 8_000);
        let early = goertzel.dft(&signal[0..100]);
        let late = goertzel.dft(&signal[40..140]);
        let turn = late.mul_conj(early).arg();
        let expected = 2.0 * PI * 1_020.0 * 40.0 / 8_000.0;
        let wrapped = (expected + PI).rem_euclid(2.0 * PI) - PI;
        assert!((turn - wrapped).abs() < 0.02, "{turn} vs {wrapped}");
    }

    #[test]
    fn power_matches_dft_magnitude() {
        let block = sine(770.0, 300.0, 1.0, 102);
        let goertzel = Goertzel::new(770.0, 8_000);
        let (a, b) = (goertzel.power(&block), goertzel.dft(&block).norm_sqr());
        assert!((a / b - 1.0).abs() < 1e-3);
    }

    #[test]
    fn bank_matches_single_filters() {
        let block = sine(852.0, 900.0, 0.2, 102);
        let bank = [697.0, 852.0, 1_477.0].map(|f| Goertzel::new(f, 8_000));
        for (goertzel, phasor) in bank.iter().zip(Goertzel::dft_bank(&bank, &block)) {
            let single = goertzel.dft(&block);
            assert!((single.re - phasor.re).abs() < 1e-2 && (single.im - phasor.im).abs() < 1e-2);
        }
    }

    #[test]
    fn empty_block_has_no_power() {
        assert_eq!(Goertzel::new(697.0, 8_000).tone_power(&[]), 0.0);
    }
}
