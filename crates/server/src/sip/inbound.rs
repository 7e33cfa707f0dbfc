//! What the transports hand the switchboard: messages with where they came from, and the
//! opening and closing of TCP connections (whose writers the switchboard keeps, so that
//! responses and requests go back over the connection a peer used).

use std::net::SocketAddr;

use bytes::Bytes;
use sip::transaction::{ConnectionId, Peer};
use tokio::sync::mpsc;

/// One input from a transport.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// A datagram, or one framed message of a stream.
    Message {
        /// The bytes, as received.
        bytes: Bytes,
        /// Where they came from (and over which connection).
        peer: Peer,
    },
    /// A TCP connection was accepted; bytes for it go to `writer`.
    Connected {
        /// The connection.
        connection: ConnectionId,
        /// The remote address.
        peer: SocketAddr,
        /// Its writer task's queue.
        writer: mpsc::Sender<Bytes>,
    },
    /// A TCP connection closed (either side, or a framing error).
    Closed {
        /// The connection.
        connection: ConnectionId,
        /// The remote address.
        peer: SocketAddr,
    },
}
