//! The audio unit the whole crate trades in: 20 ms of 8 kHz mono linear PCM.
//!
//! Codecs decode into frames, detectors and the mixer read them, prompts and tones produce them,
//! the recorder writes them. Other packet times (10, 30, 40 ms...) are re-framed at the RTP edge
//! so that everything inside works on one size.

/// Samples per second of every frame (G.711 narrowband).
pub const SAMPLE_RATE: u32 = 8_000;
/// Duration of one frame in milliseconds.
pub const FRAME_MS: u32 = 20;
/// Samples in one frame.
pub const FRAME_SAMPLES: usize = (SAMPLE_RATE * FRAME_MS / 1_000) as usize;

/// 20 ms of 8 kHz mono signed 16-bit linear PCM.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The samples, oldest first.
    pub samples: [i16; FRAME_SAMPLES],
}

impl Frame {
    /// A frame of digital silence.
    pub const SILENCE: Frame = Frame {
        samples: [0; FRAME_SAMPLES],
    };

    /// Builds a frame from exactly [`FRAME_SAMPLES`] samples; `None` for any other length.
    pub fn from_slice(samples: &[i16]) -> Option<Frame> {
        Some(Frame {
            samples: samples.try_into().ok()?,
        })
    }

    /// Root-mean-square amplitude, in linear units (0 for silence, ~23170 for a full-scale sine).
    pub fn rms(&self) -> f64 {
        let sum: f64 = self
            .samples
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum();
        (sum / FRAME_SAMPLES as f64).sqrt()
    }

    /// Level relative to a full-scale square wave, in dB (dBov); `f64::NEG_INFINITY` for silence.
    ///
    /// A full-scale sine reads about -3.01 dBov; 0 dBm0 (3.17 dB below a full-scale sine in
    /// G.711) reads about -6.18 dBov (see `tones::level`).
    pub fn dbov(&self) -> f64 {
        20.0 * (self.rms() / f64::from(i16::MAX)).log10()
    }

    /// True when every sample is zero.
    pub fn is_silent(&self) -> bool {
        self.samples.iter().all(|&s| s == 0)
    }
}

impl Default for Frame {
    fn default() -> Self {
        Frame::SILENCE
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // 160 numbers drown a test failure; the level says what a reader needs.
        write!(f, "Frame({:.1} dBov)", self.dbov())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_has_no_energy() {
        assert_eq!(Frame::SILENCE.rms(), 0.0);
        assert!(Frame::SILENCE.is_silent());
        assert_eq!(Frame::SILENCE.dbov(), f64::NEG_INFINITY);
    }

    #[test]
    fn full_scale_sine_reads_minus_three_dbov() {
        let mut frame = Frame::SILENCE;
        for (n, s) in frame.samples.iter_mut().enumerate() {
            let phase = 2.0 * std::f64::consts::PI * 1_000.0 * n as f64 / f64::from(SAMPLE_RATE);
            *s = (phase.sin() * f64::from(i16::MAX)) as i16;
        }
        assert!((frame.dbov() + 3.01).abs() < 0.05, "{}", frame.dbov());
    }

    #[test]
    fn from_slice_needs_exactly_one_frame() {
        assert!(Frame::from_slice(&[0; FRAME_SAMPLES]).is_some());
        assert!(Frame::from_slice(&[0; FRAME_SAMPLES - 1]).is_none());
    }
}
