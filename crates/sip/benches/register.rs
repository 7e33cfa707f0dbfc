//! The SIP side of one REGISTER with digest authentication, as the server's registrar runs it
//! (issue 4's REGISTER target is about the whole server; this is the part the `sip` crate
//! owns): for each of the two requests, `validate::inspect`, the transaction layer (new server
//! transaction, Via stamped with `received`/`rport`), the response built and serialized; for
//! the first, a 401 with a fresh challenge; for the second, the credentials read and verified
//! (nonce MAC, MD5 response, nonce count) and a 200 with the binding's Contact. Time runs past
//! Timer J so the transactions end, as they would in a server.
//!
//! The client's side (computing the credentials) is prepared outside the timed part. Time is
//! the bench thread's CPU time (see `support/cpu_time.rs`): steadier than wall time while
//! other work shares the machine.
//!
//! `cargo bench -p sip --bench register -- --warm-up-time 1 --measurement-time 3`

#[path = "support/cpu_time.rs"]
mod cpu_time;

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cpu_time::CpuTime;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sip::auth::{
    Algorithm, Challenge, Credentials, Ha1, ResponseInput, Secret, Verdict, Verifier,
    VerifierConfig, choose_challenge, ha1, respond,
};
use sip::transaction::{Config, Peer, TransactionLayer, TxEvent};
use sip::validate::{CredentialsCheck, Policy, Verdict as Inspected, check_credentials, inspect};
use sip::{HeaderName, Response, StatusCode};

const REALM: &str = "pbx.example.com";
const URI: &str = "sip:pbx.example.com";

/// A REGISTER as SIPp's bench scenario sends it, with `{branch}` and `{auth}` to fill.
const REGISTER: &str = "REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK{branch};rport\r\n\
Max-Forwards: 70\r\n\
From: <sip:bench0042@pbx.example.com>;tag=42SIPpTag00{branch}\r\n\
To: <sip:bench0042@pbx.example.com>\r\n\
Call-ID: 42-1234@127.0.0.1\r\n\
CSeq: {cseq} REGISTER\r\n\
Contact: <sip:bench0042@127.0.0.1:5070>\r\n\
Expires: 3600\r\n\
{auth}Content-Length: 0\r\n\
\r\n";

fn register(branch: u64, cseq: u32, auth: &str) -> Bytes {
    Bytes::from(
        REGISTER
            .replace("{branch}", &branch.to_string())
            .replace("{cseq}", &cseq.to_string())
            .replace("{auth}", auth),
    )
}

#[allow(clippy::disallowed_methods)] // the bench's origin of time; the engines never read the clock
fn origin() -> Instant {
    Instant::now()
}

/// Runs one request through inspect and the layer; returns the request the layer hands up.
fn receive(layer: &mut TransactionLayer, now: Instant, bytes: Bytes, policy: &Policy) -> TxEvent {
    let Inspected::Accept(message) = inspect(bytes, policy) else {
        panic!("bench REGISTER rejected");
    };
    let source = Peer::udp("127.0.0.1:5070".parse().expect("address"));
    layer.handle_received(now, message, source);
    loop {
        match layer.poll_event() {
            Some(event @ TxEvent::Request { .. }) => return event,
            Some(_) => {}
            None => panic!("no request event"),
        }
    }
}

fn send_all(layer: &mut TransactionLayer) -> usize {
    let mut sent = 0;
    while let Some(transmit) = layer.poll_transmit() {
        sent += black_box(transmit.bytes).len();
    }
    sent
}

fn bench(c: &mut Criterion<CpuTime>) {
    let policy = Policy::default();
    let secret = [7u8; 32];
    let wall = Duration::from_secs(1_800_000_000);
    let stored: Ha1 = ha1(Algorithm::Md5, "bench0042", REALM, "secret42");

    // One challenge, answered with nonce counts 1, 2, 3... by the prepared requests.
    let verifier_for_nonce = Verifier::new(&secret, VerifierConfig::default());
    let challenge = verifier_for_nonce
        .challenge(wall, REALM, &[Algorithm::Md5], [9; 16], false)
        .remove(0)
        .to_string();
    let parsed = [Challenge::parse(&challenge).expect("challenge parses")];
    let chosen = choose_challenge(&parsed).expect("MD5 challenge").clone();

    let start = origin();
    let now = Cell::new(start);
    let branch = Cell::new(0u64);
    let mut layer = TransactionLayer::new(Config::default(), 0x5eed);
    let mut verifier = Verifier::new(&secret, VerifierConfig::default());

    c.bench_function("register_digest_exchange", |b| {
        b.iter_batched(
            || {
                let n = branch.get() + 1;
                branch.set(n);
                let credentials = respond(
                    &chosen,
                    &ResponseInput {
                        method: "REGISTER",
                        uri: URI,
                        username: "bench0042",
                        secret: Secret::Password("secret42"),
                        cnonce: "0a4f113b",
                        nc: u32::try_from(n).unwrap_or(u32::MAX),
                    },
                )
                .expect("credentials");
                let auth = format!("Authorization: {}\r\n", Credentials::Digest(credentials));
                (register(2 * n, 1, ""), register(2 * n + 1, 2, &auth))
            },
            |(first, second)| {
                // Timer J of the previous exchange's transactions has run out by now.
                let t = now.get() + Duration::from_secs(40);
                now.set(t);
                layer.handle_timeout(t);
                while layer.poll_event().is_some() {}

                // REGISTER without credentials: 401 with a challenge.
                let TxEvent::Request { key, request, .. } = receive(&mut layer, t, first, &policy)
                else {
                    unreachable!()
                };
                assert!(matches!(
                    check_credentials(&request.headers, &HeaderName::Authorization, &["Digest"]),
                    CredentialsCheck::Challenge
                ));
                let mut unauthorized =
                    Response::for_request(&request, StatusCode::UNAUTHORIZED, Some("a1b2c3"));
                for challenge in verifier.challenge(wall, REALM, &[Algorithm::Md5], [3; 16], false)
                {
                    unauthorized
                        .headers
                        .push(HeaderName::WwwAuthenticate, challenge.to_string());
                }
                layer.send_response(t, key, unauthorized).expect("401 sent");
                send_all(&mut layer);

                // REGISTER with credentials: verified, 200 with the binding.
                let TxEvent::Request { key, request, .. } = receive(&mut layer, t, second, &policy)
                else {
                    unreachable!()
                };
                let CredentialsCheck::Verify(value) =
                    check_credentials(&request.headers, &HeaderName::Authorization, &["Digest"])
                else {
                    panic!("credentials expected");
                };
                let credentials = Credentials::parse(value).expect("credentials parse");
                let uri = request.uri.to_string();
                let verdict = verifier.verify(wall, "REGISTER", &uri, &credentials, |_| {
                    Some(stored.clone())
                });
                assert_eq!(verdict, Verdict::Ok);
                let contacts = request.headers.contacts().expect("contacts");
                black_box(contacts);
                let mut ok = Response::for_request(&request, StatusCode::OK, Some("d4e5f6"));
                ok.headers.push(
                    HeaderName::Contact,
                    "<sip:bench0042@127.0.0.1:5070>;expires=3600",
                );
                layer.send_response(t, key, ok).expect("200 sent");
                send_all(&mut layer)
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
