//! RFC 7616 §3.9.1: the worked example ("Mufasa" / "Circle of Life") reproduced exactly.

use sip::auth::{
    Algorithm, AlgorithmValue, Challenge, Credentials, DigestChallenge, Qop, ResponseInput, Secret,
    respond,
};

const NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

fn rfc_challenge(algorithm: &str) -> DigestChallenge {
    let value = format!(
        "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n    \
         algorithm={algorithm},\r\n    nonce=\"{NONCE}\",\r\n    opaque=\"{OPAQUE}\""
    );
    match Challenge::parse(&value) {
        Ok(Challenge::Digest(d)) => d,
        other => panic!("RFC challenge did not parse: {other:?}"),
    }
}

fn mufasa() -> ResponseInput<'static> {
    ResponseInput {
        method: "GET",
        uri: "/dir/index.html",
        username: "Mufasa",
        secret: Secret::Password("Circle of Life"),
        cnonce: CNONCE,
        nc: 1,
    }
}

#[test]
fn rfc_challenge_parses_to_its_fields() {
    let c = rfc_challenge("MD5");
    assert_eq!(c.realm, "http-auth@example.org");
    assert_eq!(c.qop, vec![Qop::Auth, Qop::AuthInt]);
    assert_eq!(c.algorithm, Some(AlgorithmValue::Known(Algorithm::Md5)));
    assert_eq!(c.nonce, NONCE);
    assert_eq!(c.opaque.as_deref(), Some(OPAQUE));
    assert!(!c.stale);
}

#[test]
fn md5_response_matches_rfc7616_example() {
    let creds = respond(&rfc_challenge("MD5"), &mufasa()).unwrap();
    assert_eq!(creds.response, "8ca523f5e9506fed4657c9700eebdbec");
    assert_eq!(creds.qop, Some(Qop::Auth));
    assert_eq!(creds.nc, Some(1));
    assert_eq!(creds.cnonce.as_deref(), Some(CNONCE));
    assert_eq!(creds.opaque.as_deref(), Some(OPAQUE));
}

#[test]
fn sha256_response_matches_rfc7616_example() {
    let creds = respond(&rfc_challenge("SHA-256"), &mufasa()).unwrap();
    assert_eq!(
        creds.response,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

#[test]
fn rfc_md5_authorization_parses_to_its_fields() {
    let value = format!(
        "Digest username=\"Mufasa\",\r\n realm=\"http-auth@example.org\",\r\n \
         uri=\"/dir/index.html\",\r\n algorithm=MD5,\r\n nonce=\"{NONCE}\",\r\n nc=00000001,\r\n \
         cnonce=\"{CNONCE}\",\r\n qop=auth,\r\n response=\"8ca523f5e9506fed4657c9700eebdbec\",\r\n \
         opaque=\"{OPAQUE}\""
    );
    let parsed = Credentials::parse(&value).unwrap();
    let built = respond(&rfc_challenge("MD5"), &mufasa()).unwrap();
    assert_eq!(parsed, Credentials::Digest(built));
}

#[test]
fn printed_credentials_use_the_rfc_quoting() {
    let creds = respond(&rfc_challenge("MD5"), &mufasa()).unwrap();
    assert_eq!(
        creds.to_string(),
        format!(
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"{NONCE}\", \
             uri=\"/dir/index.html\", response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, \
             cnonce=\"{CNONCE}\", opaque=\"{OPAQUE}\", qop=auth, nc=00000001"
        )
    );
}
