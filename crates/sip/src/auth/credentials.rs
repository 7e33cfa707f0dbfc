//! `Authorization` / `Proxy-Authorization` values (RFC 3261 §20.7 and §25.1, RFC 7616 §3.4).

use std::fmt;
use std::str::FromStr;

use super::params::{
    self, AuthParam, OtherScheme, Parsed, parse_bool, set_once, write_param, write_quoted,
};
use super::{Algorithm, AlgorithmValue, AuthError, Qop};

/// One `Authorization` or `Proxy-Authorization` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "Digest is the common case; boxing it would cost an allocation per request"
)]
pub enum Credentials {
    /// Digest credentials.
    Digest(DigestCredentials),
    /// Any other scheme, kept as received (RFC 4475 `regaut01`: answered with a challenge).
    Other(OtherScheme),
}

impl Credentials {
    /// Parses one header value.
    pub fn parse(value: &str) -> Result<Credentials, AuthError> {
        value.parse()
    }

    /// The Digest credentials, if these are.
    pub fn as_digest(&self) -> Option<&DigestCredentials> {
        match self {
            Credentials::Digest(d) => Some(d),
            Credentials::Other(_) => None,
        }
    }
}

/// Digest credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestCredentials {
    /// `username`, or `H(username:realm)` when `userhash` is true.
    pub username: String,
    /// `realm`.
    pub realm: String,
    /// `nonce` from the challenge.
    pub nonce: String,
    /// `uri`: the Request-URI the response was computed over.
    pub uri: String,
    /// `response`: the request digest, lowercase hex.
    pub response: String,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<AlgorithmValue>,
    /// `cnonce` (present with qop).
    pub cnonce: Option<String>,
    /// `opaque`, echoed from the challenge.
    pub opaque: Option<String>,
    /// `qop` chosen from the challenge's options; absent in RFC 2069 mode.
    pub qop: Option<Qop>,
    /// `nc`, the nonce count (sent as 8 lowercase hex digits).
    pub nc: Option<u32>,
    /// `userhash=true`: `username` is hashed.
    pub userhash: bool,
    /// Parameters not interpreted here, in order.
    pub other: Vec<AuthParam>,
}

impl DigestCredentials {
    /// The algorithm used, `None` if it is not one supported here.
    pub fn algorithm(&self) -> Option<Algorithm> {
        AlgorithmValue::effective(self.algorithm.as_ref())
    }

    fn from_params(raw: Vec<params::RawParam<'_>>) -> Result<DigestCredentials, AuthError> {
        let (mut username, mut realm, mut nonce, mut uri) = (None, None, None, None);
        let (mut response, mut algorithm, mut cnonce, mut opaque) = (None, None, None, None);
        let (mut qop, mut nc, mut userhash) = (None, None, None);
        let mut other = Vec::new();
        for p in raw {
            let name = p.name;
            match name.to_ascii_lowercase().as_str() {
                "username" => set_once(&mut username, name, p.value)?,
                "realm" => set_once(&mut realm, name, p.value)?,
                "nonce" => set_once(&mut nonce, name, p.value)?,
                "uri" => set_once(&mut uri, name, p.value)?,
                "response" => set_once(&mut response, name, p.value)?,
                "algorithm" => set_once(&mut algorithm, name, AlgorithmValue::parse(&p.value))?,
                "cnonce" => set_once(&mut cnonce, name, p.value)?,
                "opaque" => set_once(&mut opaque, name, p.value)?,
                "qop" => set_once(&mut qop, name, parse_qop(&p.value)?)?,
                "nc" => set_once(&mut nc, name, parse_nc(&p.value)?)?,
                "userhash" => set_once(&mut userhash, name, parse_bool(&p.value, "userhash")?)?,
                _ => other.push(p.into_other()),
            }
        }
        Ok(DigestCredentials {
            username: username.ok_or(AuthError::MissingParam("username"))?,
            realm: realm.ok_or(AuthError::MissingParam("realm"))?,
            nonce: nonce.ok_or(AuthError::MissingParam("nonce"))?,
            uri: uri.ok_or(AuthError::MissingParam("uri"))?,
            response: response.ok_or(AuthError::MissingParam("response"))?,
            algorithm,
            cnonce,
            opaque,
            qop,
            nc,
            userhash: userhash.unwrap_or(false),
            other,
        })
    }
}

fn parse_qop(value: &str) -> Result<Qop, AuthError> {
    if !value.is_empty() && value.bytes().all(params::is_token_char) {
        Ok(Qop::parse(value))
    } else {
        Err(AuthError::MalformedParam("qop"))
    }
}

/// `nc` is exactly 8 lowercase hex digits (RFC 7616 §3.4): the digest is computed over the
/// text, so accepting other spellings would make the server hash something else.
fn parse_nc(value: &str) -> Result<u32, AuthError> {
    let well_formed = value.len() == 8
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return Err(AuthError::MalformedParam("nc"));
    }
    u32::from_str_radix(value, 16).map_err(|_| AuthError::MalformedParam("nc"))
}

impl FromStr for Credentials {
    type Err = AuthError;

    fn from_str(value: &str) -> Result<Credentials, AuthError> {
        match params::parse(value)? {
            Parsed::Digest(raw) => DigestCredentials::from_params(raw).map(Credentials::Digest),
            Parsed::Other(other) => Ok(Credentials::Other(other)),
        }
    }
}

impl fmt::Display for DigestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest username=")?;
        write_quoted(f, &self.username)?;
        f.write_str(", realm=")?;
        write_quoted(f, &self.realm)?;
        f.write_str(", nonce=")?;
        write_quoted(f, &self.nonce)?;
        f.write_str(", uri=")?;
        write_quoted(f, &self.uri)?;
        f.write_str(", response=")?;
        write_quoted(f, &self.response)?;
        if let Some(algorithm) = &self.algorithm {
            f.write_str(", ")?;
            write_param(f, "algorithm", algorithm.as_str(), false)?;
        }
        if let Some(cnonce) = &self.cnonce {
            f.write_str(", cnonce=")?;
            write_quoted(f, cnonce)?;
        }
        if let Some(opaque) = &self.opaque {
            f.write_str(", opaque=")?;
            write_quoted(f, opaque)?;
        }
        if let Some(qop) = &self.qop {
            f.write_str(", ")?;
            write_param(f, "qop", qop.as_str(), false)?;
        }
        if let Some(nc) = self.nc {
            write!(f, ", nc={nc:08x}")?;
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

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Digest(d) => d.fmt(f),
            Credentials::Other(o) => o.fmt(f),
        }
    }
}
