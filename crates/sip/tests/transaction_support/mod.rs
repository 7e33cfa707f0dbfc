//! Helpers shared by the transaction and dialog tests: a clock origin, peers, requests and
//! responses as a UA would build them, and draining a layer's outputs.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod sim;

use std::time::{Duration, Instant};

use sip::header::{NameAddr, Transport, Via};
use sip::transaction::{ConnectionId, Peer, TransactionLayer, Transmit, TxEvent};
use sip::{Host, Message, Method, Request, RequestBuilder, Response, StatusCode};

/// An arbitrary origin for the simulated clock, the same on every call; nothing is timed
/// against the real clock.
pub fn t0() -> Instant {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    #[allow(clippy::disallowed_methods)] // the engines need some Instant to count from
    *ORIGIN.get_or_init(Instant::now)
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub const UAC_PORT: u16 = 5061;
pub const UAS_PORT: u16 = 5062;

/// The B2BUA side that sends requests.
pub fn uac_udp() -> Peer {
    Peer::udp(([127, 0, 0, 1], UAC_PORT).into())
}

/// The phone side that answers them.
pub fn uas_udp() -> Peer {
    Peer::udp(([127, 0, 0, 1], UAS_PORT).into())
}

pub fn uac_tcp() -> Peer {
    Peer::tcp(([127, 0, 0, 1], UAC_PORT).into(), ConnectionId(1))
}

pub fn uas_tcp() -> Peer {
    Peer::tcp(([127, 0, 0, 1], UAS_PORT).into(), ConnectionId(1))
}

fn addr(text: &str) -> NameAddr {
    NameAddr::parse(text).expect("test address")
}

/// A request from the UAC (127.0.0.1:5061) to the UAS, with a fresh branch, Call-ID and
/// From tag, over `transport`.
pub fn request(layer: &mut TransactionLayer, method: Method, transport: Transport) -> Request {
    let branch = layer.new_branch();
    let tag = layer.new_tag();
    let call_id = layer.new_call_id("127.0.0.1");
    let mut from = addr("<sip:queue@127.0.0.1>");
    from.set_tag(&tag);
    let host = Host::parse("127.0.0.1").expect("host");
    let mut via = Via::new(transport, host, Some(UAC_PORT), &branch);
    via.params.set("rport", None);
    RequestBuilder::new(
        method,
        format!("sip:agent@127.0.0.1:{UAS_PORT}")
            .parse()
            .expect("uri"),
    )
    .via(via)
    .from(from)
    .to(addr("<sip:agent@127.0.0.1>"))
    .call_id(&call_id)
    .cseq(1)
    .contact(addr(&format!("<sip:queue@127.0.0.1:{UAC_PORT}>")))
    .build()
}

pub fn invite(layer: &mut TransactionLayer) -> Request {
    request(layer, Method::Invite, Transport::Udp)
}

/// A response to `request` as a UAS makes it.
pub fn response(request: &Request, status: u16, tag: Option<&str>) -> Response {
    let status = StatusCode::new(status).expect("status code");
    let mut r = Response::for_request(request, status, tag);
    if status.is_success() || (status.is_provisional() && status != StatusCode::TRYING) {
        r.headers.push(
            sip::HeaderName::Contact,
            format!("<sip:agent@127.0.0.1:{UAS_PORT}>"),
        );
    }
    r
}

pub fn msg(m: impl Into<Message>) -> Message {
    m.into()
}

pub fn transmits(layer: &mut TransactionLayer) -> Vec<Transmit> {
    std::iter::from_fn(|| layer.poll_transmit()).collect()
}

pub fn events(layer: &mut TransactionLayer) -> Vec<TxEvent> {
    std::iter::from_fn(|| layer.poll_event()).collect()
}

pub fn parse(t: &Transmit) -> Message {
    Message::parse(t.bytes.clone()).expect("the layer sends valid messages")
}

/// The request a transmit carries.
pub fn sent_request(t: &Transmit) -> Request {
    match parse(t) {
        Message::Request(r) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

/// The response a transmit carries.
pub fn sent_response(t: &Transmit) -> Response {
    match parse(t) {
        Message::Response(r) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

/// Runs `layer`'s timers up to `until`; returns what was sent, with when.
pub fn run_until(layer: &mut TransactionLayer, until: Instant) -> Vec<(Instant, Transmit)> {
    let mut sent = Vec::new();
    while let Some(at) = layer.poll_timeout().filter(|&at| at <= until) {
        layer.handle_timeout(at);
        sent.extend(transmits(layer).into_iter().map(|t| (at, t)));
    }
    sent
}

/// The gaps between successive sends, in milliseconds, counting from `start`.
pub fn gaps_ms(start: Instant, sent: &[(Instant, Transmit)]) -> Vec<u128> {
    let mut last = start;
    sent.iter()
        .map(|(at, _)| {
            let gap = at.duration_since(last).as_millis();
            last = *at;
            gap
        })
        .collect()
}

/// The first request (the one that created it) a `TxEvent::Request` carries.
pub fn new_request(events: &[TxEvent]) -> (sip::transaction::ServerKey, Request) {
    events
        .iter()
        .find_map(|e| match e {
            TxEvent::Request { key, request, .. } => Some((*key, request.clone())),
            _ => None,
        })
        .expect("a new request")
}

pub fn count_timeouts(events: &[TxEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, TxEvent::Timeout { .. }))
        .count()
}

/// Passes every pending event of `layer` through `dialogs`, as the TU's loop does.
pub fn pump(
    layer: &mut TransactionLayer,
    dialogs: &mut sip::dialog::Dialogs,
    now: Instant,
) -> Vec<(TxEvent, sip::dialog::DialogUpdate)> {
    let mut out = Vec::new();
    while let Some(event) = layer.poll_event() {
        let update = dialogs.handle_tx_event(now, layer, &event);
        out.push((event, update));
    }
    out
}

/// Runs the timers of both engines up to `until`, passing events through; returns what was
/// sent with when, and the dialog events.
pub fn run_both_until(
    layer: &mut TransactionLayer,
    dialogs: &mut sip::dialog::Dialogs,
    until: Instant,
) -> (Vec<(Instant, Transmit)>, Vec<sip::dialog::DialogEvent>) {
    let mut sent = Vec::new();
    let mut dialog_events = Vec::new();
    loop {
        let next = [layer.poll_timeout(), dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .filter(|&at| at <= until);
        let Some(at) = next else {
            break;
        };
        layer.handle_timeout(at);
        dialogs.handle_timeout(at, layer);
        pump(layer, dialogs, at);
        dialog_events.extend(std::iter::from_fn(|| dialogs.poll_event()));
        sent.extend(transmits(layer).into_iter().map(|t| (at, t)));
    }
    (sent, dialog_events)
}
