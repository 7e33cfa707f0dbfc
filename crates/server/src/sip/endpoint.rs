//! The switchboard's SIP endpoint: received bytes are inspected (`validate::inspect` with what
//! we support) and fed to the transaction layer; what the layer and the dialogs want sent goes
//! out over UDP (`try_send_to`, never waiting) or the peer's TCP connection; every message is
//! counted in `plateau_sip_messages_total`.
//!
//! The switchboard drives it: [`SipEndpoint::receive`] for each inbound message, then it
//! drains [`TransactionLayer::poll_event`] (feeding each event to
//! [`Dialogs::handle_tx_event`] first), then [`SipEndpoint::flush`] sends and reports the
//! peers it could not reach (for [`TransactionLayer::handle_transport_error`]).
//!
//! What we support, for `inspect`: we end requests (a UAS), take `sip`, `sips` and `tel`
//! Request-URIs, accept SDP bodies only (415 otherwise), and support no option tags (420 to a
//! `Require` naming any). Rejections are sent statelessly; rejected and dropped messages are
//! counted by kind (`sip_rejected`, `sip_discarded`) and described in the log within a budget.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use sip::dialog::{DialogConfig, Dialogs};
use sip::header::Transport;
use sip::transaction::{
    Config as TxConfig, ConnectionId, Label, Peer, TransactionLayer, Transmit, Trying,
    response_peer,
};
use sip::validate::{Policy, Verdict, inspect};
use sip::{Message, Method};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::local_address::LocalAddresses;
use super::log_limit::LogLimit;
use crate::metrics::{Direction, Metrics};

/// How long an INVITE may wait for our answer before the layer sends 100 Trying itself. The
/// switchboard answers calls in the same turn as it receives them, so this is rarely sent.
const TRYING_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// The policy `inspect` applies: see the module doc.
pub(crate) fn policy(tag_secret: u64) -> Policy {
    Policy {
        final_uas: true,
        extensions: Vec::new(),
        content_types: vec!["application/sdp".to_owned()],
        content_encodings: Vec::new(),
        uri_schemes: vec!["sip".to_owned(), "sips".to_owned(), "tel".to_owned()],
        answer_type: Some("application/sdp".to_owned()),
        tag_secret,
    }
}

/// An open TCP connection's writer.
#[derive(Debug)]
struct Connection {
    writer: mpsc::Sender<Bytes>,
}

/// The SIP endpoint: transactions, dialogs, and the ways out.
#[derive(Debug)]
pub(crate) struct SipEndpoint {
    /// Every transaction.
    pub(crate) layer: TransactionLayer,
    /// Every dialog.
    pub(crate) dialogs: Dialogs,
    policy: Arc<Policy>,
    udp: Arc<UdpSocket>,
    udp_local: SocketAddr,
    tcp_local: SocketAddr,
    connections: HashMap<ConnectionId, Connection>,
    /// Our address toward each peer.
    pub(crate) local: LocalAddresses,
    unreachable: Vec<Peer>,
    metrics: Metrics,
    log_limit: LogLimit,
}

impl SipEndpoint {
    /// An endpoint sending UDP on `udp`; `tcp_local` is the TCP listener's address.
    pub(crate) fn new(
        udp: Arc<UdpSocket>,
        tcp_local: SocketAddr,
        policy: Arc<Policy>,
        local: LocalAddresses,
        seed: u64,
        metrics: Metrics,
    ) -> std::io::Result<SipEndpoint> {
        let udp_local = udp.local_addr()?;
        let config = TxConfig {
            trying: Trying::After(TRYING_AFTER),
            ..TxConfig::default()
        };
        Ok(SipEndpoint {
            layer: TransactionLayer::new(config, seed),
            dialogs: Dialogs::new(DialogConfig::default()),
            policy,
            udp,
            udp_local,
            tcp_local,
            connections: HashMap::new(),
            local,
            unreachable: Vec::new(),
            metrics,
            log_limit: LogLimit::new(),
        })
    }

    /// A TCP connection opened.
    pub(crate) fn connected(&mut self, connection: ConnectionId, writer: mpsc::Sender<Bytes>) {
        self.connections.insert(connection, Connection { writer });
    }

    /// A TCP connection closed: transactions over it fail (their events follow).
    pub(crate) fn closed(&mut self, now: Instant, connection: ConnectionId, peer: SocketAddr) {
        self.connections.remove(&connection);
        self.layer
            .handle_transport_error(now, &Peer::tcp(peer, connection));
    }

    /// Inspects received bytes and hands a sound message to the transaction layer; a
    /// rejected one is answered (statelessly), a broken one dropped; both are counted.
    pub(crate) fn receive(&mut self, now: Instant, bytes: Bytes, peer: Peer) {
        match inspect(bytes, &self.policy) {
            Verdict::Accept(message) => {
                count(&self.metrics, Direction::In, &message);
                self.layer.handle_received(now, message, peer);
            }
            Verdict::Respond { defect, response } => {
                self.metrics.error("sip_rejected");
                if let Some(suppressed) = self.log_limit.allow(now) {
                    tracing::info!(
                        source = %peer.addr,
                        status = response.status.as_u16(),
                        %defect,
                        suppressed,
                        "SIP request rejected"
                    );
                }
                let Ok(via) = response.headers.top_via() else {
                    return;
                };
                let to = response_peer(&peer, &via);
                self.layer.send_stateless(&Message::Response(response), to);
            }
            Verdict::Discard { defect } => {
                self.metrics.error("sip_discarded");
                if let Some(suppressed) = self.log_limit.allow(now) {
                    tracing::info!(
                        source = %peer.addr,
                        %defect,
                        suppressed,
                        "SIP message dropped"
                    );
                }
            }
        }
    }

    /// Sends everything queued; afterwards [`SipEndpoint::take_unreachable`] names the peers
    /// whose connection was gone.
    pub(crate) fn flush(&mut self) {
        while let Some(transmit) = self.layer.poll_transmit() {
            self.send(transmit);
        }
    }

    /// Peers that could not be sent to since the last call.
    pub(crate) fn take_unreachable(&mut self) -> Vec<Peer> {
        std::mem::take(&mut self.unreachable)
    }

    fn send(&mut self, transmit: Transmit) {
        match &transmit.label {
            Label::Request(method) => self.metrics.sip_request(Direction::Out, method),
            Label::Response(status) => {
                let method = cseq_method(&transmit.bytes).unwrap_or(Method::Other(String::new()));
                self.metrics
                    .sip_response(Direction::Out, &method, status.as_u16());
            }
        }
        match transmit.peer.connection {
            Some(id) => {
                let sent = self
                    .connections
                    .get(&id)
                    .is_some_and(|c| c.writer.try_send(transmit.bytes).is_ok());
                if !sent {
                    self.metrics.error("tcp_send_failed");
                    self.unreachable.push(transmit.peer);
                }
            }
            None => {
                if let Err(error) = self.udp.try_send_to(&transmit.bytes, transmit.peer.addr) {
                    if error.kind() == std::io::ErrorKind::WouldBlock {
                        self.metrics.error("udp_send_dropped");
                    } else {
                        self.metrics.error("udp_send_failed");
                        tracing::debug!(peer = %transmit.peer.addr, %error, "SIP UDP send failed");
                    }
                }
            }
        }
    }

    /// The address and port we are reached at over `transport`, as `peer` sees it.
    pub(crate) fn local_for(&mut self, peer: &Peer) -> SocketAddr {
        let ip = self.local.toward(peer.addr.ip());
        let port = match peer.transport {
            Transport::Tcp => self.tcp_local.port(),
            _ => self.udp_local.port(),
        };
        SocketAddr::new(ip, port)
    }

    /// When the layer or the dialogs next need [`SipEndpoint::handle_timeout`].
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        [self.layer.poll_timeout(), self.dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Runs the timers due at `now`.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.dialogs.handle_timeout(now, &mut self.layer);
    }
}

/// Counts a received message.
fn count(metrics: &Metrics, direction: Direction, message: &Message) {
    match message {
        Message::Request(request) => metrics.sip_request(direction, &request.method),
        Message::Response(response) => {
            let method = response
                .headers
                .cseq()
                .map_or(Method::Other(String::new()), |c| c.method);
            metrics.sip_response(direction, &method, response.status.as_u16());
        }
    }
}

/// The method of the CSeq line of a serialized message (for counting our responses without
/// parsing them again).
fn cseq_method(bytes: &[u8]) -> Option<Method> {
    let text = std::str::from_utf8(bytes.get(..bytes.len().min(4096))?).ok()?;
    let line = text
        .split("\r\n")
        .take_while(|line| !line.is_empty())
        .find(|line| {
            line.get(..5)
                .is_some_and(|name| name.eq_ignore_ascii_case("cseq:"))
        })?;
    let method = line.get(5..)?.split_whitespace().nth(1)?;
    Method::parse(method).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cseq_method_is_read_from_a_serialized_response() {
        let bytes = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 4 REGISTER\r\n\
            Content-Length: 0\r\n\r\n";
        assert_eq!(cseq_method(bytes), Some(Method::Register));
        assert_eq!(cseq_method(b"SIP/2.0 200 OK\r\n\r\n"), None);
    }
}
