//! Comfort noise: the faint hiss played instead of dead silence (a line that goes fully silent
//! sounds cut off), and the RFC 3389 CN payload that tells the far end how loud it should be.
//!
//! Noise comes from a small seeded generator owned by [`ComfortNoise`]: no global RNG, so the
//! same seed gives the same noise. The spectral part of a CN payload is carried but not used:
//! the noise is white at the signalled level.
//!
//! ```
//! use media::comfort_noise::{CnPayload, ComfortNoise};
//!
//! let cn = CnPayload::parse(&[60]).unwrap(); // a received CN packet: −60 dBov
//! let mut noise = ComfortNoise::from_payload(&cn, 42);
//! let frame = noise.next_frame();
//! assert!((frame.dbov() + 60.0).abs() < 2.0);
//! ```

mod payload;

pub use payload::CnPayload;

use crate::frame::Frame;
use crate::tones::level::dbov_to_rms;

/// Errors of the comfort-noise module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComfortNoiseError {
    /// A CN payload must hold at least the level byte.
    #[error("empty comfort-noise payload")]
    EmptyPayload,
    /// The level byte's reserved top bit was set.
    #[error("comfort-noise level byte {0:#04x} has its reserved bit set")]
    ReservedBitSet(u8),
}

/// A seeded xorshift64* generator: fast, good enough for noise, never global.
#[derive(Debug, Clone)]
pub struct NoiseSource {
    state: u64,
}

impl NoiseSource {
    /// A generator started from `seed` (any value, zero included).
    pub fn new(seed: u64) -> NoiseSource {
        // SplitMix64 scrambles the seed so that nearby seeds give unrelated streams and the
        // xorshift state is never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        NoiseSource { state: z | 1 }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform value in [−1, 1).
    pub fn next_uniform(&mut self) -> f64 {
        // The top 53 bits make an exact double in [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        2.0 * unit - 1.0
    }

    /// A value of roughly normal distribution with unit variance (sum of four uniforms: cheap,
    /// bounded, and close enough for noise).
    pub fn next_gaussian(&mut self) -> f64 {
        // Each uniform on [−1, 1) has variance 1/3; four of them sum to variance 4/3.
        let sum: f64 = (0..4).map(|_| self.next_uniform()).sum();
        sum * (3.0f64 / 4.0).sqrt()
    }
}

/// Generates white noise frames at a set level.
#[derive(Debug, Clone)]
pub struct ComfortNoise {
    rms: f64,
    source: NoiseSource,
}

impl ComfortNoise {
    /// Noise at `dbov` (RFC 3389 convention: relative to a full-scale square wave).
    pub fn new(dbov: f64, seed: u64) -> ComfortNoise {
        ComfortNoise {
            rms: dbov_to_rms(dbov.min(0.0)),
            source: NoiseSource::new(seed),
        }
    }

    /// Noise at the level a received CN payload asks for.
    pub fn from_payload(payload: &CnPayload, seed: u64) -> ComfortNoise {
        ComfortNoise::new(payload.dbov(), seed)
    }

    /// Changes the level (for example when a new CN packet arrives).
    pub fn set_level(&mut self, dbov: f64) {
        self.rms = dbov_to_rms(dbov.min(0.0));
    }

    /// The next 20 ms of noise.
    pub fn next_frame(&mut self) -> Frame {
        let mut frame = Frame::SILENCE;
        for sample in frame.samples.iter_mut() {
            let value = self.source.next_gaussian() * self.rms;
            *sample = value
                .round()
                .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_has_the_requested_level() {
        for dbov in [-30.0, -50.0, -70.0] {
            let mut noise = ComfortNoise::new(dbov, 7);
            let mean_power: f64 = (0..50)
                .map(|_| noise.next_frame().rms().powi(2))
                .sum::<f64>()
                / 50.0;
            let measured = 10.0 * (mean_power / f64::from(i16::MAX).powi(2)).log10();
            assert!((measured - dbov).abs() < 0.5, "{dbov}: {measured}");
        }
    }

    #[test]
    fn same_seed_same_noise_other_seed_other_noise() {
        let frame = |seed| ComfortNoise::new(-40.0, seed).next_frame();
        assert_eq!(frame(1), frame(1));
        assert_ne!(frame(1), frame(2));
    }

    #[test]
    fn received_payload_drives_the_level() {
        let mut noise = ComfortNoise::from_payload(&CnPayload::parse(&[45]).unwrap(), 3);
        let level = noise.next_frame().dbov();
        assert!((level + 45.0).abs() < 1.5, "{level}");
    }

    #[test]
    fn measured_level_round_trips_through_a_payload() {
        let frame = ComfortNoise::new(-52.0, 11).next_frame();
        let payload = CnPayload::from_dbov(frame.dbov());
        assert!((i32::from(payload.level) - 52).abs() <= 1);
    }

    #[test]
    fn uniform_values_stay_in_range() {
        let mut source = NoiseSource::new(0);
        assert!(
            (0..10_000)
                .map(|_| source.next_uniform())
                .all(|u| (-1.0..1.0).contains(&u))
        );
    }
}
