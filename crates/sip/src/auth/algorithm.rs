//! Digest algorithms (RFC 7616 §3.2, RFC 8760) and the HA1 a server stores instead of passwords.

use std::fmt;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

use super::{AuthError, hex};

/// A digest algorithm this implementation can compute.
///
/// The `-sess` variants hash the nonce and cnonce into HA1 (RFC 7616 §3.4.2); they use the
/// same stored HA1 as their base algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5`, the RFC 3261 default when a challenge names no algorithm.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256` (SHA-512/256).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// Every algorithm, strongest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Md5,
        Algorithm::Md5Sess,
    ];

    /// The token used in headers (`SHA-256`, `MD5-sess`...).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Looks a header token up, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// True for the `-sess` variants.
    pub fn is_session(self) -> bool {
        self != self.base()
    }

    /// The algorithm without `-sess`: the one whose HA1 is stored.
    pub fn base(self) -> Algorithm {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Algorithm::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => Algorithm::Sha256,
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => Algorithm::Sha512_256,
        }
    }

    /// Position in [`Algorithm::ALL`]: lower is stronger (used to order challenges).
    pub(crate) fn rank(self) -> usize {
        Algorithm::ALL
            .iter()
            .position(|a| *a == self)
            .unwrap_or(Algorithm::ALL.len())
    }

    /// Number of hex digits of this algorithm's hashes.
    pub fn hex_len(self) -> usize {
        match self.base() {
            Algorithm::Md5 => 32,
            _ => 64,
        }
    }

    /// `H(p1:p2:...)` as lowercase hex: the parts are joined with `:` as digest does everywhere.
    pub(crate) fn hash_joined(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part);
            }
            hex::encode(&hasher.finalize())
        }
        match self.base() {
            Algorithm::Md5 => run::<Md5>(parts),
            Algorithm::Sha256 => run::<Sha256>(parts),
            _ => run::<Sha512_256>(parts),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `algorithm=` parameter as received: a known algorithm, or a token kept as is so that a
/// challenge naming a future algorithm still parses (and is skipped by [`super::choose_challenge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlgorithmValue {
    /// An algorithm this implementation computes.
    Known(Algorithm),
    /// Any other token.
    Other(String),
}

impl AlgorithmValue {
    /// The algorithm a challenge or credentials with this `algorithm` parameter use: absent
    /// means MD5 (RFC 7616 §3.3); `None` for one not supported here.
    pub(crate) fn effective(value: Option<&AlgorithmValue>) -> Option<Algorithm> {
        value.map_or(Some(Algorithm::Md5), AlgorithmValue::known)
    }

    pub(crate) fn parse(token: &str) -> AlgorithmValue {
        match Algorithm::from_name(token) {
            Some(a) => AlgorithmValue::Known(a),
            None => AlgorithmValue::Other(token.to_owned()),
        }
    }

    /// The algorithm, if known.
    pub fn known(&self) -> Option<Algorithm> {
        match self {
            AlgorithmValue::Known(a) => Some(*a),
            AlgorithmValue::Other(_) => None,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            AlgorithmValue::Known(a) => a.name(),
            AlgorithmValue::Other(s) => s,
        }
    }
}

/// What the server stores per user and algorithm instead of the password:
/// `H(username:realm:password)` in lowercase hex (RFC 7616 §3.4.2).
///
/// Its `Debug` output hides the digest: an HA1 is password-equivalent for its realm.
#[derive(Clone, PartialEq, Eq)]
pub struct Ha1 {
    algorithm: Algorithm,
    hex: String,
}

impl Ha1 {
    /// Wraps a stored hex HA1 for `algorithm` (its `-sess` suffix is ignored).
    pub fn from_hex(algorithm: Algorithm, hex_digits: &str) -> Result<Ha1, AuthError> {
        let algorithm = algorithm.base();
        let expected = algorithm.hex_len();
        if !hex::is_lower_hex(hex_digits, expected) {
            return Err(AuthError::InvalidHa1 { expected });
        }
        Ok(Ha1 {
            algorithm,
            hex: hex_digits.to_owned(),
        })
    }

    /// The base algorithm this HA1 was computed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The lowercase hex digits, for storage.
    pub fn as_hex(&self) -> &str {
        &self.hex
    }
}

impl fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ha1({}, <redacted>)", self.algorithm)
    }
}

/// Computes the HA1 to store for `username` in `realm` (the `-sess` suffix of `algorithm` is
/// ignored: `-sess` responses start from the same stored value).
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> Ha1 {
    let algorithm = algorithm.base();
    Ha1 {
        algorithm,
        hex: algorithm.hash_joined(&[username.as_bytes(), realm.as_bytes(), password.as_bytes()]),
    }
}

/// The hashed username sent when a challenge says `userhash=true`: `H(username:realm)`
/// (RFC 7616 §3.4.4). A server that offers userhash indexes its users by this value.
pub fn userhash(algorithm: Algorithm, username: &str, realm: &str) -> String {
    algorithm
        .base()
        .hash_joined(&[username.as_bytes(), realm.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
            assert_eq!(
                Algorithm::from_name(&a.name().to_ascii_lowercase()),
                Some(a)
            );
        }
        assert_eq!(Algorithm::from_name("SHA-1"), None);
    }

    #[test]
    fn sha512_256_is_the_truncated_sha512_variant() {
        // FIPS 180-4 test vector for SHA-512/256 of "abc".
        assert_eq!(
            Algorithm::Sha512_256.hash_joined(&[b"abc"]),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
        );
    }

    #[test]
    fn ha1_of_a_session_algorithm_equals_its_base() {
        assert_eq!(
            ha1(Algorithm::Sha256Sess, "u", "r", "p"),
            ha1(Algorithm::Sha256, "u", "r", "p")
        );
    }

    #[test]
    fn ha1_debug_hides_the_digest() {
        let h = ha1(Algorithm::Md5, "u", "r", "p");
        assert!(!format!("{h:?}").contains(h.as_hex()));
    }

    #[test]
    fn from_hex_checks_length_for_the_algorithm() {
        let h = ha1(Algorithm::Md5, "u", "r", "p");
        assert_eq!(Ha1::from_hex(Algorithm::Md5, h.as_hex()), Ok(h.clone()));
        assert!(Ha1::from_hex(Algorithm::Sha256, h.as_hex()).is_err());
        assert!(Ha1::from_hex(Algorithm::Md5, &h.as_hex().to_uppercase()).is_err());
    }
}
