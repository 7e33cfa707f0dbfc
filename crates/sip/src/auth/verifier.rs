//! The server side: issuing challenges and judging credentials (a registrar, or a UAS that
//! authenticates INVITEs).
//!
//! Checks run cheapest and most telling first: the nonce's MAC before any user lookup (garbage
//! costs no database hit), the response before freshness (only a caller who knows the secret
//! learns that a nonce is stale, RFC 7616 §3.3), and the nonce count last, so that forged
//! requests cannot fill the replay table.
//!
//! The response digest is compared in constant time with `subtle` (a widely reviewed crate,
//! rather than a hand-written fold the optimiser might shortcut); the nonce MAC with `hmac`'s
//! own constant-time check.

use std::time::Duration;

use subtle::ConstantTimeEq;

use super::nonce::NonceKey;
use super::nonce_counts::{NcCheck, NonceCounts};
use super::response::{DigestInput, request_digest};
use super::{Algorithm, AlgorithmValue, Credentials, DigestChallenge, Ha1, Qop};

/// Tuning of a [`Verifier`].
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// How long a nonce stays fresh after it was issued. Default 300 s.
    pub nonce_lifetime: Duration,
    /// How far in the future a nonce's issue time may be (clock differences between nodes sharing
    /// the secret). Default 30 s.
    pub max_clock_skew: Duration,
    /// How many nonces' counts are remembered (bounded memory; see the `nonce_counts` module:
    /// an evicted nonce is answered as stale, never accepted again). Default 16384.
    pub max_tracked_nonces: usize,
    /// Accept RFC 2069 credentials without qop. They carry no nonce count, so a replay within
    /// the nonce lifetime cannot be detected. Default false.
    pub allow_no_qop: bool,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        VerifierConfig {
            nonce_lifetime: Duration::from_secs(300),
            max_clock_skew: Duration::from_secs(30),
            max_tracked_nonces: 16_384,
            allow_no_qop: false,
        }
    }
}

/// Who the verifier asks the store about. The store answers with the [`Ha1`] it holds for this
/// user, realm and algorithm, or `None` when it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup<'a> {
    /// The `username` parameter; `H(username:realm)` when `userhash` is true.
    pub username: &'a str,
    /// Whether `username` is a [`super::userhash`].
    pub userhash: bool,
    /// The `realm` parameter (already bound to the nonce, so one this server issued for).
    pub realm: &'a str,
    /// The base algorithm of the HA1 wanted (never a `-sess` variant).
    pub algorithm: Algorithm,
}

/// The outcome of [`Verifier::verify`].
///
/// On the wire: `Ok` lets the request through; `Stale` is answered with a fresh challenge
/// carrying `stale=true`; the others with a fresh challenge (or 403), the *same* answer for
/// `UnknownUser` and `Invalid(WrongResponse)` so that usernames cannot be probed. Count
/// failures per source and user to throttle guessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The credentials are right and fresh.
    Ok,
    /// The credentials are right but the nonce expired (or its count history was evicted).
    Stale,
    /// The nonce count is not higher than one already accepted for this nonce.
    Replay,
    /// The store has no HA1 for this user, realm and algorithm.
    UnknownUser,
    /// The credentials are wrong or unusable.
    Invalid(InvalidReason),
}

/// Why credentials were judged invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidReason {
    /// Not the Digest scheme.
    #[error("not digest credentials")]
    NotDigest,
    /// An algorithm not implemented here.
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    /// An algorithm the challenge did not offer (a downgrade attempt or a confused client).
    #[error("algorithm was not offered")]
    AlgorithmNotOffered,
    /// A qop other than `auth`.
    #[error("unsupported qop")]
    UnsupportedQop,
    /// No qop, and RFC 2069 mode is not allowed (or the algorithm is `-sess`).
    #[error("qop missing")]
    MissingQop,
    /// qop=auth without `cnonce` or `nc`.
    #[error("cnonce or nc missing")]
    MissingCnonceOrNc,
    /// A nonce this server did not issue for this realm (or dated in the future).
    #[error("nonce not issued by this server")]
    BadNonce,
    /// The `uri` parameter is not the request's Request-URI.
    #[error("uri does not match the request")]
    UriMismatch,
    /// The store returned an HA1 for another algorithm.
    #[error("stored HA1 is for another algorithm")]
    Ha1AlgorithmMismatch,
    /// The response digest is wrong: wrong password, or a tampered request.
    #[error("wrong response")]
    WrongResponse,
}

/// Issues challenges and verifies credentials with one server secret.
///
/// The secret should be at least 32 random bytes, shared by the nodes that must accept each
/// other's nonces, and kept across restarts so that outstanding nonces stay valid.
pub struct Verifier {
    key: NonceKey,
    config: VerifierConfig,
    counts: NonceCounts,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("config", &self.config)
            .field("tracked_nonces", &self.counts.len())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier using `secret` for its nonces' MACs.
    pub fn new(secret: &[u8], config: VerifierConfig) -> Verifier {
        Verifier {
            key: NonceKey::new(secret),
            counts: NonceCounts::new(config.max_tracked_nonces),
            config,
        }
    }

    /// Number of nonces whose counts are currently remembered.
    pub fn tracked_nonces(&self) -> usize {
        self.counts.len()
    }

    /// The challenges for a 401/407: one per algorithm, strongest first (RFC 8760 §2.4: the
    /// client takes the topmost it supports, so SHA-256 comes before MD5), all with qop="auth"
    /// and the same fresh nonce, which records the algorithms offered. `now` is the time since
    /// the UNIX epoch; `random` must come from a CSPRNG. Set `stale` after a [`Verdict::Stale`].
    pub fn challenge(
        &self,
        now: Duration,
        realm: &str,
        algorithms: &[Algorithm],
        random: [u8; 16],
        stale: bool,
    ) -> Vec<DigestChallenge> {
        let mut offered = algorithms.to_vec();
        offered.sort_by_key(|a| a.rank());
        offered.dedup();
        let nonce = self.key.issue(now.as_secs(), &offered, random, realm);
        offered
            .into_iter()
            .map(|algorithm| DigestChallenge {
                realm: realm.to_owned(),
                domain: None,
                nonce: nonce.clone(),
                opaque: None,
                stale,
                algorithm: Some(AlgorithmValue::Known(algorithm)),
                qop: vec![Qop::Auth],
                userhash: false,
                other: Vec::new(),
            })
            .collect()
    }

    /// Judges the credentials of a request with `method` and Request-URI `request_uri` (both as
    /// they appear in the request line). `lookup` fetches the stored HA1.
    pub fn verify<F>(
        &mut self,
        now: Duration,
        method: &str,
        request_uri: &str,
        credentials: &Credentials,
        lookup: F,
    ) -> Verdict
    where
        F: FnOnce(&Lookup<'_>) -> Option<Ha1>,
    {
        match self.check(now, method, request_uri, credentials, lookup) {
            Ok(verdict) | Err(verdict) => verdict,
        }
    }

    fn check<F>(
        &mut self,
        now: Duration,
        method: &str,
        request_uri: &str,
        credentials: &Credentials,
        lookup: F,
    ) -> Result<Verdict, Verdict>
    where
        F: FnOnce(&Lookup<'_>) -> Option<Ha1>,
    {
        use InvalidReason as R;
        let invalid = Verdict::Invalid;
        let creds = credentials.as_digest().ok_or(invalid(R::NotDigest))?;
        let algorithm = creds.algorithm().ok_or(invalid(R::UnsupportedAlgorithm))?;
        let nonce = self
            .key
            .open(&creds.nonce, &creds.realm)
            .ok_or(invalid(R::BadNonce))?;
        let now_secs = now.as_secs();
        if nonce.issued > now_secs.saturating_add(self.config.max_clock_skew.as_secs()) {
            return Err(invalid(R::BadNonce));
        }
        if !nonce.offered(algorithm) {
            return Err(invalid(R::AlgorithmNotOffered));
        }
        if creds.uri != request_uri {
            return Err(invalid(R::UriMismatch));
        }
        let qop_auth = match (&creds.qop, &creds.cnonce, creds.nc) {
            (Some(Qop::Auth), Some(cnonce), Some(nc)) => Some((cnonce.as_str(), nc)),
            (Some(Qop::Auth), _, _) => return Err(invalid(R::MissingCnonceOrNc)),
            (Some(_), _, _) => return Err(invalid(R::UnsupportedQop)),
            (None, _, _) if self.config.allow_no_qop && !algorithm.is_session() => None,
            (None, _, _) => return Err(invalid(R::MissingQop)),
        };
        let ha1 = lookup(&Lookup {
            username: &creds.username,
            userhash: creds.userhash,
            realm: &creds.realm,
            algorithm: algorithm.base(),
        })
        .ok_or(Verdict::UnknownUser)?;
        if ha1.algorithm() != algorithm.base() {
            return Err(invalid(R::Ha1AlgorithmMismatch));
        }
        let expected = request_digest(&DigestInput {
            algorithm,
            ha1: &ha1,
            nonce: &creds.nonce,
            qop_auth,
            method,
            uri: &creds.uri,
        });
        let received = creds.response.to_ascii_lowercase();
        if !bool::from(expected.as_bytes().ct_eq(received.as_bytes())) {
            return Err(invalid(R::WrongResponse));
        }
        let lifetime = self.config.nonce_lifetime.as_secs();
        if now_secs > nonce.issued.saturating_add(lifetime) {
            return Err(Verdict::Stale);
        }
        let Some((_, nc)) = qop_auth else {
            return Ok(Verdict::Ok);
        };
        let expired_before = now_secs.saturating_sub(lifetime);
        match self
            .counts
            .check(&creds.nonce, nonce.issued, nc, expired_before)
        {
            NcCheck::Fresh => Ok(Verdict::Ok),
            NcCheck::Replay => Err(Verdict::Replay),
            NcCheck::Forgotten => Err(Verdict::Stale),
        }
    }
}
