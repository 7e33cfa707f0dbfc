//! One dialog (RFC 3261 §12): creation on each side, route set, remote target, CSeq spaces,
//! requests built in it and requests received in it.

// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod transaction_support;

use sip::dialog::{Dialog, DialogError, DialogId, DialogState, Role};
use sip::header::{Transport, Via};
use sip::transaction::{Config, TransactionLayer};
use sip::{HeaderName, Host, Method, Request, Response, StatusCode};
use transaction_support::*;

fn invite_with_record_route() -> Request {
    let mut layer = TransactionLayer::new(Config::default(), 3);
    let mut req = invite(&mut layer);
    req.headers.push(
        HeaderName::RecordRoute,
        "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
    );
    req
}

fn ok_with_record_route(req: &Request) -> Response {
    let mut ok = response(req, 200, Some("uas1"));
    ok.headers.push(
        HeaderName::RecordRoute,
        "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
    );
    ok
}

fn route_hosts(dialog: &Dialog) -> Vec<String> {
    dialog
        .route_set()
        .iter()
        .map(|r| r.uri.as_sip().unwrap().host.to_string())
        .collect()
}

fn via() -> Via {
    Via::new(
        Transport::Udp,
        Host::parse("127.0.0.1").unwrap(),
        Some(UAC_PORT),
        "z9hG4bKnext",
    )
}

#[test]
fn the_uac_route_set_is_the_record_route_reversed() {
    let req = invite_with_record_route();
    let dialog = Dialog::uac(&req, &ok_with_record_route(&req), uas_udp()).unwrap();
    assert_eq!(route_hosts(&dialog), ["p2.example.com", "p1.example.com"]);
}

#[test]
fn the_uas_route_set_is_the_record_route_in_order() {
    let req = invite_with_record_route();
    let dialog = Dialog::uas(&req, &response(&req, 200, Some("uas1")), uac_udp()).unwrap();
    assert_eq!(route_hosts(&dialog), ["p1.example.com", "p2.example.com"]);
}

#[test]
fn the_remote_target_is_the_peers_contact() {
    let req = invite_with_record_route();
    let uac = Dialog::uac(&req, &ok_with_record_route(&req), uas_udp()).unwrap();
    assert_eq!(uac.remote_target().to_string(), "sip:agent@127.0.0.1:5062");
    let uas = Dialog::uas(&req, &response(&req, 200, Some("uas1")), uac_udp()).unwrap();
    assert_eq!(uas.remote_target().to_string(), "sip:queue@127.0.0.1:5061");
}

#[test]
fn each_side_names_the_dialog_with_its_own_tag_first() {
    let req = invite_with_record_route();
    let ok = ok_with_record_route(&req);
    let uac = Dialog::uac(&req, &ok, uas_udp()).unwrap();
    let uas = Dialog::uas(&req, &ok, uac_udp()).unwrap();
    let from_tag = req.headers.from().unwrap().tag().unwrap().to_owned();
    assert_eq!(uac.id().local_tag, from_tag);
    assert_eq!(uac.id().remote_tag, "uas1");
    assert_eq!(uas.id().local_tag, "uas1");
    assert_eq!(uas.id().remote_tag, from_tag);
    assert_eq!(uac.id().call_id, uas.id().call_id);
    assert_eq!((uac.role(), uas.role()), (Role::Uac, Role::Uas));
}

#[test]
fn a_provisional_makes_an_early_dialog_and_the_2xx_confirms_it_with_its_route_set() {
    let req = invite_with_record_route();
    let ringing = response(&req, 180, Some("uas1"));
    let mut dialog = Dialog::uac(&req, &ringing, uas_udp()).unwrap();
    assert_eq!(dialog.state(), DialogState::Early);
    assert!(dialog.route_set().is_empty());
    dialog.update_from_response(&ok_with_record_route(&req));
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(route_hosts(&dialog), ["p2.example.com", "p1.example.com"]);
}

#[test]
fn requests_in_the_dialog_take_the_next_cseq() {
    let req = invite_with_record_route();
    let mut dialog = Dialog::uac(&req, &ok_with_record_route(&req), uas_udp()).unwrap();
    let bye = dialog.request(Method::Bye, via()).build();
    assert_eq!(bye.headers.cseq().unwrap().seq, 2);
    assert_eq!(bye.uri, *dialog.remote_target());
    assert_eq!(bye.headers.to().unwrap().tag(), Some("uas1"));
    assert_eq!(
        bye.headers.from().unwrap().tag(),
        req.headers.from().unwrap().tag()
    );
    assert_eq!(bye.headers.call_id(), req.headers.call_id());
    assert_eq!(bye.headers.routes().unwrap().len(), 2);
    let info = dialog.request(Method::Info, via()).build();
    assert_eq!(info.headers.cseq().unwrap().seq, 3);
    assert_eq!(dialog.local_cseq(), Some(3));
}

#[test]
fn the_uas_local_sequence_starts_empty() {
    let req = invite_with_record_route();
    let mut dialog = Dialog::uas(&req, &response(&req, 200, Some("uas1")), uac_udp()).unwrap();
    assert_eq!(dialog.local_cseq(), None);
    let bye = dialog.request(Method::Bye, via()).build();
    assert_eq!(bye.headers.cseq().unwrap().seq, 1);
    assert_eq!(bye.headers.from().unwrap().tag(), Some("uas1"));
}

#[test]
fn the_ack_of_a_2xx_takes_the_invites_cseq_and_no_new_one() {
    let req = invite_with_record_route();
    let dialog = Dialog::uac(&req, &ok_with_record_route(&req), uas_udp()).unwrap();
    let ack = dialog.ack(1, via());
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.headers.cseq().unwrap().to_string(), "1 ACK");
    assert_eq!(ack.uri, *dialog.remote_target());
    assert_eq!(ack.headers.routes().unwrap().len(), 2);
    assert_eq!(dialog.local_cseq(), Some(1));
}

fn in_dialog_request(from_uac: &mut Dialog, method: Method, seq: u32) -> Request {
    let mut r = from_uac.request(method, via()).build();
    r.headers
        .set(HeaderName::CSeq, format!("{seq} {}", r.method));
    r
}

#[test]
fn a_request_with_a_lower_cseq_is_refused_with_500() {
    let req = invite_with_record_route();
    let ok = ok_with_record_route(&req);
    let mut uac = Dialog::uac(&req, &ok, uas_udp()).unwrap();
    let mut uas = Dialog::uas(&req, &ok, uac_udp()).unwrap();
    let info = in_dialog_request(&mut uac, Method::Info, 5);
    assert_eq!(uas.receive_request(&info), Ok(()));
    assert_eq!(uas.remote_cseq(), Some(5));
    let late = in_dialog_request(&mut uac, Method::Info, 4);
    assert_eq!(
        uas.receive_request(&late),
        Err(StatusCode::SERVER_INTERNAL_ERROR)
    );
    assert_eq!(uas.remote_cseq(), Some(5));
}

#[test]
fn ack_and_cancel_skip_the_cseq_check() {
    let req = invite_with_record_route();
    let ok = ok_with_record_route(&req);
    let uac = Dialog::uac(&req, &ok, uas_udp()).unwrap();
    let mut uas = Dialog::uas(&req, &ok, uac_udp()).unwrap();
    let mut ack = uac.ack(1, via());
    ack.headers.set(HeaderName::CSeq, "0 ACK");
    assert_eq!(uas.receive_request(&ack), Ok(()));
}

#[test]
fn a_reinvite_refreshes_the_remote_target() {
    let req = invite_with_record_route();
    let ok = ok_with_record_route(&req);
    let mut uac = Dialog::uac(&req, &ok, uas_udp()).unwrap();
    let mut uas = Dialog::uas(&req, &ok, uac_udp()).unwrap();
    let mut reinvite = uac.request(Method::Invite, via()).build();
    reinvite
        .headers
        .push(HeaderName::Contact, "<sip:queue@127.0.0.1:6000>");
    uas.receive_request(&reinvite).unwrap();
    assert_eq!(uas.remote_target().to_string(), "sip:queue@127.0.0.1:6000");
}

#[test]
fn an_info_does_not_refresh_the_remote_target() {
    let req = invite_with_record_route();
    let ok = ok_with_record_route(&req);
    let mut uac = Dialog::uac(&req, &ok, uas_udp()).unwrap();
    let mut uas = Dialog::uas(&req, &ok, uac_udp()).unwrap();
    let mut info = uac.request(Method::Info, via()).build();
    info.headers
        .push(HeaderName::Contact, "<sip:queue@127.0.0.1:6000>");
    uas.receive_request(&info).unwrap();
    assert_eq!(uas.remote_target().to_string(), "sip:queue@127.0.0.1:5061");
}

#[test]
fn a_response_without_to_tag_makes_no_uas_dialog() {
    let req = invite_with_record_route();
    let untagged = response(&req, 200, None);
    assert_eq!(
        Dialog::uas(&req, &untagged, uac_udp()),
        Err(DialogError::MissingTag)
    );
}

#[test]
fn a_received_request_without_to_tag_is_outside_any_dialog() {
    let req = invite_with_record_route();
    assert_eq!(DialogId::of_received_request(&req), None);
}
