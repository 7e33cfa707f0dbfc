//! The RFC 3389 comfort-noise payload: a noise level byte, optionally followed by spectral
//! information (reflection coefficients).

use super::ComfortNoiseError;

/// A comfort-noise (CN) payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CnPayload {
    /// Noise level as a positive number of dB below overload: the noise is at −`level` dBov
    /// (0–127).
    pub level: u8,
    /// Quantised reflection coefficients describing the noise spectrum (may be empty).
    pub reflection_coefficients: Vec<u8>,
}

impl CnPayload {
    /// Highest level value the 7-bit field carries (−127 dBov).
    pub const MAX_LEVEL: u8 = 127;

    /// A payload describing white noise at `dbov` (rounded, clamped to 0…−127 dBov).
    pub fn from_dbov(dbov: f64) -> CnPayload {
        let level = if dbov.is_nan() {
            127.0
        } else {
            (-dbov).round().clamp(0.0, 127.0)
        };
        CnPayload {
            level: level as u8,
            reflection_coefficients: Vec::new(),
        }
    }

    /// The noise level in dBov (0 to −127).
    pub fn dbov(&self) -> f64 {
        -f64::from(self.level.min(Self::MAX_LEVEL))
    }

    /// Parses a CN payload. The level's top bit is reserved and must be zero.
    pub fn parse(payload: &[u8]) -> Result<CnPayload, ComfortNoiseError> {
        let (&level, rest) = payload
            .split_first()
            .ok_or(ComfortNoiseError::EmptyPayload)?;
        if level > Self::MAX_LEVEL {
            return Err(ComfortNoiseError::ReservedBitSet(level));
        }
        Ok(CnPayload {
            level,
            reflection_coefficients: rest.to_vec(),
        })
    }

    /// The payload bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(1 + self.reflection_coefficients.len());
        bytes.push(self.level.min(Self::MAX_LEVEL));
        bytes.extend_from_slice(&self.reflection_coefficients);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn level_only_payload() {
        let payload = CnPayload::parse(&[62]).unwrap();
        assert_eq!(payload.dbov(), -62.0);
        assert!(payload.reflection_coefficients.is_empty());
    }

    #[test]
    fn spectral_bytes_are_kept() {
        let payload = CnPayload::parse(&[40, 1, 2, 3]).unwrap();
        assert_eq!(payload.reflection_coefficients, vec![1, 2, 3]);
        assert_eq!(payload.to_bytes(), vec![40, 1, 2, 3]);
    }

    #[test]
    fn empty_payload_and_reserved_bit_are_errors() {
        assert_eq!(CnPayload::parse(&[]), Err(ComfortNoiseError::EmptyPayload));
        assert_eq!(
            CnPayload::parse(&[0x80]),
            Err(ComfortNoiseError::ReservedBitSet(0x80))
        );
    }

    #[test]
    fn from_dbov_rounds_and_clamps() {
        assert_eq!(CnPayload::from_dbov(-61.6).level, 62);
        assert_eq!(CnPayload::from_dbov(3.0).level, 0);
        assert_eq!(CnPayload::from_dbov(f64::NEG_INFINITY).level, 127);
        assert_eq!(CnPayload::from_dbov(f64::NAN).level, 127);
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(level in 0u8..128, coefficients in proptest::collection::vec(any::<u8>(), 0..10)) {
            let payload = CnPayload { level, reflection_coefficients: coefficients };
            prop_assert_eq!(CnPayload::parse(&payload.to_bytes()), Ok(payload));
        }
    }
}
