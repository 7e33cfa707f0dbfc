//! Signal levels: dBm0 (the telephone network's reference) and dBov (relative to digital full
//! scale), converted in one place so that every generator and detector agrees.
//!
//! Convention: G.711's largest sine is +3.17 dBm0, so a full-scale sine (peak 32767) is taken
//! as +3.17 dBm0 and 0 dBm0 is a sine of peak 32767 × 10^(−3.17/20) ≈ 22 748 (RMS ≈ 16 085).
//! dBov follows RFC 3389 and [`Frame::dbov`](crate::Frame::dbov): relative to a full-scale
//! square wave (RMS 32767), so a full-scale sine is −3.01 dBov and 0 dBm0 is −6.18 dBov.

/// Level of a full-scale sine in dBm0 (G.711's overload point for a sine).
pub const FULL_SCALE_SINE_DBM0: f64 = 3.17;

/// Full scale of a 16-bit sample, the reference of dBov.
const FULL_SCALE: f64 = i16::MAX as f64;

/// dBov of a full-scale sine: 20·log10(1/√2).
const FULL_SCALE_SINE_DBOV: f64 = -3.010_299_956_639_812;

/// Peak amplitude (in 16-bit sample units) of a sine at `dbm0`.
pub fn dbm0_to_amplitude(dbm0: f64) -> f64 {
    FULL_SCALE * 10f64.powf((dbm0 - FULL_SCALE_SINE_DBM0) / 20.0)
}

/// RMS (in 16-bit sample units) of a signal at `dbm0`.
pub fn dbm0_to_rms(dbm0: f64) -> f64 {
    dbov_to_rms(dbm0_to_dbov(dbm0))
}

/// Level in dBm0 of a signal of the given RMS; `f64::NEG_INFINITY` for zero.
pub fn rms_to_dbm0(rms: f64) -> f64 {
    dbov_to_dbm0(rms_to_dbov(rms))
}

/// RMS (in 16-bit sample units) of a signal at `dbov`.
pub fn dbov_to_rms(dbov: f64) -> f64 {
    FULL_SCALE * 10f64.powf(dbov / 20.0)
}

/// Level in dBov of a signal of the given RMS; `f64::NEG_INFINITY` for zero.
pub fn rms_to_dbov(rms: f64) -> f64 {
    20.0 * (rms / FULL_SCALE).log10()
}

/// dBm0 to dBov (0 dBm0 = −6.18 dBov).
pub fn dbm0_to_dbov(dbm0: f64) -> f64 {
    dbm0 - FULL_SCALE_SINE_DBM0 + FULL_SCALE_SINE_DBOV
}

/// dBov to dBm0.
pub fn dbov_to_dbm0(dbov: f64) -> f64 {
    dbov + FULL_SCALE_SINE_DBM0 - FULL_SCALE_SINE_DBOV
}

/// Mean power (mean of squared samples) of a signal at `dbm0`, the unit detectors compare.
pub fn dbm0_to_power(dbm0: f64) -> f64 {
    let rms = dbm0_to_rms(dbm0);
    rms * rms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FRAME_SAMPLES, Frame, SAMPLE_RATE};

    #[test]
    fn zero_dbm0_is_6_18_dbov() {
        assert!((dbm0_to_dbov(0.0) + 6.18).abs() < 0.01);
        assert!((dbov_to_dbm0(-6.18)).abs() < 0.01);
    }

    #[test]
    fn full_scale_sine_is_3_17_dbm0() {
        assert!((dbm0_to_amplitude(FULL_SCALE_SINE_DBM0) - FULL_SCALE).abs() < 1e-6);
        assert!((rms_to_dbm0(FULL_SCALE / 2f64.sqrt()) - 3.17).abs() < 1e-9);
    }

    #[test]
    fn sine_at_level_reads_back_through_frame_dbov() {
        let amplitude = dbm0_to_amplitude(-10.0);
        let mut frame = Frame::SILENCE;
        for (n, s) in frame.samples.iter_mut().enumerate() {
            // 1 kHz over 20 ms: a whole number of periods, so the RMS is exact.
            let phase = 2.0 * std::f64::consts::PI * 1_000.0 * n as f64 / f64::from(SAMPLE_RATE);
            *s = (amplitude * phase.sin()).round() as i16;
        }
        assert_eq!(frame.samples.len(), FRAME_SAMPLES);
        assert!(
            (dbov_to_dbm0(frame.dbov()) + 10.0).abs() < 0.02,
            "{}",
            frame.dbov()
        );
    }

    #[test]
    fn rms_and_level_round_trip() {
        for dbm0 in [-60.0, -25.0, -6.0, 0.0, 3.0] {
            assert!((rms_to_dbm0(dbm0_to_rms(dbm0)) - dbm0).abs() < 1e-9);
        }
        assert_eq!(rms_to_dbm0(0.0), f64::NEG_INFINITY);
    }
}
