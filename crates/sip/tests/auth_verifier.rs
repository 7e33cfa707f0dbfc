//! Server-side verification and client-side answers, end to end on header values.

use std::time::Duration;

use sip::auth::{
    Algorithm, AuthError, Challenge, Credentials, DigestChallenge, DigestCredentials, Ha1,
    InvalidReason, Lookup, OtherScheme, Qop, ResponseInput, Secret, Verdict, Verifier,
    VerifierConfig, choose_challenge, ha1, respond, userhash,
};

const REALM: &str = "plateau.example";
const USER: &str = "agent1042";
const PASSWORD: &str = "correct horse";
const URI: &str = "sip:plateau.example";
const T0: Duration = Duration::from_secs(1_760_000_000);

fn verifier() -> Verifier {
    Verifier::new(
        b"0123456789abcdef0123456789abcdef",
        VerifierConfig::default(),
    )
}

fn challenge_for(verifier: &Verifier, algorithm: Algorithm) -> DigestChallenge {
    let mut offered = verifier.challenge(T0, REALM, &[algorithm], [42; 16], false);
    offered.pop().expect("one challenge per algorithm")
}

fn answer(challenge: &DigestChallenge, password: &str, nc: u32) -> Credentials {
    let input = ResponseInput {
        method: "REGISTER",
        uri: URI,
        username: USER,
        secret: Secret::Password(password),
        cnonce: "a1b2c3d4",
        nc,
    };
    Credentials::Digest(respond(challenge, &input).expect("challenge is answerable"))
}

/// The store: one user, one HA1 per base algorithm.
fn store(who: &Lookup<'_>) -> Option<Ha1> {
    let name_matches = if who.userhash {
        who.username == userhash(who.algorithm, USER, REALM)
    } else {
        who.username == USER
    };
    (name_matches && who.realm == REALM).then(|| ha1(who.algorithm, USER, REALM, PASSWORD))
}

fn verify_at(v: &mut Verifier, now: Duration, creds: &Credentials) -> Verdict {
    v.verify(now, "REGISTER", URI, creds, store)
}

fn digest_mut(creds: &mut Credentials) -> &mut DigestCredentials {
    match creds {
        Credentials::Digest(d) => d,
        Credentials::Other(_) => panic!("digest expected"),
    }
}

#[test]
fn client_answer_verifies_for_every_algorithm() {
    for algorithm in Algorithm::ALL {
        let mut v = verifier();
        let creds = answer(&challenge_for(&v, algorithm), PASSWORD, 1);
        assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Ok, "{algorithm}");
    }
}

#[test]
fn challenges_offer_sha256_before_md5() {
    let v = verifier();
    let offered = v.challenge(
        T0,
        REALM,
        &[Algorithm::Md5, Algorithm::Sha256],
        [1; 16],
        false,
    );
    let algorithms: Vec<_> = offered.iter().map(|c| c.algorithm()).collect();
    assert_eq!(
        algorithms,
        vec![Some(Algorithm::Sha256), Some(Algorithm::Md5)]
    );
    assert!(offered.iter().all(|c| c.qop == vec![Qop::Auth] && !c.stale));
}

#[test]
fn stale_flag_is_carried_by_the_challenge() {
    let v = verifier();
    let offered = v.challenge(T0, REALM, &[Algorithm::Sha256], [1; 16], true);
    assert!(offered[0].stale);
    assert!(offered[0].to_string().contains("stale=true"));
}

#[test]
fn wrong_password_is_rejected() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Sha256), "wrong", 1);
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::WrongResponse)
    );
}

#[test]
fn uri_parameter_differing_from_request_uri_is_rejected() {
    let mut v = verifier();
    let mut creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    digest_mut(&mut creds).uri = "sip:elsewhere.example".into();
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::UriMismatch)
    );
}

#[test]
fn tampered_uri_in_both_places_breaks_the_response() {
    let mut v = verifier();
    let mut creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    digest_mut(&mut creds).uri = "sip:premium@plateau.example".into();
    let verdict = v.verify(T0, "REGISTER", "sip:premium@plateau.example", &creds, store);
    assert_eq!(verdict, Verdict::Invalid(InvalidReason::WrongResponse));
}

#[test]
fn other_method_breaks_the_response() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Md5), PASSWORD, 1);
    let verdict = v.verify(T0, "INVITE", URI, &creds, store);
    assert_eq!(verdict, Verdict::Invalid(InvalidReason::WrongResponse));
}

#[test]
fn replayed_nonce_count_is_rejected() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Ok);
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Replay);
}

#[test]
fn lower_nonce_count_after_a_higher_one_is_rejected() {
    let mut v = verifier();
    let challenge = challenge_for(&v, Algorithm::Sha256);
    assert_eq!(
        verify_at(&mut v, T0, &answer(&challenge, PASSWORD, 5)),
        Verdict::Ok
    );
    assert_eq!(
        verify_at(&mut v, T0, &answer(&challenge, PASSWORD, 3)),
        Verdict::Replay
    );
}

#[test]
fn increasing_nonce_counts_reuse_the_nonce() {
    let mut v = verifier();
    let challenge = challenge_for(&v, Algorithm::Sha256);
    for nc in 1..=3 {
        assert_eq!(
            verify_at(&mut v, T0, &answer(&challenge, PASSWORD, nc)),
            Verdict::Ok
        );
    }
}

#[test]
fn expired_nonce_with_right_credentials_is_stale() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    let later = T0 + VerifierConfig::default().nonce_lifetime + Duration::from_secs(1);
    assert_eq!(verify_at(&mut v, later, &creds), Verdict::Stale);
}

#[test]
fn expired_nonce_with_wrong_password_is_invalid_not_stale() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Sha256), "wrong", 1);
    let later = T0 + Duration::from_secs(3600);
    assert_eq!(
        verify_at(&mut v, later, &creds),
        Verdict::Invalid(InvalidReason::WrongResponse)
    );
}

#[test]
fn nonce_from_another_secret_is_rejected() {
    let other = Verifier::new(
        b"another secret entirely.........",
        VerifierConfig::default(),
    );
    let creds = answer(&challenge_for(&other, Algorithm::Sha256), PASSWORD, 1);
    let mut v = verifier();
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::BadNonce)
    );
}

#[test]
fn nonce_survives_a_restart_with_the_same_secret() {
    let creds = answer(&challenge_for(&verifier(), Algorithm::Sha256), PASSWORD, 1);
    let mut restarted = verifier();
    assert_eq!(verify_at(&mut restarted, T0, &creds), Verdict::Ok);
}

#[test]
fn nonce_issued_for_another_realm_is_rejected() {
    let mut v = verifier();
    let mut challenge = challenge_for(&v, Algorithm::Sha256);
    challenge.realm = "other-tenant.example".into();
    let creds = answer(&challenge, PASSWORD, 1);
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::BadNonce)
    );
}

#[test]
fn nonce_dated_in_the_future_is_rejected() {
    let mut v = verifier();
    let creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    let earlier = T0 - Duration::from_secs(3600);
    assert_eq!(
        verify_at(&mut v, earlier, &creds),
        Verdict::Invalid(InvalidReason::BadNonce)
    );
}

#[test]
fn algorithm_not_offered_is_rejected() {
    let mut v = verifier();
    let mut challenge = challenge_for(&v, Algorithm::Sha256);
    challenge.algorithm = None; // the client "downgrades" to MD5 with the same nonce
    let creds = answer(&challenge, PASSWORD, 1);
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::AlgorithmNotOffered)
    );
}

#[test]
fn unknown_user_is_reported() {
    let mut v = verifier();
    let challenge = challenge_for(&v, Algorithm::Sha256);
    let input = ResponseInput {
        method: "REGISTER",
        uri: URI,
        username: "intruder",
        secret: Secret::Password(PASSWORD),
        cnonce: "x",
        nc: 1,
    };
    let creds = Credentials::Digest(respond(&challenge, &input).unwrap());
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::UnknownUser);
}

#[test]
fn other_scheme_is_invalid_not_an_error() {
    let mut v = verifier();
    let creds = Credentials::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::NotDigest)
    );
}

#[test]
fn credentials_without_qop_are_rejected_by_default() {
    let mut v = verifier();
    let mut challenge = challenge_for(&v, Algorithm::Md5);
    challenge.qop.clear();
    let creds = answer(&challenge, PASSWORD, 1);
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::MissingQop)
    );
}

#[test]
fn rfc2069_credentials_verify_when_allowed() {
    let config = VerifierConfig {
        allow_no_qop: true,
        ..VerifierConfig::default()
    };
    let mut v = Verifier::new(b"0123456789abcdef0123456789abcdef", config);
    let mut challenge = challenge_for(&v, Algorithm::Md5);
    challenge.qop.clear();
    let creds = answer(&challenge, PASSWORD, 1);
    let digest = creds.as_digest().unwrap();
    assert_eq!(
        (digest.qop.as_ref(), digest.cnonce.as_ref(), digest.nc),
        (None, None, None)
    );
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Ok);
}

#[test]
fn qop_auth_without_nonce_count_is_rejected() {
    let mut v = verifier();
    let mut creds = answer(&challenge_for(&v, Algorithm::Sha256), PASSWORD, 1);
    digest_mut(&mut creds).nc = None;
    assert_eq!(
        verify_at(&mut v, T0, &creds),
        Verdict::Invalid(InvalidReason::MissingCnonceOrNc)
    );
}

#[test]
fn nonce_evicted_from_a_full_table_is_answered_stale() {
    let config = VerifierConfig {
        max_tracked_nonces: 2,
        ..VerifierConfig::default()
    };
    let mut v = Verifier::new(b"0123456789abcdef0123456789abcdef", config);
    let first = v.challenge(T0, REALM, &[Algorithm::Sha256], [1; 16], false);
    let second = v.challenge(T0, REALM, &[Algorithm::Sha256], [2; 16], false);
    let third = v.challenge(
        T0 + Duration::from_secs(1),
        REALM,
        &[Algorithm::Sha256],
        [3; 16],
        false,
    );
    let creds_first = answer(&first[0], PASSWORD, 1);
    assert_eq!(verify_at(&mut v, T0, &creds_first), Verdict::Ok);
    assert_eq!(
        verify_at(&mut v, T0, &answer(&second[0], PASSWORD, 1)),
        Verdict::Ok
    );
    let t1 = T0 + Duration::from_secs(1);
    assert_eq!(
        verify_at(&mut v, t1, &answer(&third[0], PASSWORD, 1)),
        Verdict::Ok
    );
    assert_eq!(v.tracked_nonces(), 2);
    // The first nonce's history is gone: its replay must not pass.
    assert_eq!(verify_at(&mut v, t1, &creds_first), Verdict::Stale);
}

#[test]
fn userhash_challenge_is_answered_with_the_hashed_username() {
    let mut v = verifier();
    let mut challenge = challenge_for(&v, Algorithm::Sha256);
    challenge.userhash = true;
    let creds = answer(&challenge, PASSWORD, 1);
    let digest = creds.as_digest().unwrap();
    assert!(digest.userhash);
    assert_eq!(digest.username, userhash(Algorithm::Sha256, USER, REALM));
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Ok);
}

#[test]
fn client_can_answer_with_a_stored_ha1() {
    let mut v = verifier();
    let challenge = challenge_for(&v, Algorithm::Sha512_256);
    let stored = ha1(Algorithm::Sha512_256, USER, REALM, PASSWORD);
    let input = ResponseInput {
        method: "REGISTER",
        uri: URI,
        username: USER,
        secret: Secret::Ha1(&stored),
        cnonce: "c",
        nc: 1,
    };
    let creds = Credentials::Digest(respond(&challenge, &input).unwrap());
    assert_eq!(verify_at(&mut v, T0, &creds), Verdict::Ok);
}

#[test]
fn client_refuses_an_ha1_of_another_algorithm() {
    let challenge = challenge_for(&verifier(), Algorithm::Sha256);
    let stored = ha1(Algorithm::Md5, USER, REALM, PASSWORD);
    let input = ResponseInput {
        method: "REGISTER",
        uri: URI,
        username: USER,
        secret: Secret::Ha1(&stored),
        cnonce: "c",
        nc: 1,
    };
    assert!(matches!(
        respond(&challenge, &input),
        Err(AuthError::Ha1AlgorithmMismatch { .. })
    ));
}

#[test]
fn client_refuses_a_challenge_offering_only_auth_int() {
    let mut challenge = challenge_for(&verifier(), Algorithm::Sha256);
    challenge.qop = vec![Qop::AuthInt];
    let input = ResponseInput {
        method: "INVITE",
        uri: URI,
        username: USER,
        secret: Secret::Password(PASSWORD),
        cnonce: "c",
        nc: 1,
    };
    assert_eq!(respond(&challenge, &input), Err(AuthError::UnsupportedQop));
}

#[test]
fn client_refuses_to_send_a_line_break() {
    let challenge = challenge_for(&verifier(), Algorithm::Sha256);
    let input = ResponseInput {
        method: "REGISTER",
        uri: URI,
        username: "agent\r\nX-Injected: 1",
        secret: Secret::Password(PASSWORD),
        cnonce: "c",
        nc: 1,
    };
    assert_eq!(
        respond(&challenge, &input),
        Err(AuthError::UnsendableValue("username"))
    );
}

#[test]
fn client_chooses_the_topmost_supported_challenge() {
    let values = [
        "NoOneKnowsThisScheme opaque-data=here",
        "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-3-512, qop=\"auth\"",
        "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"",
        "Digest realm=\"r\", nonce=\"n3\", algorithm=MD5, qop=\"auth\"",
    ];
    let challenges: Vec<Challenge> = values.iter().map(|v| v.parse().unwrap()).collect();
    let chosen = choose_challenge(&challenges).unwrap();
    assert_eq!(chosen.nonce, "n2");
}

#[test]
fn client_finds_nothing_to_answer_among_unsupported_challenges() {
    let challenges = vec![Challenge::Other(OtherScheme {
        scheme: "Basic".into(),
        data: "realm=\"x\"".into(),
    })];
    assert_eq!(choose_challenge(&challenges), None);
}

#[test]
fn full_register_exchange_through_header_text() {
    let mut v = verifier();
    let header = challenge_for(&v, Algorithm::Sha256).to_string();
    let challenge = Challenge::parse(&header).unwrap();
    let creds = answer(challenge.as_digest().unwrap(), PASSWORD, 1);
    let wire = creds.to_string();
    let received = Credentials::parse(&wire).unwrap();
    assert_eq!(verify_at(&mut v, T0, &received), Verdict::Ok);
}
