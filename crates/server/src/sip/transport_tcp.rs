//! SIP over TCP: a listener task, and per connection a reader (cutting the stream into
//! messages with `sip::framing`) and a writer (draining the connection's queue). The
//! switchboard learns of each connection ([`Inbound::Connected`], with the writer's queue) and
//! of its end ([`Inbound::Closed`]), and sends whatever goes to that peer through the queue:
//! responses to its requests, and requests to an agent who registered over it.
//!
//! Limits: a message larger than `sip.max_message_size` ends the connection; so does a
//! framing error (no or bad Content-Length), after a `400` when the header section was
//! readable enough to answer; a source address may hold at most
//! `limits.tcp_connections_per_source` connections (further ones are closed at once).
//! A double CRLF is a keep-alive ping (RFC 5626) answered with a CRLF.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::{Buf, Bytes, BytesMut};
use sip::framing::{Frame, frame};
use sip::transaction::{ConnectionId, Peer};
use sip::validate::{Policy, Verdict, inspect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::inbound::Inbound;
use crate::metrics::Metrics;

/// Messages a connection's writer may have waiting.
const WRITER_QUEUE: usize = 256;
/// Room kept free in a connection's read buffer before each read.
const READ_CHUNK: usize = 16 * 1024;

/// What the TCP transport is limited to.
#[derive(Debug, Clone)]
pub(crate) struct TcpLimits {
    /// Largest message.
    pub(crate) max_message: usize,
    /// Connections per source address.
    pub(crate) per_source: u32,
}

/// Open connections per source address, shared by the listener and the connections' readers.
#[derive(Debug, Clone, Default)]
struct PerSource(Arc<Mutex<HashMap<IpAddr, u32>>>);

impl PerSource {
    /// Takes a place for `ip`, unless it already holds `limit`.
    fn enter(&self, ip: IpAddr, limit: u32) -> Option<SourceSlot> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(ip).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(SourceSlot {
            owner: self.clone(),
            ip,
        })
    }
}

/// A connection's place in its source's count, given back when dropped.
#[derive(Debug)]
struct SourceSlot {
    owner: PerSource,
    ip: IpAddr,
}

impl Drop for SourceSlot {
    fn drop(&mut self) {
        let mut map = self.owner.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Starts accepting on `listener`.
pub(crate) fn spawn(
    listener: TcpListener,
    inbound: mpsc::Sender<Inbound>,
    limits: TcpLimits,
    policy: Arc<Policy>,
    metrics: Metrics,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let sources = PerSource::default();
        let mut next_id: u64 = 0;
        loop {
            let accepted = tokio::select! {
                () = stop.cancelled() => return,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, or the peer gave up: the listener itself is fine.
                    tracing::warn!(%error, "SIP TCP accept failed");
                    metrics.error("tcp_accept");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            };
            let Some(slot) = sources.enter(peer.ip(), limits.per_source) else {
                metrics.error("tcp_connection_limit");
                tracing::warn!(
                    source = %peer.ip(),
                    limit = limits.per_source,
                    "SIP TCP connection refused: too many from this source"
                );
                continue;
            };
            let _ = stream.set_nodelay(true);
            next_id += 1;
            let connection = ConnectionId(next_id);
            let (reader, writer) = stream.into_split();
            let (queue, pending) = mpsc::channel(WRITER_QUEUE);
            let opened = Inbound::Connected {
                connection,
                peer,
                writer: queue.clone(),
            };
            if inbound.send(opened).await.is_err() {
                return;
            }
            tokio::spawn(write(writer, pending));
            let reading = Reading {
                connection,
                peer,
                inbound: inbound.clone(),
                pong: queue,
                limits: limits.clone(),
                policy: Arc::clone(&policy),
                metrics: metrics.clone(),
                _slot: slot,
            };
            tokio::spawn(reading.run(reader, stop.clone()));
        }
    })
}

/// Writes what the switchboard (and the reader's pongs) queue, until every sender is gone.
async fn write(mut writer: OwnedWriteHalf, mut pending: mpsc::Receiver<Bytes>) {
    while let Some(bytes) = pending.recv().await {
        if let Err(error) = writer.write_all(&bytes).await {
            tracing::debug!(%error, "SIP TCP write failed");
            return;
        }
    }
    let _ = writer.shutdown().await;
}

/// One connection's reader.
struct Reading {
    connection: ConnectionId,
    peer: SocketAddr,
    inbound: mpsc::Sender<Inbound>,
    /// The writer's queue, for pongs and for the 400 before closing.
    pong: mpsc::Sender<Bytes>,
    limits: TcpLimits,
    policy: Arc<Policy>,
    metrics: Metrics,
    _slot: SourceSlot,
}

/// Why a connection's reading ended.
enum End {
    /// The peer closed (or the server is stopping).
    Closed,
    /// The switchboard is gone.
    Gone,
}

impl Reading {
    async fn run(self, mut reader: OwnedReadHalf, stop: CancellationToken) {
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        let end = loop {
            if buf.capacity() - buf.len() < READ_CHUNK / 4 {
                buf.reserve(READ_CHUNK);
            }
            let read = tokio::select! {
                () = stop.cancelled() => break End::Closed,
                read = reader.read_buf(&mut buf) => read,
            };
            match read {
                Ok(0) | Err(_) => {
                    if buf.iter().any(|b| !matches!(b, b'\r' | b'\n')) {
                        self.metrics.error("tcp_truncated");
                        tracing::info!(
                            peer = %self.peer,
                            bytes = buf.len(),
                            "SIP TCP connection closed in the middle of a message"
                        );
                    }
                    break End::Closed;
                }
                Ok(_) => {}
            }
            match self.take_messages(&mut buf).await {
                Ok(()) => {}
                Err(end) => break end,
            }
        };
        if let End::Closed = end {
            let _ = self
                .inbound
                .send(Inbound::Closed {
                    connection: self.connection,
                    peer: self.peer,
                })
                .await;
        }
    }

    /// Hands over every whole message at the front of `buf`.
    async fn take_messages(&self, buf: &mut BytesMut) -> Result<(), End> {
        loop {
            match frame(buf, self.limits.max_message) {
                Ok(Frame::Incomplete) => return Ok(()),
                Ok(Frame::Ping { len }) => {
                    buf.advance(len);
                    let _ = self.pong.try_send(Bytes::from_static(b"\r\n"));
                }
                Ok(Frame::Keepalive { len }) => buf.advance(len),
                Ok(Frame::Message { len }) => {
                    let Some(message) = buf.get(..len) else {
                        return Ok(());
                    };
                    // Exact-size copy, so a kept message pins only its own bytes.
                    let bytes = Bytes::copy_from_slice(message);
                    buf.advance(len);
                    let message = Inbound::Message {
                        bytes,
                        peer: Peer::tcp(self.peer, self.connection),
                    };
                    if self.inbound.send(message).await.is_err() {
                        return Err(End::Gone);
                    }
                }
                Err(error) => {
                    self.metrics.error("tcp_framing");
                    tracing::info!(
                        peer = %self.peer,
                        %error,
                        "SIP TCP framing error; closing the connection"
                    );
                    if let Some(reply) = framing_reply(buf, &self.policy, &error) {
                        let _ = self.pong.try_send(reply);
                    }
                    return Err(End::Closed);
                }
            }
        }
    }
}

/// The `400` for a message whose framing failed, when its header section says enough to
/// answer it (a request with a Via).
fn framing_reply(buf: &[u8], policy: &Policy, error: &sip::ParseError) -> Option<Bytes> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |at| at + 4);
    let head = buf.get(..end)?;
    match inspect(Bytes::copy_from_slice(head), policy) {
        Verdict::Respond { response, .. } => Some(response.to_bytes()),
        // Readable after all (the body was the problem): answer it as malformed.
        Verdict::Accept(sip::Message::Request(request)) if request.method != sip::Method::Ack => {
            let mut response =
                sip::Response::for_request(&request, sip::StatusCode::BAD_REQUEST, Some("framing"));
            response.reason = format!("Bad Request - {error}");
            Some(response.to_bytes())
        }
        _ => None,
    }
}
