//! The client side: answering a challenge from a trunk, a proxy or a registrar.
//!
//! The caller keeps, per nonce, the count of requests sent with it (`nc`, starting at 1) and
//! supplies a fresh random `cnonce`; both are inputs so that the module stays deterministic.

use super::params::is_sendable;
use super::response::{DigestInput, request_digest};
use super::{AuthError, Challenge, DigestChallenge, DigestCredentials, Ha1, Qop, ha1, userhash};

/// What proves the client's identity.
#[derive(Debug, Clone, Copy)]
pub enum Secret<'a> {
    /// The plain password.
    Password(&'a str),
    /// A precomputed HA1 for the challenge's realm and algorithm.
    Ha1(&'a Ha1),
}

/// The request being authorized and the client's secret.
#[derive(Debug, Clone, Copy)]
pub struct ResponseInput<'a> {
    /// Request method (`REGISTER`, `INVITE`...).
    pub method: &'a str,
    /// Request-URI, exactly as in the request line.
    pub uri: &'a str,
    /// Username (hashed by [`respond`] when the challenge asks for userhash).
    pub username: &'a str,
    /// Password or HA1.
    pub secret: Secret<'a>,
    /// Client nonce: fresh random text (e.g. 16 random bytes in hex), used with qop.
    pub cnonce: &'a str,
    /// Nonce count: 1 for the first request with this nonce, then 2, 3...
    pub nc: u32,
}

/// Picks the challenge to answer among those of one response: the topmost Digest challenge
/// whose algorithm and qop are supported (RFC 8760 §2.4; the server lists its preferred first).
pub fn choose_challenge(challenges: &[Challenge]) -> Option<&DigestChallenge> {
    challenges
        .iter()
        .filter_map(Challenge::as_digest)
        .find(|c| match (chosen_qop(c), c.algorithm()) {
            (Ok(qop), Some(algorithm)) => qop.is_some() || !algorithm.is_session(),
            _ => false,
        })
}

/// Builds the credentials answering `challenge` for the request in `input`: qop=auth when the
/// challenge offers it, the RFC 2069 form when it offers no qop at all.
pub fn respond(
    challenge: &DigestChallenge,
    input: &ResponseInput<'_>,
) -> Result<DigestCredentials, AuthError> {
    let algorithm = challenge.algorithm().ok_or_else(|| {
        AuthError::UnsupportedAlgorithm(
            challenge
                .algorithm
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
        )
    })?;
    let qop = chosen_qop(challenge)?;
    if qop.is_none() && algorithm.is_session() {
        return Err(AuthError::SessionWithoutQop);
    }
    for (name, value) in [
        ("method", input.method),
        ("uri", input.uri),
        ("username", input.username),
        ("cnonce", input.cnonce),
    ] {
        if !is_sendable(value) {
            return Err(AuthError::UnsendableValue(name));
        }
    }
    let computed;
    let ha1 = match input.secret {
        Secret::Password(password) => {
            computed = ha1(algorithm, input.username, &challenge.realm, password);
            &computed
        }
        Secret::Ha1(stored) if stored.algorithm() == algorithm.base() => stored,
        Secret::Ha1(stored) => {
            return Err(AuthError::Ha1AlgorithmMismatch {
                stored: stored.algorithm(),
                wanted: algorithm.base(),
            });
        }
    };
    let qop_auth = qop.as_ref().map(|_| (input.cnonce, input.nc));
    let response = request_digest(&DigestInput {
        algorithm,
        ha1,
        nonce: &challenge.nonce,
        qop_auth,
        method: input.method,
        uri: input.uri,
    });
    let username = if challenge.userhash {
        userhash(algorithm, input.username, &challenge.realm)
    } else {
        input.username.to_owned()
    };
    Ok(DigestCredentials {
        username,
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: input.uri.to_owned(),
        response,
        algorithm: challenge.algorithm.clone(),
        cnonce: qop_auth.map(|(cnonce, _)| cnonce.to_owned()),
        opaque: challenge.opaque.clone(),
        qop,
        nc: qop_auth.map(|(_, nc)| nc),
        userhash: challenge.userhash,
        other: Vec::new(),
    })
}

/// `auth` if offered, none if no qop is offered, an error if only unsupported ones are.
fn chosen_qop(challenge: &DigestChallenge) -> Result<Option<Qop>, AuthError> {
    if challenge.qop.is_empty() {
        Ok(None)
    } else if challenge.qop.contains(&Qop::Auth) {
        Ok(Some(Qop::Auth))
    } else {
        Err(AuthError::UnsupportedQop)
    }
}
