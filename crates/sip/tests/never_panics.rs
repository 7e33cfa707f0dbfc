//! Property tests: no input makes the parser, the framer, the inspector or a typed accessor
//! panic, whether arbitrary bytes or small mutations of the RFC 4475 messages.

// Generators and helpers outside #[test] functions panic on failure too: a failed setup is a
// failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use bytes::Bytes;
use proptest::prelude::*;
use sip::Message;
use sip::framing::frame;
use sip::validate::{Policy, inspect};

fn torture_messages() -> Vec<Vec<u8>> {
    let dir: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../../shared/testdata/sip/rfc4475",
    ]
    .iter()
    .collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("RFC 4475 messages")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("readable message"))
        .collect()
}

/// Reads every view a caller might ask for; results are ignored, panics are not.
fn exercise(data: &[u8]) {
    let bytes = Bytes::copy_from_slice(data);
    let _ = frame(data, 65_535);
    let _ = inspect(bytes.clone(), &Policy::default());
    let _ = inspect(
        bytes.clone(),
        &Policy {
            final_uas: false,
            ..Policy::default()
        },
    );
    if let Ok(msg) = Message::parse(bytes) {
        let h = msg.headers();
        let _ = (
            h.vias(),
            h.top_via(),
            h.from(),
            h.to(),
            h.call_id(),
            h.cseq(),
        );
        let _ = (
            h.max_forwards(),
            h.expires(),
            h.contacts(),
            h.routes(),
            h.record_routes(),
        );
        let _ = (
            h.content_type(),
            h.accept(),
            h.require(),
            h.supported(),
            h.allow(),
        );
        let _ = (
            h.refer_to(),
            h.referred_by(),
            h.replaces(),
            h.session_expires(),
        );
        let _ = (
            h.reasons(),
            h.date(),
            h.rack(),
            h.rseq(),
            h.min_se(),
            h.content_encoding(),
        );
        if let Some(req) = msg.as_request() {
            let _ = (req.cancel(), req.uri.to_string());
            let _ = sip::Response::for_request(req, sip::StatusCode::OK, Some("t"));
        }
        let again =
            Message::parse(msg.to_bytes()).expect("a parsed message serializes to a valid one");
        assert_eq!(again, msg);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"\r\n \t:;,<>\"\\%@[]=/0".to_vec()),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), interesting.clone()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), interesting).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Delete),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    match m {
        Mutation::Flip(i, b) => {
            let at = i.index(data.len());
            data[at] = *b;
        }
        Mutation::Insert(i, b) => {
            let at = i.index(data.len() + 1);
            data.insert(at, *b);
        }
        Mutation::Delete(i) => {
            data.remove(i.index(data.len()));
        }
        Mutation::Truncate(i) => data.truncate(i.index(data.len())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&data);
    }

    #[test]
    fn sip_looking_bytes_never_panic(
        lines in proptest::collection::vec("[A-Za-z:;,<>\"\\\\% @=/.0-9\\[\\]\t-]{0,40}", 0..12)
    ) {
        let text = format!("INVITE sip:a@b SIP/2.0\r\n{}\r\n\r\n", lines.join("\r\n"));
        exercise(text.as_bytes());
    }

    #[test]
    fn mutated_torture_messages_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let messages = torture_messages();
        let mut data = messages[which.index(messages.len())].clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        exercise(&data);
    }
}
