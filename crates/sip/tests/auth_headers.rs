//! Parsing and printing of challenge and credentials header values.

use proptest::prelude::*;
use sip::auth::{
    Algorithm, AlgorithmValue, AuthError, AuthParam, Challenge, Credentials, DigestChallenge,
    DigestCredentials, OtherScheme, Qop,
};

fn digest_challenge(value: &str) -> DigestChallenge {
    match Challenge::parse(value) {
        Ok(Challenge::Digest(d)) => d,
        other => panic!("{value:?} gave {other:?}"),
    }
}

#[test]
fn unknown_scheme_in_authorization_is_represented() {
    // RFC 4475 3.3.8 (regaut01).
    let parsed = Credentials::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
    let expected = Credentials::Other(OtherScheme {
        scheme: "NoOneKnowsThisScheme".into(),
        data: "opaque-data=here".into(),
    });
    assert_eq!(parsed, expected);
    assert_eq!(parsed.to_string(), "NoOneKnowsThisScheme opaque-data=here");
}

#[test]
fn scheme_name_is_case_insensitive() {
    let c = digest_challenge("dIgEsT realm=\"r\", nonce=\"n\"");
    assert_eq!(c.realm, "r");
}

#[test]
fn challenge_fields_are_typed() {
    let c = digest_challenge(
        "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", \
         opaque=\"\", stale=FALSE, algorithm=SHA-512-256-sess, qop=\"auth,auth-int,token\", userhash=true",
    );
    assert_eq!(c.domain.as_deref(), Some("sip:ss1.carrier.com"));
    assert_eq!(c.opaque.as_deref(), Some(""));
    assert!(!c.stale);
    assert_eq!(c.algorithm(), Some(Algorithm::Sha512_256Sess));
    assert_eq!(
        c.qop,
        vec![Qop::Auth, Qop::AuthInt, Qop::Other("token".into())]
    );
    assert!(c.userhash);
}

#[test]
fn stale_true_is_read_in_any_case() {
    assert!(digest_challenge("Digest realm=\"r\", nonce=\"n\", stale=TRUE").stale);
    assert!(digest_challenge("Digest realm=\"r\", nonce=\"n\", stale=\"true\"").stale);
}

#[test]
fn challenge_without_algorithm_means_md5() {
    let c = digest_challenge("Digest realm=\"r\", nonce=\"n\"");
    assert_eq!(c.algorithm, None);
    assert_eq!(c.algorithm(), Some(Algorithm::Md5));
}

#[test]
fn unknown_algorithm_is_kept_not_rejected() {
    let c = digest_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-3");
    assert_eq!(c.algorithm, Some(AlgorithmValue::Other("SHA-3".into())));
    assert_eq!(c.algorithm(), None);
    assert!(c.to_string().contains("algorithm=SHA-3"));
}

#[test]
fn unknown_parameters_are_preserved_and_printed_back() {
    let c = digest_challenge("Digest realm=\"r\", charset=UTF-8, nonce=\"n\", x-note=\"a, b\"");
    assert_eq!(
        c.other,
        vec![
            AuthParam {
                name: "charset".into(),
                value: "UTF-8".into(),
                quoted: false
            },
            AuthParam {
                name: "x-note".into(),
                value: "a, b".into(),
                quoted: true
            },
        ]
    );
    assert_eq!(
        c.to_string(),
        "Digest realm=\"r\", nonce=\"n\", charset=UTF-8, x-note=\"a, b\""
    );
}

#[test]
fn quoted_strings_keep_escaped_characters() {
    let c = digest_challenge(r#"Digest realm="say \"hi\" \\o/", nonce="n""#);
    assert_eq!(c.realm, r#"say "hi" \o/"#);
    assert_eq!(Challenge::parse(&c.to_string()), Ok(Challenge::Digest(c)));
}

#[test]
fn lax_quoting_of_token_parameters_is_accepted() {
    // Phones send algorithm and qop quoted in credentials; the grammar says token.
    let parsed = Credentials::parse(
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", \
         algorithm=\"MD5\", qop=\"auth\", nc=00000002, cnonce=\"c\"",
    )
    .unwrap();
    let d = parsed.as_digest().unwrap();
    assert_eq!(d.algorithm(), Some(Algorithm::Md5));
    assert_eq!(d.qop, Some(Qop::Auth));
    assert_eq!(d.nc, Some(2));
}

#[test]
fn credentials_missing_a_required_parameter_are_an_error() {
    let value = "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\"";
    assert_eq!(
        Credentials::parse(value),
        Err(AuthError::MissingParam("response"))
    );
}

#[test]
fn challenge_missing_nonce_is_an_error() {
    assert_eq!(
        Challenge::parse("Digest realm=\"r\""),
        Err(AuthError::MissingParam("nonce"))
    );
}

#[test]
fn duplicate_parameter_is_an_error() {
    assert_eq!(
        Challenge::parse("Digest realm=\"r\", nonce=\"n\", Realm=\"s\""),
        Err(AuthError::DuplicateParam("realm".into()))
    );
}

#[test]
fn malformed_nonce_count_is_an_error() {
    for nc in ["1", "0000000g", "000000001", "0000000A"] {
        let value = format!(
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"0\", nc={nc}"
        );
        assert_eq!(
            Credentials::parse(&value),
            Err(AuthError::MalformedParam("nc")),
            "{nc}"
        );
    }
}

#[test]
fn malformed_values_are_errors() {
    for value in [
        "",
        "   ",
        "Digest realm",
        "Digest realm=",
        "Digest realm=\"r\" nonce=\"n\"",
        "Digest realm=\"r\",, nonce=\"n\"",
        "Digest realm=\"unterminated",
        "Digest ,realm=\"r\"",
        "Digest realm=\"r\", nonce=\"n\", stale=maybe",
        "Digest realm=\"r\", nonce=\"n\", qop=\"\"",
        "Digest=realm",
        "Digest realm=\"r\"\r\nnonce=\"n\"",
        "\"Digest\" realm=\"r\"",
        "Basic dXNlcg==\u{1}",
    ] {
        assert!(
            Challenge::parse(value).is_err(),
            "{value:?} should be rejected"
        );
    }
}

#[test]
fn digest_without_parameters_is_an_error() {
    assert_eq!(
        Challenge::parse("Digest"),
        Err(AuthError::MissingParam("realm"))
    );
}

// ---- properties ----

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.!%*_+`'~-]{1,12}"
}

/// Printable text without CR/LF (what a quoted string can carry), including quotes,
/// backslashes, commas, tabs and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[ -~\t\u{e9}\u{4e2d}]{0,16}"
}

fn algorithm_value() -> impl Strategy<Value = Option<AlgorithmValue>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(Algorithm::ALL.to_vec())
            .prop_map(|a| Some(AlgorithmValue::Known(a))),
        "X-[A-Z0-9]{1,6}".prop_map(|s| Some(AlgorithmValue::Other(s))),
    ]
}

fn qop() -> impl Strategy<Value = Qop> {
    prop_oneof![
        Just(Qop::Auth),
        Just(Qop::AuthInt),
        "x-[a-z]{1,6}".prop_map(Qop::Other),
    ]
}

fn other_params() -> impl Strategy<Value = Vec<AuthParam>> {
    proptest::collection::vec(
        (
            "x-[a-z]{1,8}",
            prop_oneof![
                token().prop_map(|v| (v, false)),
                text().prop_map(|v| (v, true))
            ],
        ),
        0..3,
    )
    .prop_map(|params| {
        let mut seen = std::collections::HashSet::new();
        params
            .into_iter()
            .filter(|(name, _)| seen.insert(name.clone()))
            .map(|(name, (value, quoted))| AuthParam {
                name,
                value,
                quoted,
            })
            .collect()
    })
}

prop_compose! {
    fn challenge()(
        realm in text(), domain in proptest::option::of(text()), nonce in text(),
        opaque in proptest::option::of(text()), stale in any::<bool>(),
        algorithm in algorithm_value(), qop in proptest::collection::vec(qop(), 0..3),
        userhash in any::<bool>(), other in other_params(),
    ) -> DigestChallenge {
        DigestChallenge { realm, domain, nonce, opaque, stale, algorithm, qop, userhash, other }
    }
}

prop_compose! {
    fn credentials()(
        username in text(), realm in text(), nonce in text(), uri in text(), response in "[0-9a-f]{0,64}",
        algorithm in algorithm_value(), cnonce in proptest::option::of(text()),
        opaque in proptest::option::of(text()), qop in proptest::option::of(qop()),
        nc in proptest::option::of(any::<u32>()), userhash in any::<bool>(), other in other_params(),
    ) -> DigestCredentials {
        DigestCredentials { username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc, userhash, other }
    }
}

proptest! {
    #[test]
    fn printed_challenge_parses_back_equal(c in challenge()) {
        let printed = c.to_string();
        prop_assert_eq!(Challenge::parse(&printed), Ok(Challenge::Digest(c)), "{}", printed);
    }

    #[test]
    fn printed_credentials_parse_back_equal(c in credentials()) {
        let printed = c.to_string();
        prop_assert_eq!(Credentials::parse(&printed), Ok(Credentials::Digest(c)), "{}", printed);
    }

    #[test]
    fn printed_other_scheme_parses_back_equal(scheme in "X[A-Za-z0-9-]{0,10}", data in "([!-~]([ -~]{0,20}[!-~])?)?") {
        let other = OtherScheme { scheme, data };
        let printed = other.to_string();
        prop_assert_eq!(Credentials::parse(&printed), Ok(Credentials::Other(other.clone())));
        prop_assert_eq!(Challenge::parse(&printed), Ok(Challenge::Other(other)));
    }

    #[test]
    fn arbitrary_text_never_panics_the_parsers(value in "\\PC{0,80}|[ -~\r\n\t\"\\\\,=]{0,80}") {
        let _ = Challenge::parse(&value);
        let _ = Credentials::parse(&value);
    }

    #[test]
    fn digest_like_text_never_panics_the_parsers(value in "Digest [a-z=\", \\\\\r\n]{0,60}") {
        let _ = Challenge::parse(&value);
        let _ = Credentials::parse(&value);
    }
}
