//! The request digest (RFC 7616 §3.4.1, RFC 2069 compatibility): the one computation the client
//! and the server share.

use super::{Algorithm, Ha1};

/// What the `response` parameter is computed over.
pub(crate) struct DigestInput<'a> {
    pub algorithm: Algorithm,
    pub ha1: &'a Ha1,
    pub nonce: &'a str,
    /// `Some((cnonce, nc))` for qop=auth; `None` for the RFC 2069 form.
    pub qop_auth: Option<(&'a str, u32)>,
    pub method: &'a str,
    pub uri: &'a str,
}

/// Computes the lowercase-hex `response`. Callers ensure a `-sess` algorithm comes with qop
/// (its HA1 needs the cnonce); without one the cnonce is taken as empty.
pub(crate) fn request_digest(input: &DigestInput<'_>) -> String {
    let alg = input.algorithm;
    let session_ha1;
    let ha1 = if alg.is_session() {
        let cnonce = input.qop_auth.map(|(c, _)| c).unwrap_or_default();
        session_ha1 = alg.hash_joined(&[
            input.ha1.as_hex().as_bytes(),
            input.nonce.as_bytes(),
            cnonce.as_bytes(),
        ]);
        session_ha1.as_str()
    } else {
        input.ha1.as_hex()
    };
    let ha2 = alg.hash_joined(&[input.method.as_bytes(), input.uri.as_bytes()]);
    match input.qop_auth {
        Some((cnonce, nc)) => {
            let nc = format!("{nc:08x}");
            alg.hash_joined(&[
                ha1.as_bytes(),
                input.nonce.as_bytes(),
                nc.as_bytes(),
                cnonce.as_bytes(),
                b"auth",
                ha2.as_bytes(),
            ])
        }
        None => alg.hash_joined(&[ha1.as_bytes(), input.nonce.as_bytes(), ha2.as_bytes()]),
    }
}
