//! Fuzzes the SIP message layer: the datagram parser, the inspector and the stream framer.
//! Whatever parses must serialize to bytes that parse back to the same message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sip::framing::{Frame, frame};
use sip::validate::{Policy, inspect};
use sip::Message;

fn check_round_trip(data: &[u8]) {
    if let Ok(msg) = Message::parse_slice(data) {
        let again = Message::parse(msg.to_bytes()).expect("a serialized message parses");
        assert_eq!(again, msg);
        let h = msg.headers();
        let _ = (h.vias(), h.from(), h.to(), h.call_id(), h.cseq(), h.contacts());
        let _ = (h.routes(), h.content_type(), h.accept(), h.replaces(), h.session_expires());
        if let Some(req) = msg.as_request() {
            let _ = req.cancel();
            let _ = sip::Response::for_request(req, sip::StatusCode::OK, Some("fuzz"));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check_round_trip(data);
    let _ = inspect(data.to_vec().into(), &Policy::default());

    let mut rest = data;
    loop {
        match frame(rest, 65_535) {
            Ok(Frame::Message { len }) => {
                let (message, tail) = rest.split_at(len);
                check_round_trip(message);
                rest = tail;
            }
            Ok(Frame::Ping { len } | Frame::Keepalive { len }) => rest = &rest[len..],
            Ok(Frame::Incomplete) | Err(_) => break,
        }
    }
});
