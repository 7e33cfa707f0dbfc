//! `WWW-Authenticate` / `Proxy-Authenticate` values: one challenge per header value
//! (RFC 3261 §20.44 and §25.1, RFC 7616 §3.3).

use std::fmt;
use std::str::FromStr;

use super::params::{
    self, AuthParam, OtherScheme, Parsed, parse_bool, set_once, write_param, write_quoted,
};
use super::{Algorithm, AlgorithmValue, AuthError};

/// One challenge, as carried by one `WWW-Authenticate` or `Proxy-Authenticate` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// A Digest challenge.
    Digest(DigestChallenge),
    /// Any other scheme, kept as received.
    Other(OtherScheme),
}

impl Challenge {
    /// Parses one header value.
    pub fn parse(value: &str) -> Result<Challenge, AuthError> {
        value.parse()
    }

    /// The Digest challenge, if this is one.
    pub fn as_digest(&self) -> Option<&DigestChallenge> {
        match self {
            Challenge::Digest(d) => Some(d),
            Challenge::Other(_) => None,
        }
    }
}

/// A `qop` value (RFC 7616 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qop {
    /// `auth`: authentication of method and URI.
    Auth,
    /// `auth-int`: also covers the body (parsed, not supported for responses).
    AuthInt,
    /// Any other token.
    Other(String),
}

impl Qop {
    pub(crate) fn parse(token: &str) -> Qop {
        if token.eq_ignore_ascii_case("auth") {
            Qop::Auth
        } else if token.eq_ignore_ascii_case("auth-int") {
            Qop::AuthInt
        } else {
            Qop::Other(token.to_owned())
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
            Qop::Other(s) => s,
        }
    }
}

/// A Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    /// `realm`, shown to users and hashed into HA1.
    pub realm: String,
    /// `domain`: space-separated URIs of the protection space, kept as one string.
    pub domain: Option<String>,
    /// `nonce`.
    pub nonce: String,
    /// `opaque`, to be returned unchanged.
    pub opaque: Option<String>,
    /// `stale=true`: the previous nonce expired but the credentials were right; retry silently.
    pub stale: bool,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<AlgorithmValue>,
    /// `qop` options; empty means the RFC 2069 compatibility mode without qop.
    pub qop: Vec<Qop>,
    /// `userhash=true`: the client should send `H(username:realm)` instead of the username.
    pub userhash: bool,
    /// Parameters not interpreted here (e.g. `charset`), in order.
    pub other: Vec<AuthParam>,
}

impl DigestChallenge {
    /// The algorithm to compute, `None` if the challenge names one not supported.
    pub fn algorithm(&self) -> Option<Algorithm> {
        AlgorithmValue::effective(self.algorithm.as_ref())
    }

    fn from_params(raw: Vec<params::RawParam<'_>>) -> Result<DigestChallenge, AuthError> {
        let (mut realm, mut domain, mut nonce, mut opaque) = (None, None, None, None);
        let (mut stale, mut algorithm, mut qop, mut userhash) = (None, None, None, None);
        let mut other = Vec::new();
        for p in raw {
            let name = p.name;
            match name.to_ascii_lowercase().as_str() {
                "realm" => set_once(&mut realm, name, p.value)?,
                "domain" => set_once(&mut domain, name, p.value)?,
                "nonce" => set_once(&mut nonce, name, p.value)?,
                "opaque" => set_once(&mut opaque, name, p.value)?,
                "stale" => set_once(&mut stale, name, parse_bool(&p.value, "stale")?)?,
                "algorithm" => set_once(&mut algorithm, name, AlgorithmValue::parse(&p.value))?,
                "qop" => set_once(&mut qop, name, parse_qop_options(&p.value)?)?,
                "userhash" => set_once(&mut userhash, name, parse_bool(&p.value, "userhash")?)?,
                _ => other.push(p.into_other()),
            }
        }
        Ok(DigestChallenge {
            realm: realm.ok_or(AuthError::MissingParam("realm"))?,
            domain,
            nonce: nonce.ok_or(AuthError::MissingParam("nonce"))?,
            opaque,
            stale: stale.unwrap_or(false),
            algorithm,
            qop: qop.unwrap_or_default(),
            userhash: userhash.unwrap_or(false),
            other,
        })
    }
}

fn parse_qop_options(value: &str) -> Result<Vec<Qop>, AuthError> {
    value
        .split(',')
        .map(|t| {
            let t = t.trim_matches([' ', '\t']);
            if !t.is_empty() && t.bytes().all(params::is_token_char) {
                Ok(Qop::parse(t))
            } else {
                Err(AuthError::MalformedParam("qop"))
            }
        })
        .collect()
}

impl FromStr for Challenge {
    type Err = AuthError;

    fn from_str(value: &str) -> Result<Challenge, AuthError> {
        match params::parse(value)? {
            Parsed::Digest(raw) => DigestChallenge::from_params(raw).map(Challenge::Digest),
            Parsed::Other(other) => Ok(Challenge::Other(other)),
        }
    }
}

impl fmt::Display for DigestChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest realm=")?;
        write_quoted(f, &self.realm)?;
        if let Some(domain) = &self.domain {
            f.write_str(", domain=")?;
            write_quoted(f, domain)?;
        }
        f.write_str(", nonce=")?;
        write_quoted(f, &self.nonce)?;
        if let Some(opaque) = &self.opaque {
            f.write_str(", opaque=")?;
            write_quoted(f, opaque)?;
        }
        if self.stale {
            f.write_str(", stale=true")?;
        }
        if let Some(algorithm) = &self.algorithm {
            f.write_str(", ")?;
            write_param(f, "algorithm", algorithm.as_str(), false)?;
        }
        if !self.qop.is_empty() {
            let list: Vec<&str> = self.qop.iter().map(Qop::as_str).collect();
            f.write_str(", qop=")?;
            write_quoted(f, &list.join(","))?;
        }
        if self.userhash {
            f.write_str(", userhash=true")?;
        }
        for p in &self.other {
            f.write_str(", ")?;
            write_param(f, &p.name, &p.value, p.quoted)?;
        }
        Ok(())
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Challenge::Digest(d) => d.fmt(f),
            Challenge::Other(o) => o.fmt(f),
        }
    }
}
