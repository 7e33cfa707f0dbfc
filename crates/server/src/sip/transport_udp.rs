//! SIP over UDP: one task reads datagrams and hands each to the switchboard through a bounded
//! queue. Sending is the switchboard's (`try_send_to` on the shared socket, never waiting).
//!
//! When the queue is full the switchboard is behind: a request is answered `503 Service
//! Unavailable` with `Retry-After` right here, without a transaction (a response or an ACK is
//! dropped), and the overload is counted (`plateau_errors_total{kind="sip_overload"}`), so a
//! burst costs a few microseconds per datagram and no memory.

use std::sync::Arc;

use bytes::Bytes;
use sip::header::Transport;
use sip::transaction::Peer;
use sip::{HeaderName, Message, Method, Response, StatusCode};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::inbound::Inbound;
use crate::metrics::{Direction, Metrics};

/// Largest datagram read (the UDP maximum).
const MAX_DATAGRAM: usize = 65_535;

/// Seconds a peer is asked to wait in an overload 503.
pub(crate) const OVERLOAD_RETRY_AFTER: &str = "5";

/// The To tag of stateless overload answers.
const OVERLOAD_TAG: &str = "overload";

/// Socket buffer size asked for, each way: a burst of a few thousand datagrams must fit while
/// the reader is scheduled out (the kernel caps it at `net.core.rmem_max`/`wmem_max`).
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// Enlarges the socket's buffers (see [`SOCKET_BUFFER`]); a refusal is logged, not fatal.
pub(crate) fn tune(socket: &UdpSocket) {
    let sock = socket2::SockRef::from(socket);
    if let Err(error) = sock.set_recv_buffer_size(SOCKET_BUFFER) {
        tracing::warn!(%error, "cannot enlarge the SIP UDP receive buffer");
    }
    if let Err(error) = sock.set_send_buffer_size(SOCKET_BUFFER) {
        tracing::warn!(%error, "cannot enlarge the SIP UDP send buffer");
    }
    tracing::debug!(
        receive = ?sock.recv_buffer_size().ok(),
        send = ?sock.send_buffer_size().ok(),
        "SIP UDP socket buffers"
    );
}

/// Starts the reader of `socket`.
pub(crate) fn spawn(
    socket: Arc<UdpSocket>,
    inbound: mpsc::Sender<Inbound>,
    metrics: Metrics,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(run(socket, inbound, metrics, stop))
}

async fn run(
    socket: Arc<UdpSocket>,
    inbound: mpsc::Sender<Inbound>,
    metrics: Metrics,
    stop: CancellationToken,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let received = tokio::select! {
            () = stop.cancelled() => return,
            received = socket.recv_from(&mut buf) => received,
        };
        let (len, source) = match received {
            Ok(got) => got,
            // ICMP errors from earlier sends surface here on some systems; they concern no
            // datagram to read.
            Err(error) => {
                tracing::debug!(%error, "SIP UDP receive error");
                continue;
            }
        };
        let Some(datagram) = buf.get(..len) else {
            continue;
        };
        // Keep-alives (CRLFs) and empty datagrams carry nothing to answer.
        if datagram
            .iter()
            .all(|b| matches!(b, b'\r' | b'\n' | b' ' | 0))
        {
            continue;
        }
        // Exact-size copy: a long call keeps its INVITE, and with it only its own bytes.
        let bytes = Bytes::copy_from_slice(datagram);
        let message = Inbound::Message {
            bytes,
            peer: Peer::udp(source),
        };
        match inbound.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Inbound::Message { bytes, peer })) => {
                metrics.error("sip_overload");
                if let Some(reply) = overload_reply(&bytes) {
                    metrics.sip_response(
                        Direction::Out,
                        &reply.method,
                        StatusCode::SERVICE_UNAVAILABLE.as_u16(),
                    );
                    let _ = socket.try_send_to(&reply.bytes, reply_address(&reply, &peer));
                }
            }
            Err(_) => return,
        }
    }
}

/// A stateless 503 for an overloaded moment.
struct OverloadReply {
    bytes: Bytes,
    method: Method,
    via: sip::header::Via,
}

/// The 503 for `datagram` if it is a request that may be answered (not an ACK).
fn overload_reply(datagram: &Bytes) -> Option<OverloadReply> {
    let Ok(Message::Request(request)) = Message::parse(datagram.clone()) else {
        return None;
    };
    if request.method == Method::Ack {
        return None;
    }
    let via = request.headers.top_via().ok()?;
    if via.transport != Transport::Udp {
        return None;
    }
    // A stateless answer: the same tag for a retransmission, as RFC 3261 §8.2.7 asks.
    let mut response = Response::for_request(
        &request,
        StatusCode::SERVICE_UNAVAILABLE,
        Some(OVERLOAD_TAG),
    );
    response
        .headers
        .push(HeaderName::RetryAfter, OVERLOAD_RETRY_AFTER);
    Some(OverloadReply {
        bytes: response.to_bytes(),
        method: request.method,
        via,
    })
}

fn reply_address(reply: &OverloadReply, source: &Peer) -> std::net::SocketAddr {
    sip::transaction::response_peer(source, &reply.via).addr
}
