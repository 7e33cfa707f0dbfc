//! SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760), server and client side.
//!
//! The module works on header *values* (`&str`), not on messages: the message layer hands in
//! the text after `WWW-Authenticate:` / `Authorization:` and the request's method and URI.
//!
//! - [`Challenge`] and [`Credentials`] parse and print the header values. A scheme other than
//!   `Digest` is kept as [`OtherScheme`], not rejected: a registrar answers it with a fresh
//!   challenge.
//! - [`ha1`] computes what a server stores instead of the password: `H(user:realm:password)`,
//!   one per [`Algorithm`].
//! - [`Verifier`] is the server side: it issues self-validating nonces ([`Verifier::challenge`])
//!   and checks credentials ([`Verifier::verify`]) into a [`Verdict`]: `Ok`, `Stale` (answer with
//!   a challenge carrying `stale=true`), `Replay`, `UnknownUser` or `Invalid(reason)`.
//! - [`respond`] is the client side: it answers a challenge from a trunk or a proxy.
//!
//! Time and randomness come in as arguments: `now` is a [`std::time::Duration`] since the UNIX
//! epoch (wall-clock, so that nonces survive a restart and can be checked by another node sharing
//! the secret), and the random bytes of each nonce are passed to [`Verifier::challenge`].
//!
//! ```
//! use std::time::Duration;
//! use sip::auth::{self, Algorithm, Credentials, Lookup, Verdict, Verifier, VerifierConfig};
//!
//! let mut verifier = Verifier::new(b"a secret of thirty-two bytes....", VerifierConfig::default());
//! let now = Duration::from_secs(1_700_000_000);
//! let stored = auth::ha1(Algorithm::Sha256, "alice", "plateau", "secret");
//!
//! // Server: 401 with one challenge per algorithm, SHA-256 first.
//! let challenges = verifier.challenge(now, "plateau", &[Algorithm::Sha256, Algorithm::Md5], [7; 16], false);
//! let header_value = challenges[0].to_string();
//!
//! // Client: parse the challenge and answer it.
//! let challenge = header_value.parse::<auth::Challenge>().unwrap();
//! let input = auth::ResponseInput {
//!     method: "REGISTER",
//!     uri: "sip:plateau",
//!     username: "alice",
//!     secret: auth::Secret::Password("secret"),
//!     cnonce: "0a4f113b",
//!     nc: 1,
//! };
//! let credentials = auth::respond(challenge.as_digest().unwrap(), &input).unwrap();
//!
//! // Server: verify the retried request.
//! let verdict = verifier.verify(now, "REGISTER", "sip:plateau", &Credentials::Digest(credentials), |who: &Lookup<'_>| {
//!     (who.username == "alice" && who.algorithm == Algorithm::Sha256).then(|| stored.clone())
//! });
//! assert_eq!(verdict, Verdict::Ok);
//! ```

mod algorithm;
mod challenge;
mod client;
mod credentials;
mod hex;
mod nonce;
mod nonce_counts;
mod params;
mod response;
mod verifier;

pub use algorithm::{Algorithm, AlgorithmValue, Ha1, ha1, userhash};
pub use challenge::{Challenge, DigestChallenge, Qop};
pub use client::{ResponseInput, Secret, choose_challenge, respond};
pub use credentials::{Credentials, DigestCredentials};
pub use params::{AuthParam, OtherScheme};
pub use verifier::{InvalidReason, Lookup, Verdict, Verifier, VerifierConfig};

/// Why a header value could not be parsed, or a response could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The header value is empty or only whitespace.
    #[error("empty authentication header value")]
    Empty,
    /// A character that the grammar does not allow at this place.
    #[error("unexpected {found:?} at byte {at}")]
    UnexpectedChar {
        /// Byte offset in the header value.
        at: usize,
        /// The offending character.
        found: char,
    },
    /// The value ended where more was required (inside a quoted string, after `=`...).
    #[error("header value ends too early")]
    UnexpectedEnd,
    /// A parameter the scheme requires is absent.
    #[error("missing parameter {0}")]
    MissingParam(&'static str),
    /// A parameter appears twice.
    #[error("duplicate parameter {0}")]
    DuplicateParam(String),
    /// A known parameter has a value of the wrong shape.
    #[error("malformed value for parameter {0}")]
    MalformedParam(&'static str),
    /// The challenge names an algorithm this implementation does not know.
    #[error("unsupported digest algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The challenge offers only qop values this implementation does not support (`auth-int`).
    #[error("no supported qop offered (only qop=auth is supported)")]
    UnsupportedQop,
    /// A `-sess` algorithm needs a cnonce, which only exists with a qop.
    #[error("a -sess algorithm requires qop")]
    SessionWithoutQop,
    /// The stored HA1 was computed with another hash than the challenge asks for.
    #[error("stored HA1 is for {stored}, challenge asks for {wanted}")]
    Ha1AlgorithmMismatch {
        /// Hash of the stored HA1.
        stored: Algorithm,
        /// Hash of the challenge.
        wanted: Algorithm,
    },
    /// A hex HA1 of the wrong length or with non-hex characters.
    #[error("HA1 must be {expected} lowercase hex digits")]
    InvalidHa1 {
        /// Expected number of hex digits for the algorithm.
        expected: usize,
    },
    /// A value to be sent contains a character that cannot be carried in a header (CR, LF, NUL).
    #[error("{0} contains a character that cannot be sent in a header")]
    UnsendableValue(&'static str),
}
